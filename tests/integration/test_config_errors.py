"""Configuration and command-line errors: a clear message naming the file
and line, and the right sysexits code."""
import pytest

EX_USAGE, EX_UNAVAILABLE, EX_OSFILE, EX_CONFIG = 64, 69, 72, 78


@pytest.mark.parametrize("line,msg", [
    ("O NoSuchOption=1", "unknown option NoSuchOption"),
    ("O Timeout.command=5x", "units are"),
    ("O Timeout.bogus=1m", "no such suboption"),
    ("O MaxMessageSize=lots", "not a number"),
    ("O DeliveryMode=x", "not one of"),
    ("Zgarbage", "unknown configuration line type 'Z'"),
    ("Kaccess nosuch /etc/x", "unknown map type"),
    ("Mfoo, A=x", "P= must be given"),
    ("HNoColon", "colon required"),
    ("V11/Berkeley", "newer than this program"),
])
def test_bad_line_names_file_and_line(run, tmp_path, line, msg):
    cf = tmp_path / "bad.cf"
    cf.write_text("# comment\nV10/Berkeley\n" + line + "\nDjok\n")
    r = run("sendmaild", "-C", cf, "-bO")
    assert r.returncode == EX_CONFIG
    assert f"{cf}: line 3: " in r.stderr
    assert msg in r.stderr
    assert r.stdout == ""


def test_missing_file(run, tmp_path):
    r = run("sendmaild", "-C", tmp_path / "nope.cf", "-bO")
    assert r.returncode == EX_OSFILE
    assert "nope.cf: line 0: cannot open" in r.stderr


def test_check_mode(run, tmp_path, empty_cf):
    assert run("sendmaild", "-C", empty_cf, "-bC").returncode == 0
    bad = tmp_path / "bad.cf"
    bad.write_text("O Nope=1\n")
    assert run("sendmaild", "-C", bad, "-bC").returncode == EX_CONFIG


@pytest.mark.parametrize("args,msg", [
    (["-bz"], "Frozen configurations unsupported"),
    (["-bx"], "Invalid operation mode x"),
    (["-q", "-bv"], "Can not use -q with -bv"),
    (["-f", "a", "-f", "b"], 'More than one "from" person'),
    (["-N", "bogus"], "Invalid -N argument"),
    (["-O", "NoSuch=1", "-bO"], "unknown option NoSuch"),
    (["-O", "Timeout.command=soon", "-bO"], "Timeout.command"),
])
def test_usage_errors(run, empty_cf, args, msg):
    r = run("sendmaild", "-C", empty_cf, *args)
    assert r.returncode == EX_USAGE
    assert msg in r.stderr


def test_links_choose_the_mode(run, empty_cf):
    # newaliases is -bi: with no AliasFile it says so.
    r = run("newaliases", "-C", empty_cf)
    assert r.returncode == 78
    assert "AliasFile" in r.stderr


def test_unavailable_modes_say_so(run, empty_cf):
    # Until a mode exists it must say so, never pretend to work.
    r = run("sendmaild", "-C", empty_cf, "-bt")
    assert r.returncode == EX_UNAVAILABLE
    assert "address test mode" in r.stderr


def test_debug_flag_traces_on_stderr(run, empty_cf):
    quiet = run("sendmaild", "-C", empty_cf, "-bC")
    assert "configuration" not in quiet.stderr
    loud = run("sendmaild", "-C", empty_cf, "-bC", "-d")
    assert loud.returncode == 0
    assert f"configuration {empty_cf}: version 0" in loud.stderr
