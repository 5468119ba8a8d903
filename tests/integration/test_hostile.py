"""Hostile clients: each case asserts the reply and that the server
keeps serving (issue: reliability and security, item 3)."""
import time

import pytest

from daemon_util import Conn


@pytest.fixture(scope="module")
def d():
    from daemon_util import Daemon
    daemon = Daemon(options=["Timeout.command=3s"])
    yield daemon
    daemon.stop()


def fresh(d):
    c = Conn(d.port)
    assert c.read_reply().startswith("220 ")
    return c


def still_serving(d):
    c = fresh(d)
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    c.close()


@pytest.mark.parametrize("line,reply", [
    (b"EHLO " + b"a" * 5000, "500 5.5.2 Line too long"),
    (b"MAIL FROM:<" + b"a" * 400 + b"@b.example>", "553 5.1.3 <"),
    (b"EHLO \x80\xff\xfe.example", "501 5.0.0 Invalid domain name"),
    (b"EHLO $(reboot).example", "501 5.0.0 Invalid domain name"),
    (b"EHLO `id`", "501 5.0.0 Invalid domain name"),
    (b"EHLO ${HOME}", "501 5.0.0 Invalid domain name"),
    (b"MAIL FROM:<<a@b.example>>", "553 5.0.0"),
    (b"MAIL FROM:<a@b.example", "553 5.0.0"),
    (b"MAIL FROM:<\"unterminated@b.example>", "553 5.0.0"),
    (b"MAIL FROM:<(comment)a@b.example>", "250 2.1.0"),
    (b"MAIL FROM:<a@b.example> SIZE=99999999999999999999999", "501 5.5.2"),
    (b"MAIL FROM:<a@b\x80.example>", "553 5.6.7 <a@b?.example>... Non-ASCII"),
    (b"MAIL FROM:<a\x00b@c.example>", "500 5.5.2 NUL byte in command"),
    (b"\x00", "500 5.5.2 NUL byte in command"),
    (b"\xff\xfe\xfd", '500 5.5.1 Command unrecognized'),
    (b"MAIL FROM:<${run}@b.example>", "250 2.1.0"),
])
def test_bad_commands(d, line, reply):
    c = fresh(d)
    c.cmd("EHLO client.example")
    c.send(line + b"\r\n")
    got = c.read_reply()
    assert got.startswith(reply), (line[:60], got)
    assert c.cmd("RSET") == "250 2.0.0 Reset state"
    c.close()
    still_serving(d)


# (command, what follows the bad bytes, reply to 0x80 0xFF).  NUL gets
# "500 5.5.2 NUL byte in command" in every one of them.
EIGHT_BIT = [
    (b"HELO ", b"", "501 5.0.0 Invalid domain name"),
    (b"EHLO ", b"", "501 5.0.0 Invalid domain name"),
    (b"MAIL FROM:<a", b"@b.example>", "553 5.6.7 <a??@b.example>... "
     "Non-ASCII address not permitted without SMTPUTF8"),
    (b"RCPT TO:<a", b"@b.example>", "553 5.6.7 <a??@b.example>... "
     "Non-ASCII address not permitted without SMTPUTF8"),
    (b"VRFY a", b"", "550 5.1.1 a"),
    (b"EXPN a", b"", "550 5.1.1 a"),
    (b"NOOP ", b"", "250 2.0.0 OK"),
    (b"RSET ", b"", "250 2.0.0 Reset state"),
    (b"HELP ", b"", "504 5.3.0 HELP topic"),
    (b"ETRN ", b"", "502 5.5.1 Command not implemented"),
    (b"DATA ", b"", "503 5.0.0 Need MAIL command"),
    (b"VERB ", b"", "250 2.0.0 Verbose mode"),
    (b"STARTTLS ", b"", "501 5.5.2 Syntax error (no parameters allowed)"),
]


@pytest.mark.parametrize("bad", [b"\x00", b"\x80\xff"], ids=["nul", "8bit"])
@pytest.mark.parametrize("cmd,tail,reply", EIGHT_BIT,
                         ids=[c[0].split()[0].decode() for c in EIGHT_BIT])
def test_nul_and_8bit_in_every_command(d, cmd, tail, reply, bad):
    c = fresh(d)
    if not cmd.startswith((b"HELO", b"EHLO")):
        c.cmd("EHLO client.example")
    if cmd.startswith(b"RCPT"):
        c.cmd("MAIL FROM:<a@b.example>")
    c.send(cmd + bad + tail + b"\r\n")
    got = c.read_reply()
    want = "500 5.5.2 NUL byte in command" if bad == b"\x00" else reply
    assert got.startswith(want), (cmd, bad, got)
    # Nothing of the line is taken as a second command.
    assert c.cmd("NOOP") == "250 2.0.0 OK"
    c.close()
    still_serving(d)


def test_rcpt_address_forms(d):
    c = fresh(d)
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@b.example>")
    for rcpt, reply in [
            ("<root;reboot>", "553 5.1.3"),
            ("<root|cat /etc/passwd>", "553 5.1.3"),
            ("<\"root\\\"x\">", "550 5.1.1"),
            ("<root@localhost> NOTIFY=SUCCESS NOTIFY=DELAY", "501 5.5.4"),
            ("<@>", "553 5.1.3"),
            ("<@@@>", "553 5.1.3"),
            ("<a@[999.999.999.999]>", "553 5.1.2"),
            ("<a@[IPv6:zz::1]>", "553 5.1.2"),
            ("<a@[1.2.3]>", "553 5.1.2"),
            ("<>", "553 5.0.0 <>... User address required")]:
        got = c.cmd(f"RCPT TO:{rcpt}")
        assert got.startswith(reply), (rcpt, got)
    assert c.cmd("RCPT TO:<root>").startswith("250")


def test_100_kb_without_a_line_end(d):
    c = fresh(d)
    start = time.monotonic()
    c.send(b"x" * 100_000)
    # The line never ends: the server waits at most Timeout.command.
    got = c.read_reply()
    assert got == "500 5.5.2 Line too long" or got.startswith("421")
    c.sock.settimeout(10)
    while c.sock.recv(4096):
        pass
    assert time.monotonic() - start < 8
    still_serving(d)


def test_ten_thousand_recipients(d):
    """Pipelined at once: the first 1000 (MaxRecipientsPerMessage)
    are taken, each one after gets 452, the message goes to the 1000."""
    c = fresh(d)
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@b.example>")
    batch = "".join(f"RCPT TO:<root+{i}@localhost>\r\n" for i in range(10000))
    c.send(batch)
    replies = [c.read_reply() for _ in range(10000)]
    assert all(r.startswith("250 2.1.5") for r in replies[:1000])
    assert all(r == "452 4.5.3 Too many recipients" for r in replies[1000:])
    assert c.cmd("DATA").startswith("354")
    c.send("Subject: many\r\n\r\nx\r\n.\r\n")
    assert c.read_reply().startswith("250 2.0.0")
    still_serving(d)


def test_long_header_line(d):
    c = fresh(d)
    c.cmd("EHLO client.example")
    c.cmd("MAIL FROM:<a@b.example>")
    c.cmd("RCPT TO:<root>")
    c.cmd("DATA")
    c.send("X-Long: " + "h" * 40000 + "\r\n\r\nbody\r\n.\r\n")
    assert c.read_reply() == "552 5.6.0 Headers too large (32768 max)"
    still_serving(d)


def test_talking_before_the_greeting(d):
    c = Conn(d.port)
    c.send("EHLO early.example\r\n")
    assert c.read_reply().startswith("220 ")
    # What came early is read as the next command, and answered.
    assert c.read_reply().startswith("250")
    still_serving(d)
