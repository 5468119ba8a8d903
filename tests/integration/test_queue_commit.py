"""Durable queue files on real file systems: on ext4 with a journal one
journal commit carries each message; without a journal, with fast
commits, on XFS or btrfs, or with the data files on another file system,
the files are flushed before the rename and the directory after it.
Either way every 250 leaves a complete control file and data file, on
the disk itself: a copy of the disk taken right after a 250 holds it,
on each of these file systems."""
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

from daemon_util import Conn, Daemon, queue_files

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                 reason="mounting a file system needs root")

MESSAGES = 20


def mount_image(base, name, mkfs, size, opts="loop", optional=None):
    """A file system made by the command mkfs (the image's path added)
    on an image of size MB, mounted on base/name; skipped where this
    machine cannot (no such mkfs, no loop devices, or the optional
    feature named not known to mkfs)."""
    img = os.path.join(base, name + ".img")
    mnt = os.path.join(base, name)
    os.mkdir(mnt)
    with open(img, "wb") as f:
        f.truncate(size << 20)
    if shutil.which(mkfs[0]) is None:
        pytest.skip(f"{mkfs[0]} is not installed (scripts/install-deps)")
    r = subprocess.run(mkfs + [img], capture_output=True, text=True)
    if r.returncode != 0 and optional:
        pytest.skip(f"{mkfs[0]} -O {optional}: " + r.stderr.strip())
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["mount", "-o", opts, img, mnt],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount {mkfs[0]}'s loop image here: " +
                    r.stderr.strip())
    return mnt


def mount_ext4(base, name, journal, opts="loop", features=None):
    """An ext4 image of 64 MB mounted on base/name, or skip."""
    mkfs = ["mkfs.ext4", "-q", "-F", "-E",
            "lazy_itable_init=0,lazy_journal_init=0"]
    if not journal:
        mkfs += ["-O", "^has_journal"]
    if features:
        mkfs += ["-O", features]
    return mount_image(base, name, mkfs, 64, opts, optional=features)


# The file systems of the crash-copy test, each with the path of
# q_commit.h its queue takes, and the options its copy mounts with.
# commit=300 keeps ext4 and btrfs from committing of their own accord
# during the test; XFS writes its log by itself only every 30 s.
FILESYSTEMS = {
    "ext4": "journal",
    "ext4-fastcommit": "full",
    "ext4-nojournal": "full",
    "xfs": "full",
    "btrfs": "full",
}


def mount_kind(base, name, kind):
    """A file system of that kind (FILESYSTEMS) on base/name.img."""
    if kind == "ext4":
        return mount_ext4(base, name, journal=True, opts="loop,commit=300")
    if kind == "ext4-fastcommit":
        return mount_ext4(base, name, journal=True, opts="loop,commit=300",
                          features="fast_commit")
    if kind == "ext4-nojournal":
        return mount_ext4(base, name, journal=False)
    if kind == "xfs":
        # mkfs.xfs makes no smaller file system than 300 MB.
        return mount_image(base, name, ["mkfs.xfs", "-q", "-f"], 300)
    assert kind == "btrfs", kind
    return mount_image(base, name, ["mkfs.btrfs", "-q", "-f"], 128,
                       "loop,commit=300")


def commits(mnt):
    """Journal commits so far on the file system mounted at mnt."""
    st = os.stat(mnt)
    dev = os.path.basename(os.readlink(
        f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}"))
    with open(f"/proc/fs/jbd2/{dev}-8/info") as f:
        return int(f.readline().split()[0])


@pytest.fixture
def base():
    base = tempfile.mkdtemp(prefix="smd-commit-", dir="/tmp")
    os.chmod(base, 0o755)
    mounts = []
    yield base, mounts
    for mnt in mounts:
        if subprocess.run(["umount", mnt], check=False).returncode != 0:
            subprocess.run(["umount", "-l", mnt], check=False)
    shutil.rmtree(base, ignore_errors=True)


def queue_on(mnt):
    q = os.path.join(mnt, "mqueue")
    os.mkdir(q)
    nobody = pwd.getpwnam("nobody")
    os.chown(q, nobody.pw_uid, nobody.pw_gid)
    return q


def send_all(d, n, after=None):
    """n messages on one connection; the bodies, by the reply's queue id.
    after(bodies), if given, runs right after each 250."""
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO client.example")
    bodies = {}
    for i in range(n):
        assert c.cmd("MAIL FROM:<a@example.org>").startswith("250")
        assert c.cmd("RCPT TO:<b@example.net>").startswith("250")
        assert c.cmd("DATA").startswith("354")
        body = f"line one of message {i}\r\n" + "x" * 900 + "\r\n"
        c.send(f"Subject: m{i}\r\n\r\n" + body + ".\r\n")
        r = c.read_reply()
        assert r.startswith("250 2.0.0"), r
        bodies[r.split()[2]] = body.replace("\r\n", "\n")
        if after is not None:
            after(bodies)
    c.cmd("QUIT")
    return bodies


def run_daemon(q, mnt):
    """MESSAGES sent to a daemon queueing in q: their bodies, and the
    journal commits made on mnt meanwhile (None: no journal)."""
    d = Daemon(queue=q, options=["DeliveryMode=queueonly"])
    try:
        before = commits(mnt) if mnt else 0
        bodies = send_all(d, MESSAGES)
        made = commits(mnt) - before if mnt else None
    finally:
        d.stop()
    assert len(bodies) == MESSAGES
    return bodies, made


def check_queue(qfdir, dfdir, bodies):
    """Each accepted message whole: qf ending with its end mark, the body
    in its df, and no temporary file left."""
    names = set(os.listdir(qfdir)) | set(os.listdir(dfdir))
    assert not [f for f in names if f.startswith("tf")]
    for qid, body in bodies.items():
        with open(os.path.join(qfdir, "qf" + qid), "rb") as f:
            qf = f.read().decode("latin-1")  # macros as byte 0x81
        assert qf.startswith("V8\n") and qf.endswith("\n.\n")
        assert "RPFD:<b@example.net>\n" in qf
        with open(os.path.join(dfdir, "df" + qid)) as f:
            assert f.read() == body


def test_journaled_ext4_one_commit_per_message(base):
    base, mounts = base
    mnt = mount_ext4(base, "q", journal=True)
    mounts.append(mnt)
    q = queue_on(mnt)
    bodies, made = run_daemon(q, mnt)
    check_queue(q, q, bodies)
    # Every 250 came after a journal commit of its own message, and one
    # commit carried each (flushed before the rename: two per message).
    assert MESSAGES <= made <= MESSAGES * 3 // 2, made


def test_ext4_without_journal(base):
    base, mounts = base
    mnt = mount_ext4(base, "q", journal=False)
    mounts.append(mnt)
    q = queue_on(mnt)
    bodies, _ = run_daemon(q, None)
    check_queue(q, q, bodies)


def test_data_files_on_another_file_system(base):
    """qf/ on journaled ext4, df/ a link to a directory elsewhere: the
    journal cannot order the two, so the files are flushed first."""
    base, mounts = base
    mnt = mount_ext4(base, "q", journal=True)
    mounts.append(mnt)
    q = queue_on(mnt)
    nobody = pwd.getpwnam("nobody")
    os.mkdir(os.path.join(q, "qf"))
    dfdir = os.path.join(base, "df")
    os.mkdir(dfdir)
    for p in (os.path.join(q, "qf"), dfdir):
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    os.symlink(dfdir, os.path.join(q, "df"))
    bodies, made = run_daemon(q, mnt)
    check_queue(os.path.join(q, "qf"), dfdir, bodies)
    # The control file's fsync before the rename and the directory's
    # after it: a commit each on the queue's file system.
    assert made >= MESSAGES * 3 // 2, made


def device_writes(mnt):
    """Writes the block device mounted at mnt has completed so far."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mnt:
                source = fields[fields.index("-") + 2]
    dev = os.path.basename(os.path.realpath(source))
    with open(f"/sys/class/block/{dev}/stat") as f:
        return int(f.read().split()[4])


def flushes(mnt):
    """What the file system mounted at mnt has made durable so far: its
    journal commits where it has a jbd2 journal, else its device's
    writes."""
    try:
        return commits(mnt)
    except FileNotFoundError:
        return device_writes(mnt)


def crash_copy(base, img, n, kind="ext4"):
    """Mount a copy of img as the disk holds it now (the journal replayed
    as after a crash) on base/crash<n>; its path."""
    copy = os.path.join(base, f"crash{n}.img")
    mnt = os.path.join(base, f"crash{n}")
    os.mkdir(mnt)
    subprocess.run(["cp", "--sparse=always", img, copy], check=True)
    # The copy has the same UUID as the file system still mounted.
    opts = "loop,nouuid" if kind == "xfs" else "loop"
    r = subprocess.run(["mount", "-o", opts, copy, mnt],
                       capture_output=True, text=True)
    if r.returncode != 0 and kind == "btrfs":
        pytest.skip("this kernel mounts no copy of a mounted btrfs: " +
                    r.stderr.strip())
    assert r.returncode == 0, r.stderr
    return mnt


@pytest.mark.parametrize("safe", [True, False], ids=["safe", "unsafe"])
@pytest.mark.parametrize("kind", list(FILESYSTEMS))
def test_disk_holds_each_message_at_its_250(base, kind, safe):
    """A file-backed loop device writes into its image through the page
    cache, so a copy of the image holds every write the file system has
    completed: what a crash would leave of what it made durable (not a
    test of the disk's cache flushes).  The file system makes nothing
    durable of its own accord during the test (see FILESYSTEMS).  Each
    copy, taken right after a 250, holds that message and the ones
    before it whole, on each file system and so on each of q_commit's
    paths; with SuperSafe=False (no fsync) it holds none."""
    base, mounts = base
    mnt = mount_kind(base, "q", kind)
    mounts.append(mnt)
    q = queue_on(mnt)
    subprocess.run(["sync"], check=True)
    before = [flushes(mnt)]

    def crash_now(bodies):
        crash = crash_copy(base, os.path.join(base, "q.img"), len(bodies),
                           kind)
        mounts.insert(0, crash)
        made = flushes(mnt) - before[0]
        crashq = os.path.join(crash, "mqueue")
        if safe:
            # The 250 waited for one, on either path.
            assert made >= 1, (FILESYSTEMS[kind], made)
            check_queue(crashq, crashq, bodies)
        elif made:
            pytest.skip("something else synced the file systems")
        else:
            assert not queue_files(crashq)
        before[0] = flushes(mnt)

    d = Daemon(queue=q, options=["DeliveryMode=queueonly",
                                 f"SuperSafe={safe}"])
    try:
        send_all(d, 3, after=crash_now)
    finally:
        d.stop()


def test_fast_commits_keep_the_full_order(base):
    """On ext4 with fast commits an fsync may return before a rename made
    during another fast commit is logged: there the files are flushed
    before the rename and the directory after it, whose fsync forces a
    full commit, one a message at least."""
    base, mounts = base
    mnt = mount_ext4(base, "q", journal=True, features="fast_commit")
    mounts.append(mnt)
    q = queue_on(mnt)
    bodies, made = run_daemon(q, mnt)
    check_queue(q, q, bodies)
    assert made >= MESSAGES, made
