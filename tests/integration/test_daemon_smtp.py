"""The SMTP server, driven by real clients: transactions, replies,
pipelining, the end of data, limits (issue: the daemon, items 2 and 4-6)."""
import os
import pathlib
import re
import smtplib
import subprocess

import pytest

from daemon_util import (SENDMAIL_CF, Conn, open_data, queue_files, sendmail_cmd,
                         wait_for)


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def test_full_transaction_with_smtplib(daemon):
    d = daemon()
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        code, banner = s.ehlo("client.example")
        assert code == 250
        for ext in ("pipelining", "8bitmime", "size", "enhancedstatuscodes",
                    "dsn", "help"):
            assert s.has_extn(ext), ext
        msg = ("From: Alice <alice@example.org>\r\nTo: root@localhost\r\n"
               "Subject: hello\r\n\r\nFirst line\r\n.leading dot\r\n"
               "..two dots\r\nlast\r\n")
        s.mail("alice@example.org")
        s.rcpt("root@localhost")
        code, reply = s.data(msg)
        assert code == 250
        m = re.match(rb"2\.0\.0 (\w{14,}) Message accepted for delivery", reply)
        assert m, reply
        qid = m.group(1).decode()
    qf = d.queued("qf")
    assert [p.rsplit("/", 1)[1] for p in qf] == ["qf" + qid]
    ctl = read(qf[0], "rb").decode("latin-1")
    lines = ctl.splitlines()
    assert lines[0] == "V8" and lines[-1] == "."
    assert "S<alice@example.org>" in lines
    assert "RPFD:<root@localhost>" in lines
    assert "$_localhost [127.0.0.1]" in lines
    assert "$rESMTP" in lines and "$sclient.example" in lines
    assert lines.index("$rESMTP") < lines.index("S<alice@example.org>")
    assert "H??Received: from client.example (localhost [127.0.0.1])" in ctl
    assert f"with ESMTP id {qid}" in ctl
    assert "for <root@localhost>;" in ctl
    assert "H??Subject: hello" in lines
    assert "H?P?Return-Path: <\x81g>" in lines
    assert any(l.startswith("H?D?Date: ") for l in lines)
    assert any(l.startswith("H?M?Message-Id: <") for l in lines)
    body = read(d.queued("df")[0])
    # smtplib stuffs dots and the server removes them: the text is intact.
    assert body == "First line\n.leading dot\n..two dots\nlast\n"
    log = d.log_text()
    assert re.search(rf"{qid}: from=<alice@example.org>, size=\d+, class=0, "
                     r"nrcpts=1, msgid=<[^>]+>, proto=ESMTP, daemon=MTA, "
                     r"relay=localhost \[127.0.0.1\]", log), log
    assert f"{qid}: to=<root@localhost>, delay=" in log
    assert "stat=queued" in log


def test_swaks(daemon):
    d = daemon()
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{d.port}",
                        "--from", "bob@example.org", "--to", "root@localhost",
                        "--body", "from swaks"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Message accepted for delivery" in r.stdout
    # Delivered in the background to root's mailbox, the queue emptied.
    assert wait_for(lambda: "\nfrom swaks\n" in d.mailbox("root") and
                    not d.queued("qf") and not d.queued("df"))


def test_pipelining(daemon):
    d = daemon()
    c = Conn(d.port)
    assert c.read_reply().startswith("220 ")
    assert c.cmd("EHLO client.example").startswith("250-")
    c.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<root>\r\n"
           "RCPT TO:<nosuchuser@localhost>\r\nDATA\r\n")
    assert c.read_reply().startswith("250 2.1.0")
    assert c.read_reply().startswith("250 2.1.5")
    assert c.read_reply().startswith("550 5.1.1 <nosuchuser@localhost>... User unknown")
    assert c.read_reply().startswith("354 End data with <CR><LF>.<CR><LF>")
    c.send("Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    assert c.read_reply().startswith("250 2.0.0")
    assert c.read_reply().startswith("221 2.0.0")
    assert len(d.queued("qf")) == 1


@pytest.mark.parametrize("setup,command,reply", [
    ([], "HELO", "501 5.0.0 HELO requires domain address"),
    ([], "EHLO", "501 5.0.0 EHLO requires domain address"),
    ([], "EHLO bad<host>", "501 5.0.0 Invalid domain name"),
    ([], "HELO client.example", "250 "),
    ([], "MAIL", '501 5.5.2 Syntax error in parameters scanning ""'),
    ([], "MAIL TO:<a@b.c>", '501 5.5.2 Syntax error in parameters scanning "TO"'),
    ([], "MAIL FROM:<a b@>", "553 5.1.3 <a b@>... Hostname required"),
    ([], "MAIL FROM:<joe>", "553 5.5.4 <joe>... Domain name required for sender address joe"),
    ([], "MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME", "250 2.1.0 <a@b.c>... Sender ok"),
    ([], "MAIL FROM:<> ", "250 2.1.0 <>... Sender ok"),
    ([], "MAIL FROM:<a@b.c> BODY=9BIT", "501 5.5.4 Unknown BODY type 9BIT"),
    ([], "MAIL FROM:<a@b.c> FOO=1", "555 5.5.4 FOO parameter unrecognized"),
    ([], "MAIL FROM:<a@b.c> RET=MOST", '501 5.5.2 Bad argument "MOST" to RET'),
    ([], "MAIL FROM:<a@b.c> ENVID=a=b", '501 5.5.2 Bad argument "a=b" to ENVID'),
    (["MAIL FROM:<a@b.c>"], "MAIL FROM:<a@b.c>", "503 5.5.0 Sender already specified"),
    ([], "RCPT TO:<root>", "503 5.0.0 Need MAIL before RCPT"),
    (["MAIL FROM:<a@b.c>"], "RCPT", '501 5.5.2 Syntax error in parameters scanning ""'),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<>", "553 5.0.0 <>... User address required"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<a@b@c>", "553 5.1.3 <a@b@c>... Invalid route address"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<a@.b>", "553 5.1.2 <a@.b>... Invalid host name"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<list:;>",
     "553 5.1.3 <list:;>... List:; syntax illegal for recipient addresses"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<nosuchuser>", "550 5.1.1 <nosuchuser>... User unknown"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<root> NOTIFY=BOGUS", '501 5.5.4 Bad argument "BOGUS"  to NOTIFY'),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<root> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;root@x",
     "250 2.1.5 <root>... Recipient ok"),
    (["MAIL FROM:<a@b.c>"], "RCPT TO:<Postmaster>", "250 2.1.5 <Postmaster>... Recipient ok"),
    ([], "DATA", "503 5.0.0 Need MAIL command"),
    (["MAIL FROM:<a@b.c>"], "DATA", "503 5.0.0 Need RCPT (recipient)"),
    (["MAIL FROM:<a@b.c>", "RCPT TO:<nosuchuser>"], "DATA", "503 5.0.0 Need RCPT (recipient)"),
    ([], "RSET", "250 2.0.0 Reset state"),
    ([], "NOOP anything", "250 2.0.0 OK"),
    ([], "VRFY root", "250 2.1.5 root <root@"),
    ([], "VRFY nosuchuser", "550 5.1.1 nosuchuser... User unknown"),
    ([], "VRFY", "501 5.5.2 Argument required"),
    ([], "EXPN root", "250 2.1.5 root <root@"),
    ([], "VERB", "250 2.0.0 Verbose mode"),
    ([], "HELP", "214-2.0.0"),
    ([], "HELP nosuchtopic", '504 5.3.0 HELP topic "nosuchtopi" unknown'),
    ([], "XYZZY", '500 5.5.1 Command unrecognized: "XYZZY"'),
    ([], "TURN", '502 5.5.1 Command not implemented: "TURN"'),
    ([], "STARTTLS", "503 5.5.0 TLS not available"),
    ([], "QUIT", "221 2.0.0 "),
])
def test_replies(daemon_shared, setup, command, reply):
    c = Conn(daemon_shared.port)
    c.read_reply()
    c.cmd("EHLO client.example")
    for s in setup:
        assert c.cmd(s)[0] in "25", s
    got = c.cmd(command)
    assert got.startswith(reply), got
    c.close()


@pytest.fixture(scope="module")
def daemon_shared():
    from daemon_util import Daemon
    d = Daemon()
    yield d
    d.stop()


def test_privacy_options(daemon):
    d = daemon(options=["PrivacyOptions=goaway"])
    c = Conn(d.port)
    c.read_reply()
    assert c.cmd("MAIL FROM:<a@b.c>") == "503 5.0.0 Polite people say HELO first"
    ehlo = c.cmd("EHLO x.example")
    assert "EXPN" not in ehlo and "VERB" not in ehlo
    assert c.cmd("VRFY root").startswith("252 2.5.2 Cannot VRFY user")
    assert c.cmd("EXPN root") == "502 5.7.0 Sorry, we do not allow this operation"
    assert c.cmd("VERB") == "502 5.7.0 Verbose unavailable"


def test_greeting_and_size_limit(daemon):
    d = daemon(options=["MaxMessageSize=1000", "MaxRecipientsPerMessage=2",
                        "SmtpGreetingMessage=$j Sendmail test; $b"])
    c = Conn(d.port)
    greeting = c.read_reply()
    assert re.match(r"220 \S+ ESMTP Sendmail test; \w{3}, \d+ \w{3} \d{4} ", greeting)
    assert "250-SIZE 1000" in c.cmd("EHLO x.example")
    assert c.cmd("MAIL FROM:<a@b.c> SIZE=2000") == \
        "552 5.2.3 Message size exceeds fixed maximum message size (1000)"
    assert c.cmd("MAIL FROM:<a@b.c>").startswith("250")
    assert c.cmd("RCPT TO:<root>").startswith("250")
    assert c.cmd("RCPT TO:<postmaster>").startswith("250")
    assert c.cmd("RCPT TO:<nobody>") == "452 4.5.3 Too many recipients"
    assert c.cmd("DATA").startswith("354")
    c.send("Subject: big\r\n\r\n" + ("x" * 70 + "\r\n") * 30 + ".\r\n")
    assert c.read_reply() == "552 5.2.3 Message exceeds maximum fixed size (1000)"
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    assert d.queued("qf") == [] and d.queued("df") == []


def test_headers_too_large(daemon):
    d = daemon(options=["MaxHeadersLength=500"])
    c = open_data(d.port)
    c.send("".join(f"X-H{i}: {'v' * 40}\r\n" for i in range(20)) + "\r\nbody\r\n.\r\n")
    assert c.read_reply() == "552 5.6.0 Headers too large (500 max)"
    assert d.queued("df") == []


@pytest.mark.parametrize("data,reply", [
    (b"Subject: x\r\n\r\nhi\nthere\r\n.\r\n", "421 4.5.0 Bare linefeed (LF) not allowed"),
    (b"Subject: x\r\n\r\nhi\rthere\r\n.\r\n", "421 4.5.0 Bare carriage return (CR) not allowed"),
    # Smuggling attempts: only CRLF.CRLF ends the data.
    (b"Subject: x\r\n\r\nhi\r\n.\nMAIL FROM:<evil@x.example>\r\n", "421 4.5.0 Bare linefeed (LF) not allowed"),
    (b"Subject: x\r\n\r\nhi\n.\r\nMAIL FROM:<evil@x.example>\r\n", "421 4.5.0 Bare linefeed (LF) not allowed"),
    (b"Subject: x\r\n\r\nhi\r.\r\nMAIL FROM:<evil@x.example>\r\n", "421 4.5.0 Bare carriage return (CR) not allowed"),
])
def test_no_smuggling(daemon, data, reply):
    d = daemon()
    c = open_data(d.port)
    c.send(data)
    assert c.read_reply() == reply
    assert c.closed()
    assert d.queued("qf") == [] and d.queued("df") == []
    assert "not allowed, where=body" in d.log_text()


def test_nul_and_long_lines(daemon):
    d = daemon()
    c = Conn(d.port)
    c.read_reply()
    assert c.cmd("NOOP " + "x" * 3000) == "500 5.5.2 Line too long"
    assert c.cmd("NOOP") == "250 2.0.0 OK"           # the session goes on
    assert c.cmd("NO\0OP") == "500 5.5.2 NUL byte in command"
    c.cmd("EHLO x.example")
    c.cmd("MAIL FROM:<a@b.c>")
    c.cmd("RCPT TO:<root>")
    c.cmd("DATA")
    c.send(b"Subject: x\r\n\r\na\0b\r\n.\r\n")
    assert c.read_reply() == "554 5.6.0 Message contains NUL characters"
    # A body line longer than any buffer is kept whole.
    c.cmd("MAIL FROM:<a@b.c>")
    c.cmd("RCPT TO:<root>")
    c.cmd("DATA")
    long_line = "." + "y" * 200000
    c.send("Subject: long\r\n\r\n" + long_line + "\r\nend\r\n.\r\n")
    assert c.read_reply().startswith("250 2.0.0")
    assert read(d.queued("df")[0]) == long_line[1:] + "\nend\n"


def test_transaction_stuffing(daemon):
    d = daemon()
    c = Conn(d.port)
    c.read_reply()
    c.send("EHLO x.example\r\nMAIL FROM:<a@b.c>\r\n")
    assert c.read_reply() == "554 5.5.0 SMTP protocol error"
    assert c.read_reply() == "550 5.0.0 Command rejected"
    c2 = Conn(d.port)
    c2.read_reply()
    c2.cmd("EHLO x.example")
    c2.cmd("MAIL FROM:<a@b.c>")
    c2.cmd("RCPT TO:<root>")
    c2.send("DATA\r\nSubject: early\r\n\r\nx\r\n.\r\n")
    assert c2.read_reply() == "554 5.5.0 SMTP protocol error"
    assert c2.closed()
    assert d.queued("qf") == []


def test_bsmtp_on_a_pipe(empty_cf, run, tmp_path):
    """-bs speaks the same SMTP on standard input and output; as root it
    writes the queue as RunAsUser, so that queue runs can read it."""
    import pwd
    import shutil
    import tempfile
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-bs-", dir="/tmp"))
    base.chmod(0o755)
    q = base / "q"
    q.mkdir()
    nobody = pwd.getpwnam("nobody")
    os.chown(q, nobody.pw_uid, nobody.pw_gid)
    # Queue-only: no background delivery is left rewriting the control
    # file when the directory is removed at the end.
    p = subprocess.Popen(sendmail_cmd(SENDMAIL_CF, "-bs", "-odq", options=[
        f"QueueDirectory={q}", "RunAsUser=nobody"]),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def cmd(line):
        if line is not None:
            p.stdin.write(line.encode() + b"\r\n")
            p.stdin.flush()
        out = b""
        while True:
            l = p.stdout.readline()
            out += l
            if l[3:4] != b"-":
                return out.decode()
    assert cmd(None).startswith("220 ")
    assert cmd("EHLO local").startswith("250-")
    assert cmd("MAIL FROM:<me@example.org>").startswith("250")
    assert cmd("RCPT TO:<someone@far.example>").startswith("250")  # local client may relay
    assert cmd("DATA").startswith("354")
    assert cmd("Subject: s\r\n\r\nhi\r\n.").startswith("250 2.0.0")
    assert cmd("QUIT").startswith("221")
    assert p.wait(timeout=10) == 0
    qf = queue_files(q)
    assert len(qf) == 1
    if os.geteuid() == 0:
        assert qf[0].stat().st_uid == nobody.pw_uid
    assert "$_root@localhost" in qf[0].read_text(errors="replace") or \
        os.geteuid() != 0
    shutil.rmtree(base)
