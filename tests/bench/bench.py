#!/usr/bin/python3
"""make bench: sendmaild side by side with sendmail, Postfix and OpenSMTPD.

Runs inside private network, mount and UTS namespaces (tests/bench/bench
starts it there): every MTA listens on 127.0.0.1:2525 in turn, relays
everything to Postfix's smtp-sink on 127.0.0.2:25, and keeps its queue
under BENCH_DIR.  The load comes from Postfix's smtp-source.  Each round
runs every MTA once through every metric, so the MTAs alternate
(A B C D A B C D ...); the table gives the median over the rounds.

Environment: BENCH_DIR (default /tmp/sendmaild-bench), BENCH_MESSAGES
(2000), BENCH_ROUNDS (3), BENCH_MTAS (all four; names split by blanks
or commas), BENCH_BUILD (build dir of sendmaild), BENCH_RESULTS (file
the report is appended to), BENCH_BUDGET (seconds the rounds may take,
1500: an MTA's round is left out when its slowest round so far would end
past that).
"""

import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
B = os.environ.get("BENCH_DIR", "/tmp/sendmaild-bench")
ROOT = os.path.join(B, "root")
# Queues, configs and the disk-limit directory: the filesystem measured.
W = os.environ.get("BENCH_WORK", B)
BUILD = os.environ.get("BENCH_BUILD", os.path.join(TOP, "build"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SESSIONS = 10
LATENCY_MESSAGES = 200
IDLE_CONNECTIONS = 20
LISTEN = ("127.0.0.1", 2525)
SINK = ("127.0.0.2", 25)
SENDER = "bench@example.org"
RCPT = "sink@example.net"
STEP_TIMEOUT = 600          # no single step may take longer (seconds)
# make bench must end within 30 minutes; installing and building take
# one or two of them, the rounds get the rest.
BUDGET = int(os.environ.get("BENCH_BUDGET", "1500"))

PF_LIB = os.path.join(ROOT, "postfix/usr/lib/postfix")
PF_SBIN = os.path.join(ROOT, "postfix/usr/sbin")
SM_CF = os.path.join(ROOT, "sendmail-cf/usr/share/sendmail/cf")


def log(*args):
    print(*args, flush=True)


def run(argv, timeout=STEP_TIMEOUT, check=True, **kw):
    """Run a command to completion, with a bound; return its CompletedProcess."""
    r = subprocess.run(argv, timeout=timeout, capture_output=True,
                       text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s%s" % (
            " ".join(argv), r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return r


def pf_env():
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = PF_LIB
    return env


# ---------------------------------------------------------------- cgroups

class Cgroup:
    """A CPU-accounting cgroup holding one MTA's processes."""

    def __init__(self, name):
        self.path = None
        self.v2 = False
        with open("/proc/mounts") as f:
            mounts = [ln.split() for ln in f]
        for dev, mnt, fstype, opts, *_ in mounts:
            if fstype == "cgroup" and "cpuacct" in opts.split(","):
                self.path = os.path.join(mnt, name)
                break
        if self.path is None:
            for dev, mnt, fstype, *_ in mounts:
                if fstype == "cgroup2":
                    self.path = os.path.join(mnt, name)
                    self.v2 = True
                    break
        if self.path is None:
            raise RuntimeError("no cpuacct or cgroup2 hierarchy mounted")
        os.makedirs(self.path, exist_ok=True)

    def preexec(self):
        """Runs in the child before exec: join this cgroup."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def pids(self):
        with open(os.path.join(self.path, "cgroup.procs")) as f:
            return [int(x) for x in f.read().split()]

    def cpu_ns(self):
        if not self.v2:
            with open(os.path.join(self.path, "cpuacct.usage")) as f:
                return int(f.read())
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for ln in f:
                k, v = ln.split()
                if k == "usage_usec":
                    return int(v) * 1000
        raise RuntimeError("no usage_usec in cpu.stat")

    def kill_all(self):
        """Stop whatever is left of the processes this bench started here."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        raise RuntimeError("processes left in %s" % self.path)

    def remove(self):
        self.kill_all()
        os.rmdir(self.path)


def pss_kb(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for ln in f:
                    if ln.startswith("Pss:"):
                        total += int(ln.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


# ---------------------------------------------------------------- helpers

PROBES = [0]                # connections wait_port made


def passive_opens():
    """TCP connections accepted in this network namespace so far."""
    with open("/proc/net/snmp") as f:
        rows = [ln.split() for ln in f if ln.startswith("Tcp:")]
    return int(rows[1][rows[0].index("PassiveOpens")])


def journal_commits():
    """Journal commits so far on the filesystem that holds the queues,
    from /proc/fs/jbd2 (ext4 with a journal); None without one.  A
    commit is what an fsync on ext4 costs, so commits per accepted
    message show how often an MTA makes the disk confirm a write."""
    st = os.stat(W)
    try:
        with open("/sys/dev/block/%d:%d/uevent" % (
                os.major(st.st_dev), os.minor(st.st_dev))) as f:
            dev = dict(ln.strip().split("=", 1) for ln in f
                       if "=" in ln).get("DEVNAME")
        for d in os.listdir("/proc/fs/jbd2"):
            if d.rsplit("-", 1)[0] == dev:
                with open("/proc/fs/jbd2/%s/info" % d) as f:
                    return int(f.readline().split()[0])
    except (OSError, ValueError):
        pass
    return None


def commits_per(before, messages):
    after = journal_commits()
    if before is None or after is None:
        return None
    return (after - before) / messages


def wait_port(addr, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(addr, timeout=2) as s:
                PROBES[0] += 1
                s.settimeout(5)
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("nothing answers on %s:%d" % addr)


def wait_gone(pid, timeout=30.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise RuntimeError("process %d did not stop" % pid)


def wipe(path):
    if os.path.isdir(path):
        shutil.rmtree(path)


def smtp_source(sessions, messages, reuse, timeout=STEP_TIMEOUT):
    """Send with smtp-source; return elapsed seconds."""
    argv = [os.path.join(PF_SBIN, "smtp-source"), "-s", str(sessions),
            "-m", str(messages), "-l", "1024", "-f", SENDER, "-t", RCPT,
            "-M", "client.example"]
    if reuse:
        argv.append("-d")
    argv.append("%s:%d" % LISTEN)
    t0 = time.monotonic()
    run(argv, timeout=timeout, env=pf_env())
    return time.monotonic() - t0


class Sink:
    """smtp-sink on SINK, exiting after it has received `count` messages."""
    live = []               # sinks not yet stopped, for a failed round

    def __init__(self, count):
        self.out = open(os.path.join(B, "sink.out"), "w")
        self.proc = subprocess.Popen(
            [os.path.join(PF_SBIN, "smtp-sink"), "-c", "-u", "nobody",
             "-M", str(count), "%s:%d" % SINK, "1024"],
            stdout=self.out, stderr=subprocess.STDOUT, env=pf_env())
        Sink.live.append(self)
        wait_port(SINK)

    def wait(self, timeout=STEP_TIMEOUT):
        """Wait for the last message."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise RuntimeError("smart host did not get every message in "
                               "%d s" % timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        Sink.live.remove(self)


def hold_idle(n):
    """Open n connections and say EHLO on each; return the sockets."""
    socks = []
    for i in range(n):
        s = socket.create_connection(LISTEN, timeout=10)
        f = s.makefile("rb")
        if not f.readline().startswith(b"220"):
            raise RuntimeError("no greeting on idle connection %d" % i)
        s.sendall(b"EHLO idle.example\r\n")
        while True:
            ln = f.readline()
            if not ln.startswith(b"250"):
                raise RuntimeError("EHLO refused: %r" % ln)
            if ln[3:4] == b" ":
                break
        socks.append((s, f))
    return socks


# ---------------------------------------------------------------- the MTAs

class MTA:
    name = "?"
    proc = None

    def __init__(self):
        self.dir = os.path.join(W, self.key)
        self.cg = Cgroup("sendmaild-bench-" + self.key)

    def spawn(self, argv, env=None, **kw):
        return subprocess.Popen(argv, preexec_fn=self.cg.preexec,
                                stdin=subprocess.DEVNULL,
                                stdout=self.logf, stderr=subprocess.STDOUT,
                                env=env, cwd=self.dir, **kw)

    def prepare(self):
        os.makedirs(self.dir, exist_ok=True)
        self.logf = open(os.path.join(self.dir, "log"), "a")

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    pass
            self.proc = None
        self.cg.kill_all()

    def finish_flush(self):
        """Called after the smart host has every message."""


class SendmailLike(MTA):
    """An MTA with sendmail's command line: -bD, -odq, -q."""

    def args(self):
        raise NotImplementedError

    def start(self, mode):
        argv = self.args() + ["-bD"]
        if mode == "queue":
            argv.append("-odq")
        self.proc = self.spawn(argv)
        wait_port(LISTEN)

    def flush(self):
        self.stop()
        self.runner = self.spawn(self.args() + ["-q"])

    def finish_flush(self):
        self.runner.wait(timeout=STEP_TIMEOUT)

    def write_cf(self, mc, m4_argv, **kw):
        """self.cf from the .mc lines mc, with m4 m4_argv + [the .mc]."""
        path = os.path.join(self.dir, "bench.mc")
        with open(path, "w") as f:
            f.write("\n".join(mc + [""]))
        cf = run(["m4"] + m4_argv + [path], **kw).stdout
        with open(self.cf, "w") as f:
            f.write(cf)


class Ours(SendmailLike):
    key = "sendmaild"
    name = "sendmaild"

    def prepare(self):
        super().prepare()
        # The default configuration, with what the bench's sendmail has:
        # no DNS in the namespace, so senders' domains are not checked.
        self.cf = os.path.join(self.dir, "sendmail.cf")
        self.queue = os.path.join(self.dir, "mqueue")
        self.write_cf([
            "divert(-1)dnl",
            "include(`%s/cf/m4/cf.m4')dnl" % TOP,
            "VERSIONID(`make bench')dnl",
            "OSTYPE(`linux')dnl",
            "FEATURE(`local_mbox')dnl",
            "FEATURE(`no_default_msa')dnl",
            "FEATURE(`nocanonify')dnl",
            "FEATURE(`accept_unresolvable_domains')dnl",
            "define(`confTO_IDENT', `0')dnl",
            "MAILER(`local')dnl",
            "MAILER(`smtp')dnl"], [], cwd=os.path.join(TOP, "cf/cf"))

    def version(self):
        # SM_VERSION in libsm/sm_config.h, and the commit measured.
        with open(os.path.join(TOP, "libsm/sm_config.h")) as f:
            m = re.search(r'SM_VERSION\s+"([^"]+)"', f.read())
        commit = run(["git", "-C", TOP, "describe", "--always", "--dirty"],
                     check=False).stdout.strip()
        return "sendmaild %s (%s)" % (m.group(1) if m else "?",
                                      commit or "not a git tree")

    def args(self):
        return [os.path.join(BUILD, "sendmaild"), "-C", self.cf,
                "-O", "DaemonPortOptions=Port=%d, Addr=%s, Name=MTA" %
                (LISTEN[1], LISTEN[0]),
                "-O", "QueueDirectory=" + self.queue,
                "-O", "PidFile=" + os.path.join(self.dir, "sendmaild.pid"),
                "-O", "RunAsUser=nobody",
                "-O", "HostStatusDirectory=" + os.path.join(self.dir, "hs"),
                "-M", "S[%s]" % SINK[0]]

    def wipe(self):
        wipe(self.queue)
        wipe(os.path.join(self.dir, "hs"))
        os.makedirs(self.queue)
        shutil.chown(self.queue, "nobody")


class Sendmail(SendmailLike):
    key = "sendmail"
    name = "sendmail"

    def prepare(self):
        super().prepare()
        self.bin = os.path.join(ROOT, "sendmail-bin/usr/libexec/sendmail/"
                                "sendmail")
        self.queue = os.path.join(self.dir, "mqueue")
        self.cf = os.path.join(self.dir, "sendmail.cf")
        d = self.dir
        self.write_cf([
            "divert(0)dnl",
            "VERSIONID(`make bench')dnl",
            "OSTYPE(`linux')dnl",
            "define(`confDOMAIN_NAME', `mx.bench.example')dnl",
            "define(`SMART_HOST', `[%s]')dnl" % SINK[0],
            "define(`QUEUE_DIR', `%s')dnl" % self.queue,
            "define(`confPID_FILE', `%s/sendmail.pid')dnl" % d,
            "define(`STATUS_FILE', `%s/statistics')dnl" % d,
            "define(`ALIAS_FILE', `%s/aliases')dnl" % d,
            "define(`confHOST_STATUS_DIRECTORY', `%s/hs')dnl" % d,
            "define(`confSERVICE_SWITCH_FILE', `%s/service.switch')dnl" % d,
            "define(`confDONT_PROBE_INTERFACES', `True')dnl",
            "FEATURE(`nocanonify')dnl",
            "FEATURE(`accept_unresolvable_domains')dnl",
            "DAEMON_OPTIONS(`Port=%d, Addr=%s, Name=MTA')dnl" %
            (LISTEN[1], LISTEN[0]),
            "MAILER(`local')dnl",
            "MAILER(`smtp')dnl"], ["-D_CF_DIR_=" + SM_CF + "/",
                                   os.path.join(SM_CF, "m4/cf.m4")])
        with open(os.path.join(d, "service.switch"), "w") as f:
            f.write("hosts files\naliases files\n")
        open(os.path.join(d, "aliases"), "w").close()

    def version(self):
        out = run([self.bin, "-C", self.cf, "-d0.1", "-bt"], check=False,
                  input="").stdout
        m = re.search(r"Version (\S+)", out)
        return "sendmail " + (m.group(1) if m else "?")

    def wipe(self):
        wipe(self.queue)
        wipe(os.path.join(self.dir, "hs"))
        os.makedirs(self.queue, mode=0o700)

    def args(self):
        return [self.bin, "-C", self.cf]


class Postfix(MTA):
    key = "postfix"
    name = "Postfix"

    def prepare(self):
        super().prepare()
        d = self.dir
        self.etc = os.path.join(d, "etc")
        self.spool = os.path.join(d, "spool")
        os.makedirs(self.etc, exist_ok=True)
        os.makedirs(os.path.join(d, "data"), exist_ok=True)
        shutil.chown(os.path.join(d, "data"), "postfix")
        root = os.path.join(ROOT, "postfix")
        shutil.copy(os.path.join(root, "etc/postfix/postfix-files"), self.etc)
        pf_dir = os.path.join(root, "etc/postfix/postfix-files.d")
        if os.path.isdir(pf_dir):
            shutil.rmtree(os.path.join(self.etc, "postfix-files.d"),
                          ignore_errors=True)
            shutil.copytree(pf_dir, os.path.join(self.etc, "postfix-files.d"))
        main = [
            "compatibility_level = 3.6",
            "queue_directory = " + self.spool,
            "data_directory = " + os.path.join(d, "data"),
            "command_directory = " + PF_SBIN,
            "daemon_directory = " + os.path.join(root, "usr/lib/postfix/sbin"),
            "meta_directory = " + self.etc,
            "shlib_directory = " + PF_LIB,
            "mail_owner = postfix",
            "setgid_group = postdrop",
            "myhostname = mx.bench.example",
            "mydomain = bench.example",
            "mydestination = $myhostname, localhost",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "relayhost = [%s]:%d" % SINK,
            "mynetworks = 127.0.0.0/8",
            "smtp_dns_support_level = disabled",
            "alias_maps =",
            "alias_database =",
            "biff = no",
            "maillog_file = /dev/stdout",
            "import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ "
            "LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH=" +
            PF_LIB,
            "defer_transports =",
            ""]
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            f.write("\n".join(main))
        # Debian's master.cf, smtpd on the bench port, nothing chrooted.
        out = []
        with open(os.path.join(root, "usr/share/postfix/master.cf.dist")) \
                as f:
            for ln in f:
                fields = ln.split()
                if ln[0] not in "# \t\n" and len(fields) >= 8:
                    if fields[0] == "smtp" and fields[1] == "inet":
                        fields[0] = "%s:%d" % LISTEN
                    fields[4] = "n"
                    ln = " ".join(fields) + "\n"
                out.append(ln)
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.writelines(out)

    def postfix(self, *args):
        # Postfix logs to stdout (maillog_file), which the master keeps.
        argv = [os.path.join(PF_SBIN, "postfix"), "-c", self.etc] + list(args)
        r = subprocess.run(argv, env=pf_env(), preexec_fn=self.cg.preexec,
                           stdin=subprocess.DEVNULL, stdout=self.logf,
                           stderr=subprocess.STDOUT, timeout=STEP_TIMEOUT)
        if r.returncode != 0:
            raise RuntimeError("%s: exit %d, see %s/log" % (
                " ".join(argv), r.returncode, self.dir))

    def postconf(self, setting):
        run([os.path.join(PF_SBIN, "postconf"), "-c", self.etc, "-e",
             setting], env=pf_env())

    def version(self):
        r = run([os.path.join(PF_SBIN, "postconf"), "-c", self.etc, "-d",
                 "mail_version"], env=pf_env(), check=False)
        return "Postfix " + r.stdout.split("=")[-1].strip()

    def wipe(self):
        wipe(self.spool)
        os.makedirs(self.spool)

    def start(self, mode):
        # Postfix's way to hold mail until asked: defer_transports, then
        # "postfix flush" (what sendmail -q does for Postfix).
        self.postconf("defer_transports = " +
                      ("smtp" if mode == "queue" else ""))
        self.postfix("start")
        wait_port(LISTEN)

    def stop(self):
        pidf = os.path.join(self.spool, "pid/master.pid")
        if os.path.exists(pidf) and self.cg.pids():
            with open(pidf) as f:
                pid = int(f.read().split()[0])
            self.postfix("stop")
            try:
                wait_gone(pid)
            except RuntimeError:
                pass
        self.cg.kill_all()

    def flush(self):
        self.postfix("flush")


class OpenSMTPD(MTA):
    key = "opensmtpd"
    name = "OpenSMTPD"

    def prepare(self):
        super().prepare()
        root = os.path.join(ROOT, "opensmtpd")
        self.bin = os.path.join(root, "usr/sbin/smtpd")
        self.ctl = os.path.join(root, "usr/sbin/smtpctl")
        self.conf = os.path.join(self.dir, "smtpd.conf")
        # The spool path is built in; bench_namespace gave us a private one.
        self.spool = "/var/spool/smtpd"
        with open(self.conf, "w") as f:
            # Its default of 100 messages per session would end the
            # sessions that reuse their connection.
            f.write("smtp limit max-mails %d\n" % (MESSAGES + 1) +
                    "listen on %s port %d\n" % LISTEN +
                    "action \"relay\" relay host smtp://%s:%d\n" % SINK +
                    "match from local for any action \"relay\"\n")

    def version(self):
        with open(os.path.join(self.dir, "log")) as f:
            m = re.search(r"OpenSMTPD (\S+) starting", f.read())
        return "OpenSMTPD " + (m.group(1) if m else "?")

    def wipe(self):
        if os.path.isdir(self.spool):
            for e in os.listdir(self.spool):
                wipe(os.path.join(self.spool, e))

    def start(self, mode):
        self.proc = self.spawn([self.bin, "-d", "-f", self.conf])
        wait_port(LISTEN)
        if mode == "queue":
            run([self.ctl, "pause", "mta"])

    def flush(self):
        run([self.ctl, "resume", "mta"])


# ---------------------------------------------------------------- metrics

def disk_limit():
    d = os.path.join(W, "disklimit")
    os.makedirs(d, exist_ok=True)
    out = run([os.path.join(BUILD, "bench/disklimit"), d,
               str(MESSAGES)]).stdout
    return float(out.split()[-1])


def one_round(m, res):
    """Every metric once for MTA m; append to res[metric]."""
    def add(k, v):
        res.setdefault(k, []).append(v)

    # Accept into the queue, a new connection per message; CPU; idle PSS.
    m.wipe()
    m.start("queue")
    time.sleep(0.5)
    base = pss_kb(m.cg.pids())
    idle = hold_idle(IDLE_CONNECTIONS)
    time.sleep(1.0)
    add("pss_kb", (pss_kb(m.cg.pids()) - base) / IDLE_CONNECTIONS)
    for s, f in idle:
        f.close()
        s.close()
    time.sleep(0.5)
    cpu0, j0 = m.cg.cpu_ns(), journal_commits()
    secs = smtp_source(SESSIONS, MESSAGES, reuse=False)
    add("cpu_ms", (m.cg.cpu_ns() - cpu0) / 1e6 / MESSAGES)
    add("accept_conn", MESSAGES / secs)
    add("commits_conn", commits_per(j0, MESSAGES))

    # One queue run of everything just accepted.
    sink = Sink(MESSAGES)
    opens, probes = passive_opens(), PROBES[0]
    t0 = time.monotonic()
    m.flush()
    sink.wait()
    add("relay", MESSAGES / (time.monotonic() - t0))
    add("relay_conns", passive_opens() - opens - (PROBES[0] - probes))
    sink.stop()
    m.finish_flush()
    m.stop()

    # Accept with connections reused; latency; one client.
    m.wipe()
    m.start("queue")
    add("accept_reuse", MESSAGES / smtp_source(SESSIONS, MESSAGES,
                                                reuse=True))
    j0 = journal_commits()
    add("latency_ms", 1000 * smtp_source(1, LATENCY_MESSAGES, reuse=True) /
        LATENCY_MESSAGES)
    add("commits_latency", commits_per(j0, LATENCY_MESSAGES))
    add("single_conn", MESSAGES / smtp_source(1, MESSAGES, reuse=False))
    m.stop()

    # The default delivery mode, end to end.
    m.wipe()
    sink = Sink(MESSAGES)
    m.start("deliver")
    t0 = time.monotonic()
    smtp_source(SESSIONS, MESSAGES, reuse=False)
    sink.wait()
    add("e2e", MESSAGES / (time.monotonic() - t0))
    sink.stop()
    m.stop()
    m.wipe()


METRICS = [
    # key, label, unit
    ("accept_conn", "accept, 10 sessions, new connection per message",
     "msg/s"),
    ("accept_reuse", "accept, 10 sessions, connections reused", "msg/s"),
    ("relay", "one queue run to the smart host", "msg/s"),
    ("relay_conns", "connections opened by that queue run", "conns"),
    ("e2e", "default delivery mode, end to end", "msg/s"),
    ("latency_ms", "single-session latency (200 on one connection)",
     "ms/msg"),
    ("single_conn", "one client, new connection per message", "msg/s"),
    ("pss_kb", "PSS per idle connection (after EHLO)", "KB"),
    ("cpu_ms", "CPU per accepted message", "ms"),
    ("commits_conn", "journal commits per message, accept with 10 sessions",
     "commits"),
    ("commits_latency", "journal commits per message, one session",
     "commits"),
]


def report(mtas, results, disk, seconds, skipped):
    ours = mtas[0].key
    peers = mtas[1:]
    lines = []
    hdr = "| metric | unit | " + " | ".join(m.name for m in mtas)
    hdr += "".join(" | ours/%s" % m.name for m in peers) + " |"
    lines.append(hdr)
    lines.append("|" + "---|" * (2 + len(mtas) + len(peers)))
    for key, label, unit in METRICS:
        med = {}
        for m in mtas:
            vals = [v for v in results[m.key].get(key, []) if v is not None]
            med[m.key] = statistics.median(vals) if vals else None
        if all(v is None for v in med.values()):
            continue
        row = "| %s | %s | " % (label, unit)
        row += " | ".join(fmt(med[m.key]) for m in mtas)
        for m in peers:
            row += " | %s" % (("%.2f" % (med[ours] / med[m.key]))
                              if med[m.key] and med[ours] is not None
                              else "-")
        lines.append(row + " |")
    dl = statistics.median(disk)
    acc = statistics.median(results[ours]["accept_conn"])
    lines.append("")
    lines.append("Disk limit (create, write 1 KB, fsync, rename, fsync "
                 "directory; one writer): %.0f files/s; sendmaild's accept "
                 "with a connection per message is %.0f%% of it." %
                 (dl, 100 * acc / dl))
    lazy = []
    for m in mtas:
        seen = [v for v in results[m.key].get("commits_latency", [])
                if v is not None]
        if seen and max(seen) < 0.5:
            lazy.append(m.name)
    if lazy:
        lines.append("")
        lines.append("Fewer than one journal commit per message in one "
                     "session: %s answered 250 before the message was on "
                     "disk (no fsync), so its figures are not for the "
                     "same durability." % ", ".join(lazy))
    lines.append("")
    lines.append("Medians of %d rounds of %d messages of 1 KB; the run took "
                 "%.0f s." % (ROUNDS, MESSAGES, seconds))
    if skipped:
        lines.append("")
        lines.append("Left out to end within BENCH_BUDGET (%d s): %s." % (
            BUDGET, ", ".join("%d round%s of %s" % (
                n, "" if n == 1 else "s", m.name)
                for m in mtas for n in [skipped.get(m.key, 0)] if n)))
    return "\n".join(lines)


def fmt(v):
    if v is None:
        return "-"
    if v < 10:
        return "%.2f" % v if v < 1 else "%.1f" % v
    return "%.1f" % v if v < 100 else "%.0f" % v


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    df = run(["df", "-T", W]).stdout.splitlines()[-1].split()
    how = ("an ext4 filesystem with a journal in %s, mounted through %s "
           "(BENCH_FS=ext4)" % (os.environ.get("BENCH_IMAGE", "?"), df[0])
           if os.environ.get("BENCH_IMAGE") else "%s (%s)" % (df[0], df[1]))
    return "%s, %d cores, %.0f GiB; kernel %s; queues in %s on %s" % (
        cpu, os.cpu_count(), mem, platform.release(), W, how)


def main():
    known = {"sendmaild": Ours, "sendmail": Sendmail, "postfix": Postfix,
             "opensmtpd": OpenSMTPD}
    names = os.environ.get("BENCH_MTAS",
                           "sendmaild sendmail postfix opensmtpd")
    names = names.replace(",", " ").split()
    if names[0] != "sendmaild":
        names.insert(0, "sendmaild")
    mtas = [known[n]() for n in names]
    for m in mtas:
        m.prepare()
    results = {m.key: {} for m in mtas}
    disk = []
    slowest, skipped = {}, {}
    start = time.monotonic()
    try:
        for r in range(ROUNDS):
            disk.append(disk_limit())
            log("round %d: disk limit %.0f files/s" % (r + 1, disk[-1]))
            for m in mtas:
                left = BUDGET - (time.monotonic() - start)
                if r > 0 and slowest[m.key] > left:
                    skipped[m.key] = skipped.get(m.key, 0) + 1
                    log("round %d: %-10s left out: its slowest round took "
                        "%.0f s, %.0f s of BENCH_BUDGET are left" % (
                            r + 1, m.name, slowest[m.key], left))
                    continue
                t0 = time.monotonic()
                one_round(m, results[m.key])
                took = time.monotonic() - t0
                slowest[m.key] = max(slowest.get(m.key, 0.0), took)
                log("round %d: %-10s %s (%.0f s)" % (
                    r + 1, m.name, " ".join(
                        "%s=%s" % (k, fmt(v[-1]))
                        for k, v in results[m.key].items()),
                    took))
    finally:
        for sink in list(Sink.live):
            sink.stop()
        for m in mtas:
            m.stop()
            m.cg.remove()
    table = report(mtas, results, disk, time.monotonic() - start, skipped)
    versions = "; ".join(m.version() for m in mtas)
    text = "\n".join([
        "## Run of %s" % time.strftime("%Y-%m-%d %H:%M %Z"),
        "",
        "Command: `make bench` (BENCH_MESSAGES=%d BENCH_ROUNDS=%d)" %
        (MESSAGES, ROUNDS),
        "",
        "Machine: " + machine(),
        "",
        "Versions: " + versions,
        "",
        table, ""])
    log("")
    log(text)
    out = os.environ.get("BENCH_RESULTS")
    if out:
        with open(out, "a") as f:
            f.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
