"""Load (issue: reliability and security, item 4): 500 clients at once
against MaxDaemonChildren=50.  Every client is served in time, the
master keeps answering, and no session process is left over."""
import threading
import time

from daemon_util import Conn, session_children, wait_for


def test_five_hundred_clients(daemon):
    d = daemon(options=["MaxDaemonChildren=50"])
    ok, errors = [], []

    def client():
        try:
            c = Conn(d.port, timeout=60)
            assert c.read_reply().startswith("220 ")
            assert c.cmd("NOOP") == "250 2.0.0 OK"
            c.cmd("QUIT")
            c.close()
            ok.append(1)
        except Exception as e:          # recorded, then asserted below
            errors.append(repr(e))
    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert len(ok) == 500, errors[:3]
    assert time.monotonic() - start < 90
    # The master still answers, and every session process is gone.
    c = Conn(d.port)
    assert c.read_reply().startswith("220 ")
    c.cmd("QUIT")
    wait_for(lambda: session_children(d) == [], limit=5)
    assert session_children(d) == []
