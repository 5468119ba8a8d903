"""A Debian machine running Debian's sendmail, made of this one: the
layer of scripts/debian-box (sendmail installed with apt-get) and a
fresh layer of the box's own, laid over / in private mount, PID, UTS
and network namespaces.  Nothing the box does reaches the system: its
writes stay in its own layer, its daemons end with it, its network is
a loopback of its own.

    box = Box(layer_dir)            # made by scripts/debian-box
    r = box.run(script)             # bash -e as root inside, a result
    box.close()

The box's /box is a folder shared with the test (box.io), for input
and output; the project's tree is copied to /usr/src/sendmaild."""
import pathlib
import shutil
import subprocess
import tempfile

from conftest import ROOT

INNER = """set -e
mount -t overlay overlay -o lowerdir=/,upperdir={up},workdir={work} {root}
mount -t proc proc {root}/proc
mount --rbind /dev {root}/dev
mount --rbind /sys {root}/sys
mount -t tmpfs tmpfs {root}/run
mkdir -p {root}/box
mount --bind {io} {root}/box
ip link set lo up
hostname box.example.org
exec chroot {root} /bin/bash -e /box/script.sh
"""


class Box:
    def __init__(self, layer_dir):
        layer = pathlib.Path(layer_dir) / "layer"
        if not (pathlib.Path(layer_dir) / "layer.done").exists():
            raise RuntimeError(f"{layer} is missing: run "
                               "scripts/install-deps test")
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="smd-box-",
                                                  dir="/var/tmp"))
        self.up, self.work = self.base / "up", self.base / "work"
        self.root, self.io = self.base / "root", self.base / "io"
        # The box's layer starts as a copy of sendmail's (two lower
        # layers of one file system would overlap).
        subprocess.run(["cp", "-a", str(layer), str(self.up)], check=True)
        for d in (self.work, self.root, self.io):
            d.mkdir()
        self.io.chmod(0o777)
        self.layer = layer
        self.copy_tree()

    def copy_tree(self):
        """The project's tree (with its build, so that make finds it
        done) at /usr/src/sendmaild, in the box's own layer."""
        dest = self.up / "usr/src/sendmaild"
        dest.parent.mkdir(parents=True)
        shutil.copytree(ROOT, dest, symlinks=True, ignore=shutil.ignore_patterns(
            ".git", "build-fuzz", "build-san", "run", "__pycache__"))

    def run(self, script, timeout=600):
        (self.io / "script.sh").write_text(script)
        inner = INNER.format(up=self.up, work=self.work, root=self.root,
                             io=self.io)
        return subprocess.run(
            ["unshare", "--mount", "--pid", "--fork", "--uts", "--net",
             "--propagation", "private", "sh", "-c", inner],
            capture_output=True, text=True, timeout=timeout)

    def close(self):
        shutil.rmtree(self.base, ignore_errors=True)
