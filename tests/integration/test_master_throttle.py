"""The master and sessions that crash: a listener whose sessions die on a
signal forks no faster than once a second until one ends normally."""
import os
import signal
import time

from daemon_util import Conn, session_children, wait_for


def greeting_times(d, n):
    """Open n connections at once; the seconds until each is greeted."""
    start = time.monotonic()
    conns = [Conn(d.port) for _ in range(n)]
    times = []
    for c in conns:
        c.sock.settimeout(15)
        assert c.read_reply().startswith("220 ")
        times.append(time.monotonic() - start)
    return conns, times


def test_crashing_sessions_throttle_their_listener(daemon):
    d = daemon()
    c = Conn(d.port)
    assert c.read_reply().startswith("220 ")
    (kid,) = session_children(d)
    # SIGKILL as the crash: a sanitized build would catch SIGSEGV and
    # exit instead, and nothing here leaves a core file.
    os.kill(kid, signal.SIGKILL)
    assert wait_for(lambda: "died on signal 9" in d.log_text(), 5)
    assert "daemon MTA: a session died on signal 9; sessions start at " \
        "most once a second until one ends normally" in d.log_text()
    # Four clients at once: one session a second.
    conns, times = greeting_times(d, 4)
    assert times[3] - times[0] >= 2.5, times
    # One that ends normally lifts the throttle.
    assert conns[0].cmd("QUIT").startswith("221 ")
    assert wait_for(lambda: "sessions start without delay again"
                    in d.log_text(), 5)
    _, times = greeting_times(d, 5)
    assert times[-1] < 2.0, times


def test_sessions_that_end_normally_are_not_throttled(daemon):
    d = daemon()
    for _ in range(3):
        c = Conn(d.port)
        assert c.read_reply().startswith("220 ")
        assert c.cmd("QUIT").startswith("221 ")
    _, times = greeting_times(d, 5)
    assert times[-1] < 2.0, times
    assert "sessions start at most once a second" not in d.log_text()
