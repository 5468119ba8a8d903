"""Every macro a .mc may use in sendmail's own m4 tree (Debian's
sendmail-cf, /usr/share/sendmail/cf), run through our tree in a small
.mc.  m4 either exits 0 with a .cf that "sendmail -bC" and "-bO" accept
and that carries the lines sendmail's tree writes for the same .mc, or
exits non-zero with an error naming the macro, the .mc file and line,
and what to do instead.  Never a .cf the program refuses.

The names are read from the installed tree at test time: the macros
cfhead.m4 defines for .mc files, the variables (SMART_HOST, *_MAILER_*,
...) the tree's files test with ifdef() or defn(), and every file of
feature/, mailer/, ostype/, domain/ and hack/.  A variable that a newer
sendmail-cf adds is tested with a value chosen by the end of its name; a
macro it adds fails test_every_macro_has_a_sample until it has a sample
call here.  cf/README's list of what stops m4 is checked against what
does.

scripts/install-deps test installs sendmail-cf."""
import collections
import re

import pytest

from cfgen import CF_M4, m4
from conftest import ROOT
from daemon_util import SM_CF, need_sendmail_cf

SM_CF_M4 = SM_CF / "m4" / "cf.m4"
# What every .mc of these tests ends with, unless its sample has MAILERs.
MAILERS = "MAILER(`local')dnl\nMAILER(`smtp')dnl\nMAILER(`procmail')dnl\n"

# A sample call of each macro cfhead.m4 defines.  @FILE@ is an existing
# file (F lines without -o must name one).
CALLS = {
    "CANONIFY_DOMAIN": "CANONIFY_DOMAIN(`canon.example.org')dnl",
    "CANONIFY_DOMAIN_FILE": "CANONIFY_DOMAIN_FILE(`@FILE@')dnl",
    "CF_LEVEL": "LOCAL_CONFIG\nD{level}CF_LEVEL",
    "CLIENT_OPTIONS": "CLIENT_OPTIONS(`Family=inet, Addr=127.0.0.1')dnl",
    "CONCAT": "LOCAL_CONFIG\nCONCAT(`C{', `Cat', `}one two')",
    "DAEMON_OPTIONS": "DAEMON_OPTIONS(`Port=2525, Name=MTA2')dnl",
    "DOL": "LOCAL_CONFIG\nD{dol}DOL(j)",
    "DOMAIN": "DOMAIN(`generic')dnl",
    "EXPOSED_USER": "EXPOSED_USER(`root admin')dnl",
    "EXPOSED_USER_FILE": "EXPOSED_USER_FILE(`@FILE@')dnl",
    "FEATURE": "FEATURE(`use_cw_file')dnl\ndefine(`confCW_FILE', `@FILE@')dnl",
    "GENERICS_DOMAIN": "GENERICS_DOMAIN(`gen.example.org')dnl",
    "GENERICS_DOMAIN_FILE": "GENERICS_DOMAIN_FILE(`@FILE@')dnl",
    "HACK": "HACK(`cssubdomain')dnl",
    "INPUT_MAIL_FILTER":
        "INPUT_MAIL_FILTER(`f1', `S=local:/var/run/f1.sock, F=R')dnl\n"
        "INPUT_MAIL_FILTER(`f2', `S=inet:3333@localhost, T=C:2m;E:5m')dnl",
    "LDAPROUTE_DOMAIN": "LDAPROUTE_DOMAIN(`ldap.example.org')dnl",
    "LDAPROUTE_DOMAIN_FILE": "LDAPROUTE_DOMAIN_FILE(`@FILE@')dnl",
    "LDAPROUTE_EQUIVALENT": "LDAPROUTE_EQUIVALENT(`eq.example.org')dnl",
    "LDAPROUTE_EQUIVALENT_FILE": "LDAPROUTE_EQUIVALENT_FILE(`@FILE@')dnl",
    "LOCAL_CLT_FEATURES": "LOCAL_CLT_FEATURES\nR$*\t$#ok",
    "LOCAL_CONFIG": "LOCAL_CONFIG\nC{Local}one two\nKlocal hash -o /etc/mail/x",
    "LOCAL_DNSBL": "LOCAL_DNSBL\nR$*\t$: $1",
    "LOCAL_DOMAIN": "LOCAL_DOMAIN(`here.example.org')dnl",
    "LOCAL_NET_CONFIG": "LOCAL_NET_CONFIG\nR$* < @ $* .$m. > $*\t$#esmtp $@ $2",
    "LOCAL_RULESETS": "LOCAL_RULESETS\nSLocal_check_mail\nR$*\t$: $1",
    "LOCAL_RULE_0": "LOCAL_RULE_0\nR$+ < @ x. >\t$#local $: $1",
    "LOCAL_RULE_1": "LOCAL_RULE_1\nR$*\t$: $1",
    "LOCAL_RULE_2": "LOCAL_RULE_2\nR$*\t$: $1",
    "LOCAL_RULE_3": "LOCAL_RULE_3\nR$*\t$: $1",
    "LOCAL_SRV_FEATURES": "LOCAL_SRV_FEATURES\nR$*\t$#ok",
    "LOCAL_TLS_CLIENT": "LOCAL_TLS_CLIENT\nR$*\t$: $1",
    "LOCAL_TLS_RCPT": "LOCAL_TLS_RCPT\nR$*\t$: $1",
    "LOCAL_TLS_SERVER": "LOCAL_TLS_SERVER\nR$*\t$: $1",
    "LOCAL_TRY_TLS": "LOCAL_TRY_TLS\nR$*\t$#ok",
    "LOCAL_USER": "LOCAL_USER(`root')dnl",
    "LOCAL_USER_FILE": "LOCAL_USER_FILE(`@FILE@')dnl",
    "LOCAL_UUCP": "LOCAL_UUCP\nR$*\t$: $1",
    "MAILER": "MAILER(`local')dnl\nMAILER(`smtp')dnl",
    "MAILER_DEFINITIONS":
        "MAILER_DEFINITIONS\nMcat, P=/bin/cat, F=lsDFM, S=EnvFromL, "
        "R=EnvToL, A=cat",
    "MAIL_FILTER": "MAIL_FILTER(`f1', `S=unix:/var/run/f1.sock, F=T')dnl",
    "MASQUERADE_AS": "MASQUERADE_AS(`masq.example.org')dnl",
    "MASQUERADE_DOMAIN": "MASQUERADE_DOMAIN(`inner.example.org')dnl",
    "MASQUERADE_DOMAIN_FILE": "MASQUERADE_DOMAIN_FILE(`@FILE@')dnl",
    "MASQUERADE_EXCEPTION": "MASQUERADE_EXCEPTION(`ex.example.org')dnl",
    "MASQUERADE_EXCEPTION_FILE": "MASQUERADE_EXCEPTION_FILE(`@FILE@')dnl",
    "MODIFY_MAILER_FLAGS":
        "MODIFY_MAILER_FLAGS(`LOCAL', `+X')dnl\n"
        "MODIFY_MAILER_FLAGS(`LOCAL', `-h')dnl\n"
        "MODIFY_MAILER_FLAGS(`SHELL', `-u')dnl\n"
        "MODIFY_MAILER_FLAGS(`SMTP', `+%')dnl\n"
        "MODIFY_MAILER_FLAGS(`ESMTP', `-a')dnl\n"
        "MODIFY_MAILER_FLAGS(`SMTP8', `+z')dnl\n"
        "MODIFY_MAILER_FLAGS(`DSMTP', `mDFMuXa')dnl\n"
        "MODIFY_MAILER_FLAGS(`RELAY', `+7')dnl\n"
        "MODIFY_MAILER_FLAGS(`PROCMAIL', `-n+e')dnl",
    "OSTYPE": "OSTYPE(`linux')dnl",
    "POPDIVERT": "PUSHDIVERT(-1)\nany text at all\nPOPDIVERT`'dnl",
    "PUSHDIVERT": "PUSHDIVERT(-1)\nany text at all\nPOPDIVERT`'dnl",
    "QUEUE_GROUP":
        "QUEUE_GROUP(`slow', `P=/var/spool/mqueue/slow, F=f, r=2, I=1h')dnl",
    "RELAY_DOMAIN": "RELAY_DOMAIN(`partner.example.net')dnl",
    "RELAY_DOMAIN_FILE": "RELAY_DOMAIN_FILE(`@FILE@')dnl",
    "SITE": "SITE(`ucbvax')dnl",
    "SITECONFIG": "SITECONFIG(`uucp.ucbvax', `ucbvax', `U')dnl",
    "TRUST_AUTH_MECH": "TRUST_AUTH_MECH(`PLAIN LOGIN')dnl",
    "UUCPSMTP": "LOCAL_CONFIG\nUUCPSMTP(`decvax', `decvax.dec.com')",
    "VERSIONID": "VERSIONID(`site 1.0')dnl",
    "VIRTUSER_DOMAIN": "VIRTUSER_DOMAIN(`virt.example.org')dnl",
    "VIRTUSER_DOMAIN_FILE": "VIRTUSER_DOMAIN_FILE(`@FILE@')dnl",
    "lower": "LOCAL_CONFIG\nD{low}lower(`ABC')",
    "strcasecmp": "LOCAL_CONFIG\nD{cmp}strcasecmp(`Abc', `aBC')",
}
# What cfhead.m4 defines that a .mc sets with define() rather than calls.
CFHEAD_VARIABLES = {"ALIAS_FILE", "DATABASE_MAP_TYPE", "MAIL_SETTINGS_DIR",
                    "MASQUERADE_NAME", "TEMPFILE"}
# Values for define(`VARIABLE', value), by the end of the name; the first
# that matches.
VALUES = [
    ("_ARGS", "TCP $h 2525"), ("_FLAGS", "7"), ("_MAX", "1000"),
    ("_MAXMSGS", "10"), ("_MAXRCPTS", "20"), ("_LL", "1000"),
    ("_QGRP", "slow"), ("_CHARSET", "iso-8859-1"), ("_EOL", "\\n"),
    ("_DIR", "/var/tmp/"), ("_PATH", "/usr/local/bin/agent"),
    ("_FILE", "/var/tmp/file"), ("_RELAY", "relay.example.org"),
    ("SMART_HOST", "[smart.example.org]"), ("MAIL_HUB", "hub.example.org"),
    ("_TO", "7"), ("_SIZE", "100000"), ("_CODE", "X-Local"),
    ("_NAME", "Debian"), ("MAP_TYPE", "btree"), ("MAP_OPT", "-T<TMP>"),
]
DEFAULT_VALUE = "1"
# Features that need arguments, another feature first, or the smtp
# mailer left to them.
FEATURE_SAMPLES = {
    "nullclient": "FEATURE(`nullclient', `mailhub.example.org')dnl\n"
                  "MAILER(`local')dnl",
    "msp": "FEATURE(`msp')dnl\nMAILER(`local')dnl",
    "greet_pause": "FEATURE(`greet_pause', `5000')dnl",
    "blocklist_recipients":
        "FEATURE(`access_db')dnl\nFEATURE(`blocklist_recipients')dnl",
    "blacklist_recipients":
        "FEATURE(`access_db')dnl\nFEATURE(`blacklist_recipients')dnl",
    "conncontrol": "FEATURE(`access_db')dnl\nFEATURE(`conncontrol')dnl",
    "ratecontrol": "FEATURE(`access_db')dnl\nFEATURE(`ratecontrol')dnl",
}

LINE_RE = re.compile(r"^(?P<name>[^,\s]*),?\s*(?P<fields>.*)$", re.S)


def cfhead_macros():
    """The macros cfhead.m4 (with cf.m4 and version.m4) defines for .mc
    files: every define() of a name without a leading _ and not conf*."""
    text = "".join((SM_CF / "m4" / f).read_text()
                   for f in ("cfhead.m4", "cf.m4", "version.m4"))
    return {n for n in re.findall(r"(?<![A-Za-z])define\(`([A-Za-z]\w*)'",
                                  text) if not n.startswith("conf")}


def tree_variables():
    """The names sendmail's tree tests with ifdef(), defn(), _DEFIFNOT()
    or _OPTINS() (a .mc sets them with define()), less the confXXX
    options (test_cf_macros.py checks those)."""
    names = set()
    for folder in ("m4", "feature", "mailer", "ostype", "domain", "hack",
                   "siteconfig"):
        for f in (SM_CF / folder).glob("*.m4"):
            names |= set(re.findall(
                r"(?:ifdef|defn|_DEFIFNOT|_OPTINS)\(`([A-Z][A-Z0-9_]*)'",
                f.read_text()))
    return {n for n in names if not n.startswith("conf")} - cfhead_macros()


def value_for(name):
    for end, value in VALUES:
        if name.endswith(end):
            return value
    return DEFAULT_VALUE


def macro_samples():
    """(name, sample) for each macro and variable of sendmail's tree."""
    if not SM_CF_M4.exists():
        return [("sendmail-cf-missing", "")]
    out = [(n, CALLS[n]) for n in sorted(cfhead_macros()) if n in CALLS]
    return out + [(n, f"define(`{n}', `{value_for(n)}')dnl")
                  for n in sorted(tree_variables() | CFHEAD_VARIABLES)]


def file_samples():
    """(KIND(name), KIND, sample) for every file of sendmail's feature/,
    mailer/, ostype/, domain/ and hack/ folders."""
    out = []
    for kind in ("FEATURE", "MAILER", "OSTYPE", "DOMAIN", "HACK"):
        for f in sorted((SM_CF / kind.lower()).glob("*.m4")):
            sample = (FEATURE_SAMPLES.get(f.stem) if kind == "FEATURE"
                      else None) or f"{kind}(`{f.stem}')dnl"
            out.append((f"{kind}({f.stem})", kind, sample))
    return out or [("sendmail-cf-missing", "", "")]


def build_mc(path, include, sample, file_path):
    """Write the .mc: our or sendmail's cf.m4, OSTYPE(linux) unless the
    sample has an OSTYPE, the sample, the mailers unless it has MAILERs.
    The sample's first and last line numbers."""
    text = (f"divert(-1)dnl\ninclude(`{include}')dnl\n"
            f"define(`confCW_FILE', `{file_path}')dnl\n"
            f"define(`confCT_FILE', `{file_path}')dnl\n")
    if "OSTYPE(" not in sample:
        text += "OSTYPE(`linux')dnl\n"
    first = text.count("\n") + 1
    sample = sample.replace("@FILE@", str(file_path))
    text += sample + "\n"
    last = text.count("\n")
    if "MAILER(" not in sample:
        text += MAILERS
    path.write_text(text)
    return first, last


def logical_lines(text):
    lines = []
    for raw in text.splitlines():
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    return lines


def fields(rest):
    """"name, A=x, B=y" as (name, frozenset of (A, x) pairs)."""
    m = LINE_RE.match(rest)
    parts = re.split(r",\s*(?=[A-Za-z]=)", m["fields"].strip())
    return m["name"], frozenset(tuple(s.strip() for s in p.partition("=")[::2])
                                for p in parts if p.strip())


def facts(text):
    """The V, D, C, F, K, O, M, X and Q lines of a .cf as comparable
    facts; class words one by one, fields of M, X and Q lines unordered.
    Our class {Features} (what sendmail writes as rules) is left out."""
    out = collections.Counter()
    for line in logical_lines(text):
        kind, rest = line[:1], line[1:]
        if kind in ("V", "K"):
            out[(kind, " ".join(rest.split()))] += 1
        elif kind and kind in "DCF":
            if rest.startswith("{"):
                name, _, body = rest[1:].partition("}")
            else:
                name, body = rest[:1], rest[1:]
            if kind == "C" and name != "Features":
                for word in body.split():
                    out[("C", name, word)] += 1
            elif kind != "C":
                out[(kind, name, body.strip())] += 1
        elif kind == "O":
            name, _, value = rest.strip().partition("=")
            out[("O", name.strip(), value.strip())] += 1
        elif kind in ("M", "X", "Q"):
            out[(kind,) + fields(rest)] += 1
    return out


def same_effect(ours, theirs):
    """The facts of both trees with the differences that have the same
    effect taken out.  Sendmail's tree adds class VirtHost to class R by
    "CR$={VirtHost}", which our reader takes as a word; ours writes the
    words of VIRTUSER_DOMAIN into R, and sendmaild takes mail for class
    VirtHost without R.  MSP_QUEUE_DIR: ours also writes
    ClientQueueDirectory, sendmaild's queue of mail submitted while the
    daemon is down (sendmail's tree uses it in FEATURE(msp) only)."""
    ours = collections.Counter({
        f: n for f, n in ours.items()
        if not (f[:2] == ("C", "R") and ("C", "VirtHost", f[2]) in ours)
        and f[:2] != ("O", "ClientQueueDirectory")})
    theirs = collections.Counter({f: n for f, n in theirs.items()
                                  if f != ("C", "R", "$={VirtHost}")})
    return ours, theirs


class Trees:
    """Runs samples through both trees, once each."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.file = tmp / "listed-names"
        self.file.write_text("one.example.org\n")
        self.runs = {}
        self.count = 0

    def run(self, tree, sample):
        """(the .mc, the sample's first and last lines, m4's result)."""
        if (tree, sample) not in self.runs:
            self.count += 1
            mc = self.tmp / f"{tree}-{self.count}.mc"
            first, last = build_mc(mc, CF_M4 if tree == "ours" else SM_CF_M4,
                                   sample, self.file)
            self.runs[(tree, sample)] = mc, first, last, m4(mc)
        return self.runs[(tree, sample)]

    def facts(self, tree, sample):
        r = self.run(tree, sample)[3]
        assert r.returncode == 0, r.stderr
        return facts(r.stdout)

    def delta(self, sample):
        """What the sample adds to and takes from the .cf, ours and
        sendmail's, with differences of the same effect taken out."""
        out = []
        for got, base in zip(
                same_effect(self.facts("ours", sample),
                            self.facts("sendmail", sample)),
                same_effect(self.facts("ours", ""),
                            self.facts("sendmail", ""))):
            out.append((dict(got - base), dict(base - got)))
        return out


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    need_sendmail_cf()
    return Trees(tmp_path_factory.mktemp("cfsm"))


def works_or_stops(trees, run, macro, sample):
    """Our tree on sample: True when it wrote a .cf with its V line
    whole that sendmail -bC and -bO accept, False when m4 stopped with
    an error naming the macro, the .mc line and what to do instead."""
    mc, first, last, r = trees.run("ours", sample)
    if r.returncode != 0:
        errors = [line for line in r.stderr.splitlines()
                  if "*** ERROR" in line and macro in line]
        assert errors, f"{macro}: m4 exited {r.returncode}:\n{r.stderr}"
        where = {f"{mc.name}:{n}:" for n in range(first, last + 1)}
        assert any(w in e for e in errors for w in where), (macro, errors)
        assert any(re.search(r"remove it|instead", e) for e in errors), \
            (macro, errors)
        return False
    cf = mc.with_suffix(".cf")
    cf.write_text(r.stdout)
    lines = r.stdout.splitlines()
    assert sum(line.startswith("V") for line in lines) == 1, macro
    assert "V10/Berkeley" in lines or macro in ("NO_VENDOR",
                                               "VENDOR_NAME"), macro
    for mode in ("-bC", "-bO"):
        p = run("sendmail", "-C", cf, mode)
        assert p.returncode == 0, (macro, mode, p.stderr)
    return True


@pytest.mark.parametrize("macro,sample", macro_samples(),
                         ids=[s[0] for s in macro_samples()])
def test_macro_works_or_stops(trees, run, macro, sample):
    """Each macro and variable: a .cf with the lines sendmail's tree
    writes for it (what the sample adds and takes away), or a stop."""
    if works_or_stops(trees, run, macro, sample):
        (ours_added, ours_removed), (sm_added, sm_removed) = \
            trees.delta(sample)
        assert ours_added == sm_added, macro
        assert ours_removed == sm_removed, macro


@pytest.mark.parametrize("label,kind,sample", file_samples(),
                         ids=[s[0] for s in file_samples()])
def test_feature_mailer_ostype_domain_hack(trees, run, label, kind, sample):
    """Each FEATURE, MAILER, OSTYPE, DOMAIN and HACK of sendmail's tree
    works or stops.  Their lines are not compared: what sendmail writes
    as rules and rule maps is a word of {Features} here, and
    test_cf_macros.py and test_cf_examples.py check the lines of those
    this tree has."""
    works_or_stops(trees, run, label, sample)


def test_every_macro_has_a_sample():
    need_sendmail_cf()
    assert cfhead_macros() - CFHEAD_VARIABLES == set(CALLS)
    assert CFHEAD_VARIABLES <= cfhead_macros()
    assert len(tree_variables()) > 100


def readme_stops():
    """The names cf/README lists as stopping m4."""
    text = (ROOT / "cf" / "README").read_text()
    block = text.split("These stop m4 with an error")[1]
    return set(re.findall(r"^    (\S+)", block, re.M))


def test_readme_names_every_macro():
    need_sendmail_cf()
    readme = (ROOT / "cf" / "README").read_text()
    for name in cfhead_macros() | tree_variables():
        assert re.search(rf"(?<![\w]){name}(?![\w])", readme), name


def test_readme_says_which_stop(trees):
    """cf/README's list of what stops m4 is what stops it."""
    stops = readme_stops()
    for name, sample in macro_samples():
        stopped = trees.run("ours", sample)[3].returncode != 0
        assert stopped == (name in stops), name
    for label, kind, sample in file_samples():
        stopped = trees.run("ours", sample)[3].returncode != 0
        name = label[len(kind) + 1:-1]
        if kind == "HACK":
            listed = "HACK" in stops
        elif f"{kind}(other)" in stops:
            listed = not (ROOT / "cf" / kind.lower() / f"{name}.m4").exists()
        else:
            listed = label in stops
        assert stopped == listed, label
