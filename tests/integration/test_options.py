"""sendmail -bO: the effective options, from the file, the command line
and the defaults (issue: foundation, items 5 and 6)."""
import re

import pytest

from conftest import DATA, ROOT, SPEC_EXAMPLES, parse_bO, seconds

# spec/timeouts.md section 3: every suboption and sendmail's binary
# default, as (value in seconds or count, default unit).
TIMEOUT_DEFAULTS = {
    "connect": 0, "iconnect": 0, "aconnect": 0, "initial": 300,
    "helo": 300, "mail": 600, "rcpt": 3600, "datainit": 300,
    "datablock": 3600, "datafinal": 3600, "rset": 300, "quit": 120,
    "misc": 120, "command": 3600, "ident": 5, "fileopen": 60, "lhlo": 120,
    "auth": 600, "starttls": 3600, "control": 120, "hoststatus": 1800,
    "queuereturn": 5 * 86400, "queuereturn.normal": 5 * 86400,
    "queuereturn.urgent": 5 * 86400, "queuereturn.non-urgent": 5 * 86400,
    "queuereturn.dsn": 5 * 86400, "queuewarn": 0, "queuewarn.normal": 0,
    "queuewarn.urgent": 0, "queuewarn.non-urgent": 0, "queuewarn.dsn": 0,
    "resolver.retrans": 5, "resolver.retrans.first": 5,
    "resolver.retrans.normal": 5,
}
MINUTE_DURATIONS = {"AliasWait", "ConnectionCacheTimeout", "MinQueueAge",
                    "MaxQueueAge"}
RETRY_DEFAULTS = {"resolver.retry": 2, "resolver.retry.first": 2,
                  "resolver.retry.normal": 2}
# Defaults that differ from sendmail 8.17's binary defaults on purpose:
# option, its confXXX, ours, sendmail's (as tests/data/conf-options.md
# has it).  man/sendmaild.7 lists them, man/sendmail.cf.5 says both.
DELIBERATE = [
    ("MaxRecipientsPerMessage", "confMAX_RCPTS_PER_MESSAGE", "1000",
     "0 (no limit)"),
    ("MaxRunnersPerQueue", "confMAX_RUNNERS_PER_QUEUE", "2", "1"),
]


def bO(run, cf, *extra):
    r = run("sendmaild", "-C", cf, "-bO", *extra)
    assert r.returncode == 0, r.stderr
    return r


def test_empty_cf_prints_every_timeout_default(run, empty_cf):
    opts = parse_bO(bO(run, empty_cf).stdout)
    timeouts = {k[len("Timeout."):]: v[0] for k, v in opts.items()
                if k.startswith("Timeout.")}
    assert set(timeouts) == set(TIMEOUT_DEFAULTS) | set(RETRY_DEFAULTS)
    assert len(timeouts) == 37
    for name, want in TIMEOUT_DEFAULTS.items():
        assert seconds(timeouts[name]) == want, name
    for name, want in RETRY_DEFAULTS.items():
        assert int(timeouts[name]) == want, name


def test_output_is_sorted_and_complete(run, empty_cf):
    out = bO(run, empty_cf).stdout
    names = [line[2:].split("=", 1)[0] for line in out.splitlines()]
    assert names == sorted(names, key=str.lower)
    for required in ("DeliveryMode", "QueueDirectory", "MaxMessageSize",
                     "MaxRecipientsPerMessage", "MaxDaemonChildren",
                     "ConnectionRateThrottle", "MaxQueueChildren",
                     "MaxQueueRunSize", "MinQueueAge", "QueueSortOrder",
                     "ConnectionCacheSize", "ConnectionCacheTimeout",
                     "SingleThreadDelivery", "HostStatusDirectory",
                     "PrivacyOptions", "LogLevel", "RunAsUser",
                     "DefaultUser", "DaemonPortOptions",
                     "SmtpGreetingMessage", "AliasFile", "StatusFile"):
        assert required in names, required
    opts = parse_bO(out)
    assert opts["DeliveryMode"] == ["background"]
    assert opts["ConnectionCacheSize"] == ["1"]
    assert opts["LogLevel"] == ["9"]
    assert opts["SmtpGreetingMessage"] == ["$j Sendmail $v ready at $b"]


@pytest.mark.parametrize("name,conf,ours,theirs", DELIBERATE)
def test_deliberate_differences_from_sendmail(run, empty_cf, name, conf,
                                              ours, theirs):
    """A default that is not sendmail's is so on purpose: -bO shows
    ours, the table of sendmail's defaults still has sendmail's, and
    the pages say both."""
    opts = parse_bO(bO(run, empty_cf).stdout)
    assert opts[name] == [ours]
    table = (DATA / "conf-options.md").read_text()
    row = re.search(rf"^\| `{conf}` \| `{name}` \|.*$", table, re.M).group(0)
    assert row.split("|")[4].strip() == theirs
    value = theirs.split()[0]
    assert value != ours
    man = ROOT / "man"
    cf5 = (man / "sendmail.cf.5").read_text()
    item = cf5.split(f".It Cm {name} Ns", 1)[1].split("\n.It ", 1)[0]
    assert re.search(rf"sendmail(?:'s default is|:) {value}\b", item), item
    assert f"Default:\n.Ql {ours}" in item
    seven = (man / "sendmaild.7").read_text()
    listed = seven.split(".Ss Defaults that are not sendmail's", 1)[1]
    assert f".It Cm {name}\n" in listed.split("\n.Ss ", 1)[0]


def test_command_line_overrides_file(run, tmp_path):
    cf = tmp_path / "t.cf"
    cf.write_text("V10/Berkeley\nO Timeout.command=1h\nO LogLevel=14\n")
    r = bO(run, cf, "-O", "Timeout.command=25m", "-oL20", "-odq")
    opts = parse_bO(r.stdout)
    assert opts["Timeout.command"] == ["25m"]
    assert opts["LogLevel"] == ["20"]
    assert opts["DeliveryMode"] == ["queueonly"]


def test_override_on_empty_cf(run, empty_cf):
    opts = parse_bO(bO(run, empty_cf, "-O", "Timeout.command=25m").stdout)
    assert opts["Timeout.command"] == ["25m"]


@pytest.mark.parametrize("args,name,want", [
    (["-or10m"], "Timeout.datablock", "10m"),
    (["-O", "Timeout=10m,connect=1m,ident:0"], "Timeout.ident", "0"),
    (["-O", "Timeout=10m,connect=1m,ident:0"], "Timeout.connect", "1m"),
    (["-oT5d/4h"], "Timeout.queuewarn.urgent", "4h"),
    (["-O", "QueueTimeout=2d"], "Timeout.queuereturn.dsn", "2d"),
    (["-O", "timeout.QUEUEWARN.URGENT=90"], "Timeout.queuewarn.urgent", "3d18h"),
    (["-O", "Timeout.queuereturn=now"], "Timeout.queuereturn.normal", "now"),
    (["-oQ/tmp/q"], "QueueDirectory", "/tmp/q"),
    (["-i"], "IgnoreDots", "True"),
    (["-v"], "DeliveryMode", "interactive"),
    (["-O", "PrivacyOptions=goaway"], "PrivacyOptions",
     "needmailhelo,needexpnhelo,needvrfyhelo,noexpn,novrfy,authwarnings,noverb"),
])
def test_option_forms(run, empty_cf, args, name, want):
    opts = parse_bO(bO(run, empty_cf, *args).stdout)
    assert opts[name] == [want]


def test_bare_timeout_sets_the_six_starred(run, empty_cf):
    opts = parse_bO(bO(run, empty_cf, "-O", "Timeout=7m").stdout)
    for name in ("mail", "rcpt", "datainit", "datablock", "datafinal",
                 "command"):
        assert opts["Timeout." + name] == ["7m"], name
    assert opts["Timeout.initial"] == ["5m"]


@pytest.mark.parametrize("example", sorted(SPEC_EXAMPLES.glob("*.options.txt")),
                         ids=lambda p: p.name)
def test_spec_examples_parse_and_apply(run, example):
    r = bO(run, example)
    opts = parse_bO(r.stdout)
    # Every O line of the file is in force in the output.
    daemon_ports = []
    for line in example.read_text().splitlines():
        m = re.match(r"O (\S+?)(?:=(.*))?$", line)
        if not m:
            continue
        name, value = m.group(1), m.group(2) or ""
        if name == "DaemonPortOptions":
            daemon_ports.append(value)
        elif name.startswith("Timeout."):
            unit = "s" if "retrans" in name else (
                "h" if "queuewarn" in name else (
                    "d" if "queuereturn" in name else "m"))
            if "retry" in name:
                assert opts[name] == [value]
            else:
                assert seconds(opts[name][0], unit) == seconds(value, unit), name
        elif name in MINUTE_DURATIONS:
            assert seconds(opts[name][0]) == seconds(value), name
        elif name == "DeliveryMode":
            assert opts[name][0][0] == value[0]
        elif value in ("True", "False"):
            assert opts[name] == [value], name
        elif name == "PrivacyOptions":
            assert set(opts[name][0].split(",")) == set(value.split(","))
        else:
            assert opts[name] == [value], name
    assert opts["DaemonPortOptions"] == daemon_ports
    assert "rewriting rule" not in r.stderr   # the extracts have no rules


def test_output_reads_back_unchanged(run, tmp_path):
    example = SPEC_EXAMPLES / "tuned-timeouts.options.txt"
    first = bO(run, example).stdout
    again = tmp_path / "again.cf"
    again.write_text(first)
    assert bO(run, again).stdout == first


def test_default_user_and_load_limits_are_concrete(run, empty_cf):
    opts = parse_bO(bO(run, empty_cf).stdout)
    assert opts["DefaultUser"][0] != ""
    assert int(opts["QueueLA"][0]) > 0
    assert int(opts["RefuseLA"][0]) > int(opts["QueueLA"][0])


def test_pending_options_reported_once(run, tmp_path):
    cf = tmp_path / "t.cf"
    cf.write_text("O AliasWait=5\nO AliasWait=6\nO LogLevel=3\n")
    r = bO(run, cf)
    lines = [l for l in r.stderr.splitlines() if "not yet in force" in l]
    assert len(lines) == 1
    assert "AliasWait" in lines[0]
    assert lines[0].count("AliasWait") == 1
    assert "LogLevel" not in lines[0]


def test_rules_skipped_with_one_warning(run, tmp_path):
    cf = tmp_path / "t.cf"
    cf.write_text("V10/Berkeley\nScanonify=3\nR$*\t$@ $1\nR$+\t$: $1\n"
                  "Sparse=0\nR$*\t$#local $: $1\n")
    r = bO(run, cf)
    warn = [l for l in r.stderr.splitlines() if "rewriting rule" in l]
    assert len(warn) == 1
    assert "skipped 5 " in warn[0]
