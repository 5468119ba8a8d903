"""Addresses with bytes outside ASCII.  This program offers no SMTPUTF8
(RFC 6531), so such an address is refused wherever it comes in (MAIL
and RCPT: 553 5.6.7, RFC 6531 section 3.5; the command line: exit 64)."""
import pathlib
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD, ROOT
from daemon_util import Conn
from test_switch import (need_sendmail, need_sendmail_cf, real_sendmail_bs,
                         real_sendmail_cf)

NOT_ASCII = "Non-ASCII address not permitted without SMTPUTF8"


@pytest.fixture
def base():
    d = pathlib.Path(tempfile.mkdtemp(prefix="smd-8bit-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


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
    cmd = [str(BUILD / "sendmaild"), "-C", str(ROOT / "cf" / "cf" /
                                                "sendmail.cf"),
           "-O", f"QueueDirectory={queue}", "-odq", *args]
    r = subprocess.run(cmd, input=text, capture_output=True, timeout=30,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
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
