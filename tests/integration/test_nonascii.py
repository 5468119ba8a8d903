"""Addresses with bytes outside ASCII.  This program offers no SMTPUTF8
(RFC 6531), so such an address is refused wherever it comes in (MAIL
and RCPT: 553 5.6.7, RFC 6531 section 3.5; the command line: exit 64)
and never sent on: one found in a queue that sendmail 8.17 left (it
takes them, and queues them as they came) fails with 5.6.7 and is
bounced, not written raw to a server."""
import os
import pathlib
import re

import pytest

from cfgen import relay_cf
from daemon_util import (SENDMAIL_CF, Conn, envelope, free_port, need_sendmail,
                         need_sendmail_cf, queue_files, real_sendmail_bs,
                         real_sendmail_cf, sendmail)
from smarthost import Scripted

NOT_ASCII = "Non-ASCII address not permitted without SMTPUTF8"


def raw(c, line):
    """Send one command line of bytes; the reply."""
    c.send(line + b"\r\n")
    return c.read_reply()


def test_server_refuses_non_ascii_paths(daemon):
    """EHLO offers no SMTPUTF8, so MAIL and RCPT with a byte outside
    ASCII get 553 5.6.7, the path shown with '?' for those bytes; the
    session goes on and a message without them is taken."""
    d = daemon(options=["DeliveryMode=queueonly"])
    c = Conn(d.port)
    c.read_reply()
    ehlo = c.cmd("EHLO client.example")
    assert "SMTPUTF8" not in ehlo
    assert raw(c, b"MAIL FROM:<caf\xc3\xa9@example.org>") == \
        f"553 5.6.7 <caf??@example.org>... {NOT_ASCII}"
    assert c.cmd("MAIL FROM:<cafe@example.org>").startswith("250 ")
    for path, shown in [(b"\xc3(bad@far.example", "?(bad@far.example"),
                        (b"j\xc3\xb6rg@localhost", "j??rg@localhost"),
                        (b"root@\xc3\xa9xample.org", "root@??xample.org"),
                        (b"\"caf\xc3\xa9\"@far.example",
                         "\"caf??\"@far.example")]:
        assert raw(c, b"RCPT TO:<" + path + b">") == \
            f"553 5.6.7 <{shown}>... {NOT_ASCII}"
    assert c.cmd("RCPT TO:<plain@far.example>").startswith("250 ")
    assert c.cmd("DATA").startswith("354")
    c.send("Subject: ascii\r\n\r\nhello\r\n.\r\n")
    assert "Message accepted" in c.read_reply()
    c.close()
    [qf] = d.queued("qf")
    text = pathlib.Path(qf).read_bytes()
    assert re.findall(rb"^R[A-Z]*:(.*)$", text, re.M) == \
        [b"<plain@far.example>"]
    assert not re.search(rb"[\x80-\xff]", text.split(b"\nH", 1)[0])


def test_sendmail_817_takes_them(base):
    """What makes this program differ (sendmaild(7)): Debian's sendmail
    8.17 offers no SMTPUTF8 either, yet answers 250 to such a RCPT,
    showing the address with the eighth bits stripped."""
    need_sendmail_cf()
    need_sendmail()
    queue = base / "mqueue"
    queue.mkdir(mode=0o700)
    cf = real_sendmail_cf(base, queue)
    replies = real_sendmail_bs(cf, [b"EHLO client.example",
                                    b"MAIL FROM:<dave@example.org>",
                                    b"RCPT TO:<caf\xc3\xa9@far.example>",
                                    b"QUIT"])
    assert b"SMTPUTF8" not in replies[1]
    assert replies[3] == b"250 2.1.5 <cafC)@far.example>... Recipient ok\r\n"


def submit(base, args, text):
    queue = base / "q"
    queue.mkdir(exist_ok=True)
    home = base / "home"
    home.mkdir(exist_ok=True)
    r = sendmail(SENDMAIL_CF, "-odq", *args,
                 options=[f"QueueDirectory={queue}"], input=text, text=False,
                 timeout=30, env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    return r, list(queue.iterdir()), list(home.iterdir())


@pytest.mark.parametrize("args,text,bad", [
    ([b"caf\xc3\xa9@far.example"], b"Subject: t\n\nhi\n",
     b"caf\xc3\xa9@far.example"),
    ([b"-f", b"d\xc3\xa9@example.org", b"ok@far.example"],
     b"Subject: t\n\nhi\n", b"d\xc3\xa9@example.org"),
    ([b"-t"], b"To: ok@far.example, j\xc3\xb6rg@far.example\n"
     b"Subject: t\n\nhi\n", b"j\xc3\xb6rg@far.example"),
], ids=["argument", "sender", "header"])
def test_command_line_refuses_them(base, args, text, bad):
    """An address outside ASCII on the command line, in -f or in a -t
    header: exit 64 (EX_USAGE, what sendmail 8.17 exits with for one
    given as an argument), the address named, nothing queued, nothing
    in dead.letter."""
    r, queued, home = submit(base, args, text)
    assert r.returncode == 64, r.stderr
    assert bad + b"... " + NOT_ASCII.encode() + b"\n" in r.stderr
    assert queued == [] and home == []


def run_ours(base, queue, port):
    ours = base / "ours"
    ours.mkdir(exist_ok=True)
    cf = relay_cf(ours, port, name="ours")
    return sendmail(cf, "-qf", options=[
        f"QueueDirectory={queue}", f"HostStatusDirectory={ours}/.hoststat",
        "RunAsUser=nobody", "MaxRunnersPerQueue=1"])


def queued(queue):
    """(sender, [recipients]) of each control file in queue, as bytes,
    sorted."""
    return sorted(envelope(qf, binary=True)[1:] for qf in queue_files(queue))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become users")
def test_queue_from_sendmail_never_sends_them_raw(base):
    """sendmail 8.17 queued a message to an ASCII recipient and one
    outside ASCII (and a local one), and a message from a sender outside
    ASCII.  Our
    queue run gives the smart host the first message for the ASCII
    recipient only, and nothing of the second; each address outside
    ASCII fails with 5.6.7 and is bounced, never written to the
    server."""
    need_sendmail_cf()
    need_sendmail()
    queue = base / "mqueue"
    queue.mkdir(mode=0o700)
    cf = real_sendmail_cf(base, queue)
    for sender, rcpts in [(b"dave@example.org",
                           [b"ok@far.example", b"caf\xc3\xa9@far.example",
                            b"j\xc3\xb6rg@localhost"]),
                          (b"d\xc3\xa9@example.org", [b"erin@far.example"])]:
        replies = real_sendmail_bs(cf, [
            b"EHLO client.example", b"MAIL FROM:<" + sender + b">",
            *[b"RCPT TO:<" + r + b">" for r in rcpts], b"DATA",
            b"Subject: eight bits\r\n\r\nhello\r\n.", b"QUIT"])
        assert b"Message accepted for delivery" in replies[-2], replies
    # As sendmail queued them: the addresses as they came.
    assert queued(queue) == [
        (b"<dave@example.org>", [b"<j\xc3\xb6rg@localhost>",
                                 b"<ok@far.example>",
                                 b"<caf\xc3\xa9@far.example>"]),
        (b"<d\xc3\xa9@example.org>", [b"<erin@far.example>"])]

    port = free_port()
    srv = Scripted(port, caps=("PIPELINING", "8BITMIME"))
    try:
        r = run_ours(base, queue, port)
    finally:
        srv.close()
    assert r.returncode == 0, r.stderr
    sent = "\n".join(srv.lines)
    assert not re.search("[\x80-\xff]", sent), sent
    envelope = [l for l in srv.lines if l.upper().startswith(("MAIL", "RCPT"))]
    assert len(envelope) == 2, envelope
    assert envelope[0].startswith("MAIL From:<dave@example.org>")
    assert envelope[1] == "RCPT To:<ok@far.example>"
    assert len(srv.data) == 1
    assert re.search(r"to=<caf\S+@far\.example>, .*dsn=5\.6\.7, "
                     r"stat=Non-ASCII address not sent", r.stderr), r.stderr
    assert re.search(r"to=<erin@far\.example>, .*dsn=5\.6\.7, "
                     r"stat=Non-ASCII sender address", r.stderr), r.stderr
    # A local one: the local delivery says the same.
    assert re.search(r"to=<j\S+@localhost>, .*mailer=local, .*dsn=5\.6\.7, "
                     r"stat=" + NOT_ASCII, r.stderr), r.stderr
    # Both originals done; a bounce to each sender, with the reason.
    assert queued(queue) == [(b"<>", [b"<dave@example.org>"]),
                             (b"<>", [b"<d\xc3\xa9@example.org>"])]
    reports = b"".join(df.read_bytes() for df in queue_files(queue, "df"))
    assert reports.count(b"Status: 5.6.7") == 3

    # The bounce to the sender outside ASCII cannot go either: it fails
    # in turn, and postmaster gets the double bounce.
    srv = Scripted(port)
    try:
        r = run_ours(base, queue, port)
    finally:
        srv.close()
    assert not re.search("[\x80-\xff]", "\n".join(srv.lines))
    assert queued(queue) == [(b"<>", [b"<postmaster>"])], r.stderr
