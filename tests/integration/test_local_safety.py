"""Local delivery as sendmail 8.17 does it where it matters for safety:
the mailbox dot-lock of a delivery that died, a mailbox that is no plain
file, and how a mailer's exit code is taken."""
import fcntl
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from test_local import USER, messages, site  # noqa: F401

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


def debian_spool(s):
    """The spool as Debian ships it (root:mail 2775): users may make
    their dot-locks in it."""
    spool = pathlib.Path(s.d.spool)
    shutil.chown(spool, "root", "mail")
    spool.chmod(0o2775)
    return spool


def timed_run(s):
    start = time.monotonic()
    r = s.run_queue()
    return r, time.monotonic() - start


def log_line(stderr, to):
    lines = [l for l in stderr.splitlines() if f"to={to}," in l]
    assert len(lines) == 1, stderr
    return lines[0]


def own(path, mode, user=USER):
    shutil.chown(path, user)
    os.chmod(path, mode)


# The dot-lock of a delivery that dies.

def mailbox_site(site, fileopen):
    """A site with the user's (empty) mailbox; the mailbox and its lock."""
    s = site(options=["DeliveryMode=queueonly",
                      f"Timeout.fileopen={fileopen}"])
    spool = debian_spool(s)
    box = spool / USER
    box.touch()
    own(box, 0o600)
    return s, box, spool / f"{USER}.lock"


def test_delivery_killed_at_fileopen_leaves_no_dot_lock(site):
    s, box, lock = mailbox_site(site, "2s")
    # A mail reader holds the mailbox: the delivery makes its dot-lock,
    # waits for the fcntl lock and is killed at Timeout.fileopen.
    with open(box, "r+") as reader:
        fcntl.lockf(reader, fcntl.LOCK_EX)
        s.send([f"{USER}@localhost"])
        r, took = timed_run(s)
        assert "Timeout.fileopen" in r.stderr, r.stderr
        assert 1.5 <= took < 15, took
        assert not lock.exists()
    # The reader is done: the next run delivers at once.
    r, took = timed_run(s)
    assert took < 10, r.stderr
    assert len(messages(s.mailbox())) == 1
    assert s.d.queued("qf") == [] and not lock.exists()


def dying(pid):
    """Is the process still there (not yet dead, or a zombie)?  This
    machine's init may never reap the orphan."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def parent_of(pid):
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_dead_deliverys_dot_lock_is_broken_at_once(site):
    s, box, lock = mailbox_site(site, "3s")
    s.send([f"{USER}@localhost"])
    reader = open(box, "r+")
    try:
        fcntl.lockf(reader, fcntl.LOCK_EX)
        # A delivery waits for the reader, its dot-lock made; then it
        # dies with the process that would have cleaned up after it.
        run = subprocess.Popen(s.cmd("-qf", "-O", "Timeout.fileopen=60s"),
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (lock.exists() and lock.read_text().strip()):
            assert time.monotonic() < deadline, "no dot-lock with a pid"
            time.sleep(0.05)
        left = lock.read_text()
        pid = int(left.split()[0])
        # The run (else it asks again), the worker, the delivery.
        for p in (run.pid, parent_of(pid), pid):
            os.kill(p, signal.SIGKILL)
        run.wait(timeout=30)
        while dying(pid):
            time.sleep(0.05)
        assert lock.read_text() == left
        # A lock of a live process is honoured: the pid of one that
        # lives in its place, then an empty lock (a mail reader's).
        lock.write_text(left.replace(str(pid), str(os.getpid()), 1))
        reader.close()
        r, took = timed_run(s)
        assert "Timeout.fileopen" in r.stderr and lock.exists(), r.stderr
        lock.write_text("")
        r, took = timed_run(s)
        assert "Timeout.fileopen" in r.stderr and lock.exists(), r.stderr
        assert messages(s.mailbox()) == []
        # Five minutes on, any lock is stale.
        old = time.time() - 301
        os.utime(lock, (old, old))
        r, took = timed_run(s)
        assert len(messages(s.mailbox())) == 1, r.stderr
        # And one that the dead delivery left is stale at once.
        s.send([f"{USER}@localhost"])
        lock.write_text(left)
        r, took = timed_run(s)
        assert took < 2.5, r.stderr
        assert len(messages(s.mailbox())) == 2, r.stderr
        assert not lock.exists() and s.d.queued("qf") == []
    finally:
        reader.close()


@pytest.mark.parametrize("kind,why", [
    ("directory", "too many links"),
    ("fifo", "irregular file"),
    ("symlink", "irregular file"),
])
def test_mailbox_that_is_no_plain_file_fails_at_once(site, kind, why):
    # mail.local's answer: "550 5.2.0 ...: irregular file" (or "too many
    # links" for a directory), at once; Timeout.fileopen stays at 60s.
    s = site(options=["DeliveryMode=queueonly"])
    spool = debian_spool(s)
    box = spool / USER
    if kind == "directory":
        box.mkdir()
    elif kind == "fifo":
        os.mkfifo(box)
    else:
        os.symlink(s.out / "elsewhere", box)
    if kind != "symlink":
        own(box, 0o700 if kind == "directory" else 0o600)
    s.send([f"{USER}@localhost"])
    r, took = timed_run(s)
    assert took < 10, took
    line = log_line(r.stderr, USER)
    assert "dsn=5.2.0" in line and f"{box}: {why}" in line, line
    assert not (spool / f"{USER}.lock").exists()
    assert not (s.out / "elsewhere").exists()
    s.run_queue()                       # the report, queued by the first
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert why in s.rec.messages[0][2].decode()
    assert s.d.queued("qf") == []


# A mailer's exit code, as sendmail takes it.

# sendmail 8.17's log for a prog mailer that exits with each code: the
# enhanced status, and whether it is tried again.
SENDMAIL_EXITS = {
    1: ("5.3.0", False), 64: ("5.0.0", False), 65: ("5.6.0", False),
    66: ("5.3.0", False), 67: ("5.1.1", False), 68: ("5.1.2", False),
    69: ("5.0.0", False), 70: ("5.3.0", False), 71: ("4.0.0", True),
    72: ("5.3.5", False), 73: ("5.0.0", False), 74: ("4.0.0", True),
    75: ("4.0.0", True), 76: ("5.5.0", False), 77: ("5.0.0", False),
    78: ("5.3.5", False),
}


def test_exit_codes_are_taken_as_sendmail_takes_them(site):
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases("".join(
        f"p{n}: \"|/bin/sh -c 'cat > /dev/null; exit {n}'\"\n"
        for n in SENDMAIL_EXITS))
    for n, (dsn, again) in SENDMAIL_EXITS.items():
        s.send([f"p{n}@localhost"])
        r = s.run_queue()
        line = log_line(r.stderr, f"\"|/bin/sh -c 'cat > /dev/null; "
                        f"exit {n}'\"")
        assert f"dsn={dsn}, stat=" in line, (n, line)
        assert ("stat=Deferred" in line) == again, (n, line)
        # Deferred: the message waits; else the sender gets a report.
        qf = s.d.queued("qf")
        assert len(qf) == 1, n
        rcpts = [l for l in pathlib.Path(s.d.queue, qf[0]).read_text(
            errors="replace").splitlines() if l.startswith("R")]
        assert any(f"<p{n}@localhost>" in l for l in rcpts) == again, \
            (n, rcpts)
        for f in s.d.queued("qf") + s.d.queued("df"):
            os.unlink(os.path.join(s.d.queue, f))


def test_file_that_cannot_be_made_fails_for_good(site):
    # sendmail: "dsn=5.0.0, stat=Can't create output" (EX_CANTCREAT),
    # and the sender hears of it; it is not tried again.
    s = site(options=["DeliveryMode=queueonly"])
    locked = s.base / "locked"
    locked.mkdir()
    locked.chmod(0o755)                 # DefaultUser may not write here
    s.set_aliases(f"team: {USER}, {locked}/team.mbox\n")
    s.send(["team@localhost"])
    r = s.run_queue()
    line = log_line(r.stderr, f"{locked}/team.mbox")
    assert "dsn=5.0.0" in line and "Permission denied" in line, line
    assert len(messages(s.mailbox())) == 1
    s.run_queue()                       # the report, queued by the first
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert "team.mbox" in s.rec.messages[0][2].decode()
    assert s.d.queued("qf") == []
