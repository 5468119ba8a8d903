"""The master: relaying from other addresses, the access map, many
clients at once, MaxDaemonChildren, SIGHUP and SIGTERM."""
import os
import re
import signal
import smtplib
import subprocess
import threading
import time

from cfgen import HEAD, access_daemon, build_cf, makemap
from conftest import ROOT
from daemon_util import (RUN_AS_NOBODY, SENDMAIL_CF, Conn, free_port,
                         sendmail, sendmail_cmd, session_children, wait_for)


def test_relaying_denied_for_other_clients(daemon):
    d = daemon()
    c = Conn(d.port, source="127.0.0.2")
    c.read_reply()
    assert "[127.0.0.2]" in c.cmd("EHLO x.example")
    c.cmd("MAIL FROM:<a@b.example>")
    # 127.0.0.2 has no PTR record: sendmail's rules say so.
    assert c.cmd("RCPT TO:<someone@far.example>") == \
        "550 5.7.1 <someone@far.example>... Relaying denied. " \
        "IP name lookup failed [127.0.0.2]"
    assert c.cmd("RCPT TO:<root@localhost>").startswith("250 ")
    # 127.0.0.1 itself may relay, as with sendmail.
    c1 = Conn(d.port)
    c1.read_reply()
    c1.cmd("EHLO x.example")
    c1.cmd("MAIL FROM:<a@b.example>")
    assert c1.cmd("RCPT TO:<someone@far.example>").startswith("250 ")


def test_access_map(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir,
                      "Connect:127.0.0.2 RELAY\nConnect:127.0.0.3 REJECT\n"
                      "From:spammer@bad.example REJECT\n"
                      "From:worse.example ERROR:5.7.1:550 go away\n"
                      "To:partner.example RELAY\n")
    c = Conn(d.port, source="127.0.0.2")
    c.read_reply()
    c.cmd("EHLO x.example")
    c.cmd("MAIL FROM:<a@b.example>")
    assert c.cmd("RCPT TO:<x@far.example>").startswith("250 ")
    assert c.cmd("MAIL FROM:<x@y.example>") == "503 5.5.0 Sender already specified"
    c.cmd("RSET")
    assert c.cmd("MAIL FROM:<spammer@bad.example>") == \
        "550 5.7.1 <spammer@bad.example>... Access denied"
    assert c.cmd("MAIL FROM:<joe@mx.worse.example>") == \
        "550 5.7.1 <joe@mx.worse.example>... go away"
    rejected = Conn(d.port, source="127.0.0.3")
    rejected.read_reply()
    assert rejected.cmd("EHLO x.example").splitlines()[-1] == "250 ENHANCEDSTATUSCODES"
    assert rejected.cmd("MAIL FROM:<a@b.example>") == "550 5.7.1 Access denied"
    other = Conn(d.port, source="127.0.0.4")
    other.read_reply()
    other.cmd("EHLO x.example")
    other.cmd("MAIL FROM:<a@b.example>")
    assert other.cmd("RCPT TO:<x@partner.example>").startswith("250 ")
    assert other.cmd("RCPT TO:<x@far.example>").startswith("550 5.7.1")


def test_delay_checks(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir, "From:spammer@bad.example REJECT\n",
                      features="FEATURE(`delay_checks')dnl\n")
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("MAIL FROM:<spammer@bad.example>").startswith("250 2.1.0")
    assert c.cmd("RCPT TO:<root>") == "550 5.7.1 <root>... Access denied"


def test_a_hundred_clients_at_once(daemon):
    d = daemon()
    results = []

    def client(i):
        try:
            with smtplib.SMTP("127.0.0.1", d.port, timeout=30) as s:
                s.sendmail(f"c{i}@example.org", ["root@localhost"],
                           f"Subject: {i}\r\n\r\nbody {i}\r\n")
            results.append(True)
        except Exception as e:          # recorded, then asserted below
            results.append(e)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count(True) == 100, [r for r in results if r is not True][:3]
    # A hundred background deliveries into one locked mailbox: each
    # message once, none cut, the queue empty.
    assert wait_for(lambda: d.mailbox("root").count("\nFrom ") == 99 and
                    not d.queued("qf"), limit=60), d.log_text()[-2000:]
    box = d.mailbox("root")
    assert sorted(re.findall(r"^Subject: (\d+)$", box, re.M),
                  key=int) == [str(i) for i in range(100)]
    assert len(re.findall(r"^body (\d+)$", box, re.M)) == 100
    assert d.queued("df") == []


def test_max_daemon_children(daemon):
    d = daemon(options=["MaxDaemonChildren=2"])
    a, b = Conn(d.port), Conn(d.port)
    a.read_reply()
    b.read_reply()
    third = Conn(d.port)            # waits in the backlog
    third.sock.settimeout(1.5)
    try:
        got = third.read_reply()
    except OSError:
        got = None
    assert got is None
    a.cmd("QUIT")
    third.sock.settimeout(5)
    assert third.read_reply().startswith("220 ")
    assert "rejecting connections on daemon MTA: 2 children, max 2" in d.log_text()


def test_sighup_rereads_and_sigterm_stops(daemon, tmp_path):
    cf = tmp_path / "t.cf"
    src = (ROOT / "cf" / "cf" / "sendmail.cf").read_text()
    cf.write_text(src)
    os.chmod(tmp_path, 0o755)
    os.chmod(cf, 0o644)
    d = daemon(cf=str(cf))
    c = Conn(d.port)
    assert "Sendmail" in c.read_reply()
    held = c                         # a session that is still open
    cf.write_text(src.replace("O SmtpGreetingMessage=$j Sendmail $v/$Z; $b",
                              "O SmtpGreetingMessage=$j reloaded"))
    d.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    c2 = Conn(d.port)
    assert c2.read_reply().endswith(" ESMTP reloaded")
    assert held.cmd("NOOP") == "250 2.0.0 OK"     # old sessions go on
    start = time.monotonic()
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait(timeout=15) == 0
    assert time.monotonic() - start < 12
    assert not os.path.exists(d.pidfile)
    assert "stopping daemon, reason=signal" in d.log_text()


def test_detached_daemon_writes_pidfile(tmp_path):
    os.chmod(tmp_path, 0o755)
    q = tmp_path / "q"
    q.mkdir()
    port = free_port()
    pid = tmp_path / "pid"
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        os.chown(q, nobody.pw_uid, nobody.pw_gid)
    args = sendmail_cmd(SENDMAIL_CF, "-bd", options=[
        f"DaemonPortOptions=Port={port}, Addr=127.0.0.1",
        f"QueueDirectory={q}", f"PidFile={pid}", *RUN_AS_NOBODY])
    r = subprocess.run(args, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: pid.exists() and pid.read_text().count("\n") == 2,
             limit=5)
    lines = pid.read_text().splitlines()
    assert lines[1] == " ".join(args)
    daemon_pid = int(lines[0])
    try:
        c = Conn(port)
        assert c.read_reply().startswith("220 ")
        c.close()
    finally:
        os.kill(daemon_pid, signal.SIGTERM)
    wait_for(lambda: not os.path.exists(f"/proc/{daemon_pid}"), limit=10)
    assert not pid.exists()


def test_bind_failure_is_an_error(daemon):
    d = daemon()
    r = sendmail(SENDMAIL_CF, "-bD", timeout=20, options=[
        f"DaemonPortOptions=Port={d.port}, Addr=127.0.0.1",
        f"QueueDirectory={d.queue}", *RUN_AS_NOBODY])
    assert r.returncode == 71
    assert "cannot listen on port" in r.stderr


def test_session_runs_without_root(daemon):
    if os.geteuid() != 0:
        import pytest as _p
        _p.skip("needs root to drop privileges")
    import pwd
    d = daemon()
    c = Conn(d.port)
    c.read_reply()                   # the child read nothing before this
    kids = session_children(d)
    assert len(kids) == 1
    with open(f"/proc/{kids[0]}/status") as f:
        status = f.read()
    nobody = pwd.getpwnam("nobody")
    uids = next(l for l in status.splitlines() if l.startswith("Uid:")).split()[1:]
    gids = next(l for l in status.splitlines() if l.startswith("Gid:")).split()[1:]
    groups = next(l for l in status.splitlines() if l.startswith("Groups:")).split()[1:]
    assert uids == [str(nobody.pw_uid)] * 4      # real, effective, saved, fs
    assert gids == [str(nobody.pw_gid)] * 4
    assert groups == [str(nobody.pw_gid)]
    # And it can never gain a privilege again, not even by exec.
    assert "\nNoNewPrivs:\t1\n" in status


def test_queueonly_session_cannot_reach_the_root_service(daemon):
    """A session that delivers nothing (DeliveryMode=queueonly) holds no
    socket to the root local delivery service: what it reads from the
    network has no way to root.  (The master and the queue runs keep it;
    ss lists the service's sockets as u_seq.)"""
    if os.geteuid() != 0:
        import pytest as _p
        _p.skip("the service runs only when started by root")
    d = daemon(options=["DeliveryMode=queueonly"])
    c = Conn(d.port)
    c.read_reply()
    [kid] = session_children(d)
    r = subprocess.run(["ss", "-x", "-a", "-p"], capture_output=True,
                       text=True, timeout=10)
    seq = [l for l in r.stdout.splitlines() if l.startswith("u_seq")]
    assert any(f"pid={d.proc.pid}," in l for l in seq), r.stdout
    assert not any(f"pid={kid}," in l for l in seq), seq
    c.close()


def test_connection_rate_throttle(daemon):
    d = daemon(options=["ConnectionRateThrottle=3"])
    start = time.monotonic()
    conns = [Conn(d.port) for _ in range(7)]
    times = []
    for c in conns:
        c.read_reply()
        times.append(time.monotonic() - start)
    # 3 a second: the 7th greeting cannot come before two seconds passed.
    assert times[-1] >= 1.0, times
    assert "deferring connections on daemon MTA: 3 per second" in d.log_text()


def test_access_map_replaced_between_sessions(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir, "From:a@b.example OK\n")
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("MAIL FROM:<a@b.example>").startswith("250")
    makemap(readable_dir / "access", "From:a@b.example REJECT\n")
    c2 = Conn(d.port)
    c2.read_reply()
    c2.cmd("EHLO x.example")
    assert c2.cmd("MAIL FROM:<a@b.example>") == \
        "550 5.7.1 <a@b.example>... Access denied"


def test_discard(daemon, readable_dir):
    d = access_daemon(daemon, readable_dir, "From:junk@spam.example DISCARD\n")
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.sendmail("junk@spam.example", ["root@localhost"], "Subject: x\r\n\r\ny\r\n")
    time.sleep(0.2)
    assert d.queued("qf") == [] and d.queued("df") == []
    assert "discarded (access map)" in d.log_text()


def test_relay_domain_and_cw_file(daemon, readable_dir):
    names = readable_dir / "local-host-names"
    names.write_text("mail.example.net  # ours\nexample.net\n")
    cf = build_cf(readable_dir, "r", HEAD +
                  f"define(`confTO_IDENT', `0')dnl\ndefine(`confCW_FILE', `{names}')dnl\n"
                  "FEATURE(`use_cw_file')dnl\nRELAY_DOMAIN(`partner.example 127.0.0.6')dnl\n"
                  "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
    d = daemon(cf=str(cf))
    c = Conn(d.port, source="127.0.0.5")
    c.read_reply()
    c.cmd("EHLO x.example")
    c.cmd("MAIL FROM:<a@b.example>")
    assert c.cmd("RCPT TO:<root@mail.example.net>").startswith("250")   # Fw
    assert c.cmd("RCPT TO:<root@example.net>").startswith("250")
    assert c.cmd("RCPT TO:<x@partner.example>").startswith("250")       # to class R
    assert c.cmd("RCPT TO:<x@sub.partner.example>").startswith("250")
    assert c.cmd("RCPT TO:<x@far.example>").startswith("550 5.7.1")
    c6 = Conn(d.port, source="127.0.0.6")                              # from class R
    c6.read_reply()
    c6.cmd("EHLO x.example")
    c6.cmd("MAIL FROM:<a@b.example>")
    assert c6.cmd("RCPT TO:<x@far.example>").startswith("250")


def test_missing_cw_file_is_a_config_error(tmp_path, run):
    cf = tmp_path / "x.cf"
    cf.write_text("V10/Berkeley\nFw/nonexistent/local-host-names\n")
    r = run("sendmaild", "-C", cf, "-bC")
    assert r.returncode == 71
    assert f"{cf}: line 2: fileclass: cannot open '/nonexistent/local-host-names'" in r.stderr
