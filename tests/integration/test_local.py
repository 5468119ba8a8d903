"""Local delivery: mailboxes, aliases in each form, owner- aliases, .forward
files, the local and prog mailers, file targets, Timeout.fileopen, -bv and
-v (local submission issue, items 2, 3, 4 and 6)."""
import fcntl
import os
import pathlib
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from daemon_util import USER, messages, untraced_leak_check, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")

DEFAULT_UID = 1         # DefaultUser (1:1): runs the alias file's programs


def test_mailbox_delivery_as_the_user(site):
    s = site(options=["DeliveryMode=queueonly"])
    pw = pwd.getpwnam(USER)
    # The spool as Debian ships it: root:mail, group-writable, setgid.
    spool = pathlib.Path(s.d.spool)
    shutil.chown(spool, "root", "mail")
    spool.chmod(0o2775)
    s.send([f"{USER}@localhost"],
           "Subject: mbox\r\n\r\nFrom the start\r\n>From quoted\r\nend")
    r = s.run_queue()
    assert re.search(rf"to={USER}, orig_to=<{USER}@localhost>, .*"
                     r"mailer=local, .*dsn=2\.0\.0, stat=Sent$", r.stderr,
                     re.M), r.stderr
    st = os.stat(spool / USER)
    assert (st.st_uid, st.st_mode & 0o777) == (pw.pw_uid, 0o600)
    box = s.mailbox()
    assert re.match(r"From a@example\.org +\w{3} \w{3} [ \d]\d "
                    r"\d\d:\d\d:\d\d \d{4}\n", box), box[:80]
    assert "\nReturn-Path: <a@example.org>\n" in box
    # mboxo, as mail.local writes it: "From " lines get a ">".
    assert "\n\n>From the start\n>From quoted\nend\n\n" in box
    assert not (spool / f"{USER}.lock").exists()
    assert s.d.queued("qf") == [] and s.d.queued("df") == []
    # A second message is appended, not written over the first.
    s.send([f"{USER}@localhost"], "Subject: two\r\n\r\nsecond\r\n")
    s.run_queue()
    assert [m.split("\n", 1)[0].split()[0] for m in
            messages(s.mailbox())] == ["a@example.org"] * 2


def test_each_alias_form(site):
    s = site(options=["DeliveryMode=queueonly"])
    inc = s.base / "members"
    inc.write_text(f"# members\n{s.out}/inc.mbox\nfar@far.example\n")
    shutil.chown(inc, USER)
    s.set_aliases(
        f"postmaster: {USER}\n"
        f"team: {USER}, friend@far.example,\n"
        f"  \"|/bin/sh -c 'id -u > {s.out}/prog.uid; cat > {s.out}/prog.msg'\",\n"
        f"  {s.out}/file.mbox, :include:{inc}\n")
    s.send(["postmaster@localhost", "team@localhost"])
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    # One copy for the user however many aliases lead there.
    assert len(messages(s.mailbox())) == 1
    # The remote members went on to the smart host, in one message.
    assert [sorted(m[1]) for m in s.rec.messages] == [
        ["far@far.example", "friend@far.example"]]
    # The alias file's program and file run as DefaultUser; the include
    # file's targets as the include file's owner.
    assert (s.out / "prog.uid").read_text().strip() == str(DEFAULT_UID)
    assert "\nSubject: t\n" in (s.out / "prog.msg").read_text()
    assert os.stat(s.out / "file.mbox").st_uid == DEFAULT_UID
    assert (s.out / "file.mbox").read_text().startswith("From a@example.org")
    assert os.stat(s.out / "inc.mbox").st_uid == pwd.getpwnam(USER).pw_uid
    assert s.d.queued("qf") == []


def test_owner_alias_takes_the_errors(site):
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases(f"list: {USER}, nosuchuser\nowner-list: nobody\n"
                  f"plain: {USER}, nosuchuser2\n")
    s.send(["list@localhost"])
    s.run_queue()
    s.run_queue()                       # the report, queued by the first
    assert len(messages(s.mailbox())) == 1
    report = s.mailbox("nobody")
    assert "nosuchuser" in report and "User unknown" in report
    assert s.rec.messages == []         # the sender heard nothing
    # Without an owner- alias the sender gets the report.
    s.send(["plain@localhost"])
    s.run_queue()
    s.run_queue()
    assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    assert b"nosuchuser2" in s.rec.messages[0][2]
    assert s.d.queued("qf") == []


def test_alias_loops_are_broken(site):
    s = site(options=["DeliveryMode=queueonly"])
    chain = "".join(f"c{i}: c{i + 1}\n" for i in range(15))
    s.set_aliases(f"{USER}: {USER}, friend@far.example\n" + chain)
    s.send([f"{USER}@localhost"])
    s.run_queue()
    # "games: games, ..." keeps a copy for the user and sends one on.
    assert len(messages(s.mailbox())) == 1
    assert [m[1] for m in s.rec.messages] == [["friend@far.example"]]
    s.send(["c0@localhost"])
    r = s.run_queue()
    assert "5.4.6" in r.stderr and "loop broken" in r.stderr
    s.run_queue()
    assert any("loop broken" in m[2].decode() for m in s.rec.messages
               if m[1] == ["a@example.org"])


def test_forward_file(site):
    s = site(options=["DeliveryMode=queueonly"])
    pw = pwd.getpwnam(USER)
    fwd = s.fwd / USER
    fwd.write_text(f"\\{USER}, {s.out}/fwd.mbox,\n"
                   f"\"|/bin/sh -c 'id -u > {s.out}/fwd.uid'\"\n"
                   "copy@far.example\n")
    shutil.chown(fwd, USER)
    fwd.chmod(0o644)
    s.send([f"{USER}@localhost"])
    s.run_queue()
    assert len(messages(s.mailbox())) == 1          # "\games"
    assert os.stat(s.out / "fwd.mbox").st_uid == pw.pw_uid
    assert (s.out / "fwd.uid").read_text().strip() == str(pw.pw_uid)
    assert [m[1] for m in s.rec.messages] == [["copy@far.example"]]
    # A .forward that others may change is not obeyed.
    (s.out / "fwd.mbox").unlink()
    fwd.chmod(0o666)
    s.send([f"{USER}@localhost"])
    s.run_queue()
    assert len(messages(s.mailbox())) == 2
    assert not (s.out / "fwd.mbox").exists()


@pytest.mark.parametrize("where", ["forward", "include", "file"])
def test_fileopen_bounds_a_hung_open(site, where):
    # An open that never returns, as on a hung NFS mount: a FIFO nobody
    # writes for an include file or a file target; for a .forward (which
    # must be a regular file, so a FIFO is refused before it is opened) a
    # write lease that the test holds until the run is over.
    s = site(options=["DeliveryMode=queueonly", "Timeout.fileopen=2s"])
    fifo = s.out / "fifo"
    os.mkfifo(fifo)
    os.chmod(fifo, 0o644)
    lease, sigio = -1, None
    if where == "forward":
        fwd = s.fwd / USER
        fwd.write_text("copy@far.example\n")
        shutil.chown(fwd, USER)
        fwd.chmod(0o644)
        sigio = signal.signal(signal.SIGIO, signal.SIG_IGN)
        lease = os.open(fwd, os.O_RDWR)
        fcntl.fcntl(lease, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        rcpt = USER
    else:
        s.set_aliases(f"x: :include:{fifo}\n" if where == "include"
                      else f"x: {fifo}\n")
        os.chmod(fifo, 0o666)
        rcpt = "x"
    try:
        s.send([f"{rcpt}@localhost"])
        start = time.monotonic()
        r = s.run_queue()
        took = time.monotonic() - start
    finally:
        if lease >= 0:
            fcntl.fcntl(lease, fcntl.F_SETLEASE, fcntl.F_UNLCK)
            os.close(lease)
            signal.signal(signal.SIGIO, sigio)
    assert 1.5 <= took < 15, took
    assert "Timeout.fileopen" in r.stderr, r.stderr
    qf = s.d.queued("qf")
    assert len(qf) == 1
    assert "Timeout.fileopen" in pathlib.Path(s.d.queue, qf[0]).read_text(
        errors="replace")
    assert s.rec.messages == [] and s.mailbox() == ""


def test_retry_delivers_only_what_failed(site):
    # A file target that cannot be opened in time (a FIFO nobody reads)
    # fails for now; the mailbox that got the message is not given it
    # again when the file is tried again.
    s = site(options=["DeliveryMode=queueonly", "Timeout.fileopen=2s"])
    target = s.out / "team.mbox"
    os.mkfifo(target)
    os.chmod(target, 0o666)
    s.set_aliases(f"team: {USER}, {target}\n")
    s.send(["team@localhost"])
    r = s.run_queue()
    assert "Timeout.fileopen" in r.stderr, r.stderr
    assert len(messages(s.mailbox())) == 1
    assert len(s.d.queued("qf")) == 1
    target.unlink()
    s.run_queue()
    assert target.read_text().startswith("From a@example.org")
    assert len(messages(s.mailbox())) == 1          # not a second copy
    assert s.d.queued("qf") == []


def test_retry_after_very_many_targets(site):
    """A message whose earlier attempts served more targets than fit in
    one line of the local delivery service (70,000 in ${local_done},
    1.2 MB): the retry still delivers what is left, once.  The service
    took the whole list in one request line of at most 1 MB and failed
    every retry of such a message."""
    # The file target fails for now (a FIFO nobody reads: its open
    # outlasts Timeout.fileopen), the mailbox has its copy.
    s = site(options=["DeliveryMode=queueonly", "Timeout.fileopen=2s"])
    target = s.out / "team.mbox"
    os.mkfifo(target)
    os.chmod(target, 0o666)
    s.set_aliases(f"team: {USER}, {target}\n")
    s.send(["team@localhost"])
    s.run_queue()
    [qf] = [pathlib.Path(q) for q in s.d.queued("qf")]
    text = qf.read_bytes()
    assert b"\n${local_done}" in text
    many = " ".join(f"{i:016x}" for i in range(1, 70001)).encode()
    qf.write_bytes(text.replace(b"\n${local_done}",
                                b"\n${local_done}" + many + b" ", 1))
    target.unlink()
    r = s.run_queue()
    assert target.read_text().startswith("From a@example.org"), r.stderr
    assert len(messages(s.mailbox())) == 1          # not a second copy
    assert s.d.queued("qf") == [], r.stderr


def test_local_mailer_program_runs_as_the_recipient(site):
    lda = pathlib.Path(tempfile.mkdtemp(prefix="smd-lda-", dir="/tmp"))
    try:
        lda.chmod(0o755)
        script = lda / "lda"
        script.write_text(
            "#!/bin/sh\n"
            "out=$(dirname \"$0\")/got\n"
            "{ id -u; echo \"$@\"; cat; } > \"$out.$(id -un)\"\n"
            "exit $(cat $(dirname \"$0\")/code 2>/dev/null || echo 0)\n")
        script.chmod(0o755)
        (lda / "code").write_text("0\n")
        lda.chmod(0o1777)
        s = site(mc_extra=f"FEATURE(`local_procmail', `{script}', "
                 "`lda -d $u -f $f')dnl\n",
                 options=["DeliveryMode=queueonly"])
        s.send([f"{USER}@localhost"])
        s.run_queue()
        got = (lda / f"got.{USER}").read_text().split("\n")
        assert got[0] == str(pwd.getpwnam(USER).pw_uid)
        assert got[1] == f"-d {USER} -f a@example.org"
        assert got[2] == "Return-Path: <a@example.org>"   # F=...P
        assert s.d.queued("qf") == []
        # 75 (EX_TEMPFAIL) defers; 67 (EX_NOUSER) is a failure.
        (lda / "code").write_text("75\n")
        s.send([f"{USER}@localhost"])
        r = s.run_queue()
        assert "dsn=4.0.0, stat=Deferred" in r.stderr
        assert len(s.d.queued("qf")) == 1
        (lda / "code").write_text("67\n")
        r = s.run_queue()
        assert "dsn=5.1.1" in r.stderr
        s.run_queue()
        assert [m[1] for m in s.rec.messages] == [["a@example.org"]]
    finally:
        shutil.rmtree(lda, ignore_errors=True)


def test_prog_mailer_goes_through_smrsh(site):
    tools = pathlib.Path(tempfile.mkdtemp(prefix="smd-smrsh-", dir="/tmp"))
    try:
        tools.chmod(0o1777)
        smrsh = tools / "smrsh"
        smrsh.write_text("#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args\"\n"
                         "cat > /dev/null\n")
        smrsh.chmod(0o755)
        s = site(mc_extra=f"FEATURE(`smrsh', `{smrsh}')dnl\n",
                 options=["DeliveryMode=queueonly"])
        s.set_aliases("pipe: \"|vacation -a x\"\n")
        s.send(["pipe@localhost"])
        s.run_queue()
        assert (tools / "args").read_text() == "-c vacation -a x\n"
        assert s.d.queued("qf") == []
    finally:
        shutil.rmtree(tools, ignore_errors=True)


def test_background_delivery_from_the_daemon(site):
    # The default DeliveryMode: the session's own delivery, as RunAsUser,
    # reaches the user's mailbox through the root service.
    s = site()
    s.send([f"{USER}@localhost"])
    assert wait_for(lambda: len(messages(s.mailbox())) == 1 and
                    not s.d.queued("qf"))


def test_bv_shows_how_addresses_resolve(site):
    s = site()
    s.set_aliases(f"postmaster: {USER}\nteam: {USER}, x@far.example, "
                  f"\"|/bin/true\", {s.out}/f\n")
    r = s.sendmail("-bv", "postmaster", "team", "nosuchuser",
                   "someone@remote.example", "address@")
    assert r.stdout.splitlines() == [
        f"{USER}... deliverable: mailer local, user {USER}",
        "x@far.example... deliverable: mailer relay, host [127.0.0.1], "
        "user x@far.example",
        "\"|/bin/true\"... deliverable: mailer prog, user |/bin/true",
        f"{s.out}/f... deliverable: mailer *file*, user {s.out}/f",
        "nosuchuser... User unknown",
        "someone@remote.example... deliverable: mailer relay, host "
        "[127.0.0.1], user someone@remote.example",
        "address@... Hostname required",
    ]
    assert r.returncode == 67       # the first failure: User unknown
    assert s.sendmail("-bv", "postmaster").returncode == 0
    assert s.sendmail("-bv", "address@").returncode == 64
    assert s.sendmail("-bv", "nosuchuser").returncode == 67
    assert list(pathlib.Path(s.d.queue).iterdir()) == []


def test_v_shows_the_conversation(site):
    s = site(options=["DeliveryMode=queueonly"])
    r = s.sendmail("-v", USER, input="Subject: v\n\nhi\n")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("220 ")
    assert ">>> MAIL From:<root@" in r.stdout
    assert f">>> RCPT To:<{USER}>" in lines
    assert ">>> ." in lines
    assert re.search(r"^250 2\.0\.0 \w+ Message accepted for delivery$",
                     r.stdout, re.M)


def test_root_service_reads_no_control_file(site):
    """The local delivery service runs as root; what the network wrote
    reaches it only as the fields the asking process (RunAsUser) gives
    it.  Traced with strace, the processes that are root (the run before
    it drops, the service, its workers) open the data file of the
    message, and no control file."""
    s = site(options=["DeliveryMode=queueonly"])
    s.set_aliases(f"team: {USER}, \"|cat >/dev/null\"\n")
    s.send(["team@localhost", f"{USER}@localhost"])
    [qf] = s.d.queued("qf")
    trace = s.base / "trace"
    r = subprocess.run(["strace", "-f", "-ff", "-qq", "-o", str(trace),
                        "-e", "trace=openat,setresuid,clone,clone3,fork,"
                        "vfork", *s.cmd("-qf")],
                       capture_output=True, text=True, timeout=60,
                       env=untraced_leak_check())
    assert r.returncode == 0, r.stderr
    assert s.d.queued("qf") == [], r.stderr
    assert len(messages(s.mailbox())) == 1      # one copy per target
    events = {}
    for f in s.base.glob("trace.*"):
        events[int(f.suffix[1:])] = f.read_text().splitlines()
    # Follow each process from the first one, root: who is root when.
    born = {int(m) for lines in events.values() for line in lines
            for m in re.findall(r"^(?:clone3?|v?fork)\(.*= (\d+)$", line)}
    [first] = set(events) - born
    root_opens, todo = [], [(first, True)]
    while todo:
        pid, root = todo.pop()
        for line in events.get(pid, []):
            m = re.match(r"(?:clone3?|v?fork)\(.*= (\d+)$", line)
            if m:
                todo.append((int(m.group(1)), root))
            elif re.match(r"setresuid\((\d+), .*= 0$", line):
                root = line.startswith("setresuid(0,")
            elif root and (m := re.match(r'openat\([^"]*"([^"]+)"',
                                         line)):
                root_opens.append(m.group(1))
    qid = pathlib.Path(qf).name[2:]
    assert any(p.endswith(f"/df{qid}") for p in root_opens), root_opens
    assert [p for p in root_opens if p.endswith(f"/qf{qid}")] == []
