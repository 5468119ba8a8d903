"""Queue runs through a smart host (issue: the queue, items 3-5, 7, 9)."""
import re
import smtplib
import subprocess
import time

import pytest

from cfgen import relay_cf
from daemon_util import RUN_AS_NOBODY, sendmail, sendmail_cmd, submit, wait_for
from smarthost import Busy, Full, SlowRecorder, Stalling, start_smarthost


def mailq(world):
    return sendmail(world["cf"], options=[f"QueueDirectory={world['d'].queue}"],
                    prog="mailq", timeout=20).stdout


def test_delivered_intact(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        body = ("Subject: intact\r\nX-Eight: caf\xe9\r\n\r\n.leading dot\r\n"
                "..two\r\n" + "x" * 990 + "\r\nend\r\n")
        with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
            s.sendmail("alice@example.org",
                       ["bob@far.example", "carol@far.example"],
                       body.encode("latin-1"))
        assert len(d.queued("qf")) == 1
        r = world["run"]()
        assert r.returncode == 0, r.stderr
        assert len(rec.messages) == 1
        sender, rcpts, content = rec.messages[0]
        assert sender == "alice@example.org"
        assert sorted(rcpts) == ["bob@far.example", "carol@far.example"]
        text = content.decode("latin-1")
        assert "\r\nSubject: intact\r\n" in text
        assert "X-Eight: caf\xe9" in text
        assert text.startswith("Received: from ")
        assert "Return-Path" not in text          # not for SMTP mailers
        assert text.endswith("\r\n\r\n.leading dot\r\n..two\r\n" + "x" * 990 +
                             "\r\nend\r\n")
        assert d.queued("qf") == [] and d.queued("df") == []
        assert re.search(r"to=<bob@far.example>, delay=\S+, xdelay=\S+, "
                         r"mailer=relay, pri=\d+, relay=\[127.0.0.1\] "
                         r"\[127.0.0.1\], dsn=2.0.0, stat=Sent \(2.0.0 "
                         r"queued as FAKE1\)", r.stderr), r.stderr
    finally:
        ctl.stop()


def test_big_message_and_connection_reuse(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        big = "Subject: big\r\n\r\n" + ("y" * 998 + "\r\n") * 10000
        submit(d, ["x@far.example"], big)
        submit(d, ["y@far.example"])
        submit(d, ["z@far.example"])
        before = rec.connections      # the controller's own check counts
        r = world["run"]("-O", "MaxRunnersPerQueue=1")
        assert r.returncode == 0, r.stderr
        assert len(rec.messages) == 3
        assert rec.connections - before == 1      # one connection for all
        sizes = sorted(len(m[2]) for m in rec.messages)
        assert sizes[-1] > 10_000_000
    finally:
        ctl.stop()


def test_refused_connection_defers(world):
    d = world["start"]()                          # nothing listens on the port
    submit(d, ["x@far.example"])
    r = world["run"]()
    assert r.returncode == 0
    assert "stat=Deferred: Connection refused by [127.0.0.1]" in r.stderr
    q = mailq(world)
    assert "(Deferred: Connection refused by [127.0.0.1])" in q
    assert "<x@far.example>" in q
    qf = open(d.queued("qf")[0], encoding="latin-1").read()
    assert "\nN1\n" in qf


def test_greeting_timeout(world):
    d = world["start"](options=[])
    stall = Stalling(world["port"])
    try:
        submit(d, ["x@far.example"])
        start = time.monotonic()
        r = world["run"]("-O", "Timeout.initial=2s")
        elapsed = time.monotonic() - start
        assert 2.0 <= elapsed <= 4.0, elapsed
        assert "timeout waiting for input from [127.0.0.1] [127.0.0.1] " \
               "during client greeting (Timeout.initial)" in r.stderr
        assert "stat=Deferred: Connection timed out with [127.0.0.1]" in r.stderr
        assert len(d.queued("qf")) == 1
    finally:
        stall.close()


def test_datafinal_timeout_keeps_the_message(world):
    d = world["start"]()
    stall = Stalling(world["port"], greet=True)   # greets, then silence
    try:
        submit(d, ["x@far.example"])
        start = time.monotonic()
        r = world["run"]("-O", "Timeout.helo=2s")
        assert 2.0 <= time.monotonic() - start <= 4.0
        assert "during client EHLO (Timeout.helo)" in r.stderr
        assert len(d.queued("qf")) == 1
    finally:
        stall.close()


def test_permanent_failure_bounces(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    rec.rcpt_reply["nobody@far.example"] = "550 5.1.1 no such user here"
    try:
        submit(d, ["nobody@far.example", "ok@far.example"])
        r = world["run"]()
        assert r.returncode == 0, r.stderr
        assert [m[1] for m in rec.messages] == [["ok@far.example"]]
        assert "reply=550 5.1.1 no such user here" in r.stderr
        assert ": DSN: " in r.stderr
        # The original is gone; the bounce to a@example.org is queued.
        qfs = d.queued("qf")
        assert len(qfs) == 1
        bounce = open(qfs[0], encoding="latin-1").read()
        assert "S<>\n" in bounce and "RPFD:<a@example.org>" in bounce
        assert "H??Subject: Returned mail: see transcript for details" in bounce
        df = open(d.queued("df")[0]).read()
        assert "Final-Recipient: RFC822; nobody@far.example" in df
        assert "Status: 5.1.1" in df and "Action: failed" in df
        assert "Diagnostic-Code: SMTP; 550 5.1.1 no such user here" in df
    finally:
        ctl.stop()


def test_temporary_failure_then_success(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    rec.data_reply = "451 4.3.0 try later"
    try:
        submit(d, ["x@far.example"])
        r = world["run"]()
        assert "stat=Deferred: 451 4.3.0 try later" in r.stderr
        assert len(d.queued("qf")) == 1
        rec.data_reply = None
        r = world["run"]()
        assert "stat=Sent" in r.stderr
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_overlapping_runs_deliver_once(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        for i in range(20):
            submit(d, [f"r{i}@far.example"])
        procs = [subprocess.Popen(
            sendmail_cmd(world["cf"], "-qf", options=[
                f"QueueDirectory={d.queue}", *RUN_AS_NOBODY]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(3)]
        for p in procs:
            assert p.wait(timeout=60) == 0
        got = sorted(m[1][0] for m in rec.messages)
        assert got == sorted(f"r{i}@far.example" for i in range(20))
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_runners_share_the_queue(world):
    # MaxRunnersPerQueue (2 by default) processes take the sorted
    # messages in turn, each over a connection of its own.
    d = world["start"]()
    rec = SlowRecorder(0.3)
    ctl, _ = start_smarthost(world["port"], rec)
    try:
        for i in range(8):
            submit(d, [f"r{i}@far.example"])
        before = rec.connections
        r = world["run"]()
        assert r.returncode == 0, r.stderr
        got = sorted(m[1][0] for m in rec.messages)
        assert got == sorted(f"r{i}@far.example" for i in range(8))
        assert r.stderr.count("stat=Sent") == 8
        assert rec.connections - before == 2
        assert rec.most == 2                  # two messages at a time
        assert d.queued("qf") == [] and d.queued("df") == []
        # sendmail's own default: one runner, one connection.
        for i in range(3):
            submit(d, [f"s{i}@far.example"])
        before, rec.most = rec.connections, 0
        r = world["run"]("-O", "MaxRunnersPerQueue=1")
        assert r.stderr.count("stat=Sent") == 3
        assert rec.connections - before == 1 and rec.most == 1
        # MaxQueueChildren caps the processes of a run, as in sendmail.
        for i in range(3):
            submit(d, [f"t{i}@far.example"])
        before, rec.most = rec.connections, 0
        r = world["run"]("-O", "MaxRunnersPerQueue=4", "-O",
                         "MaxQueueChildren=1")
        assert r.stderr.count("stat=Sent") == 3
        assert rec.connections - before == 1 and rec.most == 1
        assert len(rec.messages) == 14 and d.queued("qf") == []
    finally:
        ctl.stop()


def test_host_that_takes_one_connection(world):
    # A second runner refused while the first has a connection does
    # not mark the host down nor count a try: it hands its message back
    # and stops, and the other runner delivers it over its connection.
    from smarthost import OneAtATime
    d = world["start"](extra="define(`confHOST_STATUS_DIRECTORY', "
                       "`.hoststat')dnl\n")
    srv = OneAtATime(world["port"])
    try:
        for i in range(6):
            submit(d, [f"r{i}@far.example"])
        r = world["run"]()
        assert r.returncode == 0, r.stderr
        assert srv.refused == 1, r.stderr
        assert "stat=Deferred: [127.0.0.1] refused a second connection; " \
            "tried again in this run" in r.stderr
        assert srv.connections == 2               # no third
        assert "handed back to the run: a runner stops" in r.stderr
        assert len(srv.data) == 6 and r.stderr.count("stat=Sent") == 6
        # The refusal was no attempt: every message is sent on its first.
        assert set(re.findall(r"pri=(\d+), .*stat=Sent", r.stderr)) == \
            {"30018"}, r.stderr
        assert d.queued("qf") == [] and d.queued("df") == []
        hs = sendmail(world["cf"], options=[f"QueueDirectory={d.queue}"],
                      prog="hoststat", timeout=20)
        assert "421" not in hs.stdout, hs.stdout
    finally:
        srv.close()


def test_silent_host_is_no_refusal(world):
    # A host that takes the connection and never greets is down, for
    # every runner: the runner that times out counts the try and
    # remembers the host for the run, the other one (which waited for
    # that outcome) defers without a connection, and nothing is handed
    # back to be waited for a second time in the same run.
    d = world["start"]()                          # no HostStatusDirectory
    stall = Stalling(world["port"])
    try:
        for i in range(4):
            submit(d, [f"r{i}@far.example"])
        start = time.monotonic()
        r = world["run"]("-O", "Timeout.initial=2s")
        took = time.monotonic() - start
        assert r.returncode == 0, r.stderr
        assert "refused a second connection" not in r.stderr, r.stderr
        assert "handed back" not in r.stderr, r.stderr
        assert stall.connections == 1, r.stderr   # one in the run
        assert r.stderr.count("stat=Deferred") == 4, r.stderr
        assert r.stderr.count("Connection timed out") >= 2, r.stderr
        # Every deferral counted as a try.
        qfs = d.queued("qf")
        assert len(qfs) == 4
        for qf in qfs:
            with open(qf, "rb") as f:
                assert b"\nN1\n" in f.read(), qf
        assert took < 3.8, took                   # one Timeout.initial
    finally:
        stall.close()


@pytest.mark.parametrize("hsdir", [False, True])
def test_failed_host_is_not_tried_again_by_another_runner(world, hsdir):
    # A smart host that answers 421 at the greeting is down for the
    # rest of the run, as in sendmail's one process: the first runner's
    # failure reaches the other runner before it connects, and every
    # message is deferred with the host's reply, in the same words;
    # with or without HostStatusDirectory.
    d = world["start"](extra="define(`confHOST_STATUS_DIRECTORY', "
                       "`.hoststat')dnl\n" if hsdir else "")
    busy = Busy(world["port"])
    try:
        for i in range(3):
            submit(d, [f"r{i}@far.example"])
        start = time.monotonic()
        r = world["run"]("-O", "Timeout.initial=2s")    # two runners
        took = time.monotonic() - start
        assert r.returncode == 0, r.stderr
        assert busy.connections == 1, r.stderr
        lines = re.findall(r"to=<r\d@far\.example>, .*", r.stderr)
        assert len(lines) == 3, r.stderr
        for line in lines:
            assert line.endswith(", mailer=relay, pri=30018, "
                                 "relay=[127.0.0.1], dsn=4.3.2, reply=421 "
                                 "4.3.2 busy.example too busy, stat=Deferred: "
                                 "421 4.3.2 busy.example too busy"), line
        assert "refused a second connection" not in r.stderr, r.stderr
        assert "handed back" not in r.stderr, r.stderr
        qfs = d.queued("qf")
        assert len(qfs) == 3
        for qf in qfs:
            with open(qf, "rb") as f:
                assert b"\nN1\n" in f.read(), qf
        assert mailq(world).count("(421 4.3.2 busy.example too busy)") == 3
        assert took < 3.8, took                   # one attempt's bound
    finally:
        busy.close()


@pytest.mark.parametrize("failure", ["greeting", "connect", "refused"])
def test_down_host_gets_one_attempt_per_run(world, failure):
    # A host that does not answer (no greeting within Timeout.initial,
    # no connection within Timeout.connect) or refuses the connection
    # gets one attempt in a run, not one per runner: the other runner
    # waits for its outcome instead of connecting at the same moment.
    d = world["start"]()
    stall, full, least = None, None, 2.0
    opts = ["-O", "LogLevel=14"]          # a line for each failed connect
    if failure == "greeting":
        stall = Stalling(world["port"])
        opts += ["-O", "Timeout.initial=2s"]
        stat = "Connection timed out with [127.0.0.1]"
    elif failure == "connect":
        full = Full(world["port"])
        opts += ["-O", "Timeout.iconnect=2s", "-O", "Timeout.connect=2s"]
        stat = "Connection timed out with [127.0.0.1]"
    else:
        least = 0.0                           # nothing listens
        stat = "Connection refused by [127.0.0.1]"
    try:
        for i in range(3):
            submit(d, [f"r{i}@far.example"])
        start = time.monotonic()
        r = world["run"](*opts)
        took = time.monotonic() - start
        assert r.returncode == 0, r.stderr
        if stall is not None:
            assert stall.connections == 1, r.stderr
        else:
            assert r.stderr.count("makeconnection ([127.0.0.1] "
                                  "[127.0.0.1]) failed") == 1, r.stderr
        # The first runner's reason, in the same words for each.
        stats = re.findall(r"to=<r\d@far\.example>, .*, stat=(.*)", r.stderr)
        assert len(stats) == 3 and len(set(stats)) == 1, r.stderr
        assert stats[0].startswith(f"Deferred: {stat}"), r.stderr
        assert "handed back" not in r.stderr, r.stderr
        assert len(d.queued("qf")) == 3
        assert least <= took < 3.8, took          # one attempt's bound
    finally:
        if stall is not None:
            stall.close()
        if full is not None:
            full.close()


@pytest.mark.parametrize("args", [
    ("-O", "SingleThreadDelivery=True"),      # a second would be deferred
    ("-v",),                                  # conversations not mixed
])
def test_one_runner_when_needed(world, args):
    d = world["start"](extra="define(`confHOST_STATUS_DIRECTORY', "
                       "`.hoststat')dnl\n")
    rec = SlowRecorder(0.1)
    ctl, _ = start_smarthost(world["port"], rec)
    try:
        for i in range(4):
            submit(d, [f"r{i}@far.example"])
        before = rec.connections
        r = world["run"](*args)
        assert r.returncode == 0, r.stderr
        assert len(rec.messages) == 4 and rec.most == 1
        assert rec.connections - before == 1
        assert "another process is delivering" not in r.stdout + r.stderr
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_runners_end_with_their_run(world):
    # SIGTERM to a run (as a stopping daemon sends) ends its runners;
    # what they held stays queued.
    d = world["start"]()
    stall = Stalling(world["port"])               # never greets
    try:
        submit(d, ["x@far.example"])
        submit(d, ["y@far.example"])
        p = subprocess.Popen(world["runner"]("-O", "Timeout.initial=60s"),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        # One runner connects; the other waits for its outcome.
        assert wait_for(lambda: stall.connections == 1)
        kids = open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()
        assert len(kids) == 1
        start = time.monotonic()
        p.terminate()
        p.wait(timeout=10)

        def gone(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except FileNotFoundError:
                return True
        assert wait_for(lambda: gone(int(kids[0])), limit=10)
        assert time.monotonic() - start < 10
        assert len(d.queued("qf")) == 2
    finally:
        stall.close()


def test_queue_run_selectors_and_local_delivery(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(d, ["one@far.example"])
        submit(d, ["two@far.example"])
        submit(d, ["root@localhost"])
        r = world["run"]("-qRtwo@")
        assert [m[1] for m in rec.messages] == [["two@far.example"]]
        assert len(d.queued("qf")) == 2
        r = world["run"]()
        assert len(rec.messages) == 2
        # The local one went to root's mailbox, not to the smart host.
        assert re.search(r"to=root, orig_to=<root@localhost>, .*"
                         r"mailer=local, .*stat=Sent$", r.stderr, re.M)
        assert d.mailbox("root").count("\nSubject: t\n") == 1
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_background_run_returns_at_once(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(d, ["x@far.example"])
        r = sendmail(world["cf"], "-q", options=[f"QueueDirectory={d.queue}",
                                                 *RUN_AS_NOBODY], timeout=10)
        assert r.returncode == 0
        wait_for(lambda: rec.messages, limit=10)
        assert len(rec.messages) == 1
    finally:
        ctl.stop()


def test_delivery_mode_interactive(world, daemon):
    ctl, rec = start_smarthost(world["port"])
    try:
        cf = relay_cf(world["base"], world["port"])
        d = daemon(cf=cf, options=["DeliveryMode=interactive"])
        submit(d, ["x@far.example"])
        # The 250 came after the attempt: the smart host already has it.
        assert [m[1] for m in rec.messages] == [["x@far.example"]]
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_delivery_mode_background(world, daemon):
    ctl, rec = start_smarthost(world["port"])
    try:
        cf = relay_cf(world["base"], world["port"])
        d = daemon(cf=cf, options=["DeliveryMode=background"])
        with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
            s.sendmail("a@example.org", ["x@far.example"], "Subject: 1\r\n\r\n1\r\n")
            s.sendmail("a@example.org", ["y@far.example"], "Subject: 2\r\n\r\n2\r\n")
        assert wait_for(lambda: len(rec.messages) == 2)
        assert wait_for(lambda: d.queued("qf") == [])
    finally:
        ctl.stop()


def test_daemon_with_queue_interval(world):
    from daemon_util import Daemon
    ctl, rec = start_smarthost(world["port"])
    cf = relay_cf(world["base"], world["port"])
    d = Daemon(cf=cf, options=["DeliveryMode=queueonly"], extra_args=["-q2s"])
    try:
        submit(d, ["x@far.example"])
        assert wait_for(lambda: len(rec.messages) == 1, limit=8)
        assert "SMTP+queueing@00:00:02" in d.log_text()
    finally:
        d.stop()
        ctl.stop()


def test_delay_warning_once(world):
    d = world["start"]()                       # nothing listens: deferrals
    submit(d, ["x@far.example"])
    time.sleep(1.1)
    r = world["run"]("-O", "Timeout.queuewarn=1s")
    assert "sender notify: Warning: could not send message for past 1 second" in r.stderr
    qfs = d.queued("qf")
    assert len(qfs) == 2                       # the message and the notice
    texts = [open(p, encoding="latin-1").read() for p in qfs]
    notice = next(t for t in texts if "S<>\n" in t)
    original = next(t for t in texts if "S<>\n" not in t)
    assert "H??Subject: Warning: could not send message for past 1 second" in notice
    assert "RPFD:<a@example.org>" in notice
    assert any(l.startswith("F") and "w" in l for l in original.splitlines())
    dfs = [open(p).read() for p in d.queued("df")]
    assert any("Action: delayed" in t and "THIS IS A WARNING MESSAGE ONLY" in t
               for t in dfs)
    r = world["run"]("-O", "Timeout.queuewarn=1s")
    assert "sender notify" not in r.stderr     # only once
    assert len(d.queued("qf")) == 2


def test_queue_return_bounces(world):
    d = world["start"]()
    submit(d, ["x@far.example"])
    time.sleep(1.1)
    r = world["run"]("-O", "Timeout.queuereturn=1s")
    assert ": DSN: Message could not be delivered for too long" in r.stderr
    qfs = d.queued("qf")
    assert len(qfs) == 1 and "S<>\n" in open(qfs[0], encoding="latin-1").read()
    assert "Status: 4.4.7" in open(d.queued("df")[0]).read()


def test_reused_connection_needs_no_rset_after_a_message(world):
    # The reply to the final dot resets the server (RFC 5321 4.1.1.4):
    # the next message starts with MAIL, saving RSET's round trip.
    from smarthost import Scripted
    d = world["start"]()
    srv = Scripted(world["port"])
    try:
        for who in ("x", "y", "z"):
            submit(d, [who + "@far.example"])
        world["run"]("-O", "MaxRunnersPerQueue=1")     # one connection
        txn = ["MAIL", "RCPT", "DATA", "."]
        assert srv.commands == ["EHLO"] + txn * 3 + ["QUIT"], srv.commands
    finally:
        srv.close()


def test_reused_connection_gets_rset_after_a_refusal(world):
    # A transaction the server refused (every RCPT, so the pipelined DATA
    # too) leaves its state unknown: RSET before the next MAIL.
    from smarthost import Scripted
    d = world["start"]()
    srv = Scripted(world["port"], replies={"RCPT": "450 4.2.1 try later"})
    try:
        submit(d, ["x@far.example"])
        submit(d, ["y@far.example"])
        world["run"]("-O", "MaxRunnersPerQueue=1")
        txn = ["MAIL", "RCPT", "DATA"]
        assert srv.commands == ["EHLO"] + txn + ["RSET"] + txn + ["QUIT"], \
            srv.commands
        assert len(d.queued("qf")) == 2
    finally:
        srv.close()


def test_no_connection_cache(world):
    d = world["start"]()
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(d, ["x@far.example"])
        submit(d, ["y@far.example"])
        before = rec.connections
        world["run"]("-O", "ConnectionCacheSize=0")
        assert len(rec.messages) == 2
        assert rec.connections - before == 2
    finally:
        ctl.stop()


def test_bP_counts(world):
    d = world["start"]()
    submit(d, ["x@far.example"])
    submit(d, ["y@far.example"])
    r = sendmail(world["cf"], "-bP", options=[f"QueueDirectory={d.queue}"])
    assert r.returncode == 0
    assert r.stdout == f"{d.queue}: entries=2\n"
