"""mailq and -bp: the queue in sendmail's layout (issue: the queue,
item 2)."""
import fcntl
import os
import smtplib

from conftest import ROOT
from daemon_util import sendmail

CF = str(ROOT / "cf" / "cf" / "sendmail.cf")

# The control file of spec/queue.md section 3, as sendmail 8.17 wrote it.
SENDMAIL_QF = (
    "V8\nT1795339068\nK0\nN0\nP30060\nB7BIT\n"
    "M<someone@remote.example>... Relaying denied\nFdns\n"
    "$_client5.outside.example [127.0.0.5]\n$rESMTP\n$sc.example\n"
    "${daemon_flags}\nS<alice@lab.example.org>\nZabc123\n"
    "Qrfc822;root@lab.example.org\nrRFC822; root@lab.example.org\n"
    "RPNSF:<root>\nH?P?Return-Path: <\x81g>\n"
    "H??Received: from c.example (client5.outside.example [127.0.0.5])\n"
    "\tby lab.example.org (8.17.1.9/8.17.1.9) with ESMTP id 6AM9HmxV010555\n"
    "\tfor <root>; Sun, 22 Nov 2026 09:17:48 GMT\n"
    "H??Subject: qf demo\n.\n")


def mailq(queue, *args, prog="mailq"):
    env = dict(os.environ, TZ="UTC")
    return sendmail(CF, *args, prog=prog, options=[f"QueueDirectory={queue}"],
                    timeout=20, env=env)


def test_empty_queue(tmp_path):
    r = mailq(tmp_path)
    assert r.returncode == 0
    assert r.stdout == f"{tmp_path} is empty\n\t\tTotal requests: 0\n"
    assert r.stderr == ""


def test_sendmail_written_queue_file(tmp_path):
    (tmp_path / "qf6AM9HmxV010555").write_bytes(SENDMAIL_QF.encode("latin-1"))
    (tmp_path / "df6AM9HmxV010555").write_text("abc")
    r = mailq(tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        f"\t\t{tmp_path} (1 request)\n"
        "-----Q-ID----- --Size-- -----Q-Time----- "
        "------------Sender/Recipient-----------\n"
        "6AM9HmxV010555        3 Sun Nov 22 09:17 <alice@lab.example.org>\n"
        "          7BIT   (<someone@remote.example>... Relaying denied)\n"
        "\t\t\t\t\t <root>\n"
        "\t\tTotal requests: 1\n")
    r = mailq(tmp_path, "-bp", prog="sendmaild")
    assert r.stdout.startswith(f"\t\t{tmp_path} (1 request)\n")


def test_queue_from_the_daemon(daemon):
    d = daemon(options=["DeliveryMode=queueonly"])
    for sender, rcpt in [("alice@example.org", "root@localhost"),
                         ("bob@example.net", "postmaster@localhost")]:
        with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
            s.sendmail(sender, [rcpt], "Subject: x\r\n\r\nbody\r\n")
    r = mailq(d.queue)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"\t\t{d.queue} (2 requests)"
    assert lines[-1] == "\t\tTotal requests: 2"
    assert "<alice@example.org>" in r.stdout and "<root@localhost>" in r.stdout
    only_bob = mailq(d.queue, "-qSbob@")
    assert "bob@example.net" in only_bob.stdout
    assert "alice" not in only_bob.stdout
    assert only_bob.stdout.splitlines()[-1] == "\t\tTotal requests: 1"
    not_root = mailq(d.queue, "-q!Rroot@")
    assert "postmaster@localhost" in not_root.stdout
    assert "<root@localhost>" not in not_root.stdout
    qid = os.path.basename(d.queued("qf")[0])[2:]
    by_id = mailq(d.queue, f"-qI{qid[:10]}")
    assert by_id.stdout.count("\t\t\t\t\t <") == 1
    # A job being delivered (its control file locked) is marked "*".
    with open(d.queued("qf")[0], "r+") as f:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        marked = mailq(d.queue)
    assert f"{qid}*" in marked.stdout


def test_unreadable_control_file_is_skipped(tmp_path):
    (tmp_path / "qfBROKEN0000001").write_text("V8\nT1\nS<a@b>\n")  # no end mark
    (tmp_path / "qf6AM9HmxV010555").write_bytes(SENDMAIL_QF.encode("latin-1"))
    r = mailq(tmp_path)
    assert r.returncode == 0
    assert "(1 request)" in r.stdout
    assert "qfBROKEN0000001: incomplete" in r.stderr
