"""Command-line submission: sendmail [-t] [-i] [-f] [-F] ... as cron, mail(1)
and scripts call it, as root and as an ordinary user, with the daemon
running and without it (local submission issue, items 1 and 6)."""
import os
import pathlib
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from cfgen import HEAD, build_cf
from conftest import BUILD
from daemon_util import free_port, wait_for
from smarthost import start_smarthost

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to switch users")

USER = "games"      # an ordinary user: not root, RunAsUser or trusted
GROUP = "mail"      # the group the test's copy of the program is set to


class Site:
    """A queue, a client queue, a configuration and a set-group-id copy
    of the program, all under one directory in /tmp."""

    def __init__(self, delivery="queueonly"):
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="smd-sub-",
                                                  dir="/tmp"))
        self.base.chmod(0o755)
        self.queue = self.base / "mqueue"
        self.cqueue = self.base / "mqueue-client"
        self.home = self.base / "home"
        for d in (self.queue, self.cqueue, self.home):
            d.mkdir()
        nobody = pwd.getpwnam("nobody")
        os.chown(self.queue, nobody.pw_uid, nobody.pw_gid)
        shutil.chown(self.cqueue, group=GROUP)
        self.cqueue.chmod(0o770)
        self.port, self.smart_port = free_port(), free_port()
        self.pidfile = self.base / "pid"
        self.cf = build_cf(
            self.base, "sendmail",
            HEAD +
            f"define(`QUEUE_DIR', `{self.queue}')dnl\n"
            f"define(`MSP_QUEUE_DIR', `{self.cqueue}')dnl\n"
            f"define(`confMAIL_SPOOL_DIR', `{self.base}/mail')dnl\n"
            f"define(`ALIAS_FILE', `{self.base}/aliases')dnl\n"
            "define(`confRUN_AS_USER', `nobody')dnl\n"
            f"define(`confPID_FILE', `{self.pidfile}')dnl\n"
            f"define(`confDELIVERY_MODE', `{delivery}')dnl\n"
            "define(`SMART_HOST', `[127.0.0.1]')dnl\n"
            f"define(`RELAY_MAILER_ARGS', `TCP $h {self.smart_port}')dnl\n"
            "define(`confTO_IDENT', `0')dnl\n"
            "FEATURE(`no_default_msa')dnl\n"
            f"DAEMON_OPTIONS(`Port={self.port}, Addr=127.0.0.1, Name=MTA')dnl\n"
            "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
        # Installed as INSTALL says: set-group-id, never set-user-id.
        self.prog = self.base / "sendmail"
        shutil.copy(BUILD / "sendmaild", self.prog)
        shutil.chown(self.prog, group=GROUP)
        self.prog.chmod(0o2755)
        self.daemon = None

    def submit(self, args, text, user=None, env=None, timeout=30):
        cmd = [str(self.prog), "-C", str(self.cf), *args]
        kw = {}
        if user is not None:
            pw = pwd.getpwnam(user)
            kw = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        return subprocess.run(cmd, input=text.encode(), capture_output=True,
                              timeout=timeout, cwd="/",
                              env={"PATH": "/usr/bin:/bin",
                                   "HOME": str(self.home), **(env or {})},
                              **kw)

    def start_daemon(self, *options):
        self.log = open(self.base / "daemon.log", "w")
        cmd = [str(BUILD / "sendmaild"), "-bD", "-C", str(self.cf)]
        for o in options:
            cmd += ["-O", o]
        self.daemon = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                       stdout=self.log, stderr=self.log)
        end = time.monotonic() + 10
        while not self.pidfile.exists():
            assert self.daemon.poll() is None, self.log_text()
            assert time.monotonic() < end, self.log_text()
            time.sleep(0.02)

    def log_text(self):
        return (self.base / "daemon.log").read_text()

    def stop_daemon(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            self.daemon.wait(timeout=15)
        if self.daemon is not None:
            self.log.close()
        self.daemon = None
        if self.pidfile.exists():
            self.pidfile.unlink()

    def qf(self, queue=None):
        return sorted((queue or self.queue).glob("qf*"))

    def close(self):
        self.stop_daemon()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def envelope(qf_path):
    text = qf_path.read_text(errors="replace")
    sender = re.search(r"^S(.*)$", text, re.M).group(1)
    rcpts = re.findall(r"^R[A-Z]*:(.*)$", text, re.M)
    return text, sender, rcpts


MESSAGE = ("Subject: nightly report\n"
           "To: Bob <bob@example.net>, carl@example.org\n"
           "Cc: \"Dee, D.\" <dee@example.com>\n"
           "Bcc: hidden@example.com\n"
           "\n"
           "line one\n"
           ".\n"
           "after the dot\n")


def test_root_t_i_takes_recipients_from_headers(site):
    """cron's sendmail -t -i as root: To, Cc and Bcc are the envelope,
    Bcc is gone from the message, a lone dot is text, the files belong
    to RunAsUser so the queue runner can read them."""
    r = site.submit(["-t", "-i"], MESSAGE)
    assert r.returncode == 0, r.stderr
    [qf] = site.qf()
    text, sender, rcpts = envelope(qf)
    host = re.search(r"^\$_(.*)$", text, re.M)
    assert host and host.group(1) == "root@localhost"
    assert re.fullmatch(r"<root@[^>]+>", sender)
    assert rcpts == ["<bob@example.net>", "<carl@example.org>",
                     "<dee@example.com>", "<hidden@example.com>"]
    assert "Bcc" not in text and "hidden@example.com" not in \
        text.split("H?")[1]
    assert re.search(r"^H\?\?Received: \(from root@localhost\)", text, re.M)
    assert re.search(r"^H\?D\?Date: ", text, re.M)
    assert re.search(r"^H\?M\?Message-Id: <", text, re.M)
    assert re.search(r"^H\?\?From: root <root@", text, re.M)
    df = qf.with_name("d" + qf.name[1:])
    assert df.read_text() == "line one\n.\nafter the dot\n"
    assert qf.stat().st_uid == pwd.getpwnam("nobody").pw_uid
    assert qf.stat().st_mode & 0o777 == 0o600


def test_lone_dot_ends_input_without_i(site):
    r = site.submit(["bob@example.net"],
                    "Subject: s\r\n\r\nfirst\r\n.\r\nnever read\r\n")
    assert r.returncode == 0, r.stderr
    [qf] = site.qf()
    df = qf.with_name("d" + qf.name[1:])
    assert df.read_text() == "first\n"       # CRLF kept as LF, as queued


def test_headers_kept_and_from_with_full_name(site):
    r = site.submit(["-F", "Nightly Job", "-odq", "bob@example.net"],
                    "Subject: s\nDate: Mon, 1 Jan 2026 00:00:00 +0000\n"
                    "Message-Id: <given@example.org>\n\nbody\n")
    assert r.returncode == 0, r.stderr
    text, _, _ = envelope(site.qf()[0])
    assert "Date: Mon, 1 Jan 2026 00:00:00 +0000" in text
    assert text.count("Date:") == 1
    assert "Message-Id: <given@example.org>" in text
    assert text.count("Message-Id:") == 1
    assert re.search(r"^H\?\?From: Nightly Job <root@", text, re.M)


def test_f_sets_the_sender(site):
    r = site.submit(["-f", "reports@example.org", "bob@example.net"],
                    "Subject: s\n\nbody\n")
    assert r.returncode == 0, r.stderr
    text, sender, _ = envelope(site.qf()[0])
    assert sender == "<reports@example.org>"
    assert "X-Authentication-Warning" not in text    # root is trusted
    r = site.submit(["-f", "", "bob@example.net"], "Subject: s\n\nbody\n")
    assert r.returncode == 0, r.stderr
    assert any(envelope(q)[1] == "<>" for q in site.qf())


@pytest.mark.parametrize("args,code,said", [
    (["nosuchuser"], 67, "nosuchuser... User unknown"),
    (["a@b@c"], 64, "a@b@c... Invalid route address"),
    ([], 64, "Recipient names must be specified"),
    (["-N", "sometimes", "bob@example.net"], 64, "Invalid -N argument"),
    (["-f", "a@@b", "bob@example.net"], 64, "a@@b... Invalid route address"),
])
def test_exit_codes(site, args, code, said):
    r = site.submit(args, "Subject: s\n\nbody\n")
    assert r.returncode == code
    assert said in r.stderr.decode()


def test_unknown_user_message_saved_in_dead_letter(site):
    r = site.submit(["nosuchuser", "bob@example.net"],
                    "Subject: keep me\n\nimportant\n")
    assert r.returncode == 67
    dead = (site.home / "dead.letter").read_text()
    assert "Subject: keep me" in dead and "important" in dead
    assert "Saved message in" in r.stderr.decode()
    # The good recipient still got it.
    [qf] = site.qf()
    assert envelope(qf)[2] == ["<bob@example.net>"]


def test_overlong_header_is_a_data_error(site):
    r = site.submit(["-O", "MaxHeadersLength=100", "bob@example.net"],
                    "Subject: " + "x" * 200 + "\n\nbody\n")
    assert r.returncode == 65
    assert site.qf() == []


def test_background_delivery_to_the_smart_host(site):
    """The default mode delivers at once: the message reaches the smart
    host and leaves the queue."""
    ctl, rec = start_smarthost(site.smart_port)
    try:
        r = site.submit(["-odb", "-t"], "To: far@example.net\n"
                        "Subject: relayed\n\nhello\n")
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: rec.messages and not site.qf())
        sender, rcpts, data = rec.messages[0]
        assert rcpts == ["far@example.net"]
        assert b"Subject: relayed" in data and b"hello" in data
    finally:
        ctl.stop()


def test_user_submits_through_the_running_daemon(site):
    """An ordinary user's message goes to the daemon by SMTP: it is
    queued at once in the daemon's queue, with the user as sender."""
    site.start_daemon()
    r = site.submit(["-t", "-i"], MESSAGE, user=USER)
    assert r.returncode == 0, r.stderr
    [qf] = site.qf()
    text, sender, rcpts = envelope(qf)
    assert re.fullmatch(rf"<{USER}@[^>]+>", sender)
    assert len(rcpts) == 4 and "Bcc" not in text
    assert list(site.cqueue.iterdir()) == []
    assert f"from=<{USER}@" in site.log_text()


def test_user_unknown_recipient_through_the_daemon(site):
    site.start_daemon()
    r = site.submit(["nosuchuser"], "Subject: s\n\nbody\n", user=USER)
    assert r.returncode == 67
    assert "nosuchuser... User unknown" in r.stderr.decode()


def test_user_f_gets_an_authentication_warning(site):
    site.start_daemon()
    r = site.submit(["-f", "boss@example.org", "bob@example.net"],
                    "Subject: s\n\nbody\n", user=USER)
    assert r.returncode == 0, r.stderr
    text, sender, _ = envelope(site.qf()[0])
    assert sender == "<boss@example.org>"
    assert re.search(rf"X-Authentication-Warning: [^:]+: {USER} set sender "
                     r"to boss@example.org using -f", text)


def test_user_submits_while_the_daemon_is_down(site):
    """No daemon: the message waits in the client queue (group-readable,
    written through the set-group-id program), and the daemon sends it
    to itself when it starts; nothing is lost."""
    r = site.submit(["-t", "-i"], MESSAGE, user=USER)
    assert r.returncode == 0, r.stderr
    assert site.qf() == []
    [cqf] = site.qf(site.cqueue)
    st = cqf.stat()
    assert st.st_uid == pwd.getpwnam(USER).pw_uid
    assert st.st_gid == os.stat(site.cqueue).st_gid
    assert st.st_mode & 0o777 == 0o660
    site.start_daemon()
    assert wait_for(lambda: site.qf() and not site.qf(site.cqueue)), \
        site.log_text()
    text, sender, rcpts = envelope(site.qf()[0])
    assert re.fullmatch(rf"<{USER}@[^>]+>", sender)
    assert rcpts == ["<bob@example.net>", "<carl@example.org>",
                     "<dee@example.com>", "<hidden@example.com>"]
    assert f"(from {USER}@localhost)" in text


def test_client_queue_run_by_hand(site):
    """sendmail -Ac -q (as cron runs it for sendmail's client queue)
    sends the client queue by SMTP to whatever listens at the daemon's
    address: here a recording server in its place."""
    r = site.submit(["bob@example.net"], "Subject: by hand\n\nbody\n",
                    user=USER)
    assert r.returncode == 0, r.stderr
    assert len(site.qf(site.cqueue)) == 1
    ctl, rec = start_smarthost(site.port)
    try:
        r = subprocess.run([str(BUILD / "sendmaild"), "-C", str(site.cf),
                            "-Ac", "-qf"], capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert site.qf(site.cqueue) == []
        [(sender, rcpts, data)] = rec.messages
        assert sender.startswith(USER + "@") and rcpts == ["bob@example.net"]
        assert b"Subject: by hand" in data
    finally:
        ctl.stop()


def test_user_without_the_group_cannot_use_options_to_read_files(site):
    """-C with a file the user could not read, or an option other than a
    submission's, makes the program give up its group: the message then
    cannot go to the client queue and is kept in dead.letter instead of
    being written with the group's rights."""
    private = site.base / "private.cf"
    shutil.copy(site.cf, private)
    shutil.chown(private, group=GROUP)
    private.chmod(0o640)
    r = subprocess.run([str(site.prog), "-C", str(private), "bob@example.net"],
                       input=b"Subject: s\n\nbody\n", capture_output=True,
                       timeout=30, user=pwd.getpwnam(USER).pw_uid,
                       group=pwd.getpwnam(USER).pw_gid, extra_groups=[],
                       env={"PATH": "/bin", "HOME": "/nonexistent"})
    assert r.returncode != 0
    assert site.qf(site.cqueue) == []
    # A long option is not a submission's: the group goes, and with no
    # daemon and no client queue the message cannot be taken.
    r = site.submit(["-O", "DeliveryMode=queueonly", "bob@example.net"],
                    "Subject: s\n\nbody\n", user=USER)
    assert r.returncode == 75
    assert site.qf(site.cqueue) == []
