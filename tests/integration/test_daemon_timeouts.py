"""Server-side timeouts, measured: Timeout.command, Timeout.datablock,
Timeout.ident.  Each fires no earlier than its bound and within a second
after it; a client that keeps talking is not cut off."""
import os
import socket
import time

import pytest

from daemon_util import Conn, factory, open_data
from smarthost import Listener


def wait_closed(c):
    start = time.monotonic()
    c.sock.settimeout(10)
    data = b""
    while True:
        chunk = c.sock.recv(4096)
        if not chunk:
            return time.monotonic() - start, (c.buf + data).decode()
        data += chunk


def test_command_timeout(daemon):
    d = daemon(options=["Timeout.command=2s"])
    # The clock starts before the connection: the server's cannot start
    # earlier, so "no earlier than the bound" is measured safely.
    start = time.monotonic()
    c = Conn(d.port)
    c.read_reply()
    _, rest = wait_closed(c)
    elapsed = time.monotonic() - start
    assert 2.0 <= elapsed <= 3.0, elapsed
    assert rest.startswith("421 4.4.1 ") and "Lost input channel" in rest
    time.sleep(0.2)
    log = d.log_text()
    assert "timeout waiting for input from localhost [127.0.0.1] during " \
           "server cmd read (Timeout.command)" in log
    assert "lost input channel from localhost [127.0.0.1] to MTA after startup" in log


def test_command_timeout_spares_a_talking_client(daemon):
    d = daemon(options=["Timeout.command=2s"])
    c = Conn(d.port)
    c.read_reply()
    for _ in range(5):          # 5 s in all, more than twice the bound
        time.sleep(1)
        assert c.cmd("NOOP") == "250 2.0.0 OK"
    assert c.cmd("QUIT").startswith("221")


def test_datablock_timeout(daemon):
    d = daemon(options=["Timeout.datablock=2s"])
    c = open_data(d.port)
    start = time.monotonic()        # before the last bytes the server reads
    c.send("Subject: stalled\r\n\r\npart of a line")
    elapsed, rest = wait_closed(c)
    elapsed = time.monotonic() - start
    assert 2.0 <= elapsed <= 3.0, elapsed
    assert rest.startswith("421 4.4.1 collect: relay=localhost [127.0.0.1], "
                           "from=<a@b.example>, info=read timeout")
    time.sleep(0.2)
    assert d.queued("qf") == [] and d.queued("df") == []
    assert "during message collect (Timeout.datablock)" in d.log_text()


def test_datablock_spares_a_slow_sender(daemon):
    d = daemon(options=["Timeout.datablock=2s"])
    c = open_data(d.port)
    c.send("Subject: slow\r\n\r\n")
    for i in range(5):
        time.sleep(1)
        c.send(f"line {i}\r\n")
    c.send(".\r\n")
    assert c.read_reply().startswith("250 2.0.0")
    assert len(d.queued("qf")) == 1


class IdentServer(Listener):
    """A listener on 127.0.0.1:113 that answers, or says nothing."""

    def __init__(self, answer=None):
        self.answer = answer
        self.queries = []
        super().__init__(113)

    def handle(self, conn):
        conn.settimeout(5)
        try:
            q = conn.recv(100).decode()
        except OSError:
            q = ""
        self.queries.append(q)
        if self.answer is not None:
            conn.sendall(f"{q.strip()} : {self.answer}\r\n".encode())


@pytest.fixture
def identd():
    if os.geteuid() != 0:
        pytest.skip("port 113 needs root")
    yield from factory(IdentServer)


def test_ident_silent_server_bounded(daemon, identd):
    silent = identd()
    d = daemon(options=["Timeout.ident=2s"])
    start = time.monotonic()
    c = Conn(d.port)
    greeting = c.read_reply()
    elapsed = time.monotonic() - start
    assert greeting.startswith("220 ")
    assert 2.0 <= elapsed <= 3.0, elapsed
    assert len(silent.queries) == 1
    client_port = c.sock.getsockname()[1]
    assert silent.queries[0] == f"{client_port}, {d.port}\r\n"


def test_ident_zero_disables(daemon, identd):
    silent = identd()
    d = daemon(options=["Timeout.ident=0"])
    start = time.monotonic()
    c = Conn(d.port)
    assert c.read_reply().startswith("220 ")
    assert time.monotonic() - start < 1.0
    time.sleep(0.2)
    assert silent.queries == []


def test_ident_answer_names_the_user(daemon, identd):
    identd(answer="USERID : UNIX : joe")
    d = daemon(options=["Timeout.ident=2s"])
    c = Conn(d.port)
    c.read_reply()
    assert "Hello joe@localhost [127.0.0.1]" in c.cmd("EHLO x.example")


@pytest.mark.parametrize("phase", ["commands", "data"])
def test_max_session_time_bounds_a_trickling_client(daemon, phase):
    """Per-read timeouts alone let a client trickle for ever; our
    MaxSessionTime ends the session however it trickles."""
    d = daemon(options=["MaxSessionTime=3s", "Timeout.command=2s",
                        "Timeout.datablock=2s"])
    start = time.monotonic()
    c = open_data(d.port) if phase == "data" else Conn(d.port)
    if phase == "commands":
        c.read_reply()
    got = ""
    c.sock.settimeout(1)
    while time.monotonic() - start < 8:
        try:
            c.send("NOOP\r\n" if phase == "commands" else "x")
        except OSError:
            break
        try:
            chunk = c.sock.recv(4096).decode()
        except socket.timeout:
            chunk = ""
        except OSError:
            break
        got += chunk
        if "421" in got:
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - start
    assert "421 4.4.2 " in got and "Session too long" in got, got
    assert 3.0 <= elapsed <= 4.5, elapsed
    time.sleep(0.2)
    assert "session longer than MaxSessionTime (3s)" in d.log_text()
    assert d.queued("qf") == []
