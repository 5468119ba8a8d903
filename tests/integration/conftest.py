"""Shared fixtures: where the built programs are, and how to run them."""
import os
import pathlib
import subprocess

import pytest

import testnet

# Every test runs in the suite's own network namespace, whose DNS server
# the tests control (testnet.py).
testnet.isolate()

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("SENDMAILD_BUILD", ROOT / "build"))
# Facts about sendmail's own tree that the tests compare with: example
# .mc files with the options sendmail-cf makes of them, and the table of
# confXXX variables (tests/data/README).
DATA = ROOT / "tests" / "data"
SPEC_EXAMPLES = pathlib.Path(
    os.environ.get("SPEC_EXAMPLES", DATA / "examples"))


class Run:
    """Runs one of the built programs with a time limit."""

    def __init__(self, build):
        self.build = build

    def __call__(self, prog, *args, input=None, timeout=20):
        return subprocess.run([str(self.build / prog), *map(str, args)],
                              input=input, capture_output=True, text=True,
                              timeout=timeout)


@pytest.fixture
def run():
    return Run(BUILD)


@pytest.fixture
def empty_cf(tmp_path):
    path = tmp_path / "empty.cf"
    path.write_text("")
    return path


def parse_bO(text):
    """-bO output as {name: [values]} (lists keep repeated options)."""
    opts = {}
    for line in text.splitlines():
        assert line.startswith("O "), line
        name, _, value = line[2:].partition("=")
        opts.setdefault(name, []).append(value)
    return opts


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(text, unit="m"):
    """A duration in sendmail's syntax, in seconds (for comparisons)."""
    if text.lower() == "now":
        return -1
    total, num = 0, ""
    for ch in text:
        if ch.isdigit():
            num += ch
        else:
            total += int(num) * UNITS[ch]
            num = ""
    if num:
        total += int(num) * UNITS[unit]
    return total


@pytest.fixture(scope="module")
def ca():
    """A certificate authority of the test's own, and what it signed."""
    import shutil
    import tempfile
    from tlsutil import CA
    base = tempfile.mkdtemp(prefix="smd-ca-", dir="/tmp")
    os.chmod(base, 0o755)
    yield CA(base)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def readable_dir():
    """A directory the session child (RunAsUser) can read."""
    import shutil
    import tempfile
    path = pathlib.Path(tempfile.mkdtemp(prefix="smd-map-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def sasl():
    """A SASL configuration directory for the server's AUTH:
    Sendmail.conf and a sasldb with one user (tlsutil.USER, PASSWORD),
    readable by the session (RunAsUser); see tlsutil.auth_options."""
    import shutil
    import tempfile
    from tlsutil import PASSWORD, REALM, USER, have_sasl_plugins
    if not shutil.which("saslpasswd2") or not have_sasl_plugins():
        pytest.skip("needs sasl2-bin and libsasl2-modules")
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-sasl-", dir="/tmp"))
    base.chmod(0o755)
    db = base / "sasldb2"
    (base / "Sendmail.conf").write_text(
        f"pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
        f"sasldb_path: {db}\nmech_list: PLAIN LOGIN CRAM-MD5 ANONYMOUS\n")
    r = subprocess.run(["saslpasswd2", "-c", "-p", "-f", str(db), "-a",
                        "Sendmail", "-u", REALM, USER],
                       input=PASSWORD, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    db.chmod(0o644)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def base(request):
    """A directory of the test's own under /tmp, mode 0755, removed
    after it."""
    import shutil
    import tempfile
    name = request.module.__name__.removeprefix("test_")
    d = pathlib.Path(tempfile.mkdtemp(prefix=f"smd-{name}-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def tools():
    """A directory for the test's programs (daemon_util.program), which
    any user may run."""
    import shutil
    import tempfile
    d = pathlib.Path(tempfile.mkdtemp(prefix="smd-tools-", dir="/tmp"))
    d.chmod(0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


# The fixtures below use daemon_util, which imports this file: they
# import it when they run.

@pytest.fixture
def daemon():
    """A factory: daemon(options=[...], cf=path) starts one; all stop."""
    from daemon_util import Daemon, factory
    yield from factory(Daemon, close=Daemon.stop)


@pytest.fixture
def site(daemon):
    """A factory: site(mc_extra=, options=, wrapper=) makes a
    daemon_util.LocalSite (a daemon delivering locally, a smart host);
    all close.  test_submit's own site fixture takes its place there."""
    from daemon_util import LocalSite, factory
    yield from factory(lambda **kw: LocalSite(daemon, **kw))


@pytest.fixture
def routing(daemon):
    """A factory: routing(mc_extra=, maps={feature: text}, options=)
    makes a daemon_util.Routing site; all close."""
    from daemon_util import Routing, factory
    yield from factory(lambda **kw: Routing(daemon, **kw))


@pytest.fixture
def world(daemon):
    """A daemon that queues only and relays to a smart host port, and
    its queue runs: world["start"](extra=.mc lines, options, env) starts
    the daemon (world["d"]), world["run"](*args) runs the queue once
    (sendmail -qf), world["runner"](*args) is that command line;
    world["port"] is the smart host's, world["cf"] the configuration."""
    import tempfile
    from cfgen import relay_cf
    from daemon_util import RUN_AS_NOBODY, free_port, sendmail, sendmail_cmd
    base = tempfile.mkdtemp(prefix="smd-run-", dir="/tmp")
    os.chmod(base, 0o755)
    state = {"port": free_port(), "base": base}

    def start(extra="", options=(), env=None):
        cf = relay_cf(base, state["port"], extra)
        d = daemon(cf=cf, options=["DeliveryMode=queueonly", *options],
                   env=env)
        state["d"], state["cf"] = d, cf
        return d

    def options():
        d = state["d"]
        return [f"QueueDirectory={d.queue}", f"MailSpoolDirectory={d.spool}",
                f"AliasFile={d.base}/aliases", *RUN_AS_NOBODY]

    def runner(*args):
        """The command line of a foreground queue run."""
        return sendmail_cmd(state["cf"], "-qf", *args, options=options())

    def run(*args, timeout=60):
        return sendmail(state["cf"], "-qf", *args, options=options(),
                        timeout=timeout)
    state["start"], state["run"], state["runner"] = start, run, runner
    yield state
    subprocess.run(["rm", "-rf", base], check=False)
