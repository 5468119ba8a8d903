"""make durability: SIGKILL at random while mail flows, then count every
copy of every message.

As root, in network and mount namespaces of its own (tests/integration/
testnet.py), the real daemon (build/sendmaild -bD -q5s,
DeliveryMode=background, with its resident delivery agents) takes
DURABILITY_MESSAGES messages over SMTP, DURABILITY_RATE a second from
DURABILITY_CLIENTS client threads, one connection each.  Each message
goes to one or both of two local users (games, news; mailboxes in a
spool of the run's own, built-in mbox delivery) and to one remote
recipient of its own, whom the smart host takes: an aiosmtpd server in a
process of its own that writes down the token in the Subject of every
message it gets.  It answers 451 to the first try of every fifth
message's recipient, so that queue runs have work.  A connection that
breaks before the message's text is sent, or a 4xx before it, cannot
have queued anything: the client sends the same message again.

Meanwhile a killer sends SIGKILL, on average every
DURABILITY_KILL_INTERVAL seconds, to a process of the daemon's of a
kind drawn at random from DURABILITY_KINDS:
  master     the daemon (a service manager's part: started again 0.5 s
             after it died)
  session    an SMTP session child
  agent      a resident delivery agent (sendmail-agent), or the delivery
             a session forked when no agent was free
  queue run  a queue run or one of its runners
  worker     a root worker of the local delivery service, while it has
             a child (while it delivers)
  append     a child that appends to a mailbox as its user
The kinds are told apart by their parents (this script is the
subreaper of the daemon's tree, so orphans and the local delivery
service, a grandchild of the master, stay in view) and by what they
hold: a session a connection to the daemon's port, a queue run a queue
file or a connection to the smart host.  A kind that has no process at
the moment is waited for (2 s, a queue run 6 s); the short-lived ones
(workers, append children, queue runs) are looked for every 2 ms and
killed at a random moment 0-4 ms (queue runs 0-20 ms) after they are
seen.

Then the daemon is stopped (SIGTERM), started again without the killer,
and given DURABILITY_DRAIN_SECONDS at most to empty its queue; the
mailboxes and the smart host's record are counted against what the
clients were told.  A recipient whose message got 250 must have it at
least once; a message whose connection broke after DATA may be there
once or not at all; one refused with 4xx or 5xx must not be there.
Copies beyond the first are reported per thousand acknowledged, not
failed (SECURITY.md: delivery is at least once).  The run fails when
acknowledged mail is missing, refused mail was delivered, or the queue
did not drain.  Bounded: DURABILITY_MESSAGES messages, DURABILITY_SECONDS
seconds of load.  DURABILITY_SEED seeds the killer's draws (printed; the
processes they hit still depend on timing); DURABILITY_KEEP=1 keeps the
run's folder (daemon log, kills, mailboxes, the smart host's record),
which a failed run always keeps.  tests/soak/RESULTS.md keeps measured
runs.
"""
import collections
import ctypes
import os
import pwd
import random
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INTEGRATION = os.path.join(ROOT, "tests", "integration")
BUILD = os.environ.get("SENDMAILD_BUILD", os.path.join(ROOT, "build"))
MESSAGES = int(os.environ.get("DURABILITY_MESSAGES", "2000"))
LIMIT = float(os.environ.get("DURABILITY_SECONDS", "600"))
DRAIN = float(os.environ.get("DURABILITY_DRAIN_SECONDS", "300"))
CLIENTS = int(os.environ.get("DURABILITY_CLIENTS", "4"))
RATE = float(os.environ.get("DURABILITY_RATE", "20"))
INTERVAL = float(os.environ.get("DURABILITY_KILL_INTERVAL", "0.25"))
SEED = int(os.environ.get("DURABILITY_SEED", str(int(time.time()))))

KINDS = ("master", "session", "agent", "queue run", "worker", "append")
CHOSEN = [k.strip() for k in
          os.environ.get("DURABILITY_KINDS", ",".join(KINDS)).split(",")
          if k.strip()]
LOCALS = ("games", "news")
# The remote recipient of message m000123 is m000123@relay.example; of
# every fifth message, m000123.later@relay.example, whom the smart host
# refuses with 451 the first time, so that queue runs have work.
LATER = 5
SENDER = "sender@example.org"
QUEUE_INTERVAL = 5          # -q5s
RESTART_DELAY = 0.5         # s before a killed master starts again
HUNT = 2.0                  # s a kill waits for a process of its kind
HUNT_RUN = QUEUE_INTERVAL + 1   # and for a queue run
# Kinds that live for milliseconds: looked for every 2 ms, and killed at
# a random moment within this many seconds of being seen.
BRIEF = {"worker": 0.004, "append": 0.004, "queue run": 0.02}
# What ps calls the daemon's processes: the local delivery service and
# its workers and append children are "sendmail-local".
OURS = ("sendmaild", "sendmail-agent", "sendmail-local")
PR_SET_CHILD_SUBREAPER = 36

SUBJECT = re.compile(rb"^Subject: durability (m\d{6})\r?$", re.M)
END = re.compile(rb"^end (m\d{6})\r?$", re.M)


def token_of(content):
    """The token in the Subject of a message as the smart host got it
    (its own header, not one quoted in a bounce's body), or None."""
    head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    m = SUBJECT.search(head)
    return m.group(1).decode() if m else None


def smarthost_main(port, path):
    """The smart host: a process of its own, told to stop by SIGTERM."""
    sys.path.insert(0, INTEGRATION)
    from smarthost import Recorder, start_smarthost

    out = open(path, "a", buffering=1)
    refused = set()

    class Tokens(Recorder):
        """Writes down each message it takes: token, recipients, sender;
        refuses a recipient "later" once."""

        async def handle_RCPT(self, server, session, envelope, address,
                              options):
            if ".later@" in address and address not in refused:
                refused.add(address)
                return "451 4.3.0 later"
            return await super().handle_RCPT(server, session, envelope,
                                             address, options)

        async def handle_DATA(self, server, session, envelope):
            token = token_of(envelope.original_content)
            complete = END.search(envelope.original_content) is not None
            out.write("%s\t%s\t%s\t%s\n" % (
                token, ",".join(envelope.rcpt_tos), envelope.mail_from,
                "whole" if complete else "cut"))
            return "250 2.0.0 taken"

    ctl, _ = start_smarthost(port, Tokens())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    open(path + ".ready", "w").close()
    while not stop.wait(1):
        pass
    ctl.stop()
    out.close()


# ---- the daemon's processes -------------------------------------------

class Proc:
    __slots__ = ("pid", "comm", "state", "ppid", "start", "kind")


def read_proc(pid):
    """What /proc/PID/stat says of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read()
    except OSError:
        return None
    p = Proc()
    p.pid = pid
    p.comm = s[s.index(b"(") + 1:s.rindex(b")")].decode("latin-1")
    rest = s[s.rindex(b")") + 2:].split()
    p.state, p.ppid, p.start = rest[0].decode(), int(rest[1]), int(rest[19])
    p.kind = None
    return p


def euid(pid):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            m = re.search(rb"^Uid:\s+\d+\s+(\d+)", f.read(), re.M)
    except OSError:
        return -1
    return int(m.group(1)) if m else -1


def children(pid, all_tasks=False):
    """The children of pid (of each of its threads with all_tasks)."""
    tids = [pid]
    if all_tasks:
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            return []
    kids = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
        except OSError:
            pass
    return kids


class Tree:
    """The daemon's processes, found from ours (we are their subreaper,
    so what a killed master or the local delivery service leaves is
    ours too) and sorted into kinds by their parents.  The master's
    children other than its agents all start as "sendmaild" run as
    RunAsUser: a session holds a connection to the daemon's port, a
    queue run a file in the queue or a connection to the smart host."""

    def __init__(self, port, smart_port, queue):
        self.port, self.smart_port, self.queue = port, smart_port, queue
        self.masters = set()        # the pids of every master we started
        self.memo = {}              # (pid, start) -> kind
        self.me = os.getpid()

    def sockets(self):
        """Inodes of connections accepted on the daemon's port, and of
        connections to the smart host."""
        accepted, relay = set(), set()
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                w = line.split()
                if w[3] == "0A":                 # LISTEN
                    continue
                if int(w[1].split(":")[1], 16) == self.port:
                    accepted.add("socket:[%s]" % w[9])
                elif int(w[2].split(":")[1], 16) == self.smart_port:
                    relay.add("socket:[%s]" % w[9])
        return accepted, relay

    def what(self, pid, sockets):
        """A child of the master that runs as RunAsUser: what it is, as
        far as the files it holds tell, or None."""
        accepted, relay = sockets
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}")
                     for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            return None
        if any(link in accepted for link in links):
            return "session"
        if any(link in relay or link.startswith(self.queue)
               for link in links):
            return "queue run"
        return None

    def scan(self):
        """Every live process of the daemon's, each with its kind."""
        found, zombies = [], []
        kinds = {self.me: "us"}
        todo = [(pid, self.me) for pid in children(self.me, True)]
        sockets = None
        while todo:
            pid, parent = todo.pop(0)
            p = read_proc(pid)
            if p is None or p.comm not in OURS:
                continue
            if p.state == "Z":
                if parent == self.me and pid not in self.masters:
                    zombies.append(pid)
                continue
            pk = kinds.get(parent)
            key = (pid, p.start)
            if pid in self.masters:
                p.kind = "master"
            elif p.comm == "sendmail-agent":
                p.kind = "agent"
            elif key in self.memo:
                p.kind = self.memo[key]
            elif pk in ("master", "us"):
                if euid(pid) == 0:
                    # The local delivery service (a grandchild of the
                    # master's, so ours), or a child not yet RunAsUser.
                    p.kind = "service" if pk == "us" else None
                else:
                    if sockets is None:
                        sockets = self.sockets()
                    p.kind = self.what(pid, sockets)
            elif pk == "session":
                p.kind = "delivery"
            elif pk == "queue run":
                p.kind = "queue run"
            elif pk == "service":
                p.kind = "worker"
            elif pk == "worker":
                p.kind = "append"
            if p.kind is not None:
                self.memo[key] = p.kind
            else:
                p.kind = "unknown"      # for now: not one to kill
            kinds[pid] = p.kind
            found.append(p)
            todo += [(k, pid) for k in children(pid)]
        for pid in zombies:                  # orphans that ended
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if len(self.memo) > 100000:
            self.memo.clear()
        return found


def start_of(pid):
    p = read_proc(pid)
    return p.start if p else None


def kill(p):
    """SIGKILL to p if it is still the process we saw; True when sent."""
    try:
        fd = os.pidfd_open(p.pid)
    except OSError:
        return False
    try:
        if start_of(p.pid) != p.start:
            return False
        signal.pidfd_send_signal(fd, signal.SIGKILL)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


# ---- the daemon --------------------------------------------------------

class Master:
    """build/sendmaild -bD: start() starts it (again), stop() stops it."""

    def __init__(self, base, cf, port, tree):
        self.base, self.tree = base, tree
        self.pidfile = os.path.join(base, "pid")
        self.log = open(os.path.join(base, "log"), "ab")
        self.queue = os.path.join(base, "mqueue")
        self.args = [os.path.join(BUILD, "sendmaild"), "-bD",
                     f"-q{QUEUE_INTERVAL}s", "-C", cf,
                     "-O", f"DaemonPortOptions=Port={port}, Addr=127.0.0.1, Name=MTA",
                     "-O", f"QueueDirectory={self.queue}",
                     "-O", f"PidFile={self.pidfile}",
                     "-O", f"MailSpoolDirectory={base}/mail",
                     "-O", f"AliasFile={base}/aliases",
                     "-O", f"ForwardPath={base}/forward/$u",
                     "-O", "RunAsUser=nobody",
                     "-O", "DeliveryMode=background"]
        self.proc = None
        self.starts = 0

    def start(self, limit=30):
        """Start it; retry while the port is still held by a dying one."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                os.unlink(self.pidfile)
            except FileNotFoundError:
                pass
            self.log.flush()
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                         stdout=self.log, stderr=self.log)
            self.tree.masters.add(self.proc.pid)
            self.starts += 1
            while self.proc.poll() is None and time.monotonic() < end:
                if os.path.exists(self.pidfile):
                    return
                time.sleep(0.02)
            time.sleep(0.2)
        raise RuntimeError("the daemon does not start; see " + self.base)

    def stop(self, limit=60):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(limit)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return False
        return True

    def queued(self):
        n = 0
        for _, _, files in os.walk(self.queue):
            n += sum(1 for f in files if f.startswith("qf"))
        return n


# ---- load --------------------------------------------------------------

class Load:
    """CLIENTS threads send MESSAGES messages, one connection each, and
    note what each recipient was told.  Until the message's text has
    been sent nothing can have been queued, so a connection that breaks
    earlier, or a 4xx before DATA, means: the same message again."""

    def __init__(self, port, start, deadline):
        self.port, self.start, self.deadline = port, start, deadline
        self.lock = threading.Lock()
        self.next = 0
        self.sent = {}          # token -> (locals, status)
        self.retries = 0

    @staticmethod
    def text(token, rcpts):
        body = "".join("%s line %03d %s\r\n" % (token, n, "x" * 60)
                       for n in range(50))
        return ("From: <%s>\r\nTo: %s\r\nSubject: durability %s\r\n"
                "Message-Id: <%s@client.example>\r\n\r\n%send %s\r\n" %
                (SENDER, ", ".join("<%s>" % u for u in rcpts), token, token,
                 body, token))

    def once(self, token, rcpts):
        """One try: 'acked', 'refused', 'broken' or None (try again)."""
        try:
            s = smtplib.SMTP("127.0.0.1", self.port, timeout=60)
        except (OSError, smtplib.SMTPException):
            return None
        data = False
        try:
            if s.ehlo("client.example")[0] != 250:
                return None
            code = s.mail(SENDER)[0]
            if code != 250:
                return "refused" if code >= 500 else None
            for r in rcpts:
                code = s.rcpt(r)[0]
                if code not in (250, 251):
                    return "refused" if code >= 500 else None
            data = True
            code = s.data(self.text(token, rcpts))[0]
            status = "acked" if code == 250 else "refused"
            try:
                s.quit()
            except (OSError, smtplib.SMTPException):
                pass
            return status
        except smtplib.SMTPDataError:
            return None         # no 354: the text was not sent
        except (OSError, smtplib.SMTPException):
            return "broken" if data else None
        finally:
            s.close()

    def client(self):
        while True:
            with self.lock:
                i = self.next
                self.next += 1
            if i >= MESSAGES:
                return
            if RATE > 0:            # message i leaves at start + i / RATE
                time.sleep(max(0.0, self.start + i / RATE - time.monotonic()))
            if time.monotonic() > self.deadline:
                return
            token = "m%06d" % i
            locals_ = ([LOCALS[0]], [LOCALS[1]], list(LOCALS),
                       list(LOCALS))[i % 4]
            rcpts = locals_ + ["%s%s@relay.example" % (
                token, ".later" if i % LATER == LATER - 1 else "")]
            status = None
            while status is None and time.monotonic() < self.deadline:
                status = self.once(token, rcpts)
                if status is None:
                    with self.lock:
                        self.retries += 1
                    time.sleep(0.2)
            with self.lock:
                self.sent[token] = (locals_, status or "unsent")

    def run(self):
        threads = [threading.Thread(target=self.client, daemon=True)
                   for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads


# ---- chaos -------------------------------------------------------------

class Chaos:
    """The killer, and the service manager that starts a dead master
    again; runs until stop() is called."""

    def __init__(self, master, tree, rng, log):
        self.master, self.tree, self.rng, self.log = master, tree, rng, log
        self.kills = collections.Counter()
        self.missed = collections.Counter()
        self.master_died = 0        # not by our hand
        self.done = threading.Event()
        self.killed = set()         # the masters we killed
        self.error = None

    def candidates(self, kind, procs):
        if kind == "agent":
            # A resident agent, or the delivery a session forked when no
            # agent was free (sendmail's own way).
            return [p for p in procs if p.kind in ("agent", "delivery")]
        if kind == "worker":
            # Only while it delivers: one that waits for work holds no
            # message.
            return [p for p in procs if p.kind == "worker" and
                    any(q.ppid == p.pid for q in procs)]
        return [p for p in procs if p.kind == kind]

    def hunt(self, kind):
        end = time.monotonic() + (HUNT_RUN if kind == "queue run" else HUNT)
        while not self.done.is_set() and time.monotonic() < end:
            if kind == "master":
                proc = self.master.proc
                if proc is None or proc.poll() is not None:
                    time.sleep(0.05)
                    continue
                self.killed.add(proc.pid)
                proc.kill()
                self.note("master", proc.pid)
                return True
            procs = self.tree.scan()
            found = self.candidates(kind, procs)
            if found:
                p = self.rng.choice(found)
                time.sleep(self.rng.uniform(0, BRIEF.get(kind, 0)))
                if kill(p):
                    self.note(kind, p.pid)
                    return True
            time.sleep(0.002 if kind in BRIEF else 0.02)
        return False

    def note(self, kind, pid):
        self.log.write("%.3f %s %d\n" % (time.monotonic(), kind, pid))

    def killer(self):
        if not CHOSEN:
            return
        while not self.done.wait(min(self.rng.expovariate(1 / INTERVAL),
                                     10 * INTERVAL)):
            kind = self.rng.choice(CHOSEN)
            if self.hunt(kind):
                self.kills[kind] += 1
            else:
                self.missed[kind] += 1

    def manager(self):
        while not self.done.wait(0.05):
            proc = self.master.proc
            if proc.poll() is None:
                continue
            if proc.pid not in self.killed:
                self.master_died += 1
            time.sleep(RESTART_DELAY)
            try:
                self.master.start()
            except RuntimeError as e:
                self.error = str(e)
                return

    def run(self):
        threads = [threading.Thread(target=self.killer, daemon=True),
                   threading.Thread(target=self.manager, daemon=True)]
        for t in threads:
            t.start()
        return threads

    def stop(self, threads):
        self.done.set()
        for t in threads:
            t.join(60)


# ---- counting ----------------------------------------------------------

def mailbox_counts(path):
    """Whole copies (the last line there) and cut ones per token."""
    try:
        with open(path, "rb") as f:
            text = f.read()
    except FileNotFoundError:
        return collections.Counter(), collections.Counter()
    whole = collections.Counter(m.decode() for m in END.findall(text))
    begun = collections.Counter(m.decode() for m in SUBJECT.findall(text))
    cut = collections.Counter({t: n - whole[t] for t, n in begun.items()
                               if n > whole[t]})
    return whole, cut


def smarthost_counts(path):
    whole, cut, bounces = collections.Counter(), collections.Counter(), 0
    with open(path) as f:
        for line in f:
            token, rcpts, sender, state = line.rstrip("\n").split("\t")
            if sender in ("", "<>"):
                bounces += 1
                continue
            if rcpts.split("@")[0].split(".")[0] != token:
                continue
            (whole if state == "whole" else cut)[token] += 1
    return whole, cut, bounces


def tally(expected, copies):
    """acked, lost, extra copies; and for the others: delivered, twice."""
    t = collections.Counter()
    for key, status in expected:
        n = copies[key]
        t[status] += 1
        if status == "acked":
            t["lost"] += n == 0
            t["extra"] += max(0, n - 1)
        else:
            t[status + " delivered"] += n > 0
            t[status + " twice"] += n > 1
    return t


def per_thousand(n, of):
    return "%.2f" % (1000.0 * n / of) if of else "-"


def report(load, chaos, local, relay, cut_local, cut_relay, bounces,
           seconds, drained, queued, master):
    statuses = collections.Counter(s for _, s in load.sent.values())
    print("durability: %d messages in %.0f s (%d acknowledged, %d broken "
          "after DATA, %d refused, %d unsent; %d tries again before DATA); "
          "queue %s" % (
              len(load.sent), seconds, statuses["acked"], statuses["broken"],
              statuses["refused"], statuses["unsent"], load.retries,
              "drained in %.0f s" % drained if queued == 0 else
              "still holds %d after %.0f s" % (queued, drained)))
    print()
    print("| delivery | acknowledged | lost | lost/1000 | extra copies | "
          "extra/1000 | cut copies | broken after DATA: delivered, twice |")
    print("|---|---|---|---|---|---|---|---|")
    for name, t, cut in (("local (user, message)", local, cut_local),
                         ("relay (message)", relay, cut_relay)):
        print("| %s | %d | %d | %s | %d | %s | %d | %d, %d |" % (
            name, t["acked"], t["lost"], per_thousand(t["lost"], t["acked"]),
            t["extra"], per_thousand(t["extra"], t["acked"]), cut,
            t["broken delivered"], t["broken twice"]))
    print()
    print("kills: " + ", ".join("%s %d" % (k, chaos.kills[k]) for k in KINDS
                                if k in CHOSEN) +
          "; none found in time: " +
          (", ".join("%s %d" % (k, chaos.missed[k]) for k in KINDS
                     if chaos.missed[k]) or "0"))
    print("master started %d times; it ended by itself %d times; %d "
          "bounces reached the smart host" % (master.starts,
                                               chaos.master_died, bounces))


def wait_gone(tree, limit):
    """Wait until no process of the daemon is left; what is left."""
    end = time.monotonic() + limit
    while True:
        left = tree.scan()
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.2)


def main():
    if os.geteuid() != 0:
        print("durability: skipped: needs root (private namespaces, local "
              "users' mailboxes)")
        return 0
    sys.path.insert(0, INTEGRATION)
    import testnet
    testnet.isolate()
    from cfgen import HEAD, build_cf
    from daemon_util import free_port, wait_for

    unknown = set(CHOSEN) - set(KINDS)
    if unknown:
        sys.exit("durability: DURABILITY_KINDS: no such kind: " +
                 ", ".join(sorted(unknown)) + " (kinds: " + ", ".join(KINDS) +
                 ")")
    rng = random.Random(SEED)
    base = tempfile.mkdtemp(prefix="smd-durability-", dir="/tmp")
    os.chmod(base, 0o755)
    port, smart_port = free_port(), free_port()
    # The spool: root's, so that users cannot make lock files in it and
    # the built-in delivery locks mailboxes with fcntl alone, a lock
    # that ends with its holder.  (A dot-lock left by a killed append
    # child holds that mailbox for five minutes.)
    spool = os.path.join(base, "mail")
    os.mkdir(spool, 0o755)
    for user in LOCALS:
        pw = pwd.getpwnam(user)
        path = os.path.join(spool, user)
        with open(path, "w"):
            pass
        os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, 0o600)
    os.mkdir(os.path.join(base, "forward"), 0o755)
    queue = os.path.join(base, "mqueue")
    os.mkdir(queue)
    nobody = pwd.getpwnam("nobody")
    os.chown(queue, nobody.pw_uid, nobody.pw_gid)
    cf = str(build_cf(base, "durability", HEAD +
                      "define(`SMART_HOST', `[127.0.0.1]')dnl\n"
                      f"define(`RELAY_MAILER_ARGS', `TCP $h {smart_port}')dnl\n"
                      "define(`confTO_IDENT', `0')dnl\n"
                      "define(`LOCAL_MAILER_PATH', `[MBOX]')dnl\n"
                      "FEATURE(`no_default_msa')dnl\n"
                      "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"))

    record = os.path.join(base, "smarthost")
    host = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                             "--smarthost", str(smart_port), record],
                            stdin=subprocess.DEVNULL)
    if not wait_for(lambda: os.path.exists(record + ".ready"), 30):
        host.kill()
        sys.exit("durability: the smart host did not start")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("durability: cannot become the daemon's subreaper")

    tree = Tree(port, smart_port, queue)
    master = Master(base, cf, port, tree)
    failed = []
    try:
        master.start()
        print("durability: %d messages, %d clients, a kill every %.2f s on "
              "average (%s), seed %d; in %s" % (
                  MESSAGES, CLIENTS, INTERVAL, ", ".join(CHOSEN), SEED,
                  base), flush=True)
        t0 = time.monotonic()
        load = Load(port, t0, t0 + LIMIT)
        chaos = Chaos(master, tree, rng,
                      open(os.path.join(base, "kills"), "w", buffering=1))
        workers = chaos.run()
        for t in load.run():
            t.join()
        seconds = time.monotonic() - t0
        chaos.stop(workers)
        if chaos.error:
            failed.append(chaos.error)

        # A clean start, as after a crash, and a queue left to drain.
        if not master.stop():
            failed.append("the master did not stop on SIGTERM")
        left = wait_gone(tree, 120)
        if left:
            failed.append("processes left after the stop: " + ", ".join(
                "%d (%s)" % (p.pid, p.kind) for p in left))
        t1 = time.monotonic()
        master.start()
        while master.queued() > 0 and time.monotonic() - t1 < DRAIN:
            time.sleep(1)
        drained = time.monotonic() - t1
        queued = master.queued()
        if not master.stop():
            failed.append("the master did not stop on SIGTERM")
        for p in wait_gone(tree, 60):
            kill(p)
    finally:
        if master.proc is not None and master.proc.poll() is None:
            master.proc.kill()
            master.proc.wait()
        host.send_signal(signal.SIGTERM)
        try:
            host.wait(30)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()

    local_copies, cut_local = collections.Counter(), 0
    for user in LOCALS:
        whole, cut = mailbox_counts(os.path.join(spool, user))
        for token, n in whole.items():
            local_copies[(token, user)] = n
        cut_local += sum(cut.values())
    relay_copies, cut_relay, bounces = smarthost_counts(record)
    cut_relay = sum(cut_relay.values())
    local = tally([((tok, u), st) for tok, (ls, st) in load.sent.items()
                   for u in ls], local_copies)
    relay = tally([(tok, st) for tok, (_, st) in load.sent.items()],
                  relay_copies)
    report(load, chaos, local, relay, cut_local, cut_relay, bounces,
           seconds, drained, queued, master)

    if local["lost"] or relay["lost"]:
        failed.append("acknowledged mail lost: %d local, %d relayed" % (
            local["lost"], relay["lost"]))
    if local["refused delivered"] or relay["refused delivered"]:
        failed.append("refused mail delivered")
    if queued:
        failed.append("%d messages still queued" % queued)
    if failed:
        sys.exit("durability: failed: %s; see %s" % ("; ".join(failed), base))
    if os.environ.get("DURABILITY_KEEP"):
        print("durability: kept " + base)
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--smarthost"]:
        smarthost_main(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(main())
