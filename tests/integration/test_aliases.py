"""newaliases / sendmail -bi: the alias database from AliasFile, with errors
that name the file and the line (local delivery issue, item 3)."""
import os

EX_DATAERR, EX_NOINPUT = 65, 66

GOOD = """# the system's aliases
postmaster: root
MAILER-DAEMON: postmaster
staff: alice,
\tbob@example.org,
   "Carl C" <carl@example.net>
log: "|/usr/bin/logger -t mail"
copy: /var/log/mail.copy
list: :include:/etc/mail/list
root: \\root, ops@example.org
"""


def build(run, tmp_path, text, *more):
    f = tmp_path / "aliases"
    f.write_text(text)
    return f, run("newaliases", "-O", f"AliasFile={f}", *more)


def dump(run, f):
    """The database as makemap -N -u shows it (-N: keys and values are
    stored with their NUL, as sendmail stores aliases)."""
    r = run("makemap", "-N", "-u", "hash", f)
    assert r.returncode == 0, r.stderr
    assert "\0" not in r.stdout
    return dict(line.split("\t", 1) for line in r.stdout.splitlines())


def test_newaliases_builds_the_database(run, tmp_path, empty_cf):
    f, r = build(run, tmp_path, GOOD, "-C", str(empty_cf))
    assert r.returncode == 0, r.stderr
    db = dump(run, f)
    entries = {k: v for k, v in db.items() if k != "@"}
    longest = max(len(v) for v in entries.values())
    total = sum(len(k) + len(v) for k, v in entries.items())
    assert (longest, total) == (51, 197)
    assert r.stdout == (f"{f}: {len(entries)} aliases, longest {longest} "
                        f"bytes, {total} bytes total\n")
    assert db == {
        "@": "@",
        "postmaster": "root",
        "mailer-daemon": "postmaster",
        "staff": 'alice, bob@example.org, "Carl C" <carl@example.net>',
        "log": '"|/usr/bin/logger -t mail"',
        "copy": "/var/log/mail.copy",
        "list": ":include:/etc/mail/list",
        "root": "\\root, ops@example.org",
    }
    assert oct(os.stat(f"{f}.db").st_mode & 0o777) == "0o644"
    assert not [p for p in os.listdir(tmp_path) if ".new" in p]


def test_sendmail_bi_is_the_same(run, tmp_path, empty_cf):
    f, _ = build(run, tmp_path, "a: b\n")
    r = run("sendmaild", "-C", str(empty_cf), "-bi", "-O", f"AliasFile={f}")
    assert r.returncode == 0, r.stderr
    assert dump(run, f)["a"] == "b"


def test_errors_name_file_and_line_and_keep_the_rest(run, tmp_path, empty_cf):
    f, r = build(run, tmp_path,
                 "ok: root\n"
                 "\n"
                 "  orphan\n"
                 "no colon here\n"
                 "bad name: x\n"
                 "empty:\n"
                 "inc: :include:relative\n"
                 "ok: other\n"
                 "loopa: loopb\n"
                 "loopb: loopa\n"
                 "fine: fine, elsewhere@example.org\n",
                 "-C", str(empty_cf))
    assert r.returncode == EX_DATAERR
    for msg in ["line 3: non-continuation line starts with space",
                "line 4: missing colon",
                'line 5: illegal alias name "bad name"',
                "line 6: alias empty has no value",
                'line 7: bad item ":include:relative"',
                "line 8: duplicate alias name ok (first at line 1)",
                "line 9: alias loop: loopa",
                "line 10: alias loop: loopb"]:
        assert f"{f}: {msg}" in r.stderr
    db = dump(run, f)
    assert db["ok"] == "other" and db["fine"] == "fine, elsewhere@example.org"
    assert "empty" not in db and "inc" not in db


def test_missing_file(run, tmp_path, empty_cf):
    r = run("newaliases", "-C", str(empty_cf), "-O",
            f"AliasFile={tmp_path}/nope")
    assert r.returncode == EX_NOINPUT
    assert f"{tmp_path}/nope: cannot read" in r.stderr


def test_several_files_and_types(run, tmp_path, empty_cf):
    (tmp_path / "one").write_text("a: b\n")
    (tmp_path / "two").write_text("c: d\n")
    r = run("newaliases", "-C", str(empty_cf), "-O",
            f"AliasFile=hash:{tmp_path}/one,{tmp_path}/two")
    assert r.returncode == 0, r.stderr
    assert dump(run, tmp_path / "one")["a"] == "b"
    assert dump(run, tmp_path / "two")["c"] == "d"
    r = run("newaliases", "-C", str(empty_cf), "-O",
            f"AliasFile=ldap:{tmp_path}/one")
    assert r.returncode == 78
    assert "not supported" in r.stderr


def test_the_daemon_accepts_aliases_as_local_recipients(run, daemon,
                                                        empty_cf):
    """RCPT for a name that is only an alias is taken (it is a local
    address), an unknown one still gets User unknown."""
    import tempfile
    from daemon_util import Conn
    base = tempfile.mkdtemp(prefix="smd-al-", dir="/tmp")
    os.chmod(base, 0o755)
    f = os.path.join(base, "aliases")
    with open(f, "w") as out:
        out.write("webmaster: root\nteam-lead: someone@example.org\n")
    assert run("newaliases", "-C", str(empty_cf), "-O",
               f"AliasFile={f}").returncode == 0
    d = daemon(options=[f"AliasFile={f}"])
    c = Conn(d.port)
    assert c.read_reply().startswith("220")
    assert c.cmd("EHLO client.example").startswith("250")
    assert c.cmd("MAIL FROM:<a@example.org>").startswith("250")
    assert c.cmd("RCPT TO:<webmaster>").startswith("250")
    assert c.cmd("RCPT TO:<Team-Lead@localhost>").startswith("250")
    assert c.cmd("RCPT TO:<no-such-alias>").startswith("550 5.1.1")
    c.close()
    os.unlink(f + ".db")
    os.unlink(f)
    os.rmdir(base)
