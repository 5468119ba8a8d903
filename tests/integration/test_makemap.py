"""makemap: Berkeley DB maps from text, as sendmail's makemap builds them."""
import os

import pytest

EX_DATAERR, EX_NOINPUT = 65, 66


@pytest.mark.parametrize("kind", ["hash", "btree"])
def test_build_and_dump(run, tmp_path, kind):
    m = tmp_path / "access"
    text = ("# comment\n"
            "Connect:127.0.0.1\tRELAY\n"
            "From:Spammer@Bad.Example   REJECT\n"
            "To:example.org ERROR:5.7.1:550 go away\n\n")
    r = run("makemap", kind, m, input=text)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "access.db").exists()
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p]
    r = run("makemap", "-u", kind, m)
    assert r.returncode == 0
    got = sorted(r.stdout.splitlines())
    assert got == sorted(["connect:127.0.0.1\tRELAY",
                          "from:spammer@bad.example\tREJECT",
                          "to:example.org\tERROR:5.7.1:550 go away"])


def test_no_fold_and_nul(run, tmp_path):
    m = tmp_path / "virt"
    assert run("makemap", "-f", "-N", "hash", m,
               input="User@Example.org local\n").returncode == 0
    r = run("makemap", "-N", "-u", "hash", m)
    assert r.stdout == "User@Example.org\tlocal\n"


def test_duplicates_and_missing_values(run, tmp_path):
    m = tmp_path / "map"
    r = run("makemap", "hash", m, input="a 1\nb\na 2\n")
    assert r.returncode == EX_DATAERR
    assert "line 2: no RHS for LHS b" in r.stderr
    assert "line 3: key a: duplicate key" in r.stderr
    assert run("makemap", "-u", "hash", m).stdout == "a\t1\n"
    r = run("makemap", "-r", "hash", m, input="a 1\na 2\n")
    assert r.returncode == 0
    assert run("makemap", "-u", "hash", m).stdout == "a\t2\n"


def test_append_keeps_old_entries(run, tmp_path):
    m = tmp_path / "map"
    assert run("makemap", "hash", m, input="a 1\n").returncode == 0
    assert run("makemap", "-o", "hash", m, input="b 2\n").returncode == 0
    out = sorted(run("makemap", "-u", "hash", m).stdout.splitlines())
    assert out == ["a\t1", "b\t2"]


def test_rebuild_replaces_whole_map(run, tmp_path):
    m = tmp_path / "map"
    assert run("makemap", "hash", m, input="a 1\nb 2\n").returncode == 0
    assert run("makemap", "hash", m, input="c 3\n").returncode == 0
    assert run("makemap", "-u", "hash", m).stdout == "c\t3\n"


def test_errors(run, tmp_path):
    assert run("makemap", "dbm", tmp_path / "x", input="").returncode == 64
    assert run("makemap", "hash").returncode == 64
    r = run("makemap", "-u", "hash", tmp_path / "missing")
    assert r.returncode == EX_NOINPUT
    assert "missing.db" in r.stderr
    assert run("makemap", "-l").stdout.split() == ["hash", "btree"]
