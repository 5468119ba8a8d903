"""The m4 tree against sendmail's own: for each .mc under the spec's
examples, our .cf carries the options, macros, classes, file classes,
maps and mailers that sendmail's cf.m4 wrote (X.options.txt), and
sendmail -bO shows what the .mc set."""
import collections

import pytest

from cfgen import m4, point_at_our_tree, read_cf
from conftest import SPEC_EXAMPLES, parse_bO, seconds

EXAMPLES = sorted(SPEC_EXAMPLES.glob("*.mc"))

# Classes that sendmaild adds: the features sendmail expresses in rules.
OUR_CLASSES = {"Features"}


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def generated(request, tmp_path):
    mc = tmp_path / request.param.name
    mc.write_text(point_at_our_tree(request.param.read_text()))
    r = m4(mc)
    assert r.returncode == 0, r.stderr
    cf = tmp_path / (request.param.stem + ".cf")
    cf.write_text(r.stdout)
    want = read_cf((SPEC_EXAMPLES / (request.param.stem + ".options.txt"))
                   .read_text())
    return cf, read_cf(r.stdout), want, r.stderr


def test_same_options(generated):
    _, got, want, _ = generated
    assert collections.Counter(got["O"]) == collections.Counter(want["O"])


def test_same_macros(generated):
    _, got, want, _ = generated
    # $Z is the version of the cf tree: ours, not sendmail's.
    assert set(got["D"]) == set(want["D"])
    for name, value in want["D"].items():
        if name != "Z":
            assert got["D"][name] == value, name


def test_same_classes_and_files(generated):
    _, got, want, _ = generated
    assert set(got["C"]) - OUR_CLASSES == set(want["C"])
    for name, words in want["C"].items():
        assert got["C"][name] == words, name
    assert got["F"] == want["F"]


def test_same_maps(generated):
    _, got, want, _ = generated
    assert got["K"] == want["K"]


def test_same_mailers(generated):
    _, got, want, _ = generated
    assert set(got["M"]) == set(want["M"])
    for name, fields in want["M"].items():
        assert got["M"][name]["P"] == fields["P"], name
        assert got["M"][name]["A"] == fields["A"], name
        assert got["M"][name]["F"] == fields["F"], name
        # The sender rule set and the diagnostic type (an LMTP local
        # mailer's S=EnvFromSMTP and T=DNS/RFC822/SMTP), E= and m=.
        for key in ("S", "T", "E", "m"):
            assert got["M"][name].get(key) == fields.get(key), (name, key)


def test_daemon_reads_it(generated, run):
    cf, got, _, _ = generated
    r = run("sendmaild", "-C", cf, "-bO")
    assert r.returncode == 0, r.stderr
    opts = parse_bO(r.stdout)
    for name, value in got["O"]:
        if name == "DaemonPortOptions":
            assert value in opts[name]
        elif name.startswith("Timeout.") and "retry" not in name:
            unit = "s" if "retrans" in name else (
                "h" if "queuewarn" in name else (
                    "d" if "queuereturn" in name else "m"))
            assert seconds(opts[name][0], unit) == seconds(value, unit), name
        elif name in ("LogLevel", "MaxMessageSize", "QueueDirectory",
                      "AuthMechanisms", "CACertFile", "DefaultUser",
                      "SmtpGreetingMessage", "HostStatusDirectory"):
            assert opts[name] == [value], name


def test_deprecated_feature_warns(tmp_path):
    mc = SPEC_EXAMPLES / "linux-smarthost.mc"
    local = tmp_path / mc.name
    local.write_text(point_at_our_tree(mc.read_text()))
    r = m4(local)
    assert r.returncode == 0
    assert "FEATURE(blacklist_recipients) is deprecated" in r.stderr
    assert f"{local.name}:" in r.stderr     # names the .mc line
