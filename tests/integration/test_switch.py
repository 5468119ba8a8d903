"""The switch from sendmail (issue: manual pages, INSTALL and the switch,
items 3 and 4): a sendmail.cf that Debian's sendmail-cf generated is read
as it stands, and a queue that the real sendmail 8.17 left behind is
listed by mailq and delivered by sendmail -q.

scripts/install-deps test installs sendmail-cf (/usr/share/sendmail/cf)
and unpacks sendmail-bin, without installing it, under SENDMAILD_PEERS."""
import os
import pwd
import re
import smtplib

import pytest

from cfgen import build_cf, makemap, read_cf, relay_cf
from conftest import parse_bO, seconds
from daemon_util import (SM_CF, Conn, free_port, need_sendmail, need_sendmail_cf,
                         queue_files, real_sendmail, real_sendmail_bs,
                         real_sendmail_cf, sendmail, sendmail_m4, wait_for)
from smarthost import Scripted, start_smarthost

def debian_mc(directory, name):
    """Debian's own sendmail.mc or submit.mc, as sendmail-cf ships it; the
    site's /etc/mail/m4 includes (made by sendmailconfig) are empty."""
    text = (SM_CF / "debian" / name).read_text()
    for inc in re.findall(r"include\(`(/etc/mail/m4/[^']+)'\)", text):
        local = directory / os.path.basename(inc)
        local.write_text("")
        text = text.replace(inc, str(local))
    return text


def cf_options(path):
    """The O lines of a .cf, continuation lines joined, in order."""
    return read_cf(path.read_text(encoding="latin-1"))["O"]


def rule_lines(path):
    return sum(1 for line in path.read_text(encoding="latin-1").splitlines()
               if line[:1] in ("R", "S"))


# Durations whose bare numbers sendmail reads in minutes; every other
# duration in a Debian .cf carries its unit.
MINUTES = {"AliasWait"}
WORD_LISTS = {"PrivacyOptions"}
# Options of which sendmail reads the first letter (DeliveryMode=i).
FIRST_LETTER = {"DeliveryMode", "ErrorMode", "EightBitMode"}


# What sendmail's PrivacyOptions=goaway stands for.
GOAWAY = {"needmailhelo", "needexpnhelo", "needvrfyhelo", "noexpn", "novrfy",
          "noverb", "authwarnings"}


def privacy_words(value):
    words = set()
    for w in value.replace(" ", ",").split(","):
        w = w.strip().lower()
        if w == "goaway":
            words |= GOAWAY
        elif w and w != "public":
            words.add(w)
    return words


def blame_words(value):
    """DontBlameSendmail's words, in any case and order; "safe" is none."""
    return {w.lower() for w in re.split(r"[,\s]+", value)
            if w and w.lower() != "safe"}


def same(name, theirs, ours):
    """Does -bO's value say what the file's value says?"""
    theirs, ours = theirs.strip(), ours.strip()
    if theirs == ours:
        return True
    if name in WORD_LISTS:
        return privacy_words(theirs) == privacy_words(ours)
    if name == "DontBlameSendmail":
        return blame_words(theirs) == blame_words(ours)
    if re.fullmatch(r"[0-9]+[smhdw]?([0-9]+[smhdw])*", theirs) and \
            re.fullmatch(r"[0-9smhdw]+", ours):
        unit = "m" if name in MINUTES else "s"
        return seconds(theirs, unit) == seconds(ours, unit)
    if name in FIRST_LETTER and len(theirs) == 1:
        return ours[:1].lower() == theirs.lower()
    if theirs.lower() in ("true", "false") and ours in ("True", "False"):
        return theirs.lower() == ours.lower()
    return False


def check_bO(cf):
    r = sendmail(cf, "-bO", timeout=30)
    assert r.returncode == 0, r.stderr
    ours = parse_bO(r.stdout)
    # Each option the file sets is in force with the file's value.
    seen = {}
    for name, value in cf_options(cf):
        seen.setdefault(name, []).append(value)
    assert len(seen) > 40
    for name, values in seen.items():
        assert name in ours, name
        if name == "DaemonPortOptions":
            assert ours[name] == values
            continue
        assert same(name, values[-1], ours[name][-1]), \
            (name, values[-1], ours[name][-1])
    # The rewriting rules are counted and skipped, with one warning.
    n = rule_lines(cf)
    assert n > 100
    warn = [l for l in r.stderr.splitlines() if "rewriting rule" in l]
    assert warn == [f"sendmail: {cf}: skipped {n} rewriting rule lines "
                    "(S and R): routing and policy are built in"]
    return ours, r.stderr


def test_debian_sendmail_mc_read_as_generated(base):
    """Debian's own sendmail.mc through Debian's sendmail-cf: every option
    of the .cf is what -bO shows."""
    need_sendmail_cf()
    cf = sendmail_m4(base, "sendmail", debian_mc(base, "sendmail.mc"))
    ours, err = check_bO(cf)
    # Both listeners of the .mc, in order.
    assert [d.split("Name=")[1].split(",")[0] for d in
            ours["DaemonPortOptions"]] == ["MTA-v4", "MSP-v4"]
    # No error: anything else on stderr is a warning naming options.
    for line in err.splitlines():
        assert "rewriting rule" in line or "not yet in force" in line, line


def test_debian_submit_mc_read_as_generated(base):
    need_sendmail_cf()
    cf = sendmail_m4(base, "submit", debian_mc(base, "submit.mc"))
    check_bO(cf)


def site_mc(directory, port):
    """A site's .mc for Debian's sendmail-cf: a smart host, the usual
    maps, a local domain, a size limit."""
    return f"""divert(-1)dnl
divert(0)dnl
define(`_USE_ETC_MAIL_')dnl
include(`{SM_CF}/m4/cf.m4')dnl
VERSIONID(`site')dnl
OSTYPE(`debian')dnl
DOMAIN(`debian-mta')dnl
define(`confDOMAIN_NAME', `mx.example.org')dnl
define(`SMART_HOST', `[127.0.0.1]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {port}')dnl
define(`ESMTP_MAILER_ARGS', `TCP $h {port}')dnl
define(`confTO_IDENT', `0')dnl
define(`confMAX_MESSAGE_SIZE', `100000')dnl
FEATURE(`access_db', `hash -T<TMPF> -o {directory}/access')dnl
FEATURE(`virtusertable', `hash -o {directory}/virtusertable')dnl
FEATURE(`mailertable', `hash -o {directory}/mailertable')dnl
LOCAL_DOMAIN(`mail.example.org')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become users")
def test_site_cf_from_sendmail_cf_runs(base, daemon):
    """A daemon on a .cf that Debian's sendmail-cf made from a site's .mc:
    its macros, classes, maps, mailers and options are in force."""
    need_sendmail_cf()
    port = free_port()
    makemap(base / "access", "From:spammer@example.com\tREJECT\n")
    makemap(base / "virtusertable", "info@mail.example.org\tbob@far.example\n")
    makemap(base / "mailertable", "route.example\tesmtp:[127.0.0.1]\n")
    cf = sendmail_m4(base, "site", site_mc(base, port))
    dz = re.search(r"^DZ(.*)$", cf.read_text(), re.M).group(1)
    ctl, rec = start_smarthost(port)
    try:
        d = daemon(cf=str(cf))
        assert d.log_text().count("rewriting rule") == 1
        # The greeting of the .cf's SmtpGreetingMessage: $j from
        # confDOMAIN_NAME, $Z from the DZ line.
        c = Conn(d.port)
        greeting = c.read_reply()
        c.close()
        assert re.match(rf"220 mx\.example\.org ESMTP Sendmail \S+/{re.escape(dz)}; ",
                        greeting), greeting
        with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
            banner = s.ehlo("client.example")[1].decode()
            assert banner.startswith("mx.example.org")
            assert s.esmtp_features["size"] == "100000"
            # The access map: a refused sender.
            assert s.mail("spammer@example.com")[0] == 550
            s.rset()
            s.mail("alice@example.org")
            # Class w from LOCAL_DOMAIN: the domain is ours.
            assert s.rcpt("nosuchuser@mail.example.org")[0] == 550
            # The virtusertable sends info@ on; the mailertable routes
            # route.example through the esmtp mailer; the rest goes to
            # the smart host through the relay mailer (each mailer's
            # argv names the fake server's port).
            for rcpt in ("info@mail.example.org", "carol@route.example",
                         "dave@far.example"):
                assert s.rcpt(rcpt)[0] == 250, rcpt
            s.data(b"Subject: switched\r\n\r\nhello\r\n")
        assert wait_for(lambda: rec.messages, limit=20), d.log_text()
        assert wait_for(lambda: sum(len(m[1]) for m in rec.messages) == 3,
                        limit=20), d.log_text()
        rcpts = sorted(r for m in rec.messages for r in m[1])
        assert rcpts == ["bob@far.example", "carol@route.example",
                         "dave@far.example"]
        text = rec.messages[0][2].decode()
        assert f"/{dz}" in text and "by mx.example.org" in text
    finally:
        ctl.stop()


BODY1 = (b"Subject: left behind\n\n.a dot first\n..two dots\n"
         b"caf\xc3\xa9 " + b"x" * 900 + b"\nend\n")
SMTP2 = [b"EHLO client.example",
         b"MAIL FROM:<dave@example.org> BODY=8BITMIME RET=HDRS ENVID=env-42",
         b"RCPT TO:<erin@far.example> NOTIFY=SUCCESS,FAILURE",
         b"DATA", b"Subject: by smtp\r\n\r\nline \xe2\x82\xac\r\n.",
         b"QUIT"]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become users")
def test_queue_left_by_sendmail_817(base):
    """Messages queued by the real sendmail (-odq from the command line,
    and -bs with DSN parameters) are listed by our mailq and delivered by
    our sendmail -q through the smart host."""
    need_sendmail_cf()
    need_sendmail()
    queue = base / "mqueue"
    queue.mkdir(mode=0o700)
    cf = real_sendmail_cf(base, queue)
    real_sendmail(cf, ["-odq", "-f", "alice@example.org", "bob@far.example",
                       "carol@far.example"], BODY1)
    replies = real_sendmail_bs(cf, SMTP2)
    assert b"Message accepted for delivery" in replies[5], replies
    qfs = [p.name for p in queue_files(queue)]
    assert len(qfs) == 2 and all(p.stat().st_uid == 0
                                 for p in queue.iterdir())
    ids = [q[2:] for q in qfs]
    # The data files as sendmail wrote them: what must reach the smart host.
    df = {}
    for qid in ids:
        qf = (queue / f"qf{qid}").read_bytes()
        sender = re.search(rb"^S<?([^>\n]*)>?$", qf, re.M).group(1).decode()
        df[sender] = (queue / f"df{qid}").read_bytes()

    port = free_port()
    ours = (base / "ours")
    ours.mkdir()
    ours.chmod(0o755)
    our_cf = relay_cf(ours, port, name="ours")
    common = [f"QueueDirectory={queue}",
              f"HostStatusDirectory={ours}/.hoststat", "RunAsUser=nobody"]

    # mailq lists what sendmail wrote.
    r = sendmail(our_cf, options=common, prog="mailq", timeout=30)
    assert r.returncode == 0, r.stderr
    assert f"{queue} (2 requests)" in r.stdout
    for qid in ids:
        assert re.search(rf"^{qid}\s", r.stdout, re.M), r.stdout
    assert re.search(r"\balice@example\.org\n\s+bob@far\.example\n\s+"
                     r"carol@far\.example\n", r.stdout), r.stdout
    # As sendmail lists it: the sender as given in MAIL, the body type.
    assert re.search(r"<dave@example\.org>\n\s+8BITMIME\s.*\n"
                     r"\s+<erin@far\.example>\n", r.stdout), r.stdout

    # The queue runner does not read mail as root: a run started by root
    # first hands the directory and the files sendmail left to
    # RunAsUser, and says so.
    nobody = pwd.getpwnam("nobody")
    srv = Scripted(port, caps=("PIPELINING", "8BITMIME", "DSN", "SIZE"))
    try:
        # One runner: the server's record pairs each MAIL with its data.
        r = sendmail(our_cf, "-qf",
                     options=[*common, "MaxRunnersPerQueue=1"])
        assert r.returncode == 0, r.stderr
    finally:
        srv.close()
    assert f"{queue}: owner root:root, mode 0700, changed to nobody:" in \
        r.stderr
    assert f"{queue}: 4 queue files of root's given to nobody" in r.stderr
    assert queue.stat().st_uid == nobody.pw_uid
    assert list(queue.iterdir()) == []
    # Each message: its MAIL line, its RCPT lines, its data.
    got, cur = {}, None
    for line in srv.lines:
        if line.upper().startswith("MAIL FROM:"):
            cur = re.match(r"MAIL FROM:<([^>]*)>", line, re.I).group(1)
            got[cur] = [line, []]
        elif line.upper().startswith("RCPT TO:"):
            got[cur][1].append("RCPT TO:" + line[8:])
    assert sorted(got) == ["alice@example.org", "dave@example.org"], srv.lines
    assert len(srv.data) == 2
    for sender, data in zip([s for s in got], srv.data):
        got[sender].append(data.replace(b"\r\n..", b"\r\n."))

    mail, rcpts, content = got["alice@example.org"]
    assert sorted(rcpts) == ["RCPT TO:<bob@far.example>",
                             "RCPT TO:<carol@far.example>"]
    head, _, body = content.partition(b"\r\n\r\n")
    assert body == df["alice@example.org"].replace(b"\n", b"\r\n")
    assert b"caf\xc3\xa9 " + b"x" * 900 in body
    assert b"\r\nSubject: left behind" in head
    assert re.search(rb"Received: \(from root@localhost\)\r\n\s+by "
                     rb"mx\.example\.org \(8\.17", content)
    assert b"Message-Id: <" in content and b"Date: " in content
    # The DSN parameters sendmail kept go on to the next hop.
    mail, rcpts, content = got["dave@example.org"]
    for param in ("BODY=8BITMIME", "RET=HDRS", "ENVID=env-42"):
        assert param in mail.split(), mail
    assert len(rcpts) == 1 and rcpts[0].startswith(
        "RCPT TO:<erin@far.example> ") and "NOTIFY=SUCCESS,FAILURE" in rcpts[0]
    assert content.endswith(b"\r\n\r\n" +
                            df["dave@example.org"].replace(b"\n", b"\r\n"))
    assert content.endswith(b"\r\nline \xe2\x82\xac\r\n")


def test_debian_sendmail_mc_with_our_tree(base):
    """The switch: Debian's sendmail.mc with its include line pointed at
    our cf.m4 gives the options Debian's own tree gave it."""
    need_sendmail_cf()
    text = debian_mc(base, "sendmail.mc")
    theirs = sendmail_m4(base, "theirs", text)
    ours = build_cf(base, "ours", text)

    def options(cf):
        r = sendmail(cf, "-bO", timeout=30)
        assert r.returncode == 0, r.stderr
        pending = re.search(r"not yet in force: (.*)", r.stderr)
        return parse_bO(r.stdout), set(pending.group(1).split(", ")
                                       if pending else ())
    a, a_pending = options(theirs)
    b, b_pending = options(ours)
    assert b_pending <= a_pending
    differ = {name for name in a if a[name] != b.get(name)}
    # Only options that are not in force may differ (sendmail's tree
    # writes values this program does not act on).
    assert differ <= a_pending, differ - a_pending
