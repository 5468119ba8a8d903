"""The server's STARTTLS, implicit TLS and AUTH (STARTTLS and AUTH issue,
items 1, 4 and 5): a CA made by the test, the real daemon, Python's ssl
and smtplib as clients, Cyrus SASL with a sasldb the test writes."""
import pathlib
import smtplib
import time

import pytest

from cfgen import HEAD, build_cf
from daemon_util import Conn, free_port, wait_for
from tlsutil import PASSWORD, USER, auth_options, recv_all, tls_wrap

def login_plain(s):
    """AUTH PLAIN (smtplib's login() would pick CRAM-MD5 first)."""
    s.user, s.password = USER, PASSWORD
    return s.auth("PLAIN", s.auth_plain)


def ehlo_keywords(reply):
    return [l[4:] for l in reply.splitlines()[1:]]


def received(d, user="root"):
    box = d.mailbox(user)
    start = box.index("Received:")
    end = box.index("\n", box.index(";", start))
    return box[start:end + 1]


def test_starttls_offered_then_mail_over_tls(daemon, ca):
    d = daemon(options=ca.server_options())
    c = Conn(d.port)
    c.read_reply()
    assert "STARTTLS" in ehlo_keywords(c.cmd("EHLO before.example"))
    assert c.cmd("STARTTLS").startswith("220 2.0.0 Ready to start TLS")
    tls_wrap(c, ca.client_context())
    # The session starts over: no STARTTLS any more, EHLO again.
    kw = ehlo_keywords(c.cmd("EHLO after.example"))
    assert "STARTTLS" not in kw
    assert c.cmd("STARTTLS").startswith("454 4.3.3")
    assert c.cmd("MAIL FROM:<a@example.org>").startswith("250")
    assert c.cmd("RCPT TO:<root@localhost>").startswith("250")
    assert c.cmd("DATA").startswith("354")
    assert c.cmd("Subject: tls\r\n\r\nover TLS\r\n.").startswith("250")
    c.cmd("QUIT")
    assert wait_for(lambda: "over TLS" in d.mailbox())
    rcvd = received(d)
    assert rcvd.startswith("Received: from after.example")
    assert " with ESMTPS id " in rcvd
    assert "(version=TLSv1." in rcvd and " cipher=" in rcvd
    assert "verify=NO)" in rcvd
    assert "STARTTLS=server, relay=localhost [127.0.0.1], version=TLSv1" \
        in d.log_text()


def test_client_certificate_is_verified(daemon, ca):
    d = daemon(options=ca.server_options())
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.starttls(context=ca.client_context(cert="client"))
        s.sendmail("a@example.org", ["root@localhost"],
                   "Subject: cert\r\n\r\nwith a certificate\r\n")
    assert wait_for(lambda: "with a certificate" in d.mailbox())
    assert "verify=OK)" in received(d)


def test_starttls_refusals(daemon, ca):
    d = daemon(options=ca.server_options())
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("STARTTLS now").startswith("501 5.5.2")
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("STARTTLS").startswith(
        "503 5.5.0 TLS not permitted during a mail transaction")
    c.close()
    plain = daemon()            # no certificate: nothing offered
    c = Conn(plain.port)
    c.read_reply()
    assert "STARTTLS" not in ehlo_keywords(c.cmd("EHLO x.example"))
    assert c.cmd("STARTTLS").startswith("503 5.5.0 TLS not available")
    c.close()


def test_daemon_modifier_S_hides_starttls(daemon, ca):
    port = free_port()
    d = daemon(options=ca.server_options() + [
        f"DaemonPortOptions=Port={port}, Addr=127.0.0.1, Name=NoTLS, M=S"])
    c = Conn(port)
    c.read_reply()
    assert "STARTTLS" not in ehlo_keywords(c.cmd("EHLO x.example"))
    c.close()
    c = Conn(d.port)
    c.read_reply()
    assert "STARTTLS" in ehlo_keywords(c.cmd("EHLO x.example"))
    c.close()


def test_plaintext_pipelined_after_starttls_is_discarded(daemon, ca):
    d = daemon(options=ca.server_options())
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    # CVE-2011-0411: commands sent in the clear right behind STARTTLS.
    c.send("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@evil.example>\r\n")
    assert c.read_reply().startswith("220 2.0.0")
    tls_wrap(c, ca.client_context())
    # The first reply inside TLS answers EHLO, not the injected RSET.
    reply = c.cmd("EHLO x.example")
    assert reply.startswith("250-") and "Hello" in reply.splitlines()[0]
    # And no MAIL is in force.
    assert c.cmd("RCPT TO:<root@localhost>").startswith("503")
    c.cmd("QUIT")
    assert wait_for(lambda: "bytes sent in the clear after STARTTLS were "
                    "discarded" in d.log_text())


def test_starttls_handshake_bounded_by_timeout(daemon, ca):
    d = daemon(options=ca.server_options() + ["Timeout.starttls=2s"])
    c = Conn(d.port, timeout=30)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("STARTTLS").startswith("220")
    start = time.monotonic()
    assert c.closed()           # we never start the handshake
    took = time.monotonic() - start
    assert 1.5 <= took < 10, took
    assert wait_for(lambda: "Timeout.starttls" in d.log_text())


def test_implicit_tls_daemon(daemon, ca):
    port = free_port()
    d = daemon(options=ca.server_options() + [
        f"DaemonPortOptions=Port={port}, Addr=127.0.0.1, Name=SMTPS, M=s"])
    with smtplib.SMTP_SSL("127.0.0.1", port, timeout=10,
                          context=ca.client_context()) as s:
        code, text = s.ehlo("implicit.example")
        assert code == 250 and b"STARTTLS" not in text
        s.sendmail("a@example.org", ["root@localhost"],
                   "Subject: smtps\r\n\r\nimplicit TLS\r\n")
    assert wait_for(lambda: "implicit TLS" in d.mailbox())
    assert " with ESMTPS id " in received(d)


def test_implicit_tls_handshake_garbage(daemon, ca):
    port = free_port()
    d = daemon(options=ca.server_options() + [
        f"DaemonPortOptions=Port={port}, Addr=127.0.0.1, Name=SMTPS, M=s"])
    c = Conn(port)
    c.send("EHLO not-tls.example\r\n")
    recv_all(c.sock, 5)
    c.close()
    # The daemon keeps serving.
    with smtplib.SMTP_SSL("127.0.0.1", port, timeout=10,
                          context=ca.client_context()) as s:
        assert s.noop()[0] == 250
    assert "accept failed" in d.log_text()


# --- AUTH -----------------------------------------------------------------

def trust_cf(tmp_path, extra=""):
    return str(build_cf(tmp_path, "auth", HEAD +
                        "define(`confTO_IDENT', `0')dnl\n"
                        "FEATURE(`no_default_msa')dnl\n"
                        "TRUST_AUTH_MECH(`PLAIN LOGIN')dnl\n" + extra +
                        "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"))


def test_auth_p_offers_cleartext_mechanisms_only_after_tls(daemon, ca, sasl):
    d = daemon(options=ca.server_options() + auth_options(sasl, flags="p"))
    c = Conn(d.port)
    c.read_reply()
    kw = ehlo_keywords(c.cmd("EHLO x.example"))
    auth = [k for k in kw if k.startswith("AUTH ")]
    assert auth and "PLAIN" not in auth[0].split() and \
        "LOGIN" not in auth[0].split() and "CRAM-MD5" in auth[0].split()
    assert c.cmd("AUTH PLAIN AGFsaWNlAHgK").startswith("504 5.3.3")
    c.cmd("STARTTLS")
    tls_wrap(c, ca.client_context())
    kw = ehlo_keywords(c.cmd("EHLO x.example"))
    auth = [k for k in kw if k.startswith("AUTH ")][0].split()
    assert {"PLAIN", "LOGIN", "CRAM-MD5"} <= set(auth)
    c.close()


def test_auth_y_hides_anonymous(daemon, sasl):
    d = daemon(options=auth_options(sasl, mechs="ANONYMOUS CRAM-MD5"))
    c = Conn(d.port)
    c.read_reply()
    assert any("ANONYMOUS" in k for k in ehlo_keywords(c.cmd("EHLO x")))
    c.close()
    d = daemon(options=auth_options(sasl, mechs="ANONYMOUS CRAM-MD5",
                                    flags="y"))
    c = Conn(d.port)
    c.read_reply()
    kw = ehlo_keywords(c.cmd("EHLO x"))
    assert not any("ANONYMOUS" in k for k in kw)
    assert any("CRAM-MD5" in k for k in kw)
    c.close()


def test_authenticated_client_may_relay(daemon, ca, sasl, tmp_path):
    d = daemon(cf=trust_cf(tmp_path), options=ca.server_options() +
               auth_options(sasl) + ["DeliveryMode=queueonly"])
    # 127.0.0.41 (client.test, a confirmed name: testnet.py) is not
    # allowed to relay on its own.
    s = smtplib.SMTP("127.0.0.1", d.port, timeout=10,
                     source_address=("127.0.0.41", 0))
    s.starttls(context=ca.client_context())
    s.ehlo("client.example")
    s.mail("a@example.org")
    code, text = s.rcpt("someone@remote.example")
    assert code == 550 and b"Relaying denied. Proper authentication " \
        b"required." in text
    s.rset()
    with pytest.raises(smtplib.SMTPAuthenticationError) as e:
        s.login(USER, "wrong")
    assert e.value.smtp_code == 535
    login_plain(s)
    assert s.does_esmtp
    code, _ = s.mail("a@example.org", ["AUTH=<a@example.org>"])
    assert code == 250
    assert s.rcpt("someone@remote.example")[0] == 250
    assert s.data("Subject: relayed\r\n\r\nrelayed after AUTH\r\n")[0] == 250
    # A second AUTH is refused.
    assert s.docmd("AUTH PLAIN")[0] == 503
    s.quit()
    [qf] = d.queued("qf")
    text = pathlib.Path(qf).read_text(errors="replace")
    # The client vouches only for itself: its own identity is recorded.
    assert f"\nA{USER}" in text
    assert "(authenticated)" in text or "(authenticated" in text
    assert " with ESMTPSA id " in text
    log = d.log_text()
    assert "AUTH=<a@example.org> given by client.test [127.0.0.41]" in log
    assert f"AUTH=server, relay=client.test [127.0.0.41], authid={USER}" in log
    assert "AUTH failure (PLAIN)" in log


def test_auth_param_of_unauthenticated_client_is_dropped(daemon, sasl):
    d = daemon(options=auth_options(sasl) + ["DeliveryMode=queueonly"])
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10) as s:
        s.ehlo("x.example")
        assert s.mail("a@example.org", ["AUTH=<forged@example.org>"])[0] \
            == 250
        s.rcpt("root@localhost")
        s.data("Subject: x\r\n\r\nx\r\n")
    [qf] = d.queued("qf")
    assert "forged" not in pathlib.Path(qf).read_text(errors="replace")


def test_login_without_authorization_records_the_identity(daemon, ca, sasl,
                                                           tmp_path):
    d = daemon(cf=trust_cf(tmp_path), options=ca.server_options() +
               auth_options(sasl) + ["DeliveryMode=queueonly"])
    with smtplib.SMTP("127.0.0.1", d.port, timeout=10,
                      source_address=("127.0.0.3", 0)) as s:
        s.starttls(context=ca.client_context())
        s.ehlo("client.example")
        login_plain(s)
        s.sendmail("a@example.org", ["b@remote.example"],
                   "Subject: x\r\n\r\nx\r\n")
    [qf] = d.queued("qf")
    lines = pathlib.Path(qf).read_text(errors="replace").splitlines()
    assert any(l.startswith("A") and USER in l for l in lines), lines


def test_daemon_modifier_a_requires_auth(daemon, ca, sasl):
    port = free_port()
    daemon(options=ca.server_options() + auth_options(sasl) + [
        f"DaemonPortOptions=Port={port}, Addr=127.0.0.1, Name=MSA, M=a"])
    c = Conn(port)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("MAIL FROM:<a@example.org>").startswith(
        "530 5.7.0 Authentication required")
    c.close()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
        s.starttls(context=ca.client_context())
        s.login(USER, PASSWORD)
        assert s.mail("a@example.org")[0] == 250


def test_auth_exchange_errors(daemon, sasl):
    d = daemon(options=auth_options(sasl, mechs="LOGIN CRAM-MD5") +
               ["AllowBogusHELO=True"])
    c = Conn(d.port)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("AUTH").startswith("501")
    assert c.cmd("AUTH KERBEROS_V4").startswith("504 5.3.3")
    assert c.cmd("AUTH LOGIN !!!notbase64").startswith("501 5.5.4")
    assert c.cmd("AUTH LOGIN").startswith("334 ")
    assert c.cmd("*").startswith("501 5.0.0 AUTH aborted")
    assert c.cmd("AUTH LOGIN").startswith("334 ")
    assert c.cmd("%%%").startswith("501 5.5.4")
    c.cmd("MAIL FROM:<a@example.org>")
    assert c.cmd("AUTH LOGIN").startswith(
        "503 5.5.0 AUTH not permitted during a mail transaction")
    c.cmd("QUIT")
    c.close()
    # A client that stops in the middle is bounded by Timeout.command.
    d2 = daemon(options=auth_options(sasl) + ["Timeout.command=2s"])
    c = Conn(d2.port, timeout=30)
    c.read_reply()
    c.cmd("EHLO x.example")
    assert c.cmd("AUTH LOGIN").startswith("334")
    start = time.monotonic()
    recv_all(c.sock, 15)
    assert time.monotonic() - start < 10
    c.close()


def test_starttls_forgets_auth_done_in_the_clear(daemon, ca, sasl, tmp_path):
    d = daemon(cf=trust_cf(tmp_path), options=ca.server_options() +
               auth_options(sasl))
    s = smtplib.SMTP("127.0.0.1", d.port, timeout=10,
                     source_address=("127.0.0.2", 0))
    s.ehlo("client.example")
    assert login_plain(s)[0] == 235
    s.starttls(context=ca.client_context())
    s.ehlo("client.example")
    # RFC 3207 4.2: the AUTH of before counts no more.
    s.mail("a@example.org")
    assert s.rcpt("someone@remote.example")[0] == 550
    s.rset()
    assert login_plain(s)[0] == 235
    s.mail("a@example.org")
    assert s.rcpt("someone@remote.example")[0] == 250
    s.quit()
