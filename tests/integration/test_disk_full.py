"""A full queue file system (issue: reliability and security, item 2):
452 4.3.1, nothing accepted is lost, and service comes back by itself."""
import os
import shutil
import subprocess
import tempfile

import pytest

from daemon_util import Conn, queue_files

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                 reason="mounting a tmpfs needs root")


@pytest.fixture
def small_queue():
    base = tempfile.mkdtemp(prefix="smd-full-", dir="/tmp")
    os.chmod(base, 0o755)
    mnt = os.path.join(base, "fs")
    os.mkdir(mnt)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755",
                    "tmpfs", mnt], check=True)
    q = os.path.join(mnt, "mqueue")
    os.mkdir(q)
    import pwd
    nobody = pwd.getpwnam("nobody")
    os.chown(q, nobody.pw_uid, nobody.pw_gid)
    yield mnt, q
    subprocess.run(["umount", "-l", mnt], check=False)
    shutil.rmtree(base, ignore_errors=True)


def start(q, *options):
    from daemon_util import Daemon
    return Daemon(queue=q, options=["DeliveryMode=queueonly", *options])


def stop(d):
    d.stop()


def send(d, size):
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    r = c.cmd("MAIL FROM:<a@example.org>")
    if not r.startswith("250"):
        return r
    c.cmd("RCPT TO:<root>")
    c.cmd("DATA")
    c.send("Subject: fill\r\n\r\n" + ("z" * 998 + "\r\n") * (size // 1000) + ".\r\n")
    return c.read_reply()


def test_full_disk_then_recovery(small_queue):
    mnt, q = small_queue
    d = start(q, "MinFreeBlocks=0")
    try:
        accepted, refused = 0, None
        for _ in range(20):                    # 20 x 200 KB > 2 MB
            r = send(d, 200_000)
            if r.startswith("250"):
                accepted += 1
            else:
                refused = r
                break
        assert refused is not None and refused.startswith("452 4.3.1"), refused
        # Everything that got 250 is whole in the queue; nothing else is.
        qfs, dfs = queue_files(q), queue_files(q, "df")
        assert len(qfs) == accepted and len(dfs) == accepted
        for f in dfs:
            assert f.stat().st_size > 190_000
        # Space comes back: the next message is taken, no restart needed.
        for f in qfs[: len(qfs) // 2]:
            f.unlink()
            f.with_name("df" + f.name[2:]).unlink()
        assert send(d, 50_000).startswith("250 2.0.0")
    finally:
        stop(d)


def test_min_free_blocks_refuses_mail(small_queue):
    mnt, q = small_queue
    blocks = os.statvfs(q).f_blocks
    d = start(q, f"MinFreeBlocks={blocks + 10}")
    try:
        assert send(d, 1000) == "452 4.3.1 Insufficient disk space; try again later"
        assert os.listdir(q) == []
    finally:
        stop(d)
    d = start(q, "MinFreeBlocks=10")
    try:
        c = Conn(d.port)
        c.read_reply()
        c.cmd("EHLO x.example")
        # A declared SIZE the file system cannot hold is refused at once.
        assert c.cmd("MAIL FROM:<a@example.org> SIZE=50000000").startswith("452 4.3.1")
        assert c.cmd("MAIL FROM:<a@example.org> SIZE=1000").startswith("250")
    finally:
        stop(d)
