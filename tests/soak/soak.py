"""make soak: a long-lived master under valgrind serves CONNECTIONS SMTP
sessions (every tenth with a message, some cut off mid-command), then
stops on SIGTERM; the master, and every session child, must show no
leak and no memory error.  Bounded: CONNECTIONS sessions, LIMIT seconds."""
import glob
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SENDMAILD_BUILD", os.path.join(ROOT, "build"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "1000"))
LIMIT = int(os.environ.get("SOAK_SECONDS", "900"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session(port, i):
    if i % 10 == 0:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
            s.sendmail("soak@example.org", ["x@far.example"],
                       "Subject: soak %d\r\n\r\nbody\r\n" % i)
    elif i % 10 == 1:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.recv(512)
            c.sendall(b"EHLO half")           # hang up mid-command
    else:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
            s.ehlo("soak.example")
            s.noop()


def main():
    base = tempfile.mkdtemp(prefix="smd-soak-", dir="/tmp")
    os.chmod(base, 0o755)
    queue = os.path.join(base, "mqueue")
    os.mkdir(queue)
    port, pidfile = free_port(), os.path.join(base, "pid")
    args = [os.path.join(BUILD, "sendmaild"), "-bD",
            "-C", os.path.join(ROOT, "cf", "cf", "sendmail.cf"),
            "-O", f"DaemonPortOptions=Port={port}, Addr=127.0.0.1",
            "-O", f"QueueDirectory={queue}", "-O", f"PidFile={pidfile}",
            "-O", "DeliveryMode=queueonly"]
    if os.geteuid() == 0:
        import pwd
        nobody = pwd.getpwnam("nobody")
        os.chown(queue, nobody.pw_uid, nobody.pw_gid)
        args += ["-O", "RunAsUser=nobody"]
    vg = ["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
          "--errors-for-leak-kinds=definite,indirect", "--track-fds=no",
          f"--log-file={base}/vg.%p"]
    log = open(os.path.join(base, "log"), "w")
    master = subprocess.Popen(vg + args, stdin=subprocess.DEVNULL,
                              stdout=log, stderr=log)
    end = time.monotonic() + 120
    while not os.path.exists(pidfile):
        if master.poll() is not None or time.monotonic() > end:
            sys.exit("soak: the daemon did not start; see " + base)
        time.sleep(0.1)
    start, done = time.monotonic(), 0
    try:
        for i in range(CONNECTIONS):
            if time.monotonic() - start > LIMIT:
                break
            try:
                session(port, i)
            except (OSError, smtplib.SMTPException) as e:
                sys.exit(f"soak: session {i} failed: {e!r}; see {base}")
            done += 1
    finally:
        # Stop the master we started, whatever happened.
        took = time.monotonic() - start
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=120)
    time.sleep(1)
    bad = []
    reports = glob.glob(os.path.join(base, "vg.*"))
    for path in reports:
        text = open(path).read()
        errors = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        if errors is None or int(errors.group(1)) != 0:
            bad.append(path)
    # The master's heap at exit must not have grown with the sessions:
    # what it still holds is its configuration, a few KB.
    with open(os.path.join(base, f"vg.{master.pid}")) as f:
        in_use = int(re.search(r"in use at exit: ([\d,]+) bytes",
                               f.read()).group(1).replace(",", ""))
    queued = len(glob.glob(os.path.join(queue, "qf*")))
    print(f"soak: {done} sessions in {took:.0f} s, {len(reports)} valgrind "
          f"reports (master and children), {queued} messages queued, "
          f"{len(bad)} with errors or leaks; the master holds {in_use} "
          f"bytes at exit")
    if (done < CONNECTIONS or bad or queued != (CONNECTIONS + 9) // 10
            or in_use > 64 * 1024):
        for path in bad[:3]:
            print(open(path).read())
        sys.exit("soak: failed; see " + base)
    subprocess.run(["rm", "-rf", base], check=False)


if __name__ == "__main__":
    main()
