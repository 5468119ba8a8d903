"""Command-line submission: sendmail [-t] [-i] [-f] [-F] ... as cron, mail(1)
and scripts call it, as root and as an ordinary user, with the daemon
running and without it (local submission issue, items 1 and 6)."""
import os
import pwd
import re
import resource
import shutil
import subprocess

import pytest

from daemon_util import (GROUP, MESSAGE, SENDMAIL, SM_CF, USER, Conn, SubmitSite,
                         envelope, need_sendmail, need_sendmail_cf, sendmail,
                         sendmail_m4, wait_for)
from smarthost import start_smarthost

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to switch users")

@pytest.fixture
def site():
    """Here a SubmitSite (conftest's site is a LocalSite)."""
    s = SubmitSite()
    yield s
    s.close()


def test_root_t_i_takes_recipients_from_headers(site):
    """cron's sendmail -t -i as root: To, Cc and Bcc are the envelope,
    Bcc is gone from the message, a lone dot is text, the files belong
    to RunAsUser so the queue runner can read them."""
    r = site.submit(["-t", "-i"], MESSAGE)
    assert r.returncode == 0, r.stderr
    [qf] = site.queued()
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
    [qf] = site.queued()
    df = qf.with_name("d" + qf.name[1:])
    assert df.read_text() == "first\n"       # CRLF kept as LF, as queued


def test_headers_kept_and_from_with_full_name(site):
    r = site.submit(["-F", "Nightly Job", "-odq", "bob@example.net"],
                    "Subject: s\nDate: Mon, 1 Jan 2026 00:00:00 +0000\n"
                    "Message-Id: <given@example.org>\n\nbody\n")
    assert r.returncode == 0, r.stderr
    text, _, _ = envelope(site.queued()[0])
    assert "Date: Mon, 1 Jan 2026 00:00:00 +0000" in text
    assert text.count("Date:") == 1
    assert "Message-Id: <given@example.org>" in text
    assert text.count("Message-Id:") == 1
    assert re.search(r"^H\?\?From: Nightly Job <root@", text, re.M)


def test_more_recipients_than_a_transaction_takes(site):
    """1,200 recipients on the command line, past the 1,000 one
    transaction takes by default (MaxRecipientsPerMessage): the
    submission sends the 200 refused with 452 in a second transaction,
    and all are queued; exit 0."""
    rcpts = [f"user{i}@example.net" for i in range(1200)]
    r = site.submit(["-odq", *rcpts], "Subject: many\n\nbody\n")
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    counts = sorted(len(envelope(q)[2]) for q in site.queued())
    assert counts == [200, 1000]
    assert not (site.home / "dead.letter").exists()


def test_recipients_cost_grows_linearly(site):
    """Four times the recipients on the command line cost the
    submission about four times the CPU, not sixteen times: each one
    was compared with every one before it to drop duplicates."""
    cpu = {}
    for n in (5000, 20000):
        rcpts = [f"user{i}@example.net" for i in range(n)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = site.submit(["-odq", *rcpts, rcpts[0].upper()],
                        "Subject: many\n\nbody\n", timeout=120)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert r.returncode == 0, r.stderr[-500:]
        cpu[n] = (after.ru_utime - before.ru_utime +
                  after.ru_stime - before.ru_stime)
        assert sum(len(envelope(q)[2]) for q in site.queued()) == n
        for q in site.queued():
            q.unlink()
            q.with_name("d" + q.name[1:]).unlink()
    # Linear: 4.  Before, 12 or more.
    assert cpu[20000] / max(cpu[5000], 0.01) < 7, cpu


def test_f_sets_the_sender(site):
    r = site.submit(["-f", "reports@example.org", "bob@example.net"],
                    "Subject: s\n\nbody\n")
    assert r.returncode == 0, r.stderr
    text, sender, _ = envelope(site.queued()[0])
    assert sender == "<reports@example.org>"
    assert "X-Authentication-Warning" not in text    # root is trusted
    r = site.submit(["-f", "", "bob@example.net"], "Subject: s\n\nbody\n")
    assert r.returncode == 0, r.stderr
    assert any(envelope(q)[1] == "<>" for q in site.queued())


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
    [qf] = site.queued()
    assert envelope(qf)[2] == ["<bob@example.net>"]


def test_overlong_header_is_a_data_error(site):
    r = site.submit(["-O", "MaxHeadersLength=100", "bob@example.net"],
                    "Subject: " + "x" * 200 + "\n\nbody\n")
    assert r.returncode == 65
    assert site.queued() == []


def test_background_delivery_to_the_smart_host(site):
    """The default mode delivers at once: the message reaches the smart
    host and leaves the queue."""
    ctl, rec = start_smarthost(site.smart_port)
    try:
        r = site.submit(["-odb", "-t"], "To: far@example.net\n"
                        "Subject: relayed\n\nhello\n")
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: rec.messages and not site.queued())
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
    [qf] = site.queued()
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
    text, sender, _ = envelope(site.queued()[0])
    assert sender == "<boss@example.org>"
    assert re.search(rf"X-Authentication-Warning: [^:]+: {USER} set sender "
                     r"to boss@example.org using -f", text)


def test_user_submits_while_the_daemon_is_down(site):
    """No daemon: the message waits in the client queue (group-readable,
    written through the set-group-id program), and the daemon sends it
    to itself when it starts; nothing is lost."""
    r = site.submit(["-t", "-i"], MESSAGE, user=USER)
    assert r.returncode == 0, r.stderr
    assert site.queued() == []
    [cqf] = site.queued(queue=site.cqueue)
    st = cqf.stat()
    assert st.st_uid == pwd.getpwnam(USER).pw_uid
    assert st.st_gid == os.stat(site.cqueue).st_gid
    assert st.st_mode & 0o777 == 0o660
    site.start_daemon()
    assert wait_for(lambda: site.queued() and not site.queued(queue=site.cqueue)), \
        site.log_text()
    text, sender, rcpts = envelope(site.queued()[0])
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
    assert len(site.queued(queue=site.cqueue)) == 1
    ctl, rec = start_smarthost(site.port)
    try:
        r = sendmail(site.cf, "-Ac", "-qf", text=False)
        assert r.returncode == 0, r.stderr
        assert site.queued(queue=site.cqueue) == []
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
    r = sendmail(private, "bob@example.net", prog=site.prog,
                 input=b"Subject: s\n\nbody\n", text=False,
                 timeout=30, user=pwd.getpwnam(USER).pw_uid,
                       group=pwd.getpwnam(USER).pw_gid, extra_groups=[],
                       env={"PATH": "/bin", "HOME": "/nonexistent"})
    assert r.returncode != 0
    assert site.queued(queue=site.cqueue) == []
    # A long option is not a submission's: the group goes, and with no
    # daemon and no client queue the message cannot be taken.
    r = site.submit(["-O", "DeliveryMode=queueonly", "bob@example.net"],
                    "Subject: s\n\nbody\n", user=USER)
    assert r.returncode == 75
    assert site.queued(queue=site.cqueue) == []


def real_msp_cf(site):
    """/etc/mail/submit.cf, as sendmail's submission program finds it, in
    a folder laid over /etc (real_msp_submit): made by Debian's
    sendmail-cf for the site's client queue, its RunAsUser of the
    queue's group, as Debian's submit.mc has smmsp."""
    need_sendmail_cf()
    need_sendmail()
    etc = site.base / "etc"
    (etc / "mail").mkdir(parents=True)
    (site.base / "etc.work").mkdir()
    (site.base / "msp-status").mkdir()
    cf = sendmail_m4(site.base, "submit", f"""divert(0)dnl
include(`{SM_CF}/m4/cf.m4')dnl
OSTYPE(`debian')dnl
define(`confDOMAIN_NAME', `mx.example.org')dnl
define(`MSP_QUEUE_DIR', `{site.cqueue}')dnl
define(`confPID_FILE', `{site.base}/msp.pid')dnl
define(`STATUS_FILE', `{site.base}/sm-client.st')dnl
define(`confHOST_STATUS_DIRECTORY', `{site.base}/msp-status')dnl
define(`confRUN_AS_USER', `{GROUP}:{GROUP}')dnl
define(`confTRUSTED_USER', `{GROUP}')dnl
FEATURE(`msp', `[127.0.0.1]', `{site.port}')dnl
""")
    shutil.copy(cf, etc / "mail" / "submit.cf")


def real_msp_submit(site, args, text, user=None):
    """sendmail 8.17's submission program, as root or as user, through a
    set-group-id copy like Debian's, with its own /etc/mail/submit.cf
    (with -C it would give up its group); it writes the client queue."""
    prog = site.base / "sendmail-8.17"
    if not prog.exists():
        shutil.copy(SENDMAIL, prog)
        shutil.chown(prog, group=GROUP)
        prog.chmod(0o2755)
    cmd = " ".join([str(prog), *args])
    if user is not None:
        cmd = f"setpriv --reuid {user} --regid {user} --clear-groups {cmd}"
    # In namespaces of its own: its /etc/mail, and a host of a qualified
    # name (it waits a minute for one otherwise).
    etc = f"lowerdir=/etc,upperdir={site.base}/etc,workdir={site.base}/etc.work"
    r = subprocess.run(["unshare", "--uts", "--mount", "sh", "-c",
                        f"mount -t overlay overlay -o {etc} /etc && "
                        f"hostname mx.example.org && exec {cmd}"],
                       input=text.encode(), capture_output=True, timeout=60,
                       cwd="/")
    assert r.returncode == 0, r.stderr
    return r


def test_client_queue_left_by_sendmail_817():
    """The client queue that sendmail's own submission program wrote
    (as root and as a user, with -odq: senders and local recipients
    without a domain) reaches the daemon qualified with $j, when the
    daemon starts and from Debian's cron line "sendmail -Ac -q", and is
    delivered: nothing bounces, nothing stays behind."""
    site = SubmitSite()
    ctl, rec = start_smarthost(site.smart_port)
    try:
        mail = site.base / "mail"
        mail.mkdir()
        shutil.chown(mail, group="mail")
        mail.chmod(0o2775)
        shutil.chown(site.cqueue, user=GROUP, group=GROUP)
        site.cqueue.chmod(0o2770)
        real_msp_cf(site)
        real_msp_submit(site, ["-odq", USER, "carol@far.example"],
                        "Subject: from root\n\nfirst\n")
        real_msp_submit(site, ["-odq", "-t"],
                        f"To: {USER}, dave@far.example\n"
                        "Subject: from a user\n\nsecond\n", user=USER)
        qfs = site.queued(queue=site.cqueue)
        assert len(qfs) == 2
        senders = sorted(envelope(q)[1] for q in qfs)
        assert senders == sorted(["root", USER])     # as sendmail left them
        assert all(f"PFD:{USER}" in envelope(q)[0] for q in qfs)

        site.start_daemon()
        # Bare names get the daemon's $j, its greeting's first word.
        c = Conn(site.port)
        j = c.read_reply().split()[1]
        c.close()
        assert wait_for(lambda: not site.queued(queue=site.cqueue) and
                        len(site.queued()) == 2, limit=20), site.log_text()
        assert "553" not in site.log_text()
        # A third one while the daemon runs, sent on by cron's line.
        real_msp_submit(site, ["-odq", USER],
                        "Subject: by cron\n\nthird\n", user=USER)
        assert len(site.queued(queue=site.cqueue)) == 1
        r = sendmail(site.cf, "-Ac", "-q", text=False)
        assert r.returncode == 0, r.stderr
        assert wait_for(lambda: not site.queued(queue=site.cqueue) and
                        len(site.queued()) == 3, limit=20), site.log_text()

        envs = sorted(envelope(q)[1:] for q in site.queued())
        assert envs == sorted([
            (f"<root@{j}>", [f"<{USER}@{j}>", "<carol@far.example>"]),
            (f"<{USER}@{j}>", [f"<{USER}@{j}>", "<dave@far.example>"]),
            (f"<{USER}@{j}>", [f"<{USER}@{j}>"])])
        r = sendmail(site.cf, "-qf", text=False)
        assert r.returncode == 0, r.stderr
        assert site.queued() == []
        box = (mail / USER).read_text()
        assert box.count("\nFrom ") + box.startswith("From ") == 3, box
        for text in ("first", "second", "third"):
            assert f"\n{text}\n" in box
        assert sorted((m[0], m[1]) for m in rec.messages) == [
            (f"{USER}@{j}", ["dave@far.example"]),
            (f"root@{j}", ["carol@far.example"])]
        assert "MAILER-DAEMON" not in box
        # The headers as sendmail's submission program sends them.
        data = b"".join(m[2] for m in rec.messages).decode()
        assert f"From: root <root@{j}>" in data, data
    finally:
        ctl.stop()
        site.close()
