"""Mailers that speak LMTP (RFC 2033, flag z): an LMTP server reached
through a mailer like MAILER(cyrusv2)'s (Dovecot, and a scripted one),
and Timeout.lhlo.  A recipient is logged Sent only when the server's
answer for it after the message said so."""
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from daemon_util import free_port, wait_for
from smarthost import Scripted
from test_local import USER
from test_routing import Routing

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")

DOVECOT = pathlib.Path("/usr/sbin/dovecot")


def cyrusv2(args):
    """The .mc lines of MAILER(cyrusv2) with A=args (as sendmail's tree
    writes it: P=[IPC], F=lsDFMnqXzA@/:|m, R=EnvToL)."""
    return (f"define(`CYRUSV2_MAILER_ARGS', `{args}')dnl\n"
            "MAILER(`cyrusv2')dnl\n")


@pytest.fixture
def lmtp_site(daemon):
    """A Routing site whose mailertable sends lmtp.example to the
    cyrusv2 mailer with A=args."""
    made = []

    def make(args, options=()):
        s = Routing(daemon, mc_extra=cyrusv2(args), options=options,
                    maps={"mailertable": "lmtp.example cyrusv2:[127.0.0.1]\n"})
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


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
