"""Local delivery's safety rules, as sendmail 8.17 keeps them: the
mailbox dot-lock of a delivery that died, a mailbox that is no plain
file, the .forward rules of sendmail's safefile() with DontBlameSendmail,
.forward files that are symbolic links, what -bv says of each (compared
with the real sendmail), and how a mailer's exit code is taken."""
import fcntl
import os
import pathlib
import pwd
import re
import shutil
import signal
import subprocess
import time

import pytest

from daemon_util import (USER, dying, messages, need_sendmail, parent_of,
                         real_sendmail_cf, real_sendmail_cmd, safe_tempdir,
                         wait_for)

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


# 1. The dot-lock of a delivery that dies.

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
        assert wait_for(lambda: lock.exists() and lock.read_text().strip(),
                        limit=20), "no dot-lock with a pid"
        left = lock.read_text()
        pid = int(left.split()[0])
        # The run (else it asks again), the worker, the delivery.
        for p in (run.pid, parent_of(pid), pid):
            os.kill(p, signal.SIGKILL)
        run.wait(timeout=30)
        assert wait_for(lambda: not dying(pid), limit=60)
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


# 2. The .forward rules.

PROG = "\"|/bin/sh -c 'id -u > {out}/ran'\"\ncopy@far.example\n"


def forward_file(s, text=PROG, mode=0o644, owner=USER):
    f = s.fwd / USER
    f.write_text(text.format(out=s.out))
    own(f, mode, owner)
    return f


@pytest.mark.parametrize("mode,why", [
    (0o777, "World writable directory"),
    (0o775, "Group writable directory"),
    (0o1777, "World writable directory"),   # sticky: no TrustStickyBit
])
def test_forward_in_a_directory_others_may_write_is_ignored(site, mode,
                                                            why):
    s = site(options=["DeliveryMode=queueonly"])
    f = forward_file(s)
    s.fwd.chmod(mode)
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    assert re.search(rf": forward {f}: {why}$", r.stderr, re.M), r.stderr
    assert not (s.out / "ran").exists()
    assert len(messages(s.mailbox())) == 1
    assert s.rec.messages == [] and s.d.queued("qf") == []


@pytest.mark.parametrize("mode,owner,why", [
    (0o664, USER, "Group writable file"),
    (0o646, USER, "World writable file"),
    (0o644, "nobody", "Permission denied"),
])
def test_forward_file_others_may_change_is_ignored(site, mode, owner, why):
    s = site(options=["DeliveryMode=queueonly"])
    f = forward_file(s, mode=mode, owner=owner)
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    assert re.search(rf": forward {f}: {why}$", r.stderr, re.M), r.stderr
    assert not (s.out / "ran").exists()
    assert len(messages(s.mailbox())) == 1 and s.rec.messages == []


def test_forward_path_entries_in_turn(site):
    s = site(options=["DeliveryMode=queueonly"])
    s.options.append(f"ForwardPath=/nonexistent/$u:$z/none:{s.fwd}/$u.x:"
                     f"{s.fwd}/$u")
    first = s.fwd / f"{USER}.x"
    first.write_text(f"{s.out}/first.mbox\n")
    own(first, 0o666)                   # refused: the next one is used
    forward_file(s, "copy@far.example\n")
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    assert f"forward {first}: Group writable file" in r.stderr
    assert [m[1] for m in s.rec.messages] == [["copy@far.example"]]
    assert not (s.out / "first.mbox").exists()
    # An empty one that may be used ends the search: the mailbox.
    first.write_text("# nothing\n\n")
    first.chmod(0o644)
    s.send([f"{USER}@localhost"])
    s.run_queue()
    assert len(messages(s.mailbox())) == 1
    assert len(s.rec.messages) == 1


# What DontBlameSendmail relaxes, as sendmail 8.17 does it: the .forward
# is taken (or not), and its program runs (or is refused as unsafe).
RELAXED = [
    # words, directory mode, file mode, taken, program may run
    ("ForwardFileInUnsafeDirPath", 0o777, 0o644, True, False),
    ("ForwardFileInUnsafeDirPath,ForwardFileInUnsafeDirPathSafe", 0o777,
     0o644, True, True),
    ("ForwardFileInGroupWritableDirPath", 0o775, 0o644, True, True),
    ("ForwardFileInGroupWritableDirPath", 0o777, 0o644, False, False),
    ("GroupWritableDirPathSafe", 0o775, 0o644, True, True),
    ("TrustStickyBit", 0o1777, 0o644, True, True),
    ("GroupWritableForwardFile", 0o755, 0o664, True, False),
    ("GroupWritableForwardFile GroupWritableForwardFileSafe", 0o755,
     0o664, True, True),
    ("WorldWritableForwardFile", 0o755, 0o646, True, False),
    ("safe", 0o755, 0o644, True, True),
]


def reset(s):
    """The site as new: no mailbox, nothing written, received or queued."""
    for f in (pathlib.Path(s.d.spool) / USER, s.out / "ran"):
        if f.exists():
            f.unlink()
    for f in s.d.queued("qf") + s.d.queued("df"):
        os.unlink(os.path.join(s.d.queue, f))
    s.rec.messages.clear()
    if s.fwd.is_symlink():
        s.fwd.unlink()
    else:
        s.fwd.chmod(0o755)
        shutil.rmtree(s.fwd)
    s.fwd.mkdir()
    s.fwd.chmod(0o755)


def test_dont_blame_sendmail_relaxes_the_rules(site):
    s = site(options=["DeliveryMode=queueonly"])
    base = list(s.options)
    for words, dmode, fmode, taken, runs in RELAXED:
        reset(s)
        s.options = base + [f"DontBlameSendmail={words}"]
        forward_file(s, mode=fmode)
        s.fwd.chmod(dmode)
        s.send([f"{USER}@localhost"])
        r = s.run_queue()
        case = (words, oct(dmode), oct(fmode), r.stderr)
        assert (s.out / "ran").exists() == runs, case
        if taken and not runs:
            line = log_line(r.stderr, "\"|/bin/sh -c 'id -u > "
                            f"{s.out}/ran'\"")
            assert "dsn=5.7.1, stat=Address games is unsafe for mailing "\
                "to programs" in line, case
        s.run_queue()                   # the report, when one was made
        to = sorted(m[1][0] for m in s.rec.messages)
        want = ["copy@far.example"] if taken else []
        if taken and not runs:
            want = ["a@example.org", "copy@far.example"]
        assert to == want, case
        assert len(messages(s.mailbox())) == (0 if taken else 1), case


# 3. A .forward that is a symbolic link.

def test_forward_symlink_followed_where_nobody_else_could_make_it(site):
    s = site(options=["DeliveryMode=queueonly"])
    real = safe_tempdir("smd-fwdtarget-")
    try:
        target = real / "forward"
        target.write_text(PROG.format(out=s.out))
        own(target, 0o644)
        os.symlink(target, s.fwd / USER)
        s.send([f"{USER}@localhost"])
        r = s.run_queue()
        assert "Deferred" not in r.stderr, r.stderr
        assert (s.out / "ran").read_text().strip() == \
            str(pwd.getpwnam(USER).pw_uid)
        assert [m[1] for m in s.rec.messages] == [["copy@far.example"]]
        assert s.d.queued("qf") == []
    finally:
        shutil.rmtree(real, ignore_errors=True)


def test_forward_symlink_refused_in_a_writable_directory(site):
    s = site(options=["DeliveryMode=queueonly",
                      "DontBlameSendmail=ForwardFileInUnsafeDirPath"])
    target = s.home / "forward"
    target.write_text("copy@far.example\n")
    own(target, 0o644)
    os.symlink(target, s.fwd / USER)
    s.fwd.chmod(0o777)
    s.send([f"{USER}@localhost"])
    r = s.run_queue()
    assert f"forward {s.fwd / USER}: Symbolic links not allowed" in r.stderr
    assert len(messages(s.mailbox())) == 1 and s.rec.messages == []
    assert s.d.queued("qf") == []


# What -bv says, byte for byte as sendmail 8.17 says it, with and
# without -v, for each layout.

def lay_plain(s, home):
    forward_file(s, "copy@far.example\n")


def lay_mode(dmode=0o755, fmode=0o644, owner=USER):
    def lay(s, home):
        forward_file(s, "copy@far.example\n", fmode, owner)
        s.fwd.chmod(dmode)
    return lay


def lay_symlink(dmode, target_mode=0o644, target_owner=USER):
    def lay(s, home):
        target = home / "target"
        target.write_text("copy@far.example\n")
        own(target, target_mode, target_owner)
        os.symlink(target, s.fwd / USER)
        s.fwd.chmod(dmode)
    return lay


def lay_hardlink(dmode):
    def lay(s, home):
        target = home / "target"
        target.write_text("copy@far.example\n")
        own(target, 0o644)
        os.link(target, s.fwd / USER)
        s.fwd.chmod(dmode)
    return lay


def lay_other(kind):
    def lay(s, home):
        f = s.fwd / USER
        if kind == "dir":
            f.mkdir()
        elif kind == "fifo":
            os.mkfifo(f)
        elif kind == "dangling":
            os.symlink(home / "nothing", f)
        elif kind == "none":
            s.fwd.chmod(0o777)
    return lay


def lay_linked_dir(s, home):
    """The .forward's directory reached through a symbolic link."""
    forward_file(s, "copy@far.example\n")
    s.fwd.rename(home / "real")
    os.symlink(home / "real", s.fwd)


LAYOUTS = [
    ("safe", lay_plain, "safe"),
    ("gw file", lay_mode(fmode=0o664), "safe"),
    ("ww file", lay_mode(fmode=0o646), "safe"),
    ("other owner", lay_mode(owner="nobody"), "safe"),
    ("root owner", lay_mode(owner="root"), "safe"),
    ("unreadable", lay_mode(fmode=0o000), "safe"),
    ("ww dir", lay_mode(dmode=0o777), "safe"),
    ("gw dir", lay_mode(dmode=0o775), "safe"),
    ("sticky dir", lay_mode(dmode=0o1777), "safe"),
    ("sticky dir trusted", lay_mode(dmode=0o1777), "TrustStickyBit"),
    ("ww dir no file", lay_other("none"), "safe"),
    ("ww dir no file quiet", lambda s, h: s.fwd.chmod(0o777),
     "DontWarnForwardFileInUnsafeDirPath"),
    ("gw dir forgiven", lay_mode(dmode=0o775),
     "ForwardFileInGroupWritableDirPath"),
    ("symlink", lay_symlink(0o755), "safe"),
    ("symlink to gw file", lay_symlink(0o755, 0o664), "safe"),
    ("symlink to other's", lay_symlink(0o755, 0o644, "nobody"), "safe"),
    ("symlink in ww dir", lay_symlink(0o777), "ForwardFileInUnsafeDirPath"),
    ("symlink in gw dir", lay_symlink(0o775),
     "ForwardFileInGroupWritableDirPath"),
    ("symlink in ww dir linked", lay_symlink(0o777),
     "ForwardFileInUnsafeDirPath,LinkedForwardFileInWritableDir"),
    ("symlink in ww dir no path", lay_symlink(0o777),
     "LinkedForwardFileInWritableDir"),
    ("hard link", lay_hardlink(0o755), "safe"),
    ("hard link in ww dir", lay_hardlink(0o777),
     "ForwardFileInUnsafeDirPath"),
    ("directory", lay_other("dir"), "safe"),
    ("fifo", lay_other("fifo"), "safe"),
    ("dangling symlink", lay_other("dangling"), "safe"),
    ("directory through a link", lay_linked_dir, "safe"),
]


@pytest.fixture
def oracle():
    """The real sendmail 8.17 with a configuration of its own, in a
    directory it trusts (it takes no alias file under /tmp)."""
    need_sendmail()
    d = safe_tempdir("smd-oracle-")
    try:
        (d / "queue").mkdir()
        cf = real_sendmail_cf(d, d / "queue")
        r = subprocess.run(real_sendmail_cmd(cf, ["-bi"]),
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        yield cf
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_bv_says_what_sendmail_says(site, oracle):
    s = site()
    cf = oracle.with_name("fwd.cf")
    for name, lay, words in LAYOUTS:
        reset(s)
        home = safe_tempdir("smd-lay-")
        try:
            lay(s, home)
            cf.write_text(oracle.read_text() +
                          f"O ForwardPath={s.fwd}/$u\n"
                          f"O DontBlameSendmail={words}\n")
            for v in ([], ["-v"]):
                theirs = subprocess.run(
                    real_sendmail_cmd(cf, [*v, "-bv", USER]),
                    capture_output=True, text=True, timeout=60)
                ours = s.sendmail("-O", f"DontBlameSendmail={words}", *v,
                                  "-bv", USER)
                assert (ours.stdout, ours.returncode) == \
                    (theirs.stdout, theirs.returncode), (name, v,
                                                         ours.stderr)
        finally:
            shutil.rmtree(home, ignore_errors=True)


# 4. A mailer's exit code, as sendmail takes it.

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
