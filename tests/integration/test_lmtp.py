"""Mailers that speak LMTP (RFC 2033, flag z): the local mailer of
FEATURE(local_lmtp) with Debian's mail.local, an LMTP server reached
through a mailer like MAILER(cyrusv2)'s (Dovecot, and a scripted one),
and Timeout.lhlo.  A recipient is logged Sent only when the server's
answer for it after the message said so."""
import os
import pathlib
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from cfgen import CF_M4, build_cf
from daemon_util import USER, Routing, factory, free_port, messages, wait_for
from smarthost import Scripted

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")

MAIL_LOCAL = pathlib.Path("/var/tmp/sendmaild-peers/root/sendmail-bin/"
                          "usr/libexec/sendmail/mail.local")
DOVECOT = pathlib.Path("/usr/sbin/dovecot")


def on_var_mail(spool):
    """A wrapper: the command runs in a mount namespace of its own where
    spool is /var/mail, the directory mail.local is built to write in."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /var/mail && exec "$@"', str(spool)]


@pytest.fixture
def spool():
    """A mail spool of the test's own, writable by anyone (as /var/mail
    is for mail.local's lock files)."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="smd-spool-", dir="/tmp"))
    d.chmod(0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def local_lmtp(spool, options=()):
    return dict(mc_extra=f"FEATURE(`local_lmtp', `{MAIL_LOCAL}')dnl\n",
                options=["DeliveryMode=queueonly", *options],
                wrapper=on_var_mail(spool))


@pytest.mark.skipif(not MAIL_LOCAL.exists(), reason="no Debian mail.local")
def test_local_lmtp_delivers_with_mail_local(site, spool):
    s = site(**local_lmtp(spool))
    s.send([f"{USER}@localhost", "nobody@localhost"],
           "Subject: lmtp\r\n\r\n.a dot\r\nend\r\n")
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    for user in (USER, "nobody"):
        assert re.search(rf"to={user}, orig_to=<{user}@localhost>, .*"
                         r"mailer=local, .*dsn=2\.\d\.\d, stat=Sent", r.stderr,
                         re.M), r.stderr
        # mail.local wrote it, as the user, in the mailbox it keeps.
        box = spool / user
        assert box.stat().st_uid == pwd.getpwnam(user).pw_uid
        got = messages(box.read_text())
        assert len(got) == 1, got
        assert got[0].startswith("a@example.org ")
        assert "\nSubject: lmtp\n" in got[0]
        assert "\n\n.a dot\nend\n" in got[0]
    assert s.d.queued("qf") == []


@pytest.mark.skipif(not MAIL_LOCAL.exists(), reason="no Debian mail.local")
def test_mail_local_refusal_after_the_dot_is_per_recipient(site, spool):
    # A directory where the mailbox should be: mail.local refuses that
    # one recipient after the message (550 5.2.0), and delivers the other.
    (spool / USER).mkdir()
    s = site(**local_lmtp(spool))
    s.send([f"{USER}@localhost", "nobody@localhost"])
    r = s.run_queue()
    assert re.search(r"to=nobody, .*mailer=local, .*stat=Sent", r.stderr)
    line = [l for l in r.stderr.splitlines() if f"to={USER}," in l]
    assert len(line) == 1 and "dsn=5.2.0" in line[0], r.stderr
    assert "stat=Sent" not in line[0]
    assert len(messages((spool / "nobody").read_text())) == 1
    # The sender hears of the one that failed, from the queue run after.
    s.run_queue()
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    report = s.rec.messages[0][2].decode()
    assert f"{USER}@localhost" in report and "5.2.0" in report
    assert s.d.queued("qf") == []


def cyrusv2(args):
    """The .mc lines of MAILER(cyrusv2) with A=args (as sendmail's tree
    writes it: P=[IPC], F=lsDFMnqXzA@/:|m, R=EnvToL)."""
    return (f"define(`CYRUSV2_MAILER_ARGS', `{args}')dnl\n"
            "MAILER(`cyrusv2')dnl\n")


@pytest.fixture
def lmtp_site(daemon):
    """A Routing site whose mailertable sends lmtp.example to the
    cyrusv2 mailer with A=args."""
    yield from factory(lambda args, options=(): Routing(
        daemon, mc_extra=cyrusv2(args), options=options,
        maps={"mailertable": "lmtp.example cyrusv2:[127.0.0.1]\n"}))


def stat_lines(stderr, word):
    return [l for l in stderr.splitlines() if ", stat=" in l and word in l]


def test_lmtp_answer_for_each_recipient(lmtp_site):
    port = free_port()
    srv = Scripted(port, lmtp=True, final={
        "b": "452 4.2.2 Mailbox full", "c": "550 5.1.1 No such user"})
    try:
        s = lmtp_site(f"TCP $h {port}")
        s.send(["a@lmtp.example", "b@lmtp.example", "c@lmtp.example"])
        r = s.run_queue()
        # LHLO, then the user of each recipient (R=EnvToL), one message.
        assert srv.commands[:5] == ["LHLO", "MAIL", "RCPT", "RCPT", "RCPT"]
        assert [l for l in srv.lines if l.startswith("RCPT")] == [
            "RCPT To:<a>", "RCPT To:<b>", "RCPT To:<c>"]
        assert len(srv.data) == 1
        # One Sent, one deferred with the server's words, one failed.
        sent = stat_lines(r.stderr, "stat=Sent")
        assert len(sent) == 1 and "to=<a@lmtp.example>" in sent[0], r.stderr
        assert "mailer=cyrusv2" in sent[0]
        b = stat_lines(r.stderr, "to=<b@lmtp.example>")
        assert len(b) == 1 and \
            "stat=Deferred: 452 4.2.2 Mailbox full" in b[0], r.stderr
        c = stat_lines(r.stderr, "to=<c@lmtp.example>")
        assert len(c) == 1 and "dsn=5.1.1" in c[0], r.stderr
        # b waits in the queue, and mailq says why.
        q = s.sendmail("-bp")
        assert "b@lmtp.example" in q.stdout, q.stdout
        assert "452 4.2.2 Mailbox full" in q.stdout, q.stdout
        assert "a@lmtp.example" not in q.stdout
        assert "c@lmtp.example" not in q.stdout
        # The sender hears of c; the next run tries b alone.
        r = s.run_queue()
        assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
        report = s.rec.messages[0][2].decode()
        assert "c@lmtp.example" in report and "5.1.1" in report
        assert "b@lmtp.example" not in report
        assert [l for l in srv.lines if l.startswith("RCPT")][3:] == [
            "RCPT To:<b>"]
        assert [l for l in stat_lines(r.stderr, "stat=Sent")
                if "lmtp.example" in l] == []
        assert len(s.d.queued("qf")) == 1
    finally:
        srv.close()


def test_lmtp_connection_lost_between_answers(lmtp_site):
    # The server answers for a, then hangs up: b never got an answer, so
    # it is deferred (a second copy for it is the safe side).
    port = free_port()
    srv = Scripted(port, lmtp=True, final={"b": None})
    try:
        s = lmtp_site(f"TCP $h {port}")
        s.send(["a@lmtp.example", "b@lmtp.example"])
        r = s.run_queue()
        sent = stat_lines(r.stderr, "stat=Sent")
        assert len(sent) == 1 and "to=<a@lmtp.example>" in sent[0], r.stderr
        b = stat_lines(r.stderr, "to=<b@lmtp.example>")
        assert len(b) == 1 and "stat=Deferred" in b[0], r.stderr
        q = s.sendmail("-bp")
        assert "b@lmtp.example" in q.stdout
        assert "a@lmtp.example" not in q.stdout
    finally:
        srv.close()


def test_lhlo_bounded_by_timeout_lhlo(lmtp_site):
    port = free_port()
    srv = Scripted(port, lmtp=True, stall="LHLO")
    try:
        s = lmtp_site(f"TCP $h {port}",
                      options=["Timeout.lhlo=2s", "Timeout.helo=60s"])
        s.send(["a@lmtp.example"])
        start = time.monotonic()
        r = s.run_queue()
        took = time.monotonic() - start
        assert 1.5 <= took < 15, (took, r.stderr)
        assert "during client LHLO (Timeout.lhlo)" in r.stderr, r.stderr
        line = stat_lines(r.stderr, "to=<a@lmtp.example>")
        assert len(line) == 1 and "stat=Deferred" in line[0], r.stderr
        assert len(s.d.queued("qf")) == 1
    finally:
        srv.close()


def test_lmtp_mailer_to_an_smtp_server_does_not_deliver(lmtp_site):
    # An SMTP server refuses LHLO; there is no falling back to HELO.
    port = free_port()
    srv = Scripted(port)
    try:
        s = lmtp_site(f"TCP $h {port}")
        s.send(["a@lmtp.example"])
        r = s.run_queue()
        assert srv.commands == ["LHLO"] or srv.commands[:2] == ["LHLO",
                                                                "QUIT"]
        assert stat_lines(r.stderr, "stat=Sent") == []
        assert srv.data == []
    finally:
        srv.close()


DOVECOT_CONF = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = lmtp
ssl = no
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {base}/users
}}
userdb {{
  driver = passwd-file
  args = {base}/users
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
"""


@pytest.fixture
def dovecot():
    """Dovecot's LMTP server with a configuration of the test's own: a
    unix socket (base/run/lmtp), one user (USER, without a domain, as
    sendmail's cyrusv2 mailer names users), a Maildir under base."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-dove-", dir="/tmp"))
    base.chmod(0o755)
    pw = pwd.getpwnam(USER)
    home = base / "home" / USER
    home.mkdir(parents=True)
    shutil.chown(home, USER)
    (base / "users").write_text(
        f"{USER}::{pw.pw_uid}:{pw.pw_gid}::{home}::\n")
    conf = base / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(base=base))
    out = open(base / "out", "w")
    proc = subprocess.Popen([str(DOVECOT), "-F", "-c", str(conf)],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        assert wait_for(lambda: (base / "run" / "lmtp").exists() or
                        proc.poll() is not None), "dovecot did not start"
        assert proc.poll() is None, (base / "out").read_text()
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.skipif(not DOVECOT.exists(), reason="dovecot-lmtpd not installed")
def test_dovecot_lmtp_over_a_unix_socket(lmtp_site, dovecot):
    s = lmtp_site(f"FILE {dovecot}/run/lmtp")
    s.send([f"{USER}@lmtp.example", "nosuch@lmtp.example"],
           "Subject: to dovecot\r\n\r\n.dot\r\nbody\r\n")
    r = s.run_queue()
    sent = stat_lines(r.stderr, "stat=Sent")
    assert len(sent) == 1 and f"to=<{USER}@lmtp.example>" in sent[0], r.stderr
    # sendmail's name for the host of an A=FILE mailer.
    assert "mailer=cyrusv2" in sent[0] and "relay=localhost," in sent[0]
    new = list((dovecot / "home" / USER / "Maildir" / "new").iterdir())
    assert len(new) == 1
    text = new[0].read_text()
    assert "Subject: to dovecot\n" in text and "\n\n.dot\nbody\n" in text
    # Dovecot knows no such user: refused at RCPT, a bounce.
    bad = stat_lines(r.stderr, "to=<nosuch@lmtp.example>")
    assert len(bad) == 1 and "dsn=5.1.1" in bad[0], r.stderr
    s.run_queue()                       # the report, queued by the first
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert b"nosuch@lmtp.example" in s.rec.messages[0][2]
    assert s.d.queued("qf") == []


FAKE_LMTP = r'''#!/usr/bin/python3
# An LMTP mailer program that misbehaves as the file "mode" beside it
# says; it notes its uid and keeps the message it was given.
import os, sys, time
here = os.path.dirname(os.path.abspath(sys.argv[0]))
mode = open(os.path.join(here, "mode")).read().strip()
inp, out = sys.stdin.buffer, sys.stdout.buffer
def say(text):
    out.write(text.encode() + b"\r\n")
    out.flush()
open(os.path.join(here, "uid"), "w").write(str(os.getuid()))
if mode.startswith("exit"):
    sys.stderr.write("fake: mailbox trouble\n")
    sys.exit(int(mode[4:]))
say("220 fake LMTP")
rcpts = []
while True:
    line = inp.readline()
    if not line:
        break
    word = line[:4].upper()
    if word == b"LHLO":
        if mode == "hang-lhlo":
            time.sleep(60)
        say("250-fake")
        say("250 PIPELINING")
    elif word == b"MAIL":
        say("250 2.1.0 ok")
    elif word == b"RCPT":
        rcpts.append(line)
        open(os.path.join(here, "rcpts"), "ab").write(line)
        say("250 2.1.5 ok")
    elif word == b"DATA":
        say("354 go ahead")
        msg = b""
        while True:
            l = inp.readline()
            if not l or l == b".\r\n":
                break
            msg += l
        if mode == "die":
            os.kill(os.getpid(), 9)
        if mode == "quit-early":
            sys.exit(0)
        open(os.path.join(here, "msg"), "wb").write(msg)
        for r in rcpts:
            say("250 2.0.0 saved")
    elif word == b"QUIT":
        say("221 2.0.0 bye")
        break
    else:
        say("500 5.5.1 what")
'''


@pytest.fixture
def fake_lmtp():
    d = pathlib.Path(tempfile.mkdtemp(prefix="smd-lmtp-", dir="/tmp"))
    d.chmod(0o755)
    prog = d / "lmtp"
    prog.write_text(FAKE_LMTP)
    prog.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("mode,outcome", [
    ("ok", "Sent"),
    ("exit75", "dsn=4.0.0, stat=Deferred: fake: mailbox trouble (exit 75)"),
    ("exit67", "dsn=5.1.1"),
    ("exit0", "stat=Deferred"),
    ("die", "stat=Deferred"),
    ("quit-early", "stat=Deferred"),
    ("hang-lhlo", "during client LHLO (Timeout.lhlo)"),
])
def test_local_lmtp_program_ends_early(site, fake_lmtp, mode, outcome):
    (fake_lmtp / "mode").write_text(mode)
    s = site(mc_extra=f"FEATURE(`local_lmtp', `{fake_lmtp}/lmtp')dnl\n",
             options=["DeliveryMode=queueonly", "Timeout.lhlo=2s",
                      "Timeout.quit=2s"])
    s.send([f"{USER}+tag@localhost"], "Subject: fake\r\n\r\nbody\r\n")
    start = time.monotonic()
    r = s.run_queue()
    took = time.monotonic() - start
    line = [l for l in r.stderr.splitlines() if f"to={USER}," in l]
    assert len(line) == 1, r.stderr
    assert outcome in r.stderr, r.stderr
    # F=S: sendmail runs it as root, and so do we (it becomes the user).
    assert (fake_lmtp / "uid").read_text() == "0"
    qf = s.d.queued("qf")
    if mode == "ok":
        assert "stat=Sent" in line[0]
        assert b"\r\nSubject: fake\r\n" in (fake_lmtp / "msg").read_bytes()
        # The user, with the +detail of the address, no domain.
        assert (fake_lmtp / "rcpts").read_bytes() == \
            f"RCPT To:<{USER}+tag>\r\n".encode()
        assert qf == []
        return
    assert "stat=Sent" not in line[0]
    if mode == "exit67":
        assert "stat=Deferred" not in line[0]      # a bounce instead
    else:
        assert "stat=Deferred" in line[0] and len(qf) == 1
    if mode == "hang-lhlo":
        # Timeout.lhlo, then Timeout.quit for the program to go.
        assert 1.5 <= took < 15, took


def test_server_as_local_mailer_is_named(tmp_path, run):
    # A local mailer that is an LMTP server (P=[IPC]) is not supported:
    # the daemon says where local mail goes instead.
    cf = build_cf(tmp_path, "ipc", f"include(`{CF_M4}')dnl\n"
                  "define(`LOCAL_MAILER_PATH', `[IPC]')dnl\n"
                  "define(`LOCAL_MAILER_ARGS', `FILE /run/lmtp')dnl\n"
                  "MAILER(`local')dnl\n")
    r = run("sendmaild", "-C", cf, "-O", "MailSpoolDirectory=/x/mail", "-bC")
    assert r.returncode == 0, r.stderr
    assert "local mailer P=[IPC] is not supported: local mail goes into " \
        "/x/mail" in r.stderr
