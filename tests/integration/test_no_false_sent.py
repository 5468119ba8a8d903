"""No mailer reports success for a message that did not arrive: each
way a delivery can go wrong half-way, on each delivery path (the local
mailer, the prog mailer, file and mailbox delivery, the root service,
the smart host in a queue run, a background and an interactive
delivery), leaves no stat=Sent and the message queued or bounced.  The
LMTP mailers have their own tests (test_lmtp.py)."""
import os
import pathlib
import shutil
import tempfile

import pytest

from test_local import USER, site  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")

# Bigger than a pipe holds: a program that stops reading cannot have
# it all whatever the timing.
BIG = "Subject: big\r\n\r\n" + ("y" * 70 + "\r\n") * 2000


@pytest.fixture
def tools():
    """A directory for the test's programs, which any user may run."""
    d = pathlib.Path(tempfile.mkdtemp(prefix="smd-tools-", dir="/tmp"))
    d.chmod(0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def program(tools, name, text):
    p = tools / name
    p.write_text("#!/bin/sh\n" + text)
    p.chmod(0o755)
    return p


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


def test_root_service_dies_mid_delivery(site, tools):
    # The local mailer runs as root (local_lmtp: F=S) and kills the
    # service's worker that delivers for the queue run: the run must
    # not take the recipient as delivered.
    kills = program(tools, "kills", "kill -9 $PPID\nsleep 5\n")
    s = site(mc_extra=f"FEATURE(`local_lmtp', `{kills}')dnl\n",
             options=["DeliveryMode=queueonly", "Timeout.initial=3s"])
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    line = line_of(r.stderr, f"<{USER}@localhost>")
    assert "stat=Deferred: the local delivery service is not available" \
        in line, r.stderr
    assert "stat=Sent" not in r.stderr, r.stderr
    assert left_in_queue(s.d, f"<{USER}@localhost>")
