"""The README's default configuration (cf/cf/sendmail.mc with its paths
moved under a directory by scripts/default-config, as run-default does):
cron's "echo ... | sendmail -t -i root" ends up where the aliases say, as
root without a daemon and as an ordinary user with the daemon running,
and mail sent to the daemon by SMTP reaches a local mailbox (local
submission issue, "Done when" and item 7)."""
import os
import pathlib
import pwd
import shutil
import smtplib
import subprocess
import tempfile
import time

import pytest

import testnet
from conftest import BUILD, ROOT
from daemon_util import (USER, Running, factory, free_port, queue_files,
                         sendmail, sendmail_cmd, wait_for)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


class Default:
    def __init__(self, aliases=None):
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="smd-default-",
                                                  dir="/tmp"))
        self.port = free_port()
        if aliases is not None:
            (self.base / "aliases").write_text(aliases)
        r = subprocess.run([str(ROOT / "scripts" / "default-config"),
                            str(self.base), str(self.port)],
                           capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin",
                                "SENDMAILD": str(BUILD / "sendmaild")})
        assert r.returncode == 0, r.stderr
        self.cf = self.base / "sendmail.cf"
        self.daemon = None
        # A copy that every user may run, wherever the tree is (a clone
        # in a private directory, say).
        self.prog = self.base / "sendmail"
        shutil.copy(BUILD / "sendmaild", self.prog)
        self.prog.chmod(0o755)

    def mailbox(self, user):
        return self.base / "mail" / user

    def send_t_i(self, user=None, to="root"):
        kw = {}
        if user is not None:
            pw = pwd.getpwnam(user)
            kw = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        return sendmail(self.cf, "-t", "-i", to, prog=self.prog,
                        input=b"Subject: t\n", text=False, timeout=30,
                        cwd="/", env={"PATH": "/usr/bin:/bin"}, **kw)

    def start(self, dns=True):
        """The daemon; dns=False: its DNS server never answers."""
        cmd = sendmail_cmd(self.cf, "-bD", "-q15m")
        if not dns:
            resolv = self.base / "resolv.conf"
            resolv.write_text(f"nameserver {testnet.SILENT}\n")
            cmd = ["unshare", "--mount", "sh", "-c",
                   f"mount --bind {resolv} /etc/resolv.conf && "
                   'exec "$@"', "sh", *cmd]
        # Without DNS it first waits Timeout.resolver.* (10 s) to learn
        # its own name, as sendmail does.
        self.daemon = Running(cmd, self.base / "sendmail.pid",
                              self.base / "daemon.log",
                              limit=10 if dns else 30)

    def log_text(self):
        return self.daemon.log_text()

    def close(self):
        if self.daemon is not None:
            self.daemon.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def default():
    yield from factory(Default)


def delivered(box, count=1):
    return box.exists() and box.read_text().count("\nSubject: t\n") >= count


def test_root_cron_mail_goes_where_the_aliases_say(default):
    """As root, no daemon: the message is queued and delivered at once
    (DeliveryMode background) to the user the alias names."""
    d = default("root: " + USER + "\npostmaster: root\n")
    r = d.send_t_i()
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: delivered(d.mailbox(USER)), 20)
    box = d.mailbox(USER)
    text = box.read_text()
    assert text.startswith("From root@")
    assert "\nSubject: t\n" in text and "\nTo:" not in text
    assert box.stat().st_uid == pwd.getpwnam(USER).pw_uid
    assert box.stat().st_mode & 0o777 == 0o600
    assert not d.mailbox("root").exists()
    assert wait_for(lambda: not queue_files(d.base / "mqueue"))


def test_root_without_an_alias_gets_its_own_mailbox(default):
    """The template aliases do not name root: the mail is root's."""
    d = default()
    r = d.send_t_i(to="postmaster")
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: delivered(d.mailbox("root")), 20)


def test_user_cron_mail_through_the_running_daemon(default):
    """An ordinary user's cron job with the daemon running: the daemon
    takes the message by SMTP and delivers it where the aliases say."""
    d = default("root: " + USER + "\n")
    d.start()
    r = d.send_t_i(user=USER)
    assert r.returncode == 0, r.stderr
    assert wait_for(lambda: delivered(d.mailbox(USER)), 20), d.log_text()
    assert f"From {USER}@" in d.mailbox(USER).read_text()


def test_smtp_to_a_local_user_is_delivered_by_the_daemon(default):
    """The README's path: mail sent to the daemon for postmaster@localhost
    lands in root's mailbox under the directory, no smart host needed."""
    d = default()
    d.start()
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.sendmail("you@example.org", ["postmaster@localhost"],
                   b"Subject: t\r\n\r\nhello\r\n")
    assert wait_for(lambda: delivered(d.mailbox("root")), 20), d.log_text()
    assert "\nhello\n" in d.mailbox("root").read_text()
    assert wait_for(lambda: not queue_files(d.base / "mqueue"))


def test_readme_swaks_line_needs_no_dns(default):
    """The README's swaks line, as it stands but for the port, against
    the default configuration on a machine whose DNS server never
    answers: the message is taken at once and lands in root's mailbox."""
    line = next(x for x in (ROOT / "README.md").read_text().splitlines()
                if x.startswith("swaks --server 127.0.0.1:2525 --to "
                                "postmaster@"))
    d = default()
    d.start(dns=False)
    start = time.monotonic()
    r = subprocess.run(line.replace(":2525", f":{d.port}").split(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + d.log_text()
    assert time.monotonic() - start < 5
    assert wait_for(lambda: "\nThis is a test mailing" in
                    (d.mailbox("root").read_text()
                     if d.mailbox("root").exists() else ""), 20), \
        d.log_text()
