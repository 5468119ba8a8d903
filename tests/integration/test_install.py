"""make install: programs, links, cf tree and man pages under DESTDIR."""
import gzip
import os
import subprocess

from conftest import ROOT


def test_install_layout(tmp_path):
    env = dict(os.environ)
    # An /etc/mail that exists keeps its mode (Debian's is 2755).
    (tmp_path / "etc/mail").mkdir(parents=True)
    (tmp_path / "etc/mail").chmod(0o2755)
    r = subprocess.run(["make", "-s", "install", f"DESTDIR={tmp_path}",
                        "PREFIX=/usr", f"SANITIZE={env.get('SANITIZE', '')}"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    sbin = tmp_path / "usr/sbin"
    assert os.access(sbin / "sendmail", os.X_OK)
    assert os.access(sbin / "makemap", os.X_OK)
    for link in ("newaliases", "hoststat", "purgestat", "runq"):
        assert os.readlink(sbin / link) == "sendmail"
    assert os.readlink(tmp_path / "usr/bin/mailq") == "/usr/sbin/sendmail"
    # Every page, compressed as Debian's are.
    for page in (ROOT / "man").iterdir():
        installed = (tmp_path / f"usr/share/man/man{page.suffix[1:]}" /
                     (page.name + ".gz"))
        assert gzip.decompress(installed.read_bytes()) == page.read_bytes()
    assert (tmp_path / "usr/share/sendmaild/cf/README").exists()
    # The installed .mc names the installed tree; m4 builds from it.
    assert (tmp_path / "etc/mail").stat().st_mode & 0o7777 == 0o2755
    mc = tmp_path / "etc/mail/sendmail.mc"
    text = mc.read_text()
    assert "include(`/usr/share/sendmaild/cf/m4/cf.m4')" in text
    mc.write_text(text.replace("/usr/share", str(tmp_path / "usr/share")))
    r = subprocess.run(["m4", str(mc)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "O DaemonPortOptions=Family=inet, Name=MTA-v4" in r.stdout
    r = subprocess.run([str(sbin / "sendmail"), "-C", "/dev/null", "-bO"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0
    assert "O Timeout.command=1h\n" in r.stdout
