"""The integration tests' harness: what more than one test file needs to
start the real program, talk to it and look at what it did.  Fixtures
that use it are in conftest.py (daemon, site, routing, world, base,
tools); configurations are built with cfgen.py; fake servers are in
smarthost.py and tlsutil.py.

Ports, waiting, fixtures
    free_port()            a loopback port no test has had
    wait_for(pred, limit)  poll until pred() holds, or give up (False)
    factory(make, close)   the body of a fixture that makes things and
                           closes them after the test
Running the program
    sendmail_cmd(cf, *args, options, prog)  a command line of a built
                           program on a configuration (-O options)
    sendmail(cf, *args, ...)  run it, output captured
    SENDMAIL_CF, RUN_AS_NOBODY
    Running                a daemon from a command line: ready when its
                           pid file exists, log_text(), stop()
    Daemon                 sendmaild -bD with a private queue, spool and
                           port (the daemon fixture)
The queue
    queue_files(queue, prefix)  its qf (df, tf, ...) files
    envelope(qf)           a control file's sender and recipients
SMTP
    Conn                   a lock-step client on a raw socket
    open_data(port)        a session past DATA's 354
    submit(d, rcpts)       one message by smtplib
Processes
    proc_stat, dying, parent_of, children, session_children, agents
    untraced_leak_check()  the environment of a process traced with
                           ptrace (no LeakSanitizer)
    server_socket(pid, client)  the server's end of a connection
    SyscallStop            strace: stop a process at a system call, from
                           outside, to kill it there
Sites
    Site                   a directory, a configuration, the program run
                           on it with the site's options
    LocalSite, Routing     local delivery with a daemon and a smart host
                           (the site and routing fixtures)
    SubmitSite             command-line submission with a set-group-id
                           copy and a client queue
    USER, GROUP, MESSAGE, messages(), safe_tempdir(), program()
Debian's sendmail, the oracle
    SM_CF, SENDMAIL, need_sendmail_cf(), need_sendmail(), sendmail_m4(),
    real_sendmail_cf(), real_sendmail_cmd(), real_sendmail(),
    real_sendmail_bs()
"""
import os
import pathlib
import pwd
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time

import pytest

from cfgen import HEAD, MAILERS, build_cf, makemap, relay_to
from conftest import BUILD, ROOT
from smarthost import start_smarthost


# ---- Ports, waiting, fixtures ----------------------------------------

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


def wait_for(pred, limit=10, interval=0.05):
    """Poll pred until it holds (True) or limit seconds pass (False)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(interval)
    return False


def factory(make, close=lambda thing: thing.close()):
    """The body of a factory fixture (yield from it): the test calls
    what it yields as it would call make, and each thing made is closed
    after the test, in the order made."""
    made = []

    def one(*args, **kw):
        thing = make(*args, **kw)
        made.append(thing)
        return thing
    yield one
    for thing in made:
        close(thing)


# ---- Running the program ---------------------------------------------

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
        def exited():
            return self.proc.poll() is not None
        wait_for(lambda: exited() or os.path.exists(self.pidfile), limit,
                 interval=0.02)
        if exited():
            raise RuntimeError("daemon exited: " + self.log_text())
        if not os.path.exists(self.pidfile):
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


# ---- The queue -------------------------------------------------------

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


# ---- SMTP ------------------------------------------------------------

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


def submit(d, rcpts, body="Subject: t\r\n\r\nhello\r\n",
           sender="a@example.org"):
    """One message by SMTP to the daemon d (anything with a port)."""
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.sendmail(sender, rcpts, body)


# ---- Processes -------------------------------------------------------

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


def untraced_leak_check():
    """The environment for a run under strace: LeakSanitizer cannot work
    under ptrace, so a sanitized build checks leaks in the other tests."""
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
    return env


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


# ---- Sites -----------------------------------------------------------

USER = "games"      # an ordinary user: not root, RunAsUser or trusted
GROUP = "mail"      # the group the test's set-group-id copies are set to
NO_MSA = "FEATURE(`no_default_msa')dnl\n"
# A message as cron jobs and scripts give it to sendmail -t -i.
MESSAGE = ("Subject: nightly report\n"
           "To: Bob <bob@example.net>, carl@example.org\n"
           "Cc: \"Dee, D.\" <dee@example.com>\n"
           "Bcc: hidden@example.com\n"
           "\n"
           "line one\n"
           ".\n"
           "after the dot\n")


def safe_tempdir(prefix):
    """A directory (mode 0755) on a path that only root may write, as a
    .forward needs: sendmail ignores one under a directory others may
    write, the sticky /tmp included.  /run is such a path."""
    st = os.stat("/run")
    assert st.st_uid == 0 and not st.st_mode & 0o022, oct(st.st_mode)
    d = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir="/run"))
    d.chmod(0o755)
    return d


def messages(box):
    """The messages of an mbox, split at its "From " lines."""
    return [m for m in re.split(r"^From ", box, flags=re.M) if m]


def program(tools, name, text):
    """tools/name, a shell script of text (the tools fixture's)."""
    p = tools / name
    p.write_text("#!/bin/sh\n" + text)
    p.chmod(0o755)
    return p


class Site:
    """A site of a test's own: a directory (base, mode 0755, made under
    /tmp with prefix unless given), the configuration built there (cf),
    the -O options and the wrapper (a command that runs the rest) that
    its commands run with, and its queue.  sendmail() and cmd() run the
    program so, queued() lists the queue's files, close() removes base
    if the site made it."""

    def __init__(self, prefix="smd-site-", base=None, queue=None):
        self.own_base = base is None
        if self.own_base:
            base = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
            os.chmod(base, 0o755)
        self.base = pathlib.Path(base)
        self.options, self.wrapper = [], []
        self.queue = self.make_queue(queue) if queue else None

    def make_queue(self, name):
        """base/name, a queue directory that RunAsUser (nobody) owns."""
        q = self.base / name
        q.mkdir()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(q, nobody.pw_uid, nobody.pw_gid)
        return q

    def relaying_cf(self, name, port, before="", after=""):
        """cf: name.cf from HEAD, before, the lines that send all mail to
        [127.0.0.1]:port (relay_to), no MSA, after and the mailers."""
        self.cf = build_cf(self.base, name, HEAD + before + relay_to(port) +
                           NO_MSA + after + MAILERS)
        return self.cf

    def all_options(self):
        return self.options

    def cmd(self, *args):
        """Our sendmail on this site's configuration, with args."""
        return self.wrapper + sendmail_cmd(self.cf, *args,
                                           options=self.all_options())

    def sendmail(self, *args, **kw):
        """Run cmd(*args): the completed process (see sendmail())."""
        return sendmail(self.cf, *args, options=self.all_options(),
                        wrapper=self.wrapper, **kw)

    def queued(self, prefix="qf", queue=None):
        return queue_files(queue or self.queue, prefix)

    def close(self):
        if self.own_base:
            shutil.rmtree(self.base, ignore_errors=True)


class LocalSite(Site):
    """A configuration from a .mc, a daemon on it (d, with its queue),
    a smart host (ctl, rec), a directory for what deliveries write
    (out), a home with the ForwardPath (fwd), an alias file, and a queue
    runner; wrapper runs the daemon and the queue runs (a mount
    namespace, say).  The site fixture makes them."""

    def __init__(self, daemon, mc_extra="", options=(), wrapper=()):
        super().__init__("smd-local-")
        self.out = self.base / "out"         # anyone may write here
        self.out.mkdir()
        self.out.chmod(0o1777)
        self.home = safe_tempdir("smd-local-")
        self.fwd = self.home / "fwd"          # ForwardPath: fwd/$u
        self.fwd.mkdir()
        self.fwd.chmod(0o755)
        self.aliases = self.base / "aliases"
        self.aliases.write_text("")
        self.smart_port = free_port()
        self.relaying_cf("site", self.smart_port, before=mc_extra)
        self.options = [f"AliasFile={self.aliases}",
                        f"ForwardPath={self.fwd}/$u", *options]
        self.wrapper = list(wrapper)
        self.d = daemon(cf=str(self.cf), options=self.options,
                        wrapper=self.wrapper)
        self.queue = pathlib.Path(self.d.queue)
        self.ctl, self.rec = start_smarthost(self.smart_port)

    def set_aliases(self, text):
        self.aliases.write_text(text)
        r = self.sendmail("-bi")
        assert r.returncode == 0, r.stdout + r.stderr

    def all_options(self):
        return [f"QueueDirectory={self.d.queue}",
                f"MailSpoolDirectory={self.d.spool}", "RunAsUser=nobody",
                *self.options]

    def send(self, rcpts, body="Subject: t\r\n\r\nhello\r\n",
             sender="a@example.org"):
        submit(self.d, rcpts, body, sender)

    def run_queue(self):
        return self.sendmail("-qf")

    def mailbox(self, user=USER):
        return self.d.mailbox(user)

    def close(self):
        self.ctl.stop()
        super().close()
        shutil.rmtree(self.home, ignore_errors=True)


class Routing(LocalSite):
    """A LocalSite whose .mc names maps under its directory; a second
    fake server (other_port) takes what the esmtp mailer sends.  The
    routing fixture makes them."""

    def __init__(self, daemon, mc_extra="", maps=None, options=()):
        self.other_port = free_port()
        maps = maps or {}
        self.mapdir = pathlib.Path(tempfile.mkdtemp(prefix="smd-maps-",
                                                    dir="/tmp"))
        self.mapdir.chmod(0o755)
        extra = (f"define(`ESMTP_MAILER_ARGS', `TCP $h {self.other_port}')"
                 "dnl\n")
        for feature, name in (("virtusertable", "virtuser"),
                              ("mailertable", "mailertable"),
                              ("genericstable", "generics")):
            if feature in maps:
                makemap(self.mapdir / name, maps[feature])
                extra += (f"FEATURE(`{feature}', `hash {self.mapdir}/"
                          f"{name}')dnl\n")
        super().__init__(daemon, mc_extra=extra + mc_extra,
                         options=["DeliveryMode=queueonly", *options])
        self.other_ctl, self.other = start_smarthost(self.other_port)

    def rcpt(self, addr):
        with smtplib.SMTP("127.0.0.1", self.d.port, timeout=10) as s:
            s.ehlo("client.example")
            s.mail("a@example.org")
            return s.rcpt(addr)

    def close(self):
        self.other_ctl.stop()
        shutil.rmtree(self.mapdir, ignore_errors=True)
        super().close()


class SubmitSite(Site):
    """A queue, a client queue, a configuration and a set-group-id copy
    of the program (prog), all under one directory in /tmp; the daemon
    on that configuration when start_daemon() starts it.  mc: more
    lines for the configuration, @BASE@ standing for that directory."""

    def __init__(self, delivery="queueonly", run_as="nobody", mc=""):
        super().__init__("smd-sub-", queue="mqueue")
        self.cqueue = self.base / "mqueue-client"
        self.home = self.base / "home"
        for d in (self.cqueue, self.home):
            d.mkdir()
        shutil.chown(self.cqueue, group=GROUP)
        self.cqueue.chmod(0o770)
        self.port, self.smart_port = free_port(), free_port()
        self.pidfile = self.base / "pid"
        self.relaying_cf(
            "sendmail", self.smart_port, before=(
                f"define(`QUEUE_DIR', `{self.queue}')dnl\n"
                f"define(`MSP_QUEUE_DIR', `{self.cqueue}')dnl\n"
                f"define(`confMAIL_SPOOL_DIR', `{self.base}/mail')dnl\n"
                f"define(`ALIAS_FILE', `{self.base}/aliases')dnl\n" +
                (f"define(`confRUN_AS_USER', `{run_as}')dnl\n" if run_as
                 else "") + mc.replace("@BASE@", str(self.base)) +
                f"define(`confPID_FILE', `{self.pidfile}')dnl\n"
                f"define(`confDELIVERY_MODE', `{delivery}')dnl\n"),
            after=f"DAEMON_OPTIONS(`Port={self.port}, Addr=127.0.0.1, "
            "Name=MTA')dnl\n")
        # Installed as INSTALL says: set-group-id, never set-user-id.
        self.prog = self.base / "sendmail"
        shutil.copy(BUILD / "sendmaild", self.prog)
        shutil.chown(self.prog, group=GROUP)
        self.prog.chmod(0o2755)
        self.daemon = None

    def submit(self, args, text, user=None, env=None, timeout=30):
        """The set-group-id copy with args, text on its input, as user
        (root if None), HOME its home: the completed process (bytes)."""
        kw = {}
        if user is not None:
            pw = pwd.getpwnam(user)
            kw = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        return sendmail(self.cf, *args, prog=self.prog, input=text.encode(),
                        text=False, timeout=timeout, cwd="/",
                        env={"PATH": "/usr/bin:/bin",
                             "HOME": str(self.home), **(env or {})}, **kw)

    def start_daemon(self, *options):
        self.daemon = Running(sendmail_cmd(self.cf, "-bD", options=options),
                              self.pidfile, self.base / "daemon.log")

    def log_text(self):
        return self.daemon.log_text()

    def stop_daemon(self):
        if self.daemon is not None:
            self.daemon.stop()
        if self.pidfile.exists():
            self.pidfile.unlink()

    def close(self):
        self.stop_daemon()
        super().close()


# ---- Debian's sendmail, the oracle -----------------------------------
# sendmail-cf installed, sendmail-bin unpacked (scripts/install-deps test).

SM_CF = pathlib.Path("/usr/share/sendmail/cf")
PEERS = pathlib.Path(os.environ.get("SENDMAILD_PEERS",
                                    "/var/tmp/sendmaild-peers"))
SENDMAIL = PEERS / "root/sendmail-bin/usr/libexec/sendmail/sendmail"


def need_sendmail_cf():
    if not (SM_CF / "m4" / "cf.m4").exists():
        pytest.fail("Debian's sendmail-cf is missing: run "
                    "scripts/install-deps test")


def need_sendmail():
    if not os.access(SENDMAIL, os.X_OK):
        pytest.fail(f"{SENDMAIL} is missing: run scripts/install-deps test")


def sendmail_m4(directory, name, mc_text):
    """Run Debian's sendmail-cf (the tree mc_text includes) over mc_text,
    as sendmailconfig does; the .cf's path."""
    return build_cf(directory, name, mc_text, our_tree=False)


def real_sendmail_cf(directory, queue):
    """A .cf for the real sendmail that keeps everything in directory."""
    (directory / "service.switch").write_text("hosts files\naliases files\n")
    (directory / "aliases").write_text("")
    (directory / "hoststat").mkdir()
    return sendmail_m4(directory, "real", f"""divert(0)dnl
include(`{SM_CF}/m4/cf.m4')dnl
OSTYPE(`debian')dnl
define(`confDOMAIN_NAME', `mx.example.org')dnl
define(`QUEUE_DIR', `{queue}')dnl
define(`confPID_FILE', `{directory}/sendmail.pid')dnl
define(`STATUS_FILE', `{directory}/statistics')dnl
define(`ALIAS_FILE', `{directory}/aliases')dnl
define(`confHOST_STATUS_DIRECTORY', `{directory}/hoststat')dnl
define(`confSERVICE_SWITCH_FILE', `{directory}/service.switch')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`SMART_HOST', `[127.0.0.1]')dnl
FEATURE(`accept_unresolvable_domains')dnl
MAILER(`local')dnl
MAILER(`smtp')dnl
""")


def real_sendmail_cmd(cf, args):
    """The real sendmail 8.17 as root, on a host of a qualified name (it
    waits a minute for one otherwise)."""
    cmd = " ".join([str(SENDMAIL), "-C", str(cf), *args])
    return ["unshare", "--uts", "sh", "-c",
            f"hostname mx.example.org && exec {cmd}"]


def real_sendmail(cf, args, input):
    r = subprocess.run(real_sendmail_cmd(cf, args), input=input,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r


def real_sendmail_bs(cf, lines):
    """An SMTP session with the real sendmail -bs, a reply to each line;
    the replies."""
    p = subprocess.Popen(real_sendmail_cmd(cf, ["-odq", "-bs"]),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    replies = []

    def reply():
        text = b""
        while True:
            line = p.stdout.readline()
            assert line, text
            text += line
            if line[3:4] != b"-":
                return text
    try:
        replies.append(reply())
        for line in lines:
            p.stdin.write(line + b"\r\n")
            p.stdin.flush()
            replies.append(reply())
    finally:
        p.stdin.close()
        p.wait(timeout=30)
    return replies
