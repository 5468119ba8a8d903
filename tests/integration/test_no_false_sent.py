"""No mailer reports success for a message that did not arrive: each
way a delivery can go wrong half-way, on each delivery path (the local
mailer, the prog mailer, file and mailbox delivery, the root service,
the smart host in a queue run, a background and an interactive
delivery), leaves no stat=Sent and the message queued or bounced.  The
LMTP mailers have their own tests (test_lmtp.py)."""
import os
import pathlib
import socket
import struct
import subprocess
import time

import pytest

from daemon_util import USER, messages, program, submit, wait_for
from smarthost import Listener, Scripted

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")

# Bigger than a pipe holds: a program that stops reading cannot have
# it all whatever the timing.
BIG = "Subject: big\r\n\r\n" + ("y" * 70 + "\r\n") * 2000


def line_of(stderr, to):
    lines = [l for l in stderr.splitlines() if f"to={to}," in l and
             ", xdelay=" in l]
    assert len(lines) == 1, stderr
    return lines[0]


def left_in_queue(d, rcpt):
    qf = d.queued("qf")
    return len(qf) == 1 and rcpt in pathlib.Path(qf[0]).read_text(
        errors="replace")


@pytest.mark.parametrize("body", ["Subject: small\r\n\r\nhello\r\n", BIG],
                         ids=["small", "big"])
def test_local_mailer_that_does_not_read(site, tools, body):
    # A delivery agent that exits 0 at once stored nothing: the user's
    # mailbox does not have the message, whatever its exit code says.
    lda = program(tools, "lda", "exit 0\n")
    s = site(mc_extra=f"FEATURE(`local_procmail', `{lda}', `lda $u')dnl\n",
             options=["DeliveryMode=queueonly"])
    s.send([f"{USER}@localhost"], body)
    r = s.run_queue()
    line = line_of(r.stderr, USER)
    assert "stat=Deferred" in line and "without reading" in line, line
    assert left_in_queue(s.d, f"<{USER}@localhost>")
    # One that reads it all and exits 0 delivered it.
    program(tools, "lda", f"cat > {tools}/got\n")
    r = s.run_queue()
    assert "stat=Sent" in line_of(r.stderr, USER)
    assert s.d.queued("qf") == []
    assert (tools / "got").read_text().endswith(
        body.split("\r\n\r\n", 1)[1].replace("\r\n", "\n"))


def test_local_mailer_killed_mid_delivery(site, tools):
    # It reads a little of the message, then dies of SIGKILL.
    dies = program(tools, "dies", "head -c 100 > /dev/null\nkill -9 $$\n")
    s = site(mc_extra=f"FEATURE(`local_procmail', `{dies}', `dies $u')dnl\n",
             options=["DeliveryMode=queueonly"])
    s.send([f"{USER}@localhost"], BIG)
    r = s.run_queue()
    line = line_of(r.stderr, USER)
    assert "stat=Deferred" in line and "signal 9" in line, line
    assert left_in_queue(s.d, f"<{USER}@localhost>")


def test_prog_killed_mid_delivery(site, tools):
    # The prog mailer runs it under sh -c, which reports the death as
    # exit 137: no sysexits code, so (as in sendmail: "dsn=5.3.0,
    # stat=unknown mailer error 137") a failure that goes back to the
    # sender, never a success.
    dies = program(tools, "dies", "head -c 100 > /dev/null\nkill -9 $$\n")
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases(f"pipe: \"|{dies}\"\n")
    s.send(["pipe@localhost"], BIG)
    r = s.run_queue()
    line = line_of(r.stderr, f"\"|{dies}\"")
    assert "stat=Sent" not in line and "dsn=5.3.0" in line, line
    s.run_queue()                       # the report, queued by the first
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert b"exit 137" in s.rec.messages[0][2]
    assert s.d.queued("qf") == []


def test_root_service_dies_mid_delivery(site, tools):
    # The local mailer runs as root (local_lmtp: F=S) and kills the
    # service's worker that delivers for the queue run: the run must
    # not take the recipient as delivered, nor run the mailer again
    # (the dead worker may have delivered: a mailer other than the
    # built-in mailbox cannot tell), so the next attempt does.
    kills = program(tools, "kills",
                    f"echo run >> {tools}/runs\nkill -9 $PPID\nsleep 5\n")
    s = site(mc_extra=f"FEATURE(`local_lmtp', `{kills}')dnl\n",
             options=["DeliveryMode=queueonly", "Timeout.initial=3s"])
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    line = line_of(r.stderr, f"<{USER}@localhost>")
    assert "stat=Deferred: the local delivery service died while " \
        "delivering" in line, r.stderr
    assert "stat=Sent" not in r.stderr, r.stderr
    assert left_in_queue(s.d, f"<{USER}@localhost>")
    assert (tools / "runs").read_text() == "run\n"


@pytest.fixture
def full_spool(site):
    """A Site whose mail spool is a small file system of its own."""
    made = []

    def make(**kw):
        s = site(**kw)
        spool = pathlib.Path(s.d.spool)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=1777",
                        "tmpfs", str(spool)], check=True)
        made.append(spool)
        return s, spool
    yield make
    for spool in made:
        subprocess.run(["umount", "-l", str(spool)], check=False)


def fill(directory):
    """Write a file into directory until its file system is full."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"z" * 4096) > 0:
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


@pytest.mark.parametrize("target", ["mailbox", "file"])
def test_disk_full(full_spool, target):
    s, spool = full_spool(mc_extra="FEATURE(`local_mbox')dnl\n",
                          options=["DeliveryMode=queueonly"])
    if target == "mailbox":
        rcpt, to, box = f"{USER}@localhost", USER, spool / USER
    else:
        s.set_aliases(f"keep: {spool}/keep.mbox\n")
        rcpt, to, box = "keep@localhost", str(spool / "keep.mbox"), \
            spool / "keep.mbox"
    s.send([rcpt], "Subject: first\r\n\r\nfits\r\n")
    r = s.run_queue()
    assert "stat=Sent" in line_of(r.stderr, to)
    before = box.read_bytes()
    fill(spool)
    s.send([rcpt], BIG)
    r = s.run_queue()
    line = line_of(r.stderr, to)
    assert "stat=Deferred" in line and "No space left" in line, line
    assert left_in_queue(s.d, f"<{rcpt}>")
    assert box.read_bytes() == before           # not half a message
    # Space again: the retry delivers it, once.
    (spool / "filler").unlink()
    r = s.run_queue()
    assert "stat=Sent" in line_of(r.stderr, to)
    assert len(messages(box.read_text())) == 2
    assert s.d.queued("qf") == []


@pytest.mark.parametrize("mode", ["queue run", "background", "interactive"])
def test_smart_host_hangs_up_after_the_dot(world, mode):
    # The smart host takes the whole message, then closes the
    # connection without a reply: it may or may not have it, so the
    # message stays queued (a second copy is the safe side).
    options = [] if mode == "queue run" else [f"DeliveryMode={mode}"]
    d = world["start"](options=options)
    srv = Scripted(world["port"], hangup=".")
    try:
        submit(d, ["x@far.example"])
        if mode == "queue run":
            log = world["run"]().stderr
        else:
            assert wait_for(lambda: "stat=" in d.log_text(), limit=20), \
                d.log_text()
            time.sleep(0.2)
            log = d.log_text()
        assert "." in srv.commands          # the whole message went
        line = line_of(log, "<x@far.example>")
        assert "stat=Deferred" in line and "stat=Sent" not in log, log
        assert left_in_queue(d, "<x@far.example>")
    finally:
        srv.close()



class ResetAfterRcpt(Listener):
    """A smart host without PIPELINING that accepts the recipient, then
    resets the connection (SO_LINGER 0) instead of waiting for DATA."""

    def handle(self, c):
        c.sendall(b"220 reset.example ESMTP\r\n")
        for line in c.makefile("rb"):
            word = line[:4].upper()
            c.sendall(b"250 reset.example\r\n" if word == b"EHLO" else
                      b"250 2.1.5 ok\r\n" if word == b"RCPT" else
                      b"250 2.0.0 ok\r\n")
            if word == b"RCPT":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
                c.close()
                return


def test_smart_host_resets_before_data(world):
    """The smart host accepts the recipient and resets the connection:
    when the reset comes before DATA is written, the write fails, and a
    recipient whose RCPT was accepted stayed counted as delivered
    (stat=Sent, message gone).  Twenty messages, each over a connection
    of its own, so that the reset wins that race for some of them."""
    d = world["start"]()
    srv = ResetAfterRcpt(world["port"])
    try:
        for i in range(20):
            submit(d, [f"x{i}@far.example"])
        log = world["run"]("-O", "MaxRunnersPerQueue=1", "-O",
                           "Timeout.hoststatus=0").stderr
        assert srv.connections >= 20
        assert "stat=Sent" not in log, log
        assert len(d.queued("qf")) == 20
    finally:
        srv.close()
