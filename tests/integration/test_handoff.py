"""The daemon's resident delivery agents (DeliveryMode=background): a
session hands the message it accepted to an idle agent, which delivers
it over a connection kept for the next one; when no agent is idle the
session forks the delivery as before."""
import asyncio
import os
import shutil
import signal
import smtplib
import tempfile
import time

import pytest

from cfgen import relay_cf
from daemon_util import agents, free_port, wait_for
from smarthost import Recorder, CountingController, Scripted


class Slow(Recorder):
    """Takes its time (4 s) over a recipient whose name starts slow."""

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("slow"):
            await asyncio.sleep(4)
        return await super().handle_RCPT(server, session, envelope, address,
                                         options)


@pytest.fixture
def relay(daemon):
    """A smart host on a port of its own and a daemon in background mode
    that relays to it: relay(options) -> (daemon, recorder)."""
    base = tempfile.mkdtemp(prefix="smd-handoff-", dir="/tmp")
    os.chmod(base, 0o755)
    port = free_port()
    ctls = []

    def start(options=(), handler=None, agents_expected=None):
        if ctls:                          # a second daemon, the same host
            rec = ctls[0].handler
        else:
            rec = handler or Recorder()
            ctl = CountingController(rec, hostname="127.0.0.1", port=port)
            ctl.start()
            ctls.append(ctl)
            rec.connections = 0           # not the controller's own probe
        d = daemon(cf=relay_cf(base, port),
                   options=["DeliveryMode=background", *options])
        if agents_expected is not None:
            assert wait_for(lambda: len(agents(d)) == agents_expected)
            time.sleep(0.3)               # and waiting for work
        return d, rec
    start.port = port
    start.base = base
    yield start
    for ctl in ctls:
        ctl.stop()
    shutil.rmtree(base, ignore_errors=True)


def send(d, rcpt, n=1):
    """n messages, each on a connection of its own, one after another."""
    for i in range(n):
        with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
            s.sendmail("a@example.org", [rcpt], f"Subject: {i}\r\n\r\n{i}\r\n")


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def test_agents_keep_their_connections(relay):
    """Eight messages on eight client connections reach the smart host
    over at most two connections, one per agent, and leave the queue."""
    d, rec = relay(agents_expected=2)
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody").pw_uid
        assert all(uid_of(p) == nobody for p in agents(d))
    send(d, "x@far.example", 8)
    assert wait_for(lambda: len(rec.messages) == 8)
    assert wait_for(lambda: d.queued("qf") == [])
    assert 1 <= rec.connections <= 2
    assert d.log_text().count("stat=Sent") == 8


def test_without_agents_each_message_forks(relay):
    """DeliveryAgents=0: sendmail's way, a delivery process and a
    connection per message."""
    d, rec = relay(options=["DeliveryAgents=0"])
    time.sleep(0.3)
    assert agents(d) == []
    send(d, "x@far.example", 3)
    assert wait_for(lambda: len(rec.messages) == 3)
    assert rec.connections == 3


def test_busy_agent_holds_no_message(relay):
    """With the only agent busy over a slow recipient, the next message
    is delivered at once by a delivery of its own, not after it."""
    d, rec = relay(options=["DeliveryAgents=1"], handler=Slow(),
                   agents_expected=1)
    t0 = time.monotonic()
    send(d, "slow@far.example")
    send(d, "quick@far.example")
    assert wait_for(lambda: any(m[1] == ["quick@far.example"]
                                for m in rec.messages), limit=10)
    quick = time.monotonic() - t0
    assert wait_for(lambda: len(rec.messages) == 2, limit=15)
    # The slow one took 4 s at the smart host; the quick one did not
    # wait for it.
    assert quick < 3.5
    assert [m[1] for m in rec.messages] == [["quick@far.example"],
                                            ["slow@far.example"]]


def test_agent_started_again(relay):
    """An agent that is killed comes back; meanwhile mail still goes.
    SIGHUP replaces every agent (the new configuration)."""
    d, rec = relay(agents_expected=2)
    before = agents(d)
    os.kill(before[0], signal.SIGKILL)
    assert wait_for(lambda: len(agents(d)) == 1)
    send(d, "x@far.example", 2)
    assert wait_for(lambda: len(rec.messages) == 2)
    # Back within HANDOFF_RESTART (5 s) of its start.
    assert wait_for(lambda: len(agents(d)) == 2, limit=10)
    assert "delivery agent %d died on signal 9" % before[0] in d.log_text()
    now = agents(d)
    os.kill(d.proc.pid, signal.SIGHUP)
    assert wait_for(lambda: len(agents(d)) == 2 and
                    not set(agents(d)) & set(now), limit=10)
    time.sleep(0.3)
    send(d, "y@far.example")
    assert wait_for(lambda: len(rec.messages) == 3)
    assert wait_for(lambda: d.queued("qf") == [])


def test_single_thread_lock_not_held_idle(relay):
    """SingleThreadDelivery: an idle agent does not keep the host lock
    (other processes would find the host busy for as long as it waits)."""
    import fcntl
    hs = os.path.join(relay.base, "hs")
    os.mkdir(hs)
    if os.geteuid() == 0:
        import shutil
        shutil.chown(hs, "nobody")
    d, rec = relay(options=["SingleThreadDelivery=True",
                            f"HostStatusDirectory={hs}"], agents_expected=2)
    send(d, "x@far.example")
    assert wait_for(lambda: len(rec.messages) == 1)
    assert wait_for(lambda: d.queued("qf") == [])
    time.sleep(0.5)
    locks = [os.path.join(r, f) for r, _, fs in os.walk(hs) for f in fs]
    assert locks                          # the delivery took one
    for path in locks:
        with open(path, "rb+") as f:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)   # free
    assert "another process is delivering" not in d.log_text()


def test_idle_connection_closed(daemon):
    """The kept connection gets QUIT once it has been idle for
    ConnectionCacheTimeout."""
    port = free_port()
    sh = Scripted(port)
    base = tempfile.mkdtemp(prefix="smd-handoff-", dir="/tmp")
    os.chmod(base, 0o755)
    try:
        d = daemon(cf=relay_cf(base, port),
                   options=["DeliveryMode=background",
                            "ConnectionCacheTimeout=2s"])
        assert wait_for(lambda: len(agents(d)) == 2)
        time.sleep(0.3)
        send(d, "x@far.example")
        assert wait_for(lambda: "." in sh.commands)
        t0 = time.monotonic()
        assert wait_for(lambda: "QUIT" in sh.commands, limit=10)
        idle = time.monotonic() - t0
        assert 1.0 < idle < 6.0
        assert wait_for(lambda: d.queued("qf") == [])
    finally:
        sh.close()
        shutil.rmtree(base, ignore_errors=True)


def test_stop_waits_for_the_delivery(relay):
    """SIGTERM while an agent delivers: the delivery is finished (the
    smart host has the message once, the queue is empty), then the
    daemon and the agent end."""
    d, rec = relay(options=["DeliveryAgents=1"], handler=Slow(),
                   agents_expected=1)
    (pid,) = agents(d)
    send(d, "slow@far.example")
    time.sleep(1)                         # the agent waits on RCPT
    d.proc.send_signal(signal.SIGTERM)
    d.proc.wait(15)
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}"), limit=10)
    assert [m[1] for m in rec.messages] == [["slow@far.example"]]
    assert d.queued("qf") == []


def test_agents_end_with_the_daemon(relay):
    """SIGTERM to the master ends the agents; so does its death."""
    d, _ = relay(agents_expected=2)
    pids = agents(d)
    d.stop()
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{p}")
                                    for p in pids), limit=15)
    d2, _ = relay(agents_expected=2)
    pids = agents(d2)
    os.kill(d2.proc.pid, signal.SIGKILL)
    d2.proc.wait(5)
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{p}")
                                    for p in pids), limit=15)
