"""Messages with many recipients: what a transaction costs as the
recipients grow, the limit on recipients per message, and their life
through the queue (delivery in as many transactions as the next server
asks for)."""
import os
import pathlib
import pwd
import resource
import shutil
import subprocess
import tempfile
import threading

import pytest

from cfgen import relay_cf
from daemon_util import (RUN_AS_NOBODY, SENDMAIL_CF, free_port, queue_files,
                         sendmail, sendmail_cmd)
from smarthost import Scripted


@pytest.fixture
def queue():
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-rcpts-", dir="/tmp"))
    base.chmod(0o755)
    q = base / "mqueue"
    q.mkdir()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(q, nobody.pw_uid, nobody.pw_gid)
    yield q
    shutil.rmtree(base, ignore_errors=True)


def bs_session(queue, rcpts, options=()):
    """One -bs session, queue-only: EHLO, then MAIL, every RCPT and DATA
    pipelined in one write, then a short message.  The replies after
    EHLO, and the session's CPU seconds (user and system)."""
    args = sendmail_cmd(SENDMAIL_CF, "-bs", "-odq", options=[
        f"QueueDirectory={queue}", *RUN_AS_NOBODY, *options])
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        p.stdin.write(b"EHLO client.example\r\n")
        p.stdin.flush()
        while not p.stdout.readline().startswith(b"250 "):
            pass
        batch = b"MAIL FROM:<sender@example.org>\r\n" + b"".join(
            b"RCPT TO:<%s>\r\n" % r.encode() for r in rcpts) + b"DATA\r\n"
        # The replies come while the commands still go: write apart.
        writer = threading.Thread(target=lambda: (p.stdin.write(batch),
                                                  p.stdin.flush()))
        writer.start()
        replies = []
        while True:
            line = p.stdout.readline()
            assert line, replies[-3:]
            replies.append(line.decode("latin-1").rstrip("\r\n"))
            if line[:3] in (b"354", b"503", b"554"):
                break
        writer.join()
        p.stdin.write(b"Subject: many\r\n\r\nhello\r\n.\r\nQUIT\r\n")
        p.stdin.close()
        for line in p.stdout:
            replies.append(line.decode("latin-1").rstrip("\r\n"))
    finally:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    return replies, usage.ru_utime + usage.ru_stime


def control_file(queue):
    qfs = queue_files(queue)
    assert len(qfs) == 1, qfs
    return qfs[0].read_text(errors="replace")


def test_recipients_cost_grows_linearly(queue):
    """Four times the recipients cost about four times the CPU of the
    session (RCPT checks, the control file, the commit), not sixteen
    times: each RCPT's duplicate check is a hash lookup, not a walk
    over the recipients accepted before it."""
    cpu = {}
    for n in (10000, 40000):
        rcpts = [f"user{i}@far{i % 7}.example" for i in range(n)]
        replies, cpu[n] = bs_session(queue, rcpts,
                                     ["MaxRecipientsPerMessage=0"])
        assert sum(r.startswith("250 2.1.5") for r in replies) == n
        assert any("Message accepted for delivery" in r for r in replies)
        assert control_file(queue).count("\nRPFD:<user") == n
        for p in list(queue.rglob("*")):
            p.unlink()
    # Linear: 4.  Before, each RCPT compared its address with every one
    # accepted earlier, and the ratio was 12 or more.
    assert cpu[40000] / max(cpu[10000], 0.01) < 7, cpu


def test_duplicate_recipients_kept_once(queue):
    """A recipient given again, in any case, is accepted again (as
    sendmail does) and queued once; the reply names the first form."""
    replies, _ = bs_session(queue, ["Bob@Far.example", "carol@far.example",
                                    "BOB@far.EXAMPLE"])
    assert replies[1] == "250 2.1.5 <Bob@Far.example>... Recipient ok"
    assert replies[3] == "250 2.1.5 <Bob@Far.example>... Recipient ok"
    qf = control_file(queue)
    assert qf.count("\nRPFD:") == 2
    assert "RPFD:<Bob@Far.example>" in qf and "RPFD:<carol@far.example>" in qf


def test_long_list_alias_accepted(queue, run):
    """An alias of 600 members (20 KB) is a recipient like any other:
    RCPT took only aliases whose value fit in 4096 bytes and answered
    "User unknown" for longer lists."""
    aliases = queue.parent / "aliases"
    aliases.write_text("team: " + ",\n\t".join(
        f"member{i}@far.example" for i in range(600)) + "\n")
    r = run("sendmaild", "-C", SENDMAIL_CF, "-O", f"AliasFile={aliases}", "-bi")
    assert r.returncode == 0, r.stderr
    (queue.parent / "aliases.db").chmod(0o644)
    replies, _ = bs_session(queue, ["team"], [f"AliasFile={aliases}"])
    assert replies[1] == "250 2.1.5 <team>... Recipient ok", replies
    assert "\nRPFD:<team>" in control_file(queue)


def test_default_limit_is_1000(queue):
    """MaxRecipientsPerMessage defaults to 1000 (sendmail: no limit):
    each RCPT past it gets 452 4.5.3, which tells the client to send
    those in another transaction (RFC 5321 4.5.3.1.10), and the message
    goes to the first 1000."""
    rcpts = [f"user{i}@far.example" for i in range(1002)]
    replies, _ = bs_session(queue, rcpts)
    assert replies[1000] == "250 2.1.5 <user999@far.example>... Recipient ok"
    assert replies[1001:1003] == ["452 4.5.3 Too many recipients"] * 2
    assert any("Message accepted for delivery" in r for r in replies)
    qf = control_file(queue)
    assert qf.count("\nRPFD:") == 1000 and "<user1000@" not in qf


def run_queue(queue, cf, *options):
    """sendmail -qf over queue with cf; the completed process."""
    return sendmail(cf, "-qf", options=[
        f"QueueDirectory={queue}", "MaxRunnersPerQueue=1", *RUN_AS_NOBODY,
        *options], timeout=120)


def transactions(srv):
    """The recipients of each transaction the server saw, in order."""
    txns = []
    for line in srv.lines:
        if line.upper().startswith("MAIL FROM:"):
            txns.append([])
        elif line.upper().startswith("RCPT TO:"):
            txns[-1].append(line[8:].strip("<>"))
    return txns


def test_runner_sends_the_rest_after_452(queue):
    """A smart host that takes two recipients per transaction: the
    runner sends the ones it answered 452 in the next transaction, on
    the same connection, until all have the message; none bounces."""
    port = free_port()
    srv = Scripted(port, rcpt_limit=2)
    try:
        rcpts = [f"r{i}@far.example" for i in range(5)]
        replies, _ = bs_session(queue, rcpts)
        assert any("Message accepted" in r for r in replies)
        r = run_queue(queue, relay_cf(queue.parent, port))
    finally:
        srv.close()
    assert r.returncode == 0, r.stderr
    assert srv.connections == 1
    assert [t[:2] for t in transactions(srv)] == [
        ["r0@far.example", "r1@far.example"],
        ["r2@far.example", "r3@far.example"], ["r4@far.example"]]
    assert len(srv.data) == 3
    assert list(queue.iterdir()) == []      # delivered, and no bounce
    assert r.stderr.count("stat=Sent") == 5, r.stderr


def test_runner_keeps_what_no_transaction_takes(queue):
    """A smart host that answers 452 to every RCPT: one transaction, no
    loop; the recipients stay queued with the reply, none bounces."""
    port = free_port()
    srv = Scripted(port, rcpt_limit=0)
    try:
        replies, _ = bs_session(queue, ["a@far.example", "b@far.example"])
        assert any("Message accepted" in r for r in replies)
        r = run_queue(queue, relay_cf(queue.parent, port))
    finally:
        srv.close()
    assert r.returncode == 0, r.stderr
    assert srv.commands.count("MAIL") == 1 and srv.data == []
    qf = control_file(queue)
    assert qf.count("\nRPFD:<") == 2
    assert "M452 4.5.3 Too many recipients" in qf
    assert sorted(p.name[:2] for p in queue.iterdir()) == ["df", "qf"]


def test_our_own_limit_between_our_own_hosts(queue, daemon):
    """1,200 recipients through a smart host that is this program with
    its defaults: two transactions (1,000 and 200), both accepted; the
    queue is empty after one run."""
    hub = daemon(options=["DeliveryMode=queueonly"])
    rcpts = [f"user{i}@far.example" for i in range(1200)]
    replies, _ = bs_session(queue, rcpts, ["MaxRecipientsPerMessage=0"])
    assert any("Message accepted" in r for r in replies)
    r = run_queue(queue, relay_cf(queue.parent, hub.port))
    assert r.returncode == 0, r.stderr
    assert list(queue.iterdir()) == [], r.stderr
    counts = sorted(pathlib.Path(q).read_text(errors="replace")
                    .count("\nRPFD:") for q in hub.queued("qf"))
    assert counts == [200, 1000], counts


def test_list_expansion_cost_grows_linearly(queue, run):
    """A list alias of 5,000 and one of 20,000 remote members, each
    expanded at delivery and sent through the smart host: the queue run
    costs about four times as much for the second, not sixteen times.
    Each address the expansion added was compared with every recipient
    of the message before it, and the transactions were formed by a
    walk over all recipients per destination."""
    aliases = queue.parent / "aliases"
    text = ""
    for n in (5000, 20000):
        members = queue.parent / f"list{n}"
        members.write_text("".join(f"m{i}@far{i % 7}.example\n"
                                   for i in range(n)))
        members.chmod(0o644)
        text += f"list{n}: :include:{members}\n"
    aliases.write_text(text)
    r = run("sendmaild", "-C", SENDMAIL_CF, "-O", f"AliasFile={aliases}", "-bi")
    assert r.returncode == 0, r.stderr
    (queue.parent / "aliases.db").chmod(0o644)
    port = free_port()
    srv = Scripted(port)
    cpu = {}
    try:
        cf = relay_cf(queue.parent, port)
        for n in (5000, 20000):
            replies, _ = bs_session(queue, [f"list{n}"],
                                    [f"AliasFile={aliases}"])
            assert any("Message accepted" in x for x in replies), replies
            start = len(srv.lines)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            r = run_queue(queue, cf, f"AliasFile={aliases}",
                          f"MailSpoolDirectory={queue.parent}")
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[n] = (after.ru_utime - before.ru_utime +
                      after.ru_stime - before.ru_stime)
            assert r.returncode == 0, r.stderr
            assert list(queue.iterdir()) == [], r.stderr[-2000:]
            got = [x for x in srv.lines[start:] if x.startswith("RCPT")]
            assert len(got) == n
    finally:
        srv.close()
    # Linear: 4.  Before, about 10.
    assert cpu[20000] / max(cpu[5000], 0.01) < 7, cpu
