#!/usr/bin/python3
"""The cost of one message as its recipients grow: CPU seconds of each
step of its life, for n and 2n recipients, and their ratio (about 2
when the step is linear, about 4 when it is quadratic).

    tests/bench/recipients.py [N ...]        (as root; default 20000 40000)

RCPT_STEPS (default "session relay local expand") picks the steps.

Steps, each in a CPU-accounting cgroup of its own (every process it
forks counts, the root delivery service included):

  session   sendmail -bs, queue only: MAIL, N pipelined RCPTs, DATA
  relay     sendmail -q: that message through the smart host, a sink
            on 127.0.0.1 that answers 250 to everything
  local     -bs with N local recipients (aliases of root), then
            -q: N requests to the local delivery service
  expand    -bs with one recipient, an alias of a list of N remote
            addresses (:include:, of far0.example to far6.example),
            then -q: the expansion and N recipients added to the
            message, through the smart host

It runs in the test suite's private network (tests/integration/
testnet.py: a namespace of its own and a DNS server that knows every
name), with the build in SENDMAILD_BUILD (default build/).
MaxRecipientsPerMessage=0 lets a session take them all.
"""
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

TOP = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "integration"))

from cfgen import HEAD, build_cf  # noqa: E402  (enters the namespace)
from conftest import BUILD  # noqa: E402


class Sink:
    """An SMTP server that says 250 to every command, on its own port."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(c,),
                             daemon=True).start()

    def session(self, c):
        f = c.makefile("rb")
        c.sendall(b"220 sink.example ESMTP\r\n")
        data = False
        for line in f:
            if data:
                if line == b".\r\n":
                    data = False
                    c.sendall(b"250 2.0.0 ok\r\n")
                continue
            word = line[:4].upper()
            if word == b"EHLO":
                c.sendall(b"250-sink.example\r\n250-PIPELINING\r\n"
                          b"250 8BITMIME\r\n")
            elif word == b"DATA":
                data = True
                c.sendall(b"354 go\r\n")
            elif word == b"QUIT":
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"250 ok\r\n")
        c.close()


class Cgroup:
    """A cpuacct cgroup (v1) for one step."""

    def __init__(self, name):
        self.path = pathlib.Path("/sys/fs/cgroup/cpuacct") / name
        if not self.path.parent.is_dir():
            raise SystemExit("needs the cgroup v1 cpuacct hierarchy")
        self.path.mkdir(exist_ok=True)

    def join(self):
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self):
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def close(self):
        for _ in range(100):
            pids = (self.path / "cgroup.procs").read_text().split()
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(int(p), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        self.path.rmdir()


class World:
    def __init__(self, base):
        self.base = base
        self.sink = Sink()
        self.queue = base / "mqueue"
        self.queue.mkdir()
        nobody = pwd.getpwnam("nobody")
        os.chown(self.queue, nobody.pw_uid, nobody.pw_gid)
        self.cf = build_cf(base, "bench", HEAD +
                           "define(`SMART_HOST', `[127.0.0.1]')dnl\n"
                           "define(`RELAY_MAILER_ARGS', "
                           f"`TCP $h {self.sink.port}')dnl\n"
                           "define(`confTO_IDENT', `0')dnl\n"
                           "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
        self.aliases = base / "aliases"
        self.opts = ["-O", f"QueueDirectory={self.queue}",
                     "-O", f"AliasFile={self.aliases}",
                     "-O", f"MailSpoolDirectory={base}",
                     "-O", "RunAsUser=nobody",
                     "-O", "MaxRecipientsPerMessage=0"]

    def newaliases(self, sizes):
        text = "".join(f"u{i}: root\n" for i in range(max(sizes)))
        for n in sizes:
            members = self.base / f"list{n}"
            members.write_text("".join(f"m{i}@far{i % 7}.example\n"
                                       for i in range(n)))
            members.chmod(0o644)
            text += f"big{n}: :include:{members}\n"
        self.aliases.write_text(text)
        subprocess.run([str(BUILD / "sendmaild"), "-C", str(self.cf),
                        *self.opts, "-bi"], check=True,
                       capture_output=True)

    def measured(self, args, steps=()):
        """Run args in a cgroup of their own; its CPU seconds and what
        it wrote.  Each step is input to write (from a thread: replies
        come while it goes) and the reply code to wait for before the
        next step (a client that does not wait is refused)."""
        cg = Cgroup(f"smd-rcpt-bench-{os.getpid()}")
        try:
            p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL,
                                 preexec_fn=cg.join)
            out = b""
            for text, until in steps:
                w = threading.Thread(target=lambda t=text: (
                    p.stdin.write(t), p.stdin.flush()))
                w.start()
                while until is not None:
                    line = p.stdout.readline()
                    out += line
                    if not line or (line[3:4] == b" " and
                                    (line.startswith(until) or
                                     line[:1] in b"45")):
                        break
                w.join()
            p.stdin.close()
            out += p.stdout.read()
            p.wait(timeout=3600)
            # The delivery service ends once its last client has gone.
            for _ in range(200):
                if not (cg.path / "cgroup.procs").read_text().split():
                    break
                time.sleep(0.05)
            return cg.seconds(), out
        finally:
            cg.close()

    def session(self, rcpts):
        """-bs: EHLO, then MAIL, every RCPT and DATA in one write, then
        the message."""
        batch = b"MAIL FROM:<bench@example.org>\r\n" + b"".join(
            b"RCPT TO:<%s>\r\n" % r.encode() for r in rcpts) + b"DATA\r\n"
        return self.measured([
            str(BUILD / "sendmaild"), "-C", str(self.cf), *self.opts,
            "-odq", "-bs"], [(b"", b"220"),
                             (b"EHLO bench.example\r\n", b"250"),
                             (batch, b"354"),
                             (b"Subject: bench\r\n\r\nhello\r\n.\r\n"
                              b"QUIT\r\n", None)])

    def run_queue(self):
        cpu, _ = self.measured([
            str(BUILD / "sendmaild"), "-C", str(self.cf), *self.opts,
            "-O", "MaxRunnersPerQueue=1", "-qf"])
        left = [p for p in self.queue.rglob("qf*")]
        return cpu, left

    def clear(self):
        for p in self.queue.rglob("*"):
            if p.is_file():
                p.unlink()


def step(world, name, n):
    world.clear()
    if name in ("session", "relay"):
        cpu, out = world.session([f"user{i}@far{i % 7}.example"
                                  for i in range(n)])
        assert out.count(b"\r\n250 2.1.5") == n, out[-300:]
        if name == "session":
            return cpu
    elif name == "local":
        cpu, out = world.session([f"u{i}" for i in range(n)])
        assert out.count(b"\r\n250 2.1.5") == n, out[-300:]
    else:
        cpu, out = world.session([f"big{n}"])
    assert b"Message accepted" in out, out[-300:]
    cpu, left = world.run_queue()
    assert not left, f"{name}: {len(left)} messages left in the queue: " + \
        " ".join(set(ln for ln in left[0].read_text(errors="replace")
                     .splitlines() if ln.startswith("M")))
    return cpu


def main():
    if os.geteuid() != 0:
        raise SystemExit("recipients.py: needs root (namespaces, cgroups)")
    sizes = [int(a) for a in sys.argv[1:]] or [20000, 40000]
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-rcpt-bench-",
                                         dir="/tmp"))
    base.chmod(0o755)
    try:
        world = World(base)
        world.newaliases(sizes)
        print(f"{'step':8} " + " ".join(f"{n:>10}" for n in sizes) +
              "   ratio (last / first)")
        steps = os.environ.get("RCPT_STEPS", "session relay local expand")
        for name in steps.split():
            cpu = [step(world, name, n) for n in sizes]
            print(f"{name:8} " + " ".join(f"{c:9.2f}s" for c in cpu) +
                  f"   {cpu[-1] / max(cpu[0], 1e-3):.1f}", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
