"""The test suite's own network: a network and mount namespace of its own
with a DNS server (dnsmasq, from Debian) on 127.0.0.1 and /etc/resolv.conf
bind-mounted to point at it.

Every name and reverse lookup the programs under test make (client PTR
records, sender domains, MX records, the host's own name) is answered by
this server, so the tests do not depend on the machine's DNS, and no
packet leaves the namespace: only the loopback interface exists in it.

What the server knows:
  * every name outside .test has an A record, 127.0.0.254 (nothing
    listens there), and no other record, so the tests' sender domains
    exist; no PTR records except those below;
  * the zones of test_dns.py, under .test (see ZONES); other .test names
    do not exist;
  * names under slow.test, and the PTR of 127.0.0.43, are forwarded to
    127.0.0.9, where nothing answers: a DNS server that never answers.

Set SM_TEST_HOST_NETWORK=1 to run in the machine's own namespaces
(tests that need the private DNS are then skipped).
"""
import atexit
import ctypes
import os
import shutil
import socket
import subprocess
import tempfile
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000

SILENT = "127.0.0.9"

ZONES = """
# MX with two hosts: the first refuses connections, the second listens.
mx-host=multi.test,mx1.multi.test,10
mx-host=multi.test,mx2.multi.test,20
host-record=mx1.multi.test,127.0.0.31
host-record=mx2.multi.test,127.0.0.32
# RFC 7505 null MX.
mx-host=nullmx.test,.,0
# No such domain.
address=/nx.test/
# A host with only an IPv6 address, and one with both families.
host-record=v6only.test,::1
host-record=dual.test,127.0.0.33,::1
# A domain whose MX is this host (our $j in the tests: mta.test).
mx-host=self.test,mta.test,10
# And one where we share the best preference with another host.
mx-host=peer.test,mta.test,10
mx-host=peer.test,mx2.multi.test,10
host-record=mta.test,127.0.0.1
host-record=self.test,127.0.0.34
# Reverse lookups: confirmed, forged (the name leads elsewhere), and
# one whose server never answers.
host-record=client.test,127.0.0.41
ptr-record=41.0.0.127.in-addr.arpa,client.test
host-record=forged.test,127.0.0.99
ptr-record=42.0.0.127.in-addr.arpa,forged.test
server=/43.0.0.127.in-addr.arpa/127.0.0.9
server=/slow.test/127.0.0.9
"""

CONF = """no-resolv
no-hosts
port=53
listen-address=127.0.0.1
bind-interfaces
user=root
local=/#/
local=/test/
local=/in-addr.arpa/
local=/ip6.arpa/
address=/#/127.0.0.254
""" + ZONES

active = False
silent = None       # the UDP socket on SILENT:53 that never answers


def _ask(name):
    """One A query to the server; True when it answered."""
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" +
         b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) +
         b"\x00\x00\x01\x00\x01")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    try:
        s.sendto(q, ("127.0.0.1", 53))
        return s.recv(512)[:2] == b"\x12\x34"
    except OSError:
        return False
    finally:
        s.close()


def isolate():
    """Enter the private namespaces and start the DNS server (once)."""
    global active, silent
    if active or os.environ.get("SM_TEST_HOST_NETWORK") or os.geteuid() != 0:
        return
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    if not os.path.exists(dnsmasq):
        raise RuntimeError("the tests need dnsmasq (Debian package "
                           "dnsmasq-base): run scripts/install-deps test")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare: cannot make the "
                      "tests' own network namespace")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # Client ports stay above the listeners' (daemon_util.free_port).
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("32768 60999\n")
    # A name server that takes every question and answers none.
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind((SILENT, 53))
    d = tempfile.mkdtemp(prefix="smtest-dns-")
    conf = os.path.join(d, "dnsmasq.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    log = open(os.path.join(d, "dnsmasq.log"), "w")
    proc = subprocess.Popen([dnsmasq, "-k", "-C", conf,
                             "--pid-file=" + os.path.join(d, "pid"),
                             "--log-facility=-"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def stop():
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
    atexit.register(stop)
    end = time.monotonic() + 10
    while not _ask("up.example"):
        if proc.poll() is not None or time.monotonic() > end:
            raise RuntimeError("dnsmasq did not start: " +
                               open(os.path.join(d, "dnsmasq.log")).read())
        time.sleep(0.05)
    resolv = os.path.join(d, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1\n")
    subprocess.run(["mount", "--bind", resolv, "/etc/resolv.conf"],
                   check=True)
    active = True
