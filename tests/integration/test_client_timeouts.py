"""Client-side timeouts and replies at each step of a delivery, measured
against scripted smart hosts (issue: the queue, items 5 and 9)."""
import time

import pytest

from daemon_util import submit
from smarthost import Full, Scripted


def run(world, *args):
    start = time.monotonic()
    r = world["run"](*args)
    return r, time.monotonic() - start


@pytest.mark.parametrize("stall,option,phase", [
    ("MAIL", "Timeout.mail=2s", "client MAIL (Timeout.mail)"),
    ("RCPT", "Timeout.rcpt=2s", "client RCPT (Timeout.rcpt)"),
    (".", "Timeout.datafinal=2s", "client DATA status (Timeout.datafinal)"),
])
def test_stall_defers(world, stall, option, phase):
    world["start"]()
    srv = Scripted(world["port"], stall=stall)
    try:
        submit(world["d"], ["x@far.example"])
        # PIPELINING sends MAIL, RCPT and DATA together; the first reply
        # that does not come is the one whose Timeout fires.
        r, elapsed = run(world, "-O", option)
        assert 2.0 <= elapsed <= 4.0, (elapsed, r.stderr)
        assert f"during {phase}" in r.stderr, r.stderr
        assert "stat=Deferred: Connection timed out with [127.0.0.1]" in r.stderr
        assert len(world["d"].queued("qf")) == 1       # kept, nothing lost
    finally:
        srv.close()


@pytest.mark.parametrize("word,reply,kept", [
    ("MAIL", "451 4.3.0 try again", True),
    ("MAIL", "550 5.7.1 go away", False),
    ("RCPT", "450 4.2.1 mailbox busy", True),
    ("RCPT", "550 5.1.1 unknown", False),
    ("DATA", "451 4.3.0 not now", True),
    ("DATA", "554 5.3.0 no thanks", False),
    (".", "452 4.3.1 disk full", True),
    (".", "552 5.3.4 too big", False),
])
def test_replies_at_each_step(world, word, reply, kept):
    world["start"]()
    srv = Scripted(world["port"], replies={word: reply})
    try:
        submit(world["d"], ["x@far.example"])
        r, _ = run(world)
        assert f"reply={reply}" in r.stderr, r.stderr
        qfs = world["d"].queued("qf")
        if kept:
            assert len(qfs) == 1 and "stat=Deferred: " + reply in r.stderr
        else:
            # The message is gone; a bounce to the sender is queued.
            assert len(qfs) == 1
            assert "S<>\n" in open(qfs[0], encoding="latin-1").read()
    finally:
        srv.close()


def test_connect_timeout_on_a_full_listener(world):
    """A listener whose accept queue is full: connect() hangs until
    Timeout.iconnect (a message's first attempt) fires."""
    world["start"]()
    full = Full(world["port"])
    try:
        submit(world["d"], ["x@far.example"])
        r, elapsed = run(world, "-O", "Timeout.iconnect=2s",
                         "-O", "Timeout.connect=30s")
        assert 2.0 <= elapsed <= 4.0, (elapsed, r.stderr)
        assert "stat=Deferred: Connection timed out with [127.0.0.1]" in r.stderr
        assert len(world["d"].queued("qf")) == 1
    finally:
        full.close()
