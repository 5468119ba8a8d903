"""make install: programs, links, cf tree and man pages under DESTDIR."""
import os
import subprocess

from conftest import ROOT


def test_install_layout(tmp_path):
    env = dict(os.environ)
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={tmp_path}",
                        "PREFIX=/usr", f"SANITIZE={env.get('SANITIZE', '')}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    sbin = tmp_path / "usr/sbin"
    assert os.access(sbin / "sendmail", os.X_OK)
    assert os.access(sbin / "makemap", os.X_OK)
    for link in ("newaliases", "hoststat", "purgestat"):
        assert os.readlink(sbin / link) == "sendmail"
    assert os.readlink(tmp_path / "usr/bin/mailq") == "/usr/sbin/sendmail"
    assert (tmp_path / "usr/share/man/man8/sendmail.8").exists()
    assert (tmp_path / "usr/share/man/man8/makemap.8").exists()
    assert (tmp_path / "usr/share/sendmaild/cf/README").exists()
    r = subprocess.run([str(sbin / "sendmail"), "-C", "/dev/null", "-bO"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0
    assert "O Timeout.command=1h\n" in r.stdout
