"""Limits per client address: its share of MaxDaemonChildren, the
access map's ClientConn: and ClientRate: entries (FEATURE(conncontrol),
FEATURE(ratecontrol)), the counts the master passes to the session as
${client_connections} and ${client_rate}, and AUTH failures remembered
across connections.  Each attack comes from one address, 127.0.0.1 or,
where this host's own 127.0.0.1 is spared, 127.0.0.3, while a client at
127.0.0.2 (also on lo in the tests' network) must be served within a
second."""
import base64
import socket
import threading
import time

from cfgen import access_daemon
from daemon_util import Conn, free_port, wait_for
from tlsutil import PASSWORD, USER, auth_options

GREETING = "SmtpGreetingMessage=$j conns=${client_connections} rate=${client_rate}"
ATTACKER = "127.0.0.3"


def served_quickly(port, source="127.0.0.2"):
    """A client at source gets its greeting and EHLO reply within a
    second; the seconds it took."""
    start = time.monotonic()
    c = Conn(port, source=source, timeout=3)
    assert c.read_reply().startswith("220 ")
    assert c.cmd("EHLO other.example").startswith("250-")
    took = time.monotonic() - start
    c.cmd("QUIT")
    c.close()
    assert took < 1.0, took
    return took


def open_sessions(port, limit, source=ATTACKER, seconds=10):
    """At most limit connections from source within seconds, left open
    and silent after the first reply: the ones greeted, and the first
    replies of the others."""
    held, refused = [], []
    end = time.monotonic() + seconds
    while len(held) + len(refused) < limit and time.monotonic() < end:
        c = Conn(port, source=source, timeout=3)
        reply = c.read_reply()
        if reply.startswith("220 "):
            held.append(c)
        else:
            refused.append(reply)
            assert c.closed()
            c.close()
    return held, refused


def test_one_address_gets_half_the_children(daemon):
    d = daemon(options=["MaxDaemonChildren=6"])
    # A slow-loris client: ten connections that never say a word.
    held, refused = open_sessions(d.port, 10)
    assert len(held) == 3
    assert refused == ["421 4.3.2 Too many open connections."] * 7
    served_quickly(d.port)
    assert "refusing connections from [127.0.0.3]: 3 open, at most 3 " \
        "from one address (MaxClientShare)" in d.log_text()
    # Its sessions still count against MaxDaemonChildren as a whole:
    # two more addresses take the other three children.
    others = [Conn(d.port, source=src) for src in
              ("127.0.0.2", "127.0.0.2", "127.0.0.4")]
    for c in others:
        assert c.read_reply().startswith("220 ")
    late = Conn(d.port, source="127.0.0.5", timeout=1.5)
    try:
        got = late.read_reply()
    except OSError:
        got = None
    assert got is None              # waits in the listen queue
    held[0].cmd("QUIT")
    late.sock.settimeout(5)
    assert late.read_reply().startswith("220 ")


def test_share_is_an_option(daemon):
    d = daemon(options=["MaxDaemonChildren=10", "MaxClientShare=20"])
    held, refused = open_sessions(d.port, 4)
    assert (len(held), len(refused)) == (2, 2)
    d2 = daemon(options=["MaxDaemonChildren=4",
                         "MaxClientShare=100"])
    held2, refused2 = open_sessions(d2.port, 4)
    assert (len(held2), len(refused2)) == (4, 0)
    # This host's own programs (127.0.0.1, ::1) have no share.
    d3 = daemon(options=["MaxDaemonChildren=4"])
    held3, refused3 = open_sessions(d3.port, 4, source="127.0.0.1")
    assert (len(held3), len(refused3)) == (4, 0)


def greeting(port):
    """The greeting of a session from 127.0.0.1, which then ends."""
    c = Conn(port)
    reply = c.read_reply()
    c.cmd("QUIT")
    c.close()
    return reply


def test_counts_reach_the_session(daemon):
    d = daemon(options=[GREETING, "ConnectionRateWindowSize=2s"])
    a = Conn(d.port)
    assert a.read_reply().endswith(" conns=1 rate=1")
    b = Conn(d.port)
    assert b.read_reply().endswith(" conns=2 rate=2")
    other = Conn(d.port, source="127.0.0.2")
    assert other.read_reply().endswith(" conns=1 rate=1")
    a.cmd("QUIT")
    a.close()
    # Once a's session is reaped: b and the new one.
    assert wait_for(lambda: " conns=2 " in greeting(d.port), 5)
    # The window is two seconds: then the rate starts again.
    time.sleep(2.5)
    assert greeting(d.port).endswith(" conns=2 rate=1")


def connect_loop(port, replies, started, stop, limit=40, seconds=6):
    """Connect from 127.0.0.1 again and again (at most limit times,
    seconds long), keeping each first reply; started is set after 5."""
    end = time.monotonic() + seconds
    while len(replies) < limit and time.monotonic() < end and \
            not stop.is_set():
        c = Conn(port, timeout=3)
        replies.append(c.read_reply())
        c.close()
        if len(replies) == 5:
            started.set()
    started.set()


def test_client_rate_terminate(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir,
                      "ClientRate:127.0.0.1\t3\nClientRate:\t100\n",
                      "FEATURE(`ratecontrol', `', `terminate')dnl\n",
                      options=[GREETING])
    replies, started, stop = [], threading.Event(), threading.Event()
    t = threading.Thread(target=connect_loop,
                         args=(d.port, replies, started, stop))
    t.start()
    try:
        assert started.wait(10)
        served_quickly(d.port)
    finally:
        stop.set()
        t.join(15)
    assert len(replies) >= 5
    assert [r.split(" rate=")[1] for r in replies[:3]] == ["1", "2", "3"]
    assert set(replies[3:]) == {"421 4.3.2 Connection rate limit exceeded."}
    assert "ruleset=check_relay, arg1=localhost, arg2=127.0.0.1, relay=" \
        "localhost [127.0.0.1], reject=421 4.3.2 " \
        "Connection rate limit exceeded." in d.log_text()


def mail_replies(port, source, n):
    """The replies to MAIL in n sessions from source, all left open."""
    sessions = [Conn(port, source=source) for _ in range(n)]
    for c in sessions:
        c.read_reply()
        c.cmd("EHLO x.example")
    return [c.cmd("MAIL FROM:<a@b.example>")[:3] for c in sessions]


def test_client_conn_without_terminate(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir,
                      "ClientConn:127.0.0.1\t1\nClientConn:\t2\n"
                      "ClientConn:127.0.1\t1\n"
                      "ClientConn:127.0.0.4\t0\nConnect:127.0.0.5\tOK\n"
                      "ClientConn:127.0.0.5\t1\n"
                      "ClientConn:127.0.0.6\tmany\n",
                      "FEATURE(`conncontrol')dnl\n")
    first = Conn(d.port)
    first.read_reply()
    second = Conn(d.port)
    # 452: the greeting, and every command but a few refused (sendmail's
    # rules and its "nullserver" mode).
    assert second.read_reply().startswith("220 ")
    assert second.cmd("EHLO x.example").splitlines()[-1] == \
        "250 ENHANCEDSTATUSCODES"
    assert second.cmd("MAIL FROM:<a@b.example>") == \
        "452 4.3.2 Too many open connections."
    assert second.cmd("NOOP") == "250 2.0.0 OK"
    # Each refused command counts as a bad one: 25 end the session.
    for _ in range(24):
        assert second.cmd("RCPT TO:<root>").startswith("452 4.3.2 ")
    reply = second.read_reply()
    assert reply.startswith("421 4.7.0 ") and \
        reply.endswith(" Too many bad commands; closing connection")
    assert first.cmd("EHLO x.example").startswith("250-")
    assert first.cmd("MAIL FROM:<a@b.example>").startswith("250 ")
    # 127.0.0.2 has the default entry, 127.0.1.5 its net's.
    assert mail_replies(d.port, "127.0.0.2", 3) == ["250", "250", "452"]
    assert mail_replies(d.port, "127.0.1.5", 2) == ["250", "452"]
    # 0 is no limit; Connect: OK skips the check; a word is no number.
    for src in ("127.0.0.4", "127.0.0.5", "127.0.0.6"):
        assert mail_replies(d.port, src, 3) == ["250"] * 3
    assert "ClientConn entry for [127.0.0.6] is not a number: many" in \
        d.log_text()


def test_client_conn_with_delay_checks(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir, "ClientConn:127.0.0.1\t1\n",
                      "FEATURE(`delay_checks')dnl\n"
                      "FEATURE(`conncontrol')dnl\n")
    first = Conn(d.port)
    first.read_reply()
    second = Conn(d.port)
    second.read_reply()
    second.cmd("EHLO x.example")
    assert second.cmd("MAIL FROM:<a@b.example>").startswith("250 ")
    assert second.cmd("RCPT TO:<root>") == \
        "452 4.3.2 <root>... Too many open connections."
    # A 421 there ends the session.
    sub = readable_dir / "terminate"
    sub.mkdir()
    d2 = access_daemon(daemon, sub, "ClientConn:127.0.0.1\t1\n",
                       "FEATURE(`delay_checks')dnl\n"
                       "FEATURE(`conncontrol', `', `terminate')dnl\n")
    first = Conn(d2.port)
    first.read_reply()
    second = Conn(d2.port)
    second.read_reply()
    second.cmd("EHLO x.example")
    second.cmd("MAIL FROM:<a@b.example>")
    assert second.cmd("RCPT TO:<root>") == \
        "421 4.3.2 <root>... Too many open connections."
    assert second.closed()
    # With nodelay it comes at once, instead of the greeting.
    sub = readable_dir / "nodelay"
    sub.mkdir()
    d3 = access_daemon(daemon, sub, "ClientConn:127.0.0.1\t1\n",
                       "FEATURE(`delay_checks')dnl\n"
                       "FEATURE(`conncontrol', `nodelay', `terminate')dnl\n")
    first = Conn(d3.port)
    first.read_reply()
    second = Conn(d3.port)
    assert second.read_reply() == "421 4.3.2 Too many open connections."
    assert second.closed()


def plain(user, password):
    """An AUTH PLAIN command line."""
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
    return f"AUTH PLAIN {token}"


def ehlo_session(port, source=ATTACKER):
    c = Conn(port, source=source, timeout=20)
    assert c.read_reply().startswith("220 ")
    assert c.cmd("EHLO x.example").startswith("250-")
    return c


def timed(c, line):
    """The reply to line and the seconds it took."""
    start = time.monotonic()
    reply = c.cmd(line)
    return reply, time.monotonic() - start


def test_auth_failures_slow_one_address_down(daemon, sasl):
    d = daemon(options=auth_options(sasl))
    wrong = plain(USER, "guess")
    failed = "535 5.7.0 authentication failed"
    a = ehlo_session(d.port)
    # Two tries at once, then 1 second before the third is looked at.
    for want_max in (0.5, 0.5):
        reply, took = timed(a, wrong)
        assert (reply, took < want_max) == (failed, True), took
    reply, took = timed(a, wrong)
    assert reply == failed and took >= 0.9, took
    assert "[127.0.0.3]: possible SMTP attack: command=AUTH, count=3" in \
        d.log_text()
    a.close()
    # Another connection from the address goes on where that one left.
    b = ehlo_session(d.port)
    reply, took = timed(b, wrong)
    assert reply == failed and took >= 1.9, took
    # Two more side by side wait 4 and 8 seconds, and the sixth is not
    # looked at: the session ends as after too many bad commands.
    results = []
    conns = [b, ehlo_session(d.port)]

    def attack(c):
        results.append(timed(c, wrong))
    threads = [threading.Thread(target=attack, args=(c,)) for c in conns]
    for t in threads:
        t.start()
        time.sleep(0.2)
    try:
        # Meanwhile another address logs in at once, and its first
        # wrong password is answered at once too.
        start = time.monotonic()
        other = ehlo_session(d.port, source="127.0.0.2")
        assert other.cmd(plain(USER, PASSWORD)) == \
            "235 2.0.0 OK Authenticated"
        assert time.monotonic() - start < 1.0
        third = ehlo_session(d.port, source="127.0.0.4")
        reply, took = timed(third, wrong)
        assert reply == failed and took < 0.5, took
    finally:
        for t in threads:
            t.join(20)
    results.sort(key=lambda r: r[1])
    assert results[0][0] == failed and results[0][1] >= 3.5, results
    assert results[1][0].startswith("421 4.7.0 ") and \
        results[1][0].endswith(" Too many bad commands; closing connection")
    assert results[1][1] >= 7.5, results
    assert d.log_text().count("possible SMTP attack") == 1
    # A client that hangs up while it waits (8 seconds now) ends its
    # session then.
    lost = "lost input channel from [127.0.0.3] to MTA after AUTH"
    before = d.log_text().count(lost)
    c = ehlo_session(d.port)
    c.send(wrong + "\r\n")
    time.sleep(0.3)
    c.close()
    assert wait_for(lambda: d.log_text().count(lost) == before + 1, 3)
    # This host's own programs count per connection, as sendmail does:
    # the users of a webmail are many people behind 127.0.0.1.
    local = ehlo_session(d.port, source="127.0.0.1")
    waits = [timed(local, wrong)[1] for _ in range(3)]
    assert waits[0] < 0.5 and waits[1] < 0.5 and waits[2] >= 0.9, waits
    local = ehlo_session(d.port, source="127.0.0.1")
    reply, took = timed(local, wrong)
    assert reply == failed and took < 0.5, took


def test_ipv6_client(daemon, readable_dir):
    port6 = free_port()
    d = access_daemon(daemon, readable_dir, "ClientConn:IPv6:::1\t1\n",
                      "FEATURE(`conncontrol', `', `terminate')dnl\n",
                      options=[GREETING, f"DaemonPortOptions=Port={port6}, "
                               "Addr=::1, Family=inet6, Name=MTA6"])
    first = socket.create_connection(("::1", port6), timeout=3)
    assert first.recv(1000).endswith(b" conns=1 rate=1\r\n")
    second = socket.create_connection(("::1", port6), timeout=3)
    assert second.recv(1000) == b"421 4.3.2 Too many open connections.\r\n"
    assert "arg2=::1, relay=v6only.test [::1], reject=421 4.3.2" in \
        d.log_text()
    first.close()
    second.close()
