"""The host status cache: a failed smart host is not tried again within
Timeout.hoststatus, in the same run and, with HostStatusDirectory, in
later runs; hoststat shows it and purgestat clears it."""
import os
import time

from daemon_util import sendmail, submit
from smarthost import Busy, start_smarthost


def run(world, *args):
    return world["run"](*args)


def tool(world, prog, *args):
    return sendmail(world["cf"], *args, prog=prog, timeout=20,
                    options=[f"QueueDirectory={world['d'].queue}"])


HS = "define(`confHOST_STATUS_DIRECTORY', `.hoststat')dnl\n"


def test_one_connection_per_run_without_directory(world):
    world["start"]()
    busy = Busy(world["port"])
    try:
        for i in range(3):
            submit(world["d"], [f"r{i}@far.example"])
        r = run(world, "-O", "MaxRunnersPerQueue=1")
        assert busy.connections == 1, r.stderr
        assert r.stderr.count("stat=Deferred: 421 4.3.2 busy.example too busy") == 3
        # Without HostStatusDirectory the next run tries again.
        run(world, "-O", "MaxRunnersPerQueue=1")
        assert busy.connections == 2
        # The runners of a run share what they found: one try in all.
        r = run(world, "-O", "MaxRunnersPerQueue=3")
        assert busy.connections == 3, r.stderr
        assert r.stderr.count("stat=Deferred: 421 4.3.2 busy.example too busy") == 3
    finally:
        busy.close()


def test_status_kept_between_runs(world):
    world["start"](extra=HS)
    busy = Busy(world["port"])
    try:
        submit(world["d"], ["x@far.example"])
        run(world)
        assert busy.connections == 1
        r = run(world)
        assert busy.connections == 1           # skipped: no connection
        assert "relay=[127.0.0.1], dsn=4.3.2, reply=421 4.3.2 busy" in r.stderr
        hs = tool(world, "hoststat")
        assert hs.returncode == 0
        lines = hs.stdout.splitlines()
        assert lines[0] == (" -------------- Hostname --------------- How "
                            "long ago ---------Results---------")
        assert lines[1].startswith(" 127.0.0.1" + " " * 30)
        assert lines[1].endswith("421 4.3.2 busy.example to")
        # While a process holds the host (SingleThreadDelivery): "*".
        import fcntl
        lockpath = os.path.join(world["d"].queue, ".hoststat", "[127.0.0.1].lock")
        with open(lockpath, "a") as f:
            fcntl.lockf(f, fcntl.LOCK_EX)
            assert tool(world, "hoststat").stdout.splitlines()[1].startswith("*127.0.0.1")
        # A partial run ignores the cache; so does Timeout.hoststatus=0.
        run(world, "-qRx@")
        assert busy.connections == 2
        run(world, "-O", "Timeout.hoststatus=0")
        assert busy.connections == 3
    finally:
        busy.close()


def test_success_clears_and_purgestat_expires(world):
    world["start"](extra=HS)
    busy = Busy(world["port"])
    submit(world["d"], ["x@far.example"])
    run(world)
    busy.close()
    assert "127.0.0.1" in tool(world, "hoststat").stdout
    time.sleep(1.1)
    assert tool(world, "purgestat", "-O", "Timeout.hoststatus=1s").returncode == 0
    assert tool(world, "hoststat").stdout == ""
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(world["d"], ["y@far.example"])
        r = run(world)
        assert len(rec.messages) == 2, r.stderr
        assert tool(world, "hoststat").stdout == ""
    finally:
        ctl.stop()


def test_corrupt_cache_does_not_stop_delivery(world):
    world["start"](extra=HS)
    d = world["d"]
    hsdir = os.path.join(d.queue, ".hoststat")
    os.makedirs(hsdir, exist_ok=True)
    with open(os.path.join(hsdir, "hoststat.db"), "w") as f:
        f.write("this is not a Berkeley DB file\n" * 100)
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        os.chown(hsdir, nobody.pw_uid, nobody.pw_gid)
        os.chown(os.path.join(hsdir, "hoststat.db"), nobody.pw_uid, nobody.pw_gid)
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(d, ["x@far.example"])
        r = run(world)
        assert len(rec.messages) == 1, r.stderr
        assert "host status:" in r.stderr
    finally:
        ctl.stop()


def test_single_thread_delivery(world):
    import fcntl
    world["start"](extra=HS + "define(`confSINGLE_THREAD_DELIVERY', `True')dnl\n")
    d = world["d"]
    hsdir = os.path.join(d.queue, ".hoststat")
    os.makedirs(hsdir, exist_ok=True)
    lockpath = os.path.join(hsdir, "[127.0.0.1].lock")
    open(lockpath, "w").close()
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        os.chown(hsdir, nobody.pw_uid, nobody.pw_gid)
        os.chown(lockpath, nobody.pw_uid, nobody.pw_gid)
    ctl, rec = start_smarthost(world["port"])
    try:
        submit(d, ["x@far.example"])
        with open(lockpath, "r+") as f:         # another process delivers
            fcntl.lockf(f, fcntl.LOCK_EX)
            r = run(world)
            assert rec.messages == []
            assert "dsn=4.4.5" in r.stderr
            assert "another process is delivering to [127.0.0.1]" in r.stderr
        r = run(world)                          # free again
        assert len(rec.messages) == 1, r.stderr
    finally:
        ctl.stop()
