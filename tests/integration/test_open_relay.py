"""Open relay: the address forms relay tests use, sent by a client that
may not relay (127.0.0.2), are never accepted for a remote destination
(issue: reliability and security, item 5)."""
import pytest

from daemon_util import Conn

FORMS = [
    "user@far.example",
    "user%far.example@localhost",
    "user%far.example@[127.0.0.1]",
    "far.example!user@localhost",
    "far.example!user",
    "@localhost:user@far.example",
    "@localhost,@localhost:user@far.example",
    '"user@far.example"@localhost',
    '"user@far.example"',
    "user@far.example@localhost",
    "user@[192.0.2.1]",
    "user@[IPv6:2001:db8::1]",
    "user@localhost@far.example",
    "user%far.example",
    "far.example!user%localhost@localhost",
    "user@far.example.",
    "<user@far.example>",
    "user@FAR.EXAMPLE",
]


@pytest.fixture(scope="module")
def relay_daemon():
    from daemon_util import Daemon
    d = Daemon()
    yield d
    d.stop()


@pytest.mark.parametrize("form", FORMS)
def test_never_relays(relay_daemon, form):
    c = Conn(relay_daemon.port, source="127.0.0.2")
    c.read_reply()
    c.cmd("EHLO attacker.example")
    assert c.cmd("MAIL FROM:<spam@attacker.example>").startswith("250")
    reply = c.cmd(f"RCPT TO:<{form}>" if not form.startswith("<")
                  else f"RCPT TO:{form}")
    assert reply[0] in "45", (form, reply)
    # And the daemon goes on serving.
    assert c.cmd("RSET") == "250 2.0.0 Reset state"
    c.close()
    assert relay_daemon.queued("qf") == []
