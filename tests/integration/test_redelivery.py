"""A delivery cut off in the middle of a message: the next attempt
delivers what the first did not finish, and no recipient the first one
finished gets a second copy: the queue file records recipients as they
are delivered (CheckpointInterval, and before each SMTP transaction).
The copies a smart host may hold twice (it had the final dot, we never
had its reply) are test_crash.py's."""
import os
import pathlib
import signal
import subprocess

import pytest

from daemon_util import wait_for
from smarthost import Scripted, start_smarthost
from test_local import site  # noqa: F401 (fixture)
from test_no_false_sent import program, tools  # noqa: F401 (fixture)
from test_routing import routing  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


def run_killed(s, when, limit=20):
    """A queue run of site s, killed (SIGKILL) once when() holds."""
    p = subprocess.Popen(s.cmd("-qf"), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        assert wait_for(when, limit), "the run never got there"
    finally:
        p.kill()
        p.wait(timeout=10)


def lines(path):
    try:
        return pathlib.Path(path).read_text().splitlines()
    except FileNotFoundError:
        return []


def test_transaction_recorded_before_the_next(routing):
    # Two hosts, one transaction each: the smart host takes the first,
    # the second host never answers the final dot, and the run is
    # killed there.  The next run sends only what the second host may
    # not have.
    s = routing(maps={"mailertable": "special.example esmtp:[127.0.0.1]\n"})
    s.other_ctl.stop()
    host = Scripted(s.other_port, stall=".")
    try:
        s.send(["x@far.example", "y@special.example"])
        run_killed(s, lambda: "." in host.commands)
    finally:
        host.close()
    s.other_ctl, s.other = start_smarthost(s.other_port)
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert [m[1] for m in s.rec.messages] == [["x@far.example"]]
    assert [m[1] for m in s.other.messages] == [["y@special.example"]]
    assert s.d.queued("qf") == []


def test_local_recorded_before_a_transaction(site, tools):
    # A program an alias names has the message; the smart host then
    # never answers the final dot, and the run is killed there.  The
    # program does not run again.
    count = program(tools, "count", f"cat > /dev/null\necho run >> {tools}/runs\n")
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases(f"count: \"|{count}\"\n")
    s.ctl.stop()
    host = Scripted(s.smart_port, stall=".")
    try:
        s.send(["count@localhost", "x@far.example"])
        run_killed(s, lambda: "." in host.commands)
    finally:
        host.close()
    assert lines(tools / "runs") == ["run"]
    s.ctl, s.rec = start_smarthost(s.smart_port)
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert lines(tools / "runs") == ["run"]
    assert [m[1] for m in s.rec.messages] == [["x@far.example"]]
    assert s.d.queued("qf") == []


def test_checkpoint_interval_between_local_recipients(site, tools):
    # CheckpointInterval=1: each local recipient is recorded before the
    # next is delivered.  The second one's program hangs and the run is
    # killed then: the first one's program does not run again.
    count = program(tools, "count", f"cat > /dev/null\necho run >> {tools}/runs\n")
    hang = program(tools, "hang",
                   f"cat > /dev/null\necho $$ >> {tools}/hung\n"
                   f"[ -e {tools}/go ] || exec sleep 30\n")
    s = site(options=["DeliveryMode=queueonly", "CheckpointInterval=1"])
    s.set_aliases(f"count: \"|{count}\"\nhang: \"|{hang}\"\n")
    s.send(["count@localhost", "hang@localhost"])
    run_killed(s, lambda: lines(tools / "hung"))
    os.kill(int(lines(tools / "hung")[0]), signal.SIGKILL)
    (tools / "go").touch()
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert lines(tools / "runs") == ["run"]
    assert len(lines(tools / "hung")) == 2
    assert s.d.queued("qf") == []
