"""Start the real daemon on loopback for a test, and talk raw SMTP to it."""
import os
import pathlib
import pwd
import random
import re
import signal
import smtplib
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


# The configuration the tree builds (cf/cf/sendmail.mc).
SENDMAIL_CF = ROOT / "cf" / "cf" / "sendmail.cf"
# What the tests run as root runs with: sessions and queue runs do not
# read mail as root.
RUN_AS_NOBODY = ["RunAsUser=nobody"] if os.geteuid() == 0 else []


def sendmail_cmd(cf, *args, options=(), prog="sendmaild"):
    """A command line of one of the built programs (prog: sendmaild,
    mailq, hoststat, ...; or the path of a copy) on the configuration
    file cf: each of options as -O, then args."""
    prog = str(prog)
    cmd = [prog if os.sep in prog else str(BUILD / prog), "-C", str(cf)]
    for o in options:
        cmd += ["-O", o]
    return cmd + list(args)


def sendmail(cf, *args, options=(), prog="sendmaild", wrapper=(),
             input=None, text=True, timeout=60, **kw):
    """Run sendmail_cmd's command line (behind wrapper, a command that
    runs the rest) to its end: the completed process, output captured;
    kw goes to subprocess.run (env, user, ...)."""
    return subprocess.run([*wrapper, *sendmail_cmd(cf, *args,
                                                   options=options,
                                                   prog=prog)],
                          input=input, capture_output=True, text=text,
                          timeout=timeout, **kw)


def queue_files(queue, prefix="qf"):
    """The files of a queue directory (and its subdirectories) whose
    names start with prefix (qf: control files, df: data files, ...),
    as sorted paths."""
    return sorted(p for p in pathlib.Path(queue).rglob(prefix + "*")
                  if p.is_file())


def envelope(qf, binary=False):
    """A control file's text, its sender (the S line) and its recipients
    (the R lines), as str, or as bytes if binary."""
    if binary:
        text = pathlib.Path(qf).read_bytes()
        s, r = rb"^S(.*)$", rb"^R[A-Z]*:(.*)$"
    else:
        text = pathlib.Path(qf).read_text(errors="replace")
        s, r = r"^S(.*)$", r"^R[A-Z]*:(.*)$"
    return (text, re.search(s, text, re.M).group(1),
            re.findall(r, text, re.M))


def wait_for(pred, limit=10):
    """Poll pred until it holds (True) or limit seconds pass (False)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


class Running:
    """The program as a daemon: cmd (a whole command line) started with
    its output in the file log, ready once pidfile exists (within limit
    seconds).  log_text() is what it said; stop() ends it."""

    def __init__(self, cmd, pidfile, log, env=None, limit=10):
        self.pidfile = str(pidfile)
        self.log = str(log)
        self.logf = open(self.log, "w")
        start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.logf, stderr=self.logf,
                                     env=env)
        self.wait_ready(limit)
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

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def stop(self, hang_ok=False):
        """SIGTERM, and its exit within 15 s.  One still there then is
        killed, and that is an error unless hang_ok."""
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    if not hang_ok:
                        raise
        finally:
            self.logf.close()


class Daemon(Running):
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
        self.cf = cf or str(SENDMAIL_CF)
        options = [f"DaemonPortOptions=Port={self.port}, Addr=127.0.0.1, Name=MTA",
                   f"QueueDirectory={self.queue}", f"PidFile={self.base}/pid",
                   f"MailSpoolDirectory={self.spool}",
                   f"AliasFile={self.base}/aliases", *RUN_AS_NOBODY, *options]
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for d in [self.queue] + [os.path.join(self.queue, q) for q in queue_dirs]:
                os.chown(d, nobody.pw_uid, nobody.pw_gid)
        args = sendmail_cmd(self.cf, "-bD", *extra_args, options=options)
        super().__init__(list(wrapper) + args, os.path.join(self.base, "pid"),
                         os.path.join(self.base, "log"),
                         env={**os.environ, **(env or {})}, limit=ready_limit)

    def mailbox(self, user="root"):
        """The text of a user's mailbox in our spool, or ""."""
        try:
            with open(os.path.join(self.spool, user), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def queued(self, prefix="qf"):
        """queue_files of our queue, as strings."""
        return [str(p) for p in queue_files(self.queue, prefix)]

    def stop(self):
        super().stop(hang_ok=True)
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


def untraced_leak_check():
    """The environment for a run under strace: LeakSanitizer cannot work
    under ptrace, so a sanitized build checks leaks in the other tests."""
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
    return env


def proc_stat(pid):
    """The fields of /proc/pid/stat after the command name: state first,
    then the parent's pid."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def dying(pid):
    """Is the process still there (not yet dead, or a zombie)?  This
    machine's init may never reap an orphan."""
    try:
        return proc_stat(pid)[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def parent_of(pid):
    return int(proc_stat(pid)[1])


def children(d):
    """The pids of the daemon's children."""
    kids = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                fields = proc_stat(pid)
            except OSError:
                continue
            if int(fields[1]) == d.proc.pid:
                kids.append(int(pid))
    return kids


def agent(pid):
    """Is pid one of the daemon's resident delivery agents?"""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip() == "sendmail-agent"
    except OSError:
        return False


def session_children(d):
    """The daemon's children other than its delivery agents."""
    return [pid for pid in children(d) if not agent(pid)]


def agents(d):
    """The daemon's delivery agents."""
    return [pid for pid in children(d) if agent(pid)]


def server_socket(pid, client):
    """The server's end of the client socket's connection, among the
    sockets of process pid, as strace and /proc name it: socket:[inode]."""
    here, there = client.getsockname()[1], client.getpeername()[1]
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == there and \
                        int(fields[2].rsplit(":", 1)[1], 16) == here:
                    return f"socket:[{fields[9]}]"
    raise LookupError(f"no connection {here} -> {there}")


class SyscallStop:
    """strace attached to process pid: the first of the system calls
    syscalls (strace's -e trace= syntax) that names path (a file, or a
    descriptor open on it) does nothing and fails, and the process stops
    (SIGSTOP) before it returns, so the failure is never seen while it
    stays stopped.  A test holds a process at a point so, from outside,
    and kills it there.  The process must not run under LeakSanitizer
    (untraced_leak_check)."""

    def __init__(self, pid, syscalls, path, log):
        self.pid = pid
        self.ppid = proc_stat(pid)[1]
        self.log = log
        self.logf = open(log, "w")
        self.proc = subprocess.Popen(
            ["strace", "-s", "256", "-p", str(pid), "-P", path,
             "-e", "trace=" + syscalls,
             "-e", f"inject={syscalls}:error=EIO:signal=SIGSTOP:when=1"],
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf)
        # Said once every later system call of pid is strace's to see.
        if not wait_for(lambda: f"Process {pid} attached" in self.text()):
            self.close()
            raise RuntimeError("strace did not attach: " + self.text())

    def text(self):
        """What strace wrote: the call it stopped the process at, and
        what became of the process."""
        with open(self.log) as f:
            return f.read()

    def stopped(self, limit=10):
        """Wait until the process is stopped at the call."""
        def held():
            try:
                state = proc_stat(self.pid)[0]
            except FileNotFoundError:
                return False
            return "--- stopped by SIGSTOP ---" in self.text() and \
                state in ("t", "T")
        return wait_for(held, limit)

    def close(self):
        """strace gone, and the process too if the test left it stopped."""
        try:
            if proc_stat(self.pid)[1] == self.ppid:
                os.kill(self.pid, signal.SIGKILL)
        except (FileNotFoundError, ProcessLookupError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()


def submit(d, rcpts, body="Subject: t\r\n\r\nhello\r\n",
           sender="a@example.org"):
    """One message by SMTP to the daemon d (anything with a port)."""
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.sendmail(sender, rcpts, body)


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
