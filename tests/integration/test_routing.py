"""Routing maps and masquerading as a .mc asks for them: virtusertable,
mailertable, genericstable, MASQUERADE_AS and its features, EXPOSED_USER,
always_add_domain, redirect, MAIL_HUB and LOCAL_RELAY (local submission
issue, items 5 and 6).  The maps are built by our makemap."""
import os
import re

import pytest

from daemon_util import USER, messages

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to become the users")


def test_virtusertable(routing):
    s = routing(mc_extra="VIRTUSER_DOMAIN(`virt.example')dnl\n", maps={
        "virtusertable":
            f"info@virt.example {USER}\n"
            f"joe+*@virt.example {USER}\n"
            "sales@virt.example error:nouser 550 5.1.1 No such list here\n"
            "closed@virt.example error:4.2.1:450 Mailbox busy\n"
            "@virt.example %1@far.example\n"
            f"webmaster@localhost {USER}\n"})
    # error: entries answer at RCPT, with their code and status.
    assert s.rcpt("sales@virt.example") == (
        550, b"5.1.1 <sales@virt.example>... No such list here")
    assert s.rcpt("closed@virt.example") == (
        450, b"4.2.1 <closed@virt.example>... Mailbox busy")
    assert s.rcpt("anyone@virt.example")[0] == 250
    s.send(["info@virt.example", "joe+news@virt.example",
            "webmaster@localhost", "anyone@virt.example"])
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    # Three virtual addresses lead to one local user: one copy.
    assert len(messages(s.mailbox())) == 1
    # The catch-all entry's %1 is the user part.
    assert [m[1] for m in s.rec.messages] == [["anyone@far.example"]], \
        r.stderr
    assert [m[1] for m in s.rec.messages] == [["anyone@far.example"]]
    assert s.d.queued("qf") == []


def test_virtual_domain_without_an_entry_is_unknown(routing):
    s = routing(mc_extra="VIRTUSER_DOMAIN(`virt.example')dnl\n", maps={
        "virtusertable": f"info@virt.example {USER}\n"})
    assert s.rcpt("nobody-here@virt.example") == (
        550, b"5.1.1 <nobody-here@virt.example>... User unknown")


def test_mailertable(routing):
    s = routing(maps={"mailertable":
                      "special.example esmtp:[127.0.0.1]\n"
                      ".sub.example esmtp:[127.0.0.1]\n"
                      "blocked.example error:5.7.1:550 We do not send there\n"
                      "here.example local:" + USER + "\n"})
    assert s.rcpt("x@blocked.example") == (
        550, b"5.7.1 <x@blocked.example>... We do not send there")
    s.send(["a@special.example", "b@deep.sub.example", "c@other.example"])
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    # special and .sub go to the esmtp mailer's host in one transaction,
    # the rest to the smart host.
    assert [sorted(m[1]) for m in s.other.messages] == [
        ["a@special.example", "b@deep.sub.example"]]
    assert [m[1] for m in s.rec.messages] == [["c@other.example"]]
    assert re.search(r"to=<a@special\.example>.*mailer=esmtp, .*"
                     r"relay=\[127\.0\.0\.1\]", r.stderr), r.stderr
    assert s.d.queued("qf") == []


def test_mailertable_local_entry(routing):
    s = routing(maps={"mailertable": f"here.example local:{USER}\n"},
                mc_extra="RELAY_DOMAIN(`here.example')dnl\n")
    s.send(["whoever@here.example"])
    s.run_queue()
    assert len(messages(s.mailbox())) == 1


def headers_of(data):
    head = data.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode()
    return dict(re.findall(r"^([\w-]+): (.*)$", head, re.M))


MASQ = ("MASQUERADE_AS(`masq.example')dnl\n"
        "MASQUERADE_DOMAIN(`inner.example')dnl\n"
        "FEATURE(`masquerade_entire_domain')dnl\n"
        "FEATURE(`masquerade_envelope')dnl\n"
        "EXPOSED_USER(`root')dnl\n"
        "GENERICS_DOMAIN(`localhost')dnl\n")

MASQ_MESSAGE = ("From: Alice <alice@localhost>\r\n"
                "Sender: carol@host.inner.example\r\n"
                "Reply-To: root@localhost, dave@localhost (Dave)\r\n"
                "To: bob, friend@far.example\r\n"
                "Cc: other@elsewhere.example\r\n"
                "Subject: t\r\n\r\nhello\r\n")


def test_masquerading_and_genericstable_on_headers_and_envelope(routing):
    s = routing(mc_extra=MASQ, maps={
        "genericstable": "dave dave.smith@generic.example\n"})
    s.send(["friend@far.example"], MASQ_MESSAGE, sender="alice@localhost")
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    [(sender, rcpts, data)] = s.rec.messages
    # masquerade_envelope: the envelope sender too.
    assert sender == "alice@masq.example"
    h = headers_of(data)
    assert h["From"] == "Alice <alice@masq.example>"
    # A subdomain of a MASQUERADE_DOMAIN (masquerade_entire_domain).
    assert h["Sender"] == "carol@masq.example"
    # EXPOSED_USER stays; genericstable wins over masquerading.
    assert h["Reply-To"] == ("root@localhost, dave.smith@generic.example "
                             "(Dave)")
    # Recipients are not masqueraded (no allmasquerade), but an
    # unqualified one is qualified for SMTP.
    assert re.fullmatch(r"bob@[^,]+, friend@far\.example", h["To"])
    assert "masq" not in h["To"]
    assert h["Cc"] == "other@elsewhere.example"


def test_generics_entire_domain(routing):
    """FEATURE(generics_entire_domain): genericstable applies to the
    subdomains of class G too (without it, only to G itself); other
    domains stay as they are."""
    froms = []
    for feature in ("", "FEATURE(`generics_entire_domain')dnl\n"):
        s = routing(mc_extra="GENERICS_DOMAIN(`inner.example')dnl\n" +
                    feature, maps={
                        "genericstable": "carol carol.x@generic.example\n"})
        s.send(["friend@far.example"],
               "From: carol@host.inner.example\r\n"
               "Reply-To: carol@elsewhere.example\r\n"
               "Subject: t\r\n\r\nhello\r\n", sender="a@example.org")
        r = s.run_queue()
        assert r.returncode == 0, r.stderr
        [(_, _, data)] = s.rec.messages
        h = headers_of(data)
        froms.append(h["From"])
        assert h["Reply-To"] == "carol@elsewhere.example"
    assert froms == ["carol@host.inner.example", "carol.x@generic.example"]


def test_allmasquerade_and_limited_local(routing):
    s = routing(mc_extra="MASQUERADE_AS(`masq.example')dnl\n"
                "FEATURE(`allmasquerade')dnl\n"
                "FEATURE(`local_no_masquerade')dnl\n"
                "FEATURE(`always_add_domain')dnl\n")
    s.send(["friend@far.example", f"{USER}@localhost"],
           f"From: alice@localhost\r\nTo: bob@localhost, {USER}\r\n"
           "Subject: t\r\n\r\nhello\r\n", sender="alice@localhost")
    s.run_queue()
    [(sender, _, data)] = s.rec.messages
    assert sender == "alice@localhost"      # no masquerade_envelope
    h = headers_of(data)
    assert h["From"] == "alice@masq.example"
    assert h["To"] == f"bob@masq.example, {USER}@masq.example"
    # The local mailer: not masqueraded, but always_add_domain
    # qualifies what is unqualified.
    box = s.mailbox()
    assert "\nFrom: alice@localhost\n" in box
    assert re.search(rf"\nTo: bob@localhost, {USER}@\S+\n", box), box
    assert "masq.example" not in box


def test_redirect(routing):
    s = routing(mc_extra="FEATURE(`redirect')dnl\n")
    s.set_aliases("olduser: newuser@far.example.REDIRECT\n")
    code, text = s.rcpt("olduser@localhost")
    assert (code, text) == (551, b"5.1.1 <olduser@localhost>... User has "
                                 b"moved; please try <newuser@far.example>")


def test_mail_hub(routing):
    """MAIL_HUB: local names that are not aliases go to the hub (here at
    the smart host's address); root (LOCAL_USER, class L) and aliases
    stay here."""
    s = routing(mc_extra="define(`MAIL_HUB', `[127.0.0.1]')dnl\n"
                "LOCAL_USER(`root')dnl\n")
    s.set_aliases(f"team: {USER}@[127.0.0.1], root\n")
    s.send([f"{USER}@localhost", "root@localhost", "team@localhost"])
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert [sorted(m[1]) for m in s.rec.messages] == [
        [f"{USER}@[127.0.0.1]"]]
    assert len(messages(s.mailbox("root"))) == 1
    assert s.d.queued("qf") == []


def test_local_relay(routing):
    """LOCAL_RELAY: unqualified names go to the relay; a name with one of
    our domains is delivered here."""
    s = routing(mc_extra="define(`LOCAL_RELAY', `[127.0.0.1]')dnl\n")
    r = s.sendmail("-odq", USER, f"{USER}@localhost",
                   input="Subject: t\n\nhello\n")
    assert r.returncode == 0, r.stderr
    r = s.run_queue()
    assert r.returncode == 0, r.stderr
    assert [m[1] for m in s.rec.messages] == [[f"{USER}@[127.0.0.1]"]]
    assert len(messages(s.mailbox())) == 1


def test_verify_shows_the_routes(routing):
    s = routing(mc_extra="VIRTUSER_DOMAIN(`virt.example')dnl\n", maps={
        "virtusertable": f"info@virt.example {USER}\n"
                         "@virt.example %1@far.example\n",
        "mailertable": "special.example esmtp:[127.0.0.1]\n"
                       "blocked.example error:5.7.1:550 Not there\n"})
    r = s.sendmail("-bv", "info@virt.example", "x@virt.example",
                   "a@special.example", "b@blocked.example")
    assert r.stdout.splitlines() == [
        f"{USER}... deliverable: mailer local, user {USER}",
        "x@far.example... deliverable: mailer relay, host [127.0.0.1], "
        "user x@far.example",
        "a@special.example... deliverable: mailer esmtp, host [127.0.0.1], "
        "user a@special.example",
        "b@blocked.example... Not there"], r.stdout + r.stderr
    assert r.returncode == 69
