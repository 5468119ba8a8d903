"""Start the real daemon on loopback for a test, and talk raw SMTP to it."""
import os
import pwd
import random
import signal
import socket
import subprocess
import tempfile
import time

from conftest import BUILD, ROOT


_given = set()


def free_port():
    """A port for a listener of a test: free now, below the kernel's
    ephemeral range (32768 and up by default), so that no client
    connection takes it before the listener binds it, and never the same
    one twice in a run."""
    for _ in range(1000):
        port = random.randrange(20000, 32768)
        if port in _given:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError("no free port")


def wait_for(pred, limit=10):
    """Poll pred until it holds (True) or limit seconds pass (False)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


class Daemon:
    """sendmaild -bD with a private queue and port; stopped by PID."""

    def __init__(self, cf=None, options=(), queue_dirs=(), extra_args=(),
                 queue=None, env=None, wrapper=(), ready_limit=10):
        self.base = tempfile.mkdtemp(prefix="smd-", dir="/tmp")
        os.chmod(self.base, 0o755)
        # A queue the caller made (on a file system of its own), or ours.
        self.queue = queue or os.path.join(self.base, "mqueue")
        if queue is None:
            os.mkdir(self.queue)
        for sub in queue_dirs:
            os.mkdir(os.path.join(self.queue, sub))
        self.port = free_port()
        # Local mail goes to mailboxes of ours, never to /var/mail; no
        # aliases unless the caller gives AliasFile.
        self.spool = os.path.join(self.base, "mail")
        os.mkdir(self.spool)
        os.chmod(self.spool, 0o1777)
        self.cf = cf or str(ROOT / "cf" / "cf" / "sendmail.cf")
        self.log = os.path.join(self.base, "log")
        self.pidfile = os.path.join(self.base, "pid")
        args = [str(BUILD / "sendmaild"), "-bD", "-C", self.cf,
                "-O", f"DaemonPortOptions=Port={self.port}, Addr=127.0.0.1, Name=MTA",
                "-O", f"QueueDirectory={self.queue}",
                "-O", f"PidFile={self.pidfile}",
                "-O", f"MailSpoolDirectory={self.spool}",
                "-O", f"AliasFile={self.base}/aliases"]
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for d in [self.queue] + [os.path.join(self.queue, q) for q in queue_dirs]:
                os.chown(d, nobody.pw_uid, nobody.pw_gid)
            args += ["-O", "RunAsUser=nobody"]
        for o in options:
            args += ["-O", o]
        args += list(extra_args)
        self.logf = open(self.log, "w")
        start = time.monotonic()
        self.proc = subprocess.Popen(list(wrapper) + args, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf,
                                     env={**os.environ, **(env or {})})
        self.wait_ready(ready_limit)
        self.ready_after = time.monotonic() - start

    def wait_ready(self, limit=10):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited: " + self.log_text())
            if os.path.exists(self.pidfile):
                return
            time.sleep(0.02)
        raise RuntimeError("daemon not ready: " + self.log_text())

    def mailbox(self, user="root"):
        """The text of a user's mailbox in our spool, or ""."""
        try:
            with open(os.path.join(self.spool, user), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def queued(self, prefix="qf"):
        names = []
        for root, _, files in os.walk(self.queue):
            names += [os.path.join(root, f) for f in files if f.startswith(prefix)]
        return sorted(names)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        subprocess.run(["rm", "-rf", self.base], check=False)


class Conn:
    """A lock-step SMTP client on a raw socket."""

    def __init__(self, port, source="127.0.0.1", timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0))
        self.buf = b""

    def read_reply(self):
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError(b"".join(lines).decode())
                self.buf += data
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode("latin-1"))
            if len(line) < 4 or line[3:4] != b"-":
                return "\n".join(lines)

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.read_reply()

    def closed(self):
        """True when the server has closed (reads EOF)."""
        try:
            return self.sock.recv(65536) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def open_data(port, source="127.0.0.1"):
    """A session that has sent DATA and read the 354."""
    c = Conn(port, source=source)
    c.read_reply()
    c.cmd("EHLO x.example")
    c.cmd("MAIL FROM:<a@b.example>")
    c.cmd("RCPT TO:<root>")
    reply = c.cmd("DATA")
    assert reply.startswith("354"), reply
    return c
