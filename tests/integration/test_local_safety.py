"""Local delivery as sendmail 8.17 does it where it matters for safety:
how a mailer's exit code is taken."""
import os
import pathlib

import pytest

from test_local import USER, messages, site  # noqa: F401

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


def log_line(stderr, to):
    lines = [l for l in stderr.splitlines() if f"to={to}," in l]
    assert len(lines) == 1, stderr
    return lines[0]


# A mailer's exit code, as sendmail takes it.

# sendmail 8.17's log for a prog mailer that exits with each code: the
# enhanced status, and whether it is tried again.
SENDMAIL_EXITS = {
    1: ("5.3.0", False), 64: ("5.0.0", False), 65: ("5.6.0", False),
    66: ("5.3.0", False), 67: ("5.1.1", False), 68: ("5.1.2", False),
    69: ("5.0.0", False), 70: ("5.3.0", False), 71: ("4.0.0", True),
    72: ("5.3.5", False), 73: ("5.0.0", False), 74: ("4.0.0", True),
    75: ("4.0.0", True), 76: ("5.5.0", False), 77: ("5.0.0", False),
    78: ("5.3.5", False),
}


def test_exit_codes_are_taken_as_sendmail_takes_them(site):
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases("".join(
        f"p{n}: \"|/bin/sh -c 'cat > /dev/null; exit {n}'\"\n"
        for n in SENDMAIL_EXITS))
    for n, (dsn, again) in SENDMAIL_EXITS.items():
        s.send([f"p{n}@localhost"])
        r = s.run_queue()
        line = log_line(r.stderr, f"\"|/bin/sh -c 'cat > /dev/null; "
                        f"exit {n}'\"")
        assert f"dsn={dsn}, stat=" in line, (n, line)
        assert ("stat=Deferred" in line) == again, (n, line)
        # Deferred: the message waits; else the sender gets a report.
        qf = s.d.queued("qf")
        assert len(qf) == 1, n
        rcpts = [l for l in pathlib.Path(s.d.queue, qf[0]).read_text(
            errors="replace").splitlines() if l.startswith("R")]
        assert any(f"<p{n}@localhost>" in l for l in rcpts) == again, \
            (n, rcpts)
        for f in s.d.queued("qf") + s.d.queued("df"):
            os.unlink(os.path.join(s.d.queue, f))


def test_file_that_cannot_be_made_fails_for_good(site):
    # sendmail: "dsn=5.0.0, stat=Can't create output" (EX_CANTCREAT),
    # and the sender hears of it; it is not tried again.
    s = site(options=["DeliveryMode=queueonly"])
    locked = s.base / "locked"
    locked.mkdir()
    locked.chmod(0o755)                 # DefaultUser may not write here
    s.set_aliases(f"team: {USER}, {locked}/team.mbox\n")
    s.send(["team@localhost"])
    r = s.run_queue()
    line = log_line(r.stderr, f"{locked}/team.mbox")
    assert "dsn=5.0.0" in line and "Permission denied" in line, line
    assert len(messages(s.mailbox())) == 1
    s.run_queue()                       # the report, queued by the first
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert "team.mbox" in s.rec.messages[0][2].decode()
    assert s.d.queued("qf") == []
