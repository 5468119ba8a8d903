"""The manual pages (issue: manual pages, INSTALL and the switch, item 1):
every page there, clean for mandoc -T lint as installed, each program's
exit codes, every mode and flag of sendmail.8, every option in force in
sendmail.cf.5 with its default."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, parse_bO
from daemon_util import sendmail

MAN = ROOT / "man"
PAGES = ["sendmail.8", "mailq.1", "newaliases.8", "hoststat.8",
         "purgestat.8", "makemap.8", "sendmail.cf.5", "aliases.5",
         "sendmaild.7", "runq.8"]
PROGRAMS = ["sendmail.8", "mailq.1", "newaliases.8", "hoststat.8",
            "purgestat.8", "makemap.8", "runq.8"]


def test_every_page_is_there():
    assert sorted(p.name for p in MAN.iterdir()) == sorted(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_name_line_says_what_it_is(page):
    """The NAME line describes the page's subject without naming it
    again ("sendmaild - extensions of sendmaild" says nothing)."""
    text = (MAN / page).read_text()
    name = re.search(r"^\.Nm (\S+)", text, re.M).group(1)
    desc = re.search(r"^\.Nd (.*)$", text, re.M).group(1)
    assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])",
                     desc) is None, desc


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mount namespace)")
def test_mandoc_lint_is_clean():
    """scripts/man-lint: mandoc -T lint man/* with the pages installed,
    so that the cross references between them resolve."""
    r = subprocess.run([str(ROOT / "scripts/man-lint")], capture_output=True,
                       text=True, timeout=120)
    assert (r.returncode, r.stdout + r.stderr) == (0, "")


@pytest.mark.parametrize("page", PROGRAMS)
def test_program_pages_list_exit_codes(page):
    text = (MAN / page).read_text()
    section = text.split(".Sh EXIT STATUS", 1)[1].split("\n.Sh ", 1)[0]
    assert re.search(r"^\.It 0\b", section, re.M), page
    assert re.search(r"^\.It 7[0-9]\b", section, re.M), page


# sendmail 8.17's modes and getopt letters, as its sendmail(8) lists them.
MODES = "m d D s p P i v t h H C O a z".split()
FLAGS = "A B b C c D d e F f G h I i L M m N n O o p Q q R r s T t U V v X"


def test_sendmail8_names_every_mode_and_flag():
    """Each mode and flag of sendmail: what it does here, or that it is
    not supported."""
    text = (MAN / "sendmail.8").read_text()
    items = re.findall(r"^\.It (.*)$", text, re.M)
    for m in MODES:
        assert any(re.search(rf"\bFl b{m}\b", i) for i in items), "-b" + m
    for f in FLAGS.split():
        if f == "b":
            continue
        assert any(re.search(rf"\bFl \\?&?{f}", i) for i in items), "-" + f


def in_force_options(tmp_path):
    """Every option name, and those that -bO's warning does not name as
    not in force when the file sets them all."""
    r = sendmail("/dev/null", "-bO", timeout=30)
    assert r.returncode == 0, r.stderr
    defaults = parse_bO(r.stdout)
    cf = tmp_path / "all.cf"
    cf.write_text(r.stdout)
    r = sendmail(cf, "-bO", timeout=30)
    assert r.returncode == 0, r.stderr
    pending = set(re.search(r"not yet in force: (.*)", r.stderr)
                  .group(1).split(", "))
    return {n: v for n, v in defaults.items() if n not in pending}


def test_sendmail_cf5_documents_every_option_in_force(tmp_path):
    text = (MAN / "sendmail.cf.5").read_text()
    items = {}
    for block in re.split(r"^\.It ", text, flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        m = re.match(r"Cm (\S+)", head)
        if m:
            body = re.split(r"^\.(?:El|Bl|Sh|Ss)\b", body, flags=re.M)[0]
            items.setdefault(m.group(1), []).append(body)
    opts = in_force_options(tmp_path)
    assert len(opts) > 80
    for name, values in opts.items():
        assert name in items, f"{name} is not in sendmail.cf(5)"
        assert len(items[name]) == 1, f"{name} has {len(items[name])} items"
        body = items[name][0]
        default = values[-1]
        if default == "":
            assert re.search(r"^Default: none\.", body, re.M), name
        else:
            m = re.search(r"^Default:\n\.Ql (.*?)(?: [.,;:])?$", body, re.M)
            assert m, f"{name}: no Default: line"
            shown = m.group(1).replace("\\e", "\\").replace("\\&", "")
            assert shown.strip('"') == default, (name, shown, default)


def test_readme_names_the_timeouts_not_in_force(tmp_path):
    """README.md's first paragraph says which Timeout options are not
    in force: those the daemon names in its "not yet in force" warning,
    and no others."""
    intro = (ROOT / "README.md").read_text().split("\n\n", 2)[1]
    every = in_force_options(tmp_path)
    r = sendmail("/dev/null", "-bO", timeout=30)
    timeouts = sorted(n for n in parse_bO(r.stdout)
                      if n.startswith("Timeout.") and n not in every)
    for name in timeouts:
        base, _, variant = name.rpartition(".")
        assert f"`{name}`" in intro or (
            f"`{base}`" in intro and f"`.{variant}`" in intro), name
    words = ["no", "one", "two", "three", "four", "five", "six", "seven",
             "eight", "nine", "ten"]
    assert f"enforced but {words[len(timeouts)]}," in intro, intro
