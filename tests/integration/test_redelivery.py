"""A delivery cut off in the middle of a message: the next attempt
delivers what the first did not finish, and no recipient the first one
finished gets a second copy.  The queue file records recipients as
they are delivered (CheckpointInterval, and before each SMTP
transaction), a mailbox recognises a copy an earlier attempt left in
it (whole, or cut short), after a root worker died the one asked next
writes only to mailboxes, and a delivery told to stop (SIGTERM) between
the final dot and its record makes the record first.  The copies a
smart host may hold twice (it had the final dot, we never had its
reply, and SIGKILL cannot wait) are test_crash.py's."""
import os
import pathlib
import re
import resource
import signal
import subprocess

import pytest

from daemon_util import USER, program, submit, wait_for
from smarthost import Scripted, SlowRecorder, start_smarthost

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


def run_killed(cmd, when, limit=20):
    """A queue run (its command line), killed (SIGKILL) once when()
    holds."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        assert wait_for(when, limit), "the run never got there"
    finally:
        p.kill()
        p.wait(timeout=10)


def killed_at_the_dot(s, port, rcpts):
    """rcpts sent to site s; a queue run killed while the host on port
    holds its answer to the final dot.  Then a recording smart host on
    that port again: (ctl, rec)."""
    host = Scripted(port, stall=".")
    try:
        s.send(rcpts)
        run_killed(s.cmd("-qf"), lambda: "." in host.commands)
    finally:
        host.close()
    return start_smarthost(port)


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
    s.other_ctl, s.other = killed_at_the_dot(
        s, s.other_port, ["x@far.example", "y@special.example"])
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert [m[1] for m in s.rec.messages] == [["x@far.example"]]
    assert [m[1] for m in s.other.messages] == [["y@special.example"]]
    assert s.d.queued("qf") == []


def test_recorded_between_transactions_on_one_connection(world):
    # The smart host takes two recipients a transaction (452 to the
    # others, who go in the next one) and never answers the second
    # transaction's final dot; the run is killed there.  The next run
    # sends only the recipients the second transaction had.
    d = world["start"]()
    submit(d, ["a@far.example", "b@far.example", "c@far.example",
               "d@far.example"])
    host = Scripted(world["port"], rcpt_limit=2, stall=".", after=1)
    try:
        run_killed(world["runner"](),
                   lambda: host.commands.count(".") == 2)
    finally:
        host.close()
    ctl, rec = start_smarthost(world["port"])
    try:
        r = world["run"]()
        assert r.returncode == 0, r.stderr
        assert [sorted(m[1]) for m in rec.messages] == [
            ["c@far.example", "d@far.example"]]
        assert d.queued("qf") == []
    finally:
        ctl.stop()


def test_local_recorded_before_a_transaction(site, tools):
    # A program an alias names has the message; the smart host then
    # never answers the final dot, and the run is killed there.  The
    # program does not run again.
    count = program(tools, "count", f"cat > /dev/null\necho run >> {tools}/runs\n")
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases(f"count: \"|{count}\"\n")
    s.ctl.stop()
    s.ctl, s.rec = killed_at_the_dot(s, s.smart_port,
                                     ["count@localhost", "x@far.example"])
    assert lines(tools / "runs") == ["run"]
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
    run_killed(s.cmd("-qf"), lambda: lines(tools / "hung"))
    os.kill(int(lines(tools / "hung")[0]), signal.SIGKILL)
    (tools / "go").touch()
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert lines(tools / "runs") == ["run"]
    assert len(lines(tools / "hung")) == 2
    assert s.d.queued("qf") == []


def test_mailbox_has_the_copy_already(site):
    # A delivery killed after its append, before the queue file said
    # so: the queue file is as it was before the run.  Other mail came
    # to the mailbox meanwhile.  The next run finds the copy, writes no
    # second one, and takes the recipient as delivered.
    s = site(options=["DeliveryMode=queueonly"])
    s.send([f"{USER}@localhost"], "Subject: first\r\n\r\nonce\r\n")
    saved = {p: (pathlib.Path(p).read_bytes(), os.stat(p))
             for p in s.d.queued("qf") + s.d.queued("df")}
    r = s.run_queue()
    assert re.search(r"stat=Sent$", r.stderr, re.M), r.stderr
    s.send([f"{USER}@localhost"], "Subject: second\r\n\r\nother\r\n")
    s.run_queue()
    for p, (data, st) in saved.items():
        pathlib.Path(p).write_bytes(data)
        os.chown(p, st.st_uid, st.st_gid)
        os.chmod(p, st.st_mode & 0o777)
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert "stat=Sent (the mailbox had it already)" in r.stderr, r.stderr
    box = s.mailbox()
    assert box.count("\nSubject: first\n") == 1
    assert box.count("\nSubject: second\n") == 1
    qid = pathlib.Path(next(iter(saved))).name[2:]
    assert re.search(rf"^From a@example\.org .*\nX-Delivery-ID: {qid} "
                     rf"{USER}\n", box, re.M), box[:300]
    assert s.d.queued("qf") == []


def test_append_cut_short_is_replaced(site):
    # The mailbox append dies in the middle of its copy (SIGXFSZ: the
    # service runs with a file size limit), and so does the second try
    # at once; the next run, without the limit, cuts the piece off and
    # writes the copy whole.  One copy, whole.
    s = site(options=["DeliveryMode=queueonly"])
    body = "".join("line %04d %s\r\n" % (i, "x" * 60) for i in range(300))
    s.send([f"{USER}@localhost"], "Subject: big\r\n\r\n" + body + "end\r\n")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    r = subprocess.run(s.cmd("-qf"), capture_output=True, text=True,
                       timeout=60, preexec_fn=limit)
    assert "died of a signal; once more" in r.stderr, r.stderr
    assert re.search(rf"to={USER}, .*stat=Deferred", r.stderr), r.stderr
    box = pathlib.Path(s.d.spool) / USER
    assert box.stat().st_size == 4096           # a copy cut short
    r = s.run_queue()
    assert "stat=Sent (a cut copy replaced)" in r.stderr, r.stderr
    text = s.mailbox()
    assert text.count("\nSubject: big\n") == 1
    assert text.endswith("\nend\n\n")
    assert s.d.queued("qf") == []


def test_worker_dies_after_the_mailbox(site, tools):
    # An alias leads to a mailbox and to a program that kills the root
    # worker delivering them, after the mailbox has its copy.  The new
    # worker asked at once writes no second copy and does not run the
    # program: it waits for the next attempt.
    killer = program(tools, "killer", f"""cat > /dev/null
echo run >> {tools}/runs
p=$PPID
while [ "$p" -gt 1 ] && [ "$(cat /proc/$p/comm)" != sendmail-local ]; do
    p=$(cut -d' ' -f4 /proc/$p/stat)
done
[ "$p" -gt 1 ] && kill -9 $p
""")
    s = site(options=["DeliveryMode=queueonly", "DefaultUser=root"])
    s.set_aliases(f"both: {USER}, \"|{killer}\"\n")
    s.send(["both@localhost"])
    r = s.run_queue()
    assert lines(tools / "runs") == ["run"], r.stderr
    assert s.mailbox().count("\nSubject: t\n") == 1
    assert re.search(rf"to={USER}, orig_to=<both@localhost>, .*"
                     r"stat=Sent \(the mailbox had it already\)", r.stderr), \
        r.stderr
    assert re.search(rf"to=\"\|{killer}\", .*stat=Deferred: the local "
                     "delivery service died while delivering", r.stderr), \
        r.stderr
    assert len(s.d.queued("qf")) == 1


def test_sigterm_waits_for_the_reply_to_the_dot(world):
    # A run told to stop (SIGTERM, as a stopping daemon or the end of
    # its run tells it) while the smart host has the message and has
    # not yet answered the final dot: it reads the answer and records
    # it before it ends, so the next run sends nothing again.
    d = world["start"]()
    rec = SlowRecorder(1.5)
    ctl, _ = start_smarthost(world["port"], rec)
    try:
        submit(d, ["x@far.example"])
        p = subprocess.Popen(world["runner"](), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        assert wait_for(lambda: rec.inside == 1, limit=20)
        p.terminate()
        assert p.wait(timeout=20) == -signal.SIGTERM
        assert d.queued("qf") == [] and d.queued("df") == []
        world["run"]()
        assert [m[1] for m in rec.messages] == [["x@far.example"]]
    finally:
        ctl.stop()
