"""What the queue runner sends to a smart host and how it takes a smart
host that misbehaves (issue: reliability, item 3 outbound)."""
import glob
import os
import time

import pytest

from daemon_util import submit
from smarthost import Raw, Scripted

# Every end-of-data form from the published SMTP smuggling list, and a
# few more line-end mixes, in a data file as a sendmail that accepts
# bare CR or LF could have written it.
SMUGGLED = (b"one\n.\nMAIL FROM:<evil@x>\n"
            b"two\r.\r\nRCPT TO:<victim@y>\n"
            b"three\r\n.\r\nDATA\n"
            b"four\n.\r\nfive\r.\nsix\r\n.\n"
            b"seven\r\r\n.\r\r\n"
            b"..eight\n.nine\r.ten\n"
            b"last line without an end")


def test_no_end_of_data_can_be_smuggled_out(world):
    world["start"]()
    srv = Scripted(world["port"])
    try:
        submit(world["d"], ["x@far.example"])
        (df,) = glob.glob(os.path.join(world["d"].queue, "df*"))
        with open(df, "wb") as f:
            f.write(SMUGGLED)
        r = world["run"]()
        assert "stat=Sent" in r.stderr, r.stderr
        # One message, one end of data, then QUIT: nothing in the body
        # was read as a command.
        assert srv.commands[-2:] == [".", "QUIT"], srv.commands
        assert srv.commands.count(".") == 1
        (data,) = srv.data
        # Only CR LF line ends: no bare CR, no bare LF.
        assert data.count(b"\r") == data.count(b"\r\n") == data.count(b"\n")
        body = data.split(b"\r\n\r\n", 1)[1]
        lines = body.split(b"\r\n")
        # Every line that starts with a dot has it doubled, so no line is
        # "." and every line survives unstuffing.
        assert all(not l.startswith(b".") or l.startswith(b"..")
                   for l in lines), lines
        assert b"MAIL FROM:<evil@x>" in lines
        assert lines[:3] == [b"one", b"..", b"MAIL FROM:<evil@x>"]
        assert b"...eight" in lines and b"..nine" in lines
        assert lines[-2:] == [b"last line without an end", b""]
        assert world["d"].queued("qf") == []
    finally:
        srv.close()


@pytest.mark.parametrize("greeting,ehlo", [
    # 10 MB of continuation lines.
    (b"220-big\r\n" * (10 * 1024 * 1024 // 9), b""),
    # One 10 MB line.
    (b"220 " + b"x" * (10 * 1024 * 1024) + b"\r\n", b""),
    (b"hello there\r\n", b""),
    (b"22\r\n", b""),
    (b"2x0 nonsense\r\n", b""),
    (b"\r\n", b""),
    (b"\x00\x00\x00\x00\r\n", b""),
    (b"220 ok\r\n", b"250-ok\r\n" * 200000 + b"250 done\r\n"),
    (b"220 ok\r\n", b"250-ok\r\nbogus\r\n"),
    (b"220 ok\r\n", b"250-" + b"y" * 100000),
], ids=["10MB-multiline", "10MB-line", "text", "short", "letters",
        "empty", "nul", "ehlo-10MB", "ehlo-bogus", "ehlo-unended"])
def test_malformed_smart_host_replies_defer(world, greeting, ehlo):
    world["start"]()
    srv = Raw(world["port"], greeting, ehlo)
    try:
        submit(world["d"], ["x@far.example"])
        start = time.monotonic()
        r = world["run"]("-O", "Timeout.initial=3s", "-O", "Timeout.helo=3s")
        elapsed = time.monotonic() - start
        assert r.returncode == 0, r.stderr
        assert "stat=Deferred: Connection" in r.stderr, r.stderr
        assert elapsed < 15, elapsed
        # Kept for the next run, and the runner did not send it.
        assert len(world["d"].queued("qf")) == 1
    finally:
        srv.close()
