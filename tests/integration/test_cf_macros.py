"""The m4 tree on .mc files of our own: every confXXX of the spec's
table, every supported macro and feature, and the mistakes caught at
m4 time."""
import re

import pytest

from cfgen import CF_M4, HEAD, m4, read_cf
from conftest import DATA, ROOT, parse_bO

MC_DIR = ROOT / "tests" / "integration" / "mc"


def spec_conf_table():
    """(confVAR, Option) pairs of the confXXX table, plain rows only."""
    text = (DATA / "conf-options.md").read_text()
    section = text[text.index("## 5."):text.index("Always emitted")]
    pairs = []
    for row in section.splitlines():
        if not row.startswith("| `conf"):
            continue
        cells = row.split("|")
        names = re.findall(r"`(conf[A-Z0-9_*]+)`", cells[1])
        opts = re.findall(r"`([A-Za-z.*]+)`", cells[2])
        for name, opt in zip(names, opts):
            if "*" not in name and name not in (
                    "confDOMAIN_NAME", "confCW_FILE", "confCT_FILE"):
                pairs.append((name, opt))
    return pairs


def generate(tmp_path, body, name="t.mc"):
    mc = tmp_path / name
    mc.write_text(HEAD + body)
    return m4(mc)


def test_every_conf_variable_of_the_spec(tmp_path):
    pairs = spec_conf_table()
    assert len(pairs) > 60
    body = "".join(f"define(`{v}', `value{i}')dnl\n"
                   for i, (v, _) in enumerate(pairs))
    body += ("define(`confDOMAIN_NAME', `host.example.org')dnl\n"
             "define(`confCW_FILE', `/x/cw')dnl\n"
             "define(`confCT_FILE', `/x/ct')dnl\n"
             "FEATURE(`use_cw_file')dnl\nFEATURE(`use_ct_file')dnl\n")
    r = generate(tmp_path, body)
    assert r.returncode == 0, r.stderr
    assert "unknown configuration variable" not in r.stderr
    cf = read_cf(r.stdout)
    got = dict(cf["O"])
    for i, (var, opt) in enumerate(pairs):
        assert got.get(opt) == f"value{i}", f"{var} -> {opt}"
    assert cf["D"]["j"] == "host.example.org"
    assert cf["F"]["w"] == {"/x/cw"}
    assert cf["F"]["t"] == {"/x/ct"}


def test_cf_m4_defaults_match_sendmails(tmp_path):
    r = generate(tmp_path, "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
    assert r.returncode == 0, r.stderr
    got = read_cf(r.stdout)["O"]
    for pair in [("SevenBitInput", "False"), ("AliasWait", "10"),
                 ("AliasFile", "/etc/mail/aliases"), ("MinFreeBlocks", "100"),
                 ("BlankSub", "."), ("HoldExpensive", "False"),
                 ("DeliveryMode", "background"), ("TempFileMode", "0600"),
                 ("HelpFile", "/etc/mail/helpfile"), ("SendMimeErrors", "True"),
                 ("ForwardPath", "$z/.forward.$w:$z/.forward"),
                 ("ConnectionCacheSize", "2"), ("ConnectionCacheTimeout", "5m"),
                 ("UseErrorsTo", "False"), ("LogLevel", "9"),
                 ("CheckAliases", "False"), ("OldStyleHeaders", "True"),
                 ("DaemonPortOptions", "Name=MTA"),
                 ("DaemonPortOptions", "Port=587, Name=MSA, M=E"),
                 ("PrivacyOptions", "authwarnings"),
                 ("QueueDirectory", "/var/spool/mqueue"),
                 ("Timeout.queuereturn", "5d"), ("Timeout.queuewarn", "4h"),
                 ("SuperSafe", "True"),
                 ("SmtpGreetingMessage", "$j Sendmail $v/$Z; $b"),
                 ("UnixFromLine", "From $g $d"),
                 ("OperatorChars", ".:%@!^/[]+")]:
        assert pair in got, pair


def everything(tmp_path, name):
    mc = tmp_path / name
    mc.write_text((MC_DIR / name).read_text().replace("@CF_M4@", str(CF_M4)))
    r = m4(mc)
    assert r.returncode == 0, r.stderr
    cfp = tmp_path / (mc.stem + ".cf")
    cfp.write_text(r.stdout)
    return cfp, read_cf(r.stdout), r


def test_every_macro(tmp_path, run):
    cfp, cf, r = everything(tmp_path, "everything.mc")
    assert r.stderr == ""
    assert "#####  every supported macro  #####" in r.stdout
    d = cf["D"]
    assert d["S"] == "[smart.example.org]"
    assert d["H"] == "hub.example.org"
    assert d["R"] == "relay.example.org"
    assert d["M"] == "example.org"
    assert d["j"] == "mx.example.org"
    assert d["greet_pause"] == "5000"
    assert d["always_add_domain"] == "example.org"
    c = cf["C"]
    assert {"example.org", "mail.example.org", "localhost"} <= c["w"]
    assert c["M"] == {"sub.example.org"}
    assert c["E"] == {"root", "postmaster"}          # DOMAIN(generic) + ours
    assert c["TrustAuthMech"] == {"PLAIN", "LOGIN"}
    assert c["R"] == {"partner.example.net"}
    assert c["Dnsbl"] == {"bl.example.net", "bl2.example.net"}
    assert c["Extra"] == {"one", "two"}               # LOCAL_CONFIG
    assert "!" not in c["O"]                          # nouucp
    assert "REDIRECT" in c["P"]                       # DOMAIN(generic)
    features = c["Features"]
    for f in ["masquerade_entire_domain", "masquerade_envelope",
              "allmasquerade", "limited_masquerade", "local_no_masquerade",
              "relay_hosts_only", "relay_entire_domain", "promiscuous_relay",
              "relay_based_on_MX", "relay_local_from", "relay_mail_from",
              "loose_relay_check", "accept_unresolvable_domains",
              "accept_unqualified_senders", "delay_checks",
              "delay_checks_friend", "blocklist_recipients", "nocanonify",
              "canonify_hosts", "nouucp", "nouucp_reject", "nopercenthack",
              "always_add_domain", "stickyhost", "bestmx_is_local",
              "use_client_ptr", "greet_pause", "conncontrol", "ratecontrol",
              "ratecontrol_nodelay", "ratecontrol_terminate",
              "badmx", "require_rdns", "block_bad_helo", "check_other",
              "queuegroup", "tls_session_features", "sts", "access_skip",
              "lookupdotdomain", "relaytofulladdress", "dnsbl_tempfail",
              "redirect", "use_cw_file", "no_default_msa"]:
        assert f in features, f
    assert cf["F"]["w"] == {"/etc/mail/names.test"}
    assert cf["F"]["t"] == {"/etc/mail/trusted.test"}
    k = cf["K"]
    assert k["access"] == "hash -T<TMPF> -o /etc/mail/access.db"
    assert k["mailertable"] == "hash /etc/mail/mailertable"
    assert k["virtuser"] == "hash -o /etc/mail/virtusertable.db"
    assert k["generics"] == "hash /etc/mail/genericstable"
    assert k["domaintable"] == "hash /etc/mail/domaintable"
    assert k["authinfo"] == "hash /etc/mail/authinfo"
    assert k["extra"] == "hash -o /etc/mail/extra"    # LOCAL_CONFIG
    assert "resolve" not in k                         # accept_unresolvable
    m = cf["M"]
    assert m["local"]["P"] == "/usr/local/bin/procmail"
    assert m["local"]["A"] == "procmail -t -a $h -d $u"
    assert m["prog"]["P"] == "/usr/sbin/smrsh"
    assert m["prog"]["A"] == "smrsh -c $u"
    assert m["relay"]["A"] == "TCP $h 587"
    assert m["esmtp"]["A"] == "TCP $h 2525"
    assert m["smtp"]["A"] == "TCP $h 25"
    assert m["smtp"]["M"] == "1000000"
    assert m["procmail"]["P"] == "/usr/bin/procmail"
    o = dict(cf["O"])
    assert o["AliasFile"] == "/etc/mail/aliases.test"
    assert o["QueueDirectory"] == "/var/spool/mqueue.test"
    assert o["StatusFile"] == "/var/log/sendmail.st"
    assert o["DefaultUser"] == "8:12"
    assert o["ClientPortOptions"] == "Family=inet, Addr=127.0.0.1"
    assert ("DaemonPortOptions", "Port=2587, Addr=127.0.0.1, Name=MSA, M=Ea") \
        in cf["O"]
    assert ("DaemonPortOptions", "Port=587, Name=MSA, M=E") not in cf["O"]
    # The daemon reads it and puts the values in force.
    r = run("sendmaild", "-C", cfp, "-bO")
    assert r.returncode == 0, r.stderr
    opts = parse_bO(r.stdout)
    assert opts["LogLevel"] == ["12"]
    assert opts["DeliveryMode"] == ["queueonly"]
    assert opts["Timeout.command"] == ["25m"]
    assert opts["QueueSortOrder"] == ["time"]
    assert opts["DontProbeInterfaces"] == ["loopback"]
    assert opts["DaemonPortOptions"] == ["Port=2525, Addr=127.0.0.1, Name=MTA",
                                         "Port=2587, Addr=127.0.0.1, Name=MSA, M=Ea"]
    assert opts["PrivacyOptions"] == ["needmailhelo,needexpnhelo,needvrfyhelo,"
                                      "noexpn,novrfy,authwarnings,noverb,noetrn"]


def test_lmtp_and_msp(tmp_path, run):
    cfp, cf, _ = everything(tmp_path, "lmtp.mc")
    assert cf["M"]["local"]["P"] == "/usr/libexec/mail.local"
    assert cf["M"]["local"]["A"] == "mail.local -l"
    assert run("sendmaild", "-C", cfp, "-bC").returncode == 0
    cfp, cf, _ = everything(tmp_path, "msp.mc")
    assert cf["D"]["S"] == "[mail.example.org]"
    assert cf["M"]["relay"]["A"] == "TCP $h 587"
    assert dict(cf["O"])["PidFile"] == "/var/run/sendmail/mta/sendmail.pid"
    assert run("sendmaild", "-C", cfp, "-bC").returncode == 0


def test_modify_mailer_flags(tmp_path, run):
    """MODIFY_MAILER_FLAGS adds, takes away or replaces the flags of a
    group of mailers, whatever the order of the calls."""
    r = generate(tmp_path, "MODIFY_MAILER_FLAGS(`LOCAL', `+X')dnl\n"
                 "MODIFY_MAILER_FLAGS(`LOCAL', `-h')dnl\n"
                 "MODIFY_MAILER_FLAGS(`ESMTP', `mDFMuX')dnl\n"
                 "MODIFY_MAILER_FLAGS(`ESMTP', `+8')dnl\n"
                 "MODIFY_MAILER_FLAGS(`RELAY', `-a+%')dnl\n"
                 "MAILER(`smtp')dnl\n")
    assert r.returncode == 0, r.stderr
    m = read_cf(r.stdout)["M"]
    assert m["local"]["F"] == "lsDFMAw5:/|@qSPfn9X"
    assert m["esmtp"]["F"] == "mDFMuX"          # the replacement wins
    assert m["relay"]["F"] == "mDFMuX8"
    assert m["smtp"]["F"] == "mDFMuX"
    cfp = tmp_path / "t.cf"
    cfp.write_text(r.stdout)
    assert run("sendmail", "-C", cfp, "-bC").returncode == 0


@pytest.mark.parametrize("line,said", [
    ("INPUT_MAIL_FILTER(`f1', `S=local:/run/f1.sock, F=R')dnl\n",
     "INPUT_MAIL_FILTER(f1): mail filters (milters) are not called"),
    ("MAIL_FILTER(`f2', `S=inet:3333@localhost')dnl\n",
     "MAIL_FILTER(f2): mail filters (milters) are not called"),
    ("QUEUE_GROUP(`slow', `P=/var/spool/mqueue/slow, r=2')dnl\n",
     "QUEUE_GROUP(slow): queue groups are not implemented"),
])
def test_mail_filters_and_queue_groups_stop_m4(tmp_path, line, said):
    """A filter the program would not call, or a queue group no run
    would serve, stops m4 with the .mc line: a rebuilt .cf must not let
    mail pass unfiltered."""
    r = generate(tmp_path, line)
    assert r.returncode != 0
    assert re.search(r"t\.mc:\d+: \*\*\* ERROR: " + re.escape(said),
                     r.stderr), r.stderr


@pytest.mark.parametrize("body,msg", [
    ("FEATURE(`nosuch')dnl\n", "FEATURE(nosuch): unknown feature"),
    ("MAILER(`uucp')dnl\n", "MAILER(uucp): unknown mailer"),
    ("OSTYPE(`plan9')dnl\n", "OSTYPE(plan9): unknown operating system type"),
    ("DOMAIN(`nosuch')dnl\n", "DOMAIN(nosuch): unknown domain"),
    ("FEATURE(`../../etc/passwd')dnl\n", "invalid name"),
    ("MAILER(`smtp')dnl\nFEATURE(`smrsh')dnl\n",
     "FEATURE(smrsh) must come before MAILER()"),
    ("MAILER(`local')dnl\nFEATURE(`local_procmail')dnl\n",
     "FEATURE(local_procmail) must come before MAILER()"),
    ("MAILER(`smtp')dnl\nMAILER(`smtp')dnl\n", "MAILER(smtp) already included"),
    ("MAILER(`procmail')dnl\nMAILER(`smtp')dnl\n",
     "MAILER(smtp) must come before MAILER(procmail)"),
    ("FEATURE(`blocklist_recipients')dnl\n",
     "requires FEATURE(access_db)"),
    ("FEATURE(`access_db', `hash /etc/mail/access')dnl\n",
     "must contain -T<TMPF>"),
    ("FEATURE(`nullclient')dnl\n", "needs the host"),
    ("FEATURE(`nouucp', `sometimes')dnl\n", "reject or nospecial"),
    ("FEATURE(`greet_pause', `soon')dnl\n", "milliseconds"),
    ("HACK(`cssubdomain')dnl\n", "hacks are not supported"),
    ("MODIFY_MAILER_FLAGS(`UUCP', `+X')dnl\n",
     "MODIFY_MAILER_FLAGS(UUCP): this tree has no such group of mailers"),
    ("PUSHDIVERT(5)dnl\n", "PUSHDIVERT(5): the diversion numbers"),
    ("POPDIVERT`'dnl\n", "POPDIVERT without PUSHDIVERT(-1)"),
    ("define(`UUCP_RELAY', `uurelay.example.org')dnl\n",
     "define(UUCP_RELAY): UUCP is not supported"),
    ("SITECONFIG(`uucp.ucbvax', `ucbvax', `U')dnl\n",
     "SITECONFIG(uucp.ucbvax): UUCP sites are not supported"),
    ("FEATURE(`ldap_routing')dnl\n",
     "FEATURE(ldap_routing) is not supported by this tree: LDAP routing"),
    ("FEATURE(`conncontrol')dnl\n",
     "FEATURE(conncontrol) requires FEATURE(access_db) before it"),
    ("FEATURE(`access_db')dnl\nFEATURE(`ratecontrol', `nodelay')dnl\n",
     "FEATURE(ratecontrol, nodelay) requires FEATURE(delay_checks) before it"),
    ("FEATURE(`access_db')dnl\nFEATURE(`ratecontrol', `', `kill')dnl\n",
     "FEATURE(ratecontrol): the second argument is terminate or empty, not kill"),
    ("FEATURE(`access_db')dnl\nFEATURE(`conncontrol', `now')dnl\n",
     "FEATURE(conncontrol): the first argument is nodelay or empty, not now"),
])
def test_mistakes_are_errors(tmp_path, body, msg):
    r = generate(tmp_path, body)
    assert r.returncode == 1
    assert msg in r.stderr
    assert "t.mc:" in r.stderr          # names the .mc line
    assert "*** ERROR" in r.stderr


@pytest.mark.parametrize("body,msg", [
    ("define(`confNO_SUCH_THING', `1')dnl\n",
     "define(confNO_SUCH_THING): unknown configuration variable"),
    ("MAILER(`smtp')dnl\nFEATURE(`use_cw_file')dnl\n",
     "FEATURE(use_cw_file) should be before MAILER()"),
    ("FEATURE(`blacklist_recipients')dnl\n", "is deprecated"),
    ("LOCAL_TRY_TLS\nR$*\t$#ok\n", "LOCAL_TRY_TLS: rewriting rules"),
    ("LOCAL_UUCP\nR$*\t$: $1\n", "LOCAL_UUCP: rewriting rules"),
])
def test_warnings_keep_going(tmp_path, body, msg):
    body = body.replace("FEATURE(`blacklist", "FEATURE(`access_db')dnl\nFEATURE(`blacklist")
    r = generate(tmp_path, body)
    assert r.returncode == 0, r.stderr
    assert msg in r.stderr
    assert "O LogLevel=9" in r.stdout


def test_text_without_newline_leaves_the_v_line_alone(tmp_path, run):
    """A line of the .mc's own that m4 writes at the top without its
    newline (a macro followed by dnl) does not swallow the V line."""
    r = generate(tmp_path, "define(`MYNAMES', `Cwmail.example.org')dnl\n"
                 "MYNAMES`'dnl\nMAILER(`smtp')dnl\n")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "V10/Berkeley" in lines
    assert "Cwmail.example.org" in lines
    cfp = tmp_path / "t.cf"
    cfp.write_text(r.stdout)
    assert run("sendmail", "-C", cfp, "-bC").returncode == 0


def test_include_from_anywhere(tmp_path):
    """cf.m4 finds its tree from its own name: absolute, relative, cwd."""
    body = "OSTYPE(`linux')dnl\nFEATURE(`redirect')dnl\nMAILER(`smtp')dnl\n"
    for include, cwd in [(str(CF_M4), tmp_path),
                         ("cf/m4/cf.m4", ROOT),
                         ("../m4/cf.m4", ROOT / "cf" / "cf"),
                         ("cf.m4", ROOT / "cf" / "m4")]:
        mc = tmp_path / "inc.mc"
        mc.write_text(f"divert(-1)dnl\ninclude(`{include}')dnl\n" + body)
        r = m4(mc, cwd=cwd)
        assert r.returncode == 0, (include, r.stderr)
        assert "CPREDIRECT" in r.stdout
        assert "Mrelay," in r.stdout


@pytest.mark.parametrize("cf", sorted((ROOT / "cf" / "cf").glob("*.cf")),
                         ids=lambda p: p.name)
def test_shipped_configurations_load(run, cf):
    r = run("sendmaild", "-C", cf, "-bO")
    assert r.returncode == 0, r.stderr


def test_shipped_mc_files_are_built():
    built = {p.stem for p in (ROOT / "cf" / "cf").glob("*.cf")}
    assert {p.stem for p in (ROOT / "cf" / "cf").glob("*.mc")} <= built
    assert "sendmail" in built


def test_readme_documents_everything():
    readme = (ROOT / "cf" / "README").read_text()
    options = (ROOT / "cf" / "m4" / "options.m4").read_text()
    for var in re.findall(r"_OPT_\(`(conf[A-Z0-9_]+)'", options):
        if var.startswith("confMILTER_MACROS_") or var.startswith("confTO_"):
            short = var.split("_")[-1]
            assert short in readme, var
        else:
            assert var in readme, var
    for kind in ("feature", "mailer", "ostype", "domain"):
        for f in (ROOT / "cf" / kind).glob("*.m4"):
            assert f.stem in readme, f"{kind}/{f.name}"
    cfm4 = (ROOT / "cf" / "m4" / "cf.m4").read_text()
    for macro in re.findall(r"^define\(`([A-Z][A-Z_0-9]+)'", cfm4, re.M):
        assert macro in readme, macro
