"""The queue as sendmail leaves it: who sessions and runs are, what root
hands over to them, and what is said when the layout cannot work.

Two layouts are sendmail's: its own (the queue directory and its files
root's, mode 0700, no RunAsUser) and Debian's (the directory smmta:smmsp,
mode 2750, its files root's or smmta's with group smmsp, the maps
smmta:smmsp 0640).  Here the user uucp plays smmta, and the group mail,
which the test's copy of the program is set-group-id to, plays smmsp."""
import os
import pwd
import grp
import re
import shutil

import pytest

from cfgen import makemap
from daemon_util import (GROUP, MESSAGE, USER, SubmitSite, need_sendmail,
                         real_sendmail, real_sendmail_cf, sendmail, wait_for)
from smarthost import start_smarthost

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to switch users")

OWNER = "uucp"      # plays Debian's smmta


def left_by_sendmail(site):
    """One message queued by the real sendmail 8.17 as root, as it leaves
    it in the queue (root's files); its id."""
    need_sendmail()
    other = site.base / "real"
    other.mkdir()
    cf = real_sendmail_cf(other, site.queue)
    before = set(site.queued())
    real_sendmail(cf, ["-odq", "-f", "alice@example.org",
                       "left@far.example"], b"Subject: left\n\nold\n")
    [qf] = set(site.queued()) - before
    return qf.name[2:]


def owner(path):
    st = os.stat(path)
    return pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name


def run_queue(site):
    return sendmail(site.cf, "-qf")


@pytest.fixture
def smart():
    sites = []

    def start(site):
        ctl, rec = start_smarthost(site.smart_port)
        sites.append(ctl)
        return rec
    yield start
    for ctl in sites:
        ctl.stop()


def test_stock_sendmail_queue_is_handed_over(smart):
    """sendmail's own layout, no RunAsUser: root's cron job is queued,
    not saved in dead.letter; the queue, the message sendmail left and
    a missing host status directory become DefaultUser's, as the log
    says; a run delivers both messages."""
    site = SubmitSite(run_as=None, mc="define(`confHOST_STATUS_DIRECTORY', "
                "`@BASE@/state/host_status')dnl\n")
    hs = site.base / "state" / "host_status"
    try:
        hs.parent.mkdir()           # root's, as /var/lib/sendmail may be
        os.chown(site.queue, 0, 0)
        site.queue.chmod(0o700)
        old = left_by_sendmail(site)
        assert owner(site.queue / f"qf{old}")[0] == "root"
        r = site.submit(["-t", "-i"], MESSAGE)
        assert r.returncode == 0, r.stderr
        assert not (site.home / "dead.letter").exists()
        user = pwd.getpwnam("daemon")      # DefaultUser: sendmail's pick
        for p in [site.queue, hs, *site.queue.iterdir()]:
            assert os.stat(p).st_uid == user.pw_uid, p
        assert site.queue.stat().st_mode & 0o7777 == 0o700
        err = r.stderr.decode()
        assert re.search(rf"{site.queue}: owner root:root, mode 0700, "
                         rf"changed to daemon:\S+, mode 0700", err), err
        assert f"{site.queue}: 2 queue files of root's given to" in err
        rec = smart(site)
        r = run_queue(site)
        assert r.returncode == 0, r.stderr
        assert site.queued() == []
        assert sorted(r for m in rec.messages for r in m[1]) == sorted(
            ["left@far.example", "bob@example.net", "carl@example.org",
             "dee@example.com", "hidden@example.com"])
    finally:
        site.close()


def debian_layout(site, access_owner=(OWNER, GROUP)):
    """The queue OWNER:GROUP 2750 with a message root left in it (group
    GROUP, 0640), the access map access_owner's, mode 0640."""
    os.chown(site.queue, 0, 0)
    old = left_by_sendmail(site)
    shutil.chown(site.queue, OWNER, GROUP)
    site.queue.chmod(0o2750)
    for p in site.queue.iterdir():
        shutil.chown(p, "root", GROUP)
        p.chmod(0o640)
    makemap(site.base / "access", "From:spammer@example.com\tREJECT\n")
    db = site.base / "access.db"
    shutil.chown(db, *access_owner)
    db.chmod(0o640)
    return old


DEBIAN_MC = ("define(`confQUEUE_FILE_MODE', `0640')dnl\n"
             "FEATURE(`access_db', `hash -T<TMPF> -o @BASE@/access')dnl\n")


def test_debian_queue_runs_as_its_owner(smart):
    """Debian's layout, no RunAsUser: sessions and runs are the queue's
    owner with its group, so the queue and the maps work as they are;
    only the files root left change owner.  Root's and a user's
    submissions, daemon down and up, are all delivered, and the user's
    mailq lists the queue through the program's group."""
    site = SubmitSite(run_as=None, mc=DEBIAN_MC)
    try:
        old = debian_layout(site)
        # Daemon down: the user's message waits in the client queue; the
        # access map is not read there.
        r = site.submit(["bob@example.net"], "Subject: u1\n\nbody\n",
                        user=USER)
        assert r.returncode == 0, r.stderr
        assert len(site.queued(queue=site.cqueue)) == 1
        # Root's goes into the queue as its owner.
        r = site.submit(["-t", "-i"], MESSAGE)
        assert r.returncode == 0, r.stderr
        for p in site.queue.iterdir():
            assert owner(p) == (OWNER, GROUP), p
        assert owner(site.queue) == (OWNER, GROUP)
        assert site.queue.stat().st_mode & 0o7777 == 0o2750
        for qf in site.queued():
            assert qf.stat().st_mode & 0o777 == 0o640, qf
        site.start_daemon()
        assert wait_for(lambda: not site.queued(queue=site.cqueue), limit=20), \
            site.log_text()
        # Daemon up: the user's goes to it, and the access map works.
        r = site.submit(["carol@example.net"], "Subject: u2\n\nbody\n",
                        user=USER)
        assert r.returncode == 0, r.stderr
        r = site.submit(["-f", "spammer@example.com", "x@example.net"],
                        "Subject: no\n\nbody\n", user=USER)
        assert r.returncode != 0
        assert len(site.queued()) == 4
        # mailq as the user: the queue's group lets the program read it.
        r = mailq_as_user(site)
        assert r.returncode == 0, r.stderr
        assert f"{site.queue} (4 requests)" in r.stdout, r.stdout
        assert old in r.stdout
        rec = smart(site)
        r = run_queue(site)
        assert r.returncode == 0, r.stderr
        assert site.queued() == []
        rcpts = sorted(r for m in rec.messages for r in m[1])
        assert rcpts == sorted(["left@far.example", "bob@example.net",
                                "bob@example.net", "carl@example.org",
                                "dee@example.com", "hidden@example.com",
                                "carol@example.net"])
    finally:
        site.close()


def mailq_as_user(site):
    """mailq run by USER through the set-group-id copy."""
    pw = pwd.getpwnam(USER)
    return sendmail(site.cf, "-bp", prog=site.prog, timeout=30,
                    user=pw.pw_uid, group=pw.pw_gid, extra_groups=[],
                    env={"PATH": "/usr/bin:/bin"})


def test_map_the_program_cannot_read(smart):
    """An access map the set-group-id program may not read (as after
    "chgrp mail /etc/mail/*.db" on Debian) does not stop a user's
    message while the daemon is down: the client queue takes it, and
    the daemon applies the map when it arrives."""
    site = SubmitSite(run_as=None, mc=DEBIAN_MC)
    try:
        debian_layout(site, access_owner=(OWNER, OWNER))
        r = site.submit(["bob@example.net"], "Subject: u1\n\nbody\n",
                        user=USER)
        assert r.returncode == 0, r.stderr
        assert len(site.queued(queue=site.cqueue)) == 1
        assert not (site.home / "dead.letter").exists()
        site.start_daemon()
        assert wait_for(lambda: not site.queued(queue=site.cqueue) and
                        len(site.queued()) == 2, limit=20), site.log_text()
    finally:
        site.close()


def test_queue_of_another_user_is_named():
    """RunAsUser says one user, the queue belongs to another: the daemon
    does not start and says which directory, whose it is and what to
    change; root's submission says the same and still keeps the message
    (in the client queue), and mailq as a user says why it cannot list a
    queue it may not read."""
    site = SubmitSite(run_as="nobody")
    try:
        shutil.chown(site.queue, OWNER, OWNER)
        site.queue.chmod(0o700)
        d = sendmail(site.cf, "-bD", timeout=30)
        assert d.returncode == 78
        said = (f"queue directory {site.queue} belongs to {OWNER}:{OWNER} "
                f"(mode 0700), but sessions and queue runs run as nobody: "
                f"chown -R nobody {site.queue}, or set RunAsUser to its "
                f"owner")
        assert said in d.stderr, d.stderr
        r = site.submit(["-t", "-i"], MESSAGE)
        assert said in r.stderr.decode()
        assert r.returncode == 0, r.stderr
        assert len(site.queued(queue=site.cqueue)) == 1
        assert not (site.home / "dead.letter").exists()
        r = mailq_as_user(site)
        assert r.returncode == 75
        assert (f"cannot read queue directory {site.queue}: it is "
                f"{OWNER}:{OWNER}'s, mode 0700: only root may list it"
                in r.stderr), r.stderr
    finally:
        site.close()


def test_unusable_client_queue_is_named():
    """A client queue that is missing, or that the program's group may
    not write: the daemon says so when it starts, and a user's message
    while the daemon is down says why it could not be kept."""
    site = SubmitSite()
    try:
        shutil.rmtree(site.cqueue)
        site.start_daemon()
        assert (f"client queue {site.cqueue}: No such file or directory: "
                f"make it as INSTALL says (install -d -o root -g smmsp "
                f"-m 0770 {site.cqueue})") in site.log_text()
        site.stop_daemon()
        r = site.submit(["bob@example.net"], "Subject: x\n\nbody\n",
                        user=USER)
        assert r.returncode == 75
        assert f"client queue {site.cqueue}: No such file" in \
            r.stderr.decode()
        site.cqueue.mkdir(mode=0o700)
        r = site.submit(["bob@example.net"], "Subject: x\n\nbody\n",
                        user=USER)
        assert r.returncode == 75
        assert (f"client queue {site.cqueue} is root:root's, mode 0700: "
                "this program must be installed set-group-id to its "
                "group") in r.stderr.decode()
    finally:
        site.close()
