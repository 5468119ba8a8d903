"""DNS on both sides, against the suite's own DNS server (testnet.py: a
dnsmasq on 127.0.0.1 in the tests' network namespace, resolv.conf
bind-mounted to point at it): the client's name, the sender domain check,
MX delivery, and the bound on every lookup when a server never answers.

The resolver options here are Timeout.resolver.retrans=1s and
Timeout.resolver.retry=2: one lookup may take about 2 s (plus a second
of slack), where the C library's defaults would take 10 s."""
import smtplib
import time

import pytest

import testnet
from cfgen import HEAD, build_cf
from daemon_util import Conn, Daemon, Site, factory
from smarthost import Recorder
from aiosmtpd.controller import Controller

pytestmark = pytest.mark.skipif(not testnet.active,
                                reason="needs the suite's own DNS (root)")

RESOLVER = ["Timeout.resolver.retrans=1s", "Timeout.resolver.retry=2"]
BOUND = 1 * 2 + 1           # seconds: one lookup, with its slack


def make_cf(base, extra=""):
    return str(build_cf(base, "dns", HEAD +
                        "define(`confDOMAIN_NAME', `mta.test')dnl\n"
                        "define(`confTO_IDENT', `0')dnl\n"
                        "FEATURE(`no_default_msa')dnl\n" + extra +
                        "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"))


@pytest.fixture
def server(base):
    yield from factory(lambda extra="", options=(): Daemon(
        cf=make_cf(base, extra),
        options=RESOLVER + ["DeliveryMode=queueonly", *options]),
        close=Daemon.stop)


def ehlo_from(d, source):
    c = Conn(d.port, source=source)
    c.read_reply()
    return c, c.cmd("EHLO c.example")


# ---- the client's name -------------------------------------------------

def test_client_name_is_forward_confirmed(server):
    d = server()
    c, reply = ehlo_from(d, "127.0.0.41")
    assert "Hello client.test [127.0.0.41], pleased" in reply
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("RCPT TO:<root@mta.test>").startswith("250 ")
    c.send(b"DATA\r\n")
    c.read_reply()
    assert c.cmd("Subject: t\r\n\r\nhi\r\n.").startswith("250 ")
    c.close()
    ctl = d.queued("qf")
    text = open(ctl[0], errors="replace").read()
    assert "Received: from c.example (client.test [127.0.0.41])" in text

    # A PTR whose name leads elsewhere: shown, flagged, not trusted.
    c, reply = ehlo_from(d, "127.0.0.42")
    assert "Hello forged.test [127.0.0.42] (may be forged)" in reply
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("RCPT TO:<x@far.example>") == (
        "550 5.7.1 <x@far.example>... Relaying denied. "
        "IP name possibly forged forged.test")
    c.close()

    # No PTR at all.
    c, reply = ehlo_from(d, "127.0.0.5")
    assert "Hello [127.0.0.5], pleased" in reply
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("RCPT TO:<x@far.example>") == (
        "550 5.7.1 <x@far.example>... Relaying denied. "
        "IP name lookup failed [127.0.0.5]")
    c.close()


def test_reverse_lookup_that_never_answers_is_bounded(server):
    """The PTR of 127.0.0.43 is asked of a server that never answers: the
    greeting comes after the resolver bound, not after 10 s, and relaying
    is refused for now (4xx), not for good."""
    d = server()
    t = time.monotonic()
    c = Conn(d.port, source="127.0.0.43", timeout=30)
    assert c.read_reply().startswith("220 ")
    took = time.monotonic() - t
    assert 1.5 < took < BOUND + 2, took
    assert "Hello [127.0.0.43]" in c.cmd("EHLO c.example")
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("RCPT TO:<x@far.example>") == (
        "450 4.4.0 <x@far.example>... Relaying temporarily denied. "
        "Cannot resolve PTR record for 127.0.0.43")
    # Local mail is still taken.
    assert c.cmd("RCPT TO:<root@mta.test>").startswith("250 ")
    c.close()


# ---- the sender domain check -------------------------------------------

def test_sender_domain_check(server):
    d = server()
    c, _ = ehlo_from(d, "127.0.0.1")
    assert c.cmd("MAIL FROM:<a@nx.test>") == (
        "553 5.1.8 <a@nx.test>... Domain of sender address a@nx.test "
        "does not exist")
    assert c.cmd("MAIL FROM:<a@nullmx.test>") == (
        "550 5.7.27 <a@nullmx.test>... Sender address has null MX")
    assert c.cmd("MAIL FROM:<a@v6only.test>").startswith("250 ")
    c.cmd("RSET")
    assert c.cmd("MAIL FROM:<a@multi.test>").startswith("250 ")
    c.close()


def test_transaction_with_broken_dns_ends_within_the_bound(server):
    """A client whose PTR server and sender domain's server never answer:
    the whole transaction takes two resolver bounds, and the reply is a
    4xx (try later), measured."""
    d = server()
    t = time.monotonic()
    s = smtplib.SMTP("127.0.0.1", d.port, timeout=30,
                     source_address=("127.0.0.43", 0))
    s.ehlo("c.example")
    t_mail = time.monotonic()
    code, text = s.mail("a@x.slow.test")
    mail_took = time.monotonic() - t_mail
    s.quit()
    total = time.monotonic() - t
    assert (code, text) == (451, b"4.1.8 Domain of sender address "
                            b"a@x.slow.test does not resolve")
    assert 1.5 < mail_took < BOUND + 2, mail_took
    assert total < 2 * BOUND + 3, total


def test_accept_unresolvable_domains(server):
    d = server(extra="FEATURE(`accept_unresolvable_domains')dnl\n")
    c, _ = ehlo_from(d, "127.0.0.1")
    assert c.cmd("MAIL FROM:<a@nx.test>").startswith("250 ")
    c.close()


def test_delay_checks_moves_the_refusal_to_rcpt(server):
    d = server(extra="FEATURE(`delay_checks')dnl\n")
    c, _ = ehlo_from(d, "127.0.0.1")
    assert c.cmd("MAIL FROM:<a@nx.test>").startswith("250 ")
    assert c.cmd("RCPT TO:<root@mta.test>") == (
        "553 5.1.8 <root@mta.test>... Domain of sender address a@nx.test "
        "does not exist")
    c.cmd("RSET")
    assert c.cmd("MAIL FROM:<a@x.slow.test>").startswith("250 ")
    assert c.cmd("RCPT TO:<root@mta.test>") == (
        "451 4.1.8 <root@mta.test>... Domain of sender address "
        "a@x.slow.test does not resolve")
    c.close()


# ---- delivery to MX hosts ----------------------------------------------

class MX(Site):
    """A configuration without a smart host (or with one given by mc),
    a private queue, and the commands that queue and run it."""

    def __init__(self, base, extra="", options=()):
        super().__init__(base=base, queue="mqueue")
        self.make_queue("mqueue/.hoststat")
        self.cf = make_cf(base, extra)
        # The test's "remote" hosts live on the loopback interface, whose
        # addresses (and names: ::1 is v6only.test) are not ours here.
        self.options = ["RunAsUser=nobody", f"QueueDirectory={self.queue}",
                        "HostStatusDirectory=.hoststat",
                        "DontProbeInterfaces=loopback",
                        "Timeout.iconnect=2s", "Timeout.connect=2s",
                        *RESOLVER, *options]

    def send(self, rcpt):
        r = self.sendmail("-odq", "-f", "a@example.org", rcpt,
                          input="Subject: t\n\nhello\n")
        assert r.returncode == 0, r.stderr

    def run(self):
        t = time.monotonic()
        r = self.sendmail("-qf", "-v")
        return r.stdout + r.stderr, time.monotonic() - t


@pytest.fixture
def mx_hosts():
    started = []

    def start(addr):
        rec = Recorder()
        ctl = Controller(rec, hostname=addr, port=25)
        ctl.start()
        started.append(ctl)
        return rec
    yield start
    for ctl in started:
        ctl.stop()


def test_mx_first_host_down_second_takes_it(base, mx_hosts):
    rec = mx_hosts("127.0.0.32")
    m = MX(base)
    m.send("user@multi.test")
    out, _ = m.run()
    assert len(rec.messages) == 1, out
    assert rec.messages[0][1] == ["user@multi.test"]
    assert "relay=mx2.multi.test [127.0.0.32]" in out
    assert m.queued() == []
    # The first MX host's failure is remembered per host.
    r = m.sendmail("-bh")
    assert "mx1.multi.test" in r.stdout, r.stdout + r.stderr


def test_smart_host_without_brackets_uses_mx(base, mx_hosts):
    rec = mx_hosts("127.0.0.32")
    m = MX(base, extra="define(`SMART_HOST', `multi.test')dnl\n")
    m.send("someone@far.example")
    out, _ = m.run()
    assert len(rec.messages) == 1, out
    assert rec.messages[0][1] == ["someone@far.example"]


def test_null_mx_and_nxdomain_bounce_at_once(base):
    m = MX(base)
    m.send("user@nullmx.test")
    m.send("user@nx.test")
    out, _ = m.run()
    assert "dsn=5.1.10, stat=Domain nullmx.test does not accept mail " \
        "(nullMX)" in out, out
    assert "dsn=5.1.2, stat=Host unknown (Name server: nx.test: host not " \
        "found)" in out, out
    # Both bounced: what is left is the bounces, on their way to the
    # sender's domain.
    r = m.sendmail("-bp")
    assert "user@nullmx.test" not in r.stdout
    assert "user@nx.test" not in r.stdout


def test_mx_lookup_that_never_answers_defers_within_the_bound(base):
    m = MX(base)
    m.send("user@x.slow.test")
    out, took = m.run()
    assert "dsn=4.4.3, stat=Deferred: Name server: x.slow.test: host name " \
        "lookup failure" in out, out
    assert took < BOUND + 3, took
    assert len(m.queued()) == 1


@pytest.mark.parametrize("domain, addr", [
    ("v6only.test", "::1"),         # AAAA only
    # ::1 (nothing listens on port 25 there) and 127.0.0.33: IPv6 fails,
    # IPv4 gets the message.
    ("dual.test", "127.0.0.33"),
])
def test_address_families(base, mx_hosts, domain, addr):
    rec = mx_hosts(addr)
    m = MX(base)
    m.send("user@" + domain)
    out, _ = m.run()
    assert len(rec.messages) == 1, out
    assert f"relay={domain} [{addr}]" in out


def test_mx_pointing_back_to_us(base, mx_hosts):
    rec = mx_hosts("127.0.0.34")
    peer = mx_hosts("127.0.0.32")
    m = MX(base)
    m.send("user@self.test")
    # Hosts as good as we are do not count either, whatever the order
    # of equal preferences.
    for _ in range(4):
        m.send("user@peer.test")
    out, _ = m.run()
    assert "dsn=5.3.5, stat=Local configuration error: MX list for " \
        "self.test points back to mta.test" in out, out
    assert out.count("MX list for peer.test points back to mta.test") >= 4
    assert rec.messages == [] and peer.messages == []
    # TryNullMXList: the domain's own address instead.
    (base / "two").mkdir()
    m2 = MX(base / "two", options=["TryNullMXList=True"])
    m2.send("user@self.test")
    out, _ = m2.run()
    assert len(rec.messages) == 1, out


# ---- start-up ------------------------------------------------------------

def test_start_up_with_dead_dns_is_bounded(base):
    """An unqualified host name and a name server that never answers: the
    daemon still answers within the resolver bound, with a warning."""
    rc = base / "resolv.conf"
    rc.write_text(f"nameserver {testnet.SILENT}\n")
    d = Daemon(options=RESOLVER + ["DontProbeInterfaces=False"],
               wrapper=["unshare", "-m", "-u", "sh", "-c",
                        f"hostname shorty && mount --bind {rc} "
                        "/etc/resolv.conf && exec \"$0\" \"$@\""],
               ready_limit=30)
    try:
        assert d.ready_after < BOUND + 3, d.ready_after
        c = Conn(d.port)
        assert c.read_reply().startswith("220 shorty ESMTP")
        c.close()
        assert "unable to qualify my own domain name (shorty)" in \
            d.log_text()
    finally:
        d.stop()
