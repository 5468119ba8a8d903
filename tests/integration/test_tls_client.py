"""The SMTP client's STARTTLS, implicit TLS and AUTH toward the smart host
(STARTTLS and AUTH issue, items 2, 3 and 5), and the null client of
spec/examples/nullclient-auth587.mc relaying through a smart host on a
loopback port 587 that requires STARTTLS, then AUTH PLAIN."""
import os
import pathlib
import pwd
import re
import shutil
import tempfile
import time

import pytest

from cfgen import build_cf, makemap
from conftest import SPEC_EXAMPLES
from daemon_util import Site, factory, queue_files, sendmail
from tlsutil import FakeTLSServer

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root (RunAsUser, port 587)")

CREDS = ("relayuser", "secret")


class Relay(Site):
    """A configuration relaying to [127.0.0.1]:port, a private queue,
    and the command lines that queue a message and run the queue."""

    def __init__(self, port, mc_extra="", options=(), maps=None):
        super().__init__("smd-tlsc-", queue="mqueue")
        extra = mc_extra
        for name, text in (maps or {}).items():
            src = self.base / name
            src.write_text(text)
            # Secrets stay root's: read before the privilege drop.
            makemap(src, text, mode=0o600 if name == "authinfo" else 0o644)
            if name == "authinfo":
                extra += f"FEATURE(`authinfo', `hash -o {src}')dnl\n"
            else:
                extra += f"FEATURE(`access_db', `hash -T<TMPF> -o {src}')dnl\n"
        self.relaying_cf("relay", port, after=extra)
        self.options = ["RunAsUser=nobody", f"QueueDirectory={self.queue}",
                        "HostStatusDirectory=", *options]

    def queue_message(self, body="hello over TLS"):
        r = self.sendmail("-odq", "-f", "a@example.org", "b@remote.example",
                          input=f"Subject: t\n\n{body}\n")
        assert r.returncode == 0, r.stderr

    def run(self, timeout=60):
        return self.sendmail("-qf", timeout=timeout)


@pytest.fixture
def relay():
    yield from factory(Relay)


@pytest.fixture
def fake(ca):
    def make(**kw):
        kw.setdefault("ctx", ca.server_context())
        return FakeTLSServer(**kw)
    yield from factory(make)


def client_options(ca, cert=False):
    o = [f"CACertFile={ca.file('ca.crt')}", f"CACertPath={ca.path}"]
    if cert:
        o += [f"ClientCertFile={ca.file('client.crt')}",
              f"ClientKeyFile={ca.file('client.key')}"]
    return o


def test_starttls_when_offered(relay, fake, ca):
    srv = fake(require_tls=True)
    r = relay(srv.port, options=client_options(ca))
    r.queue_message()
    res = r.run()
    assert res.returncode == 0, res.stderr
    assert [m["tls"] for m in srv.messages] == [True], res.stderr
    assert "STARTTLS" in srv.commands
    # EHLO again after the handshake (RFC 3207 4.2).
    i = srv.commands.index("STARTTLS")
    assert srv.commands[i + 1].startswith("EHLO")
    assert "STARTTLS=client, relay=[127.0.0.1] [127.0.0.1], version=TLSv1" \
        in res.stderr
    assert "verify=OK" in res.stderr
    assert r.queued() == []


def test_client_certificate(relay, fake, ca):
    ctx = ca.server_context()
    ctx.load_verify_locations(ca.file("ca.crt"))
    import ssl
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = fake(ctx=ctx)
    r = relay(srv.port, options=client_options(ca, cert=True))
    r.queue_message()
    res = r.run()
    assert res.returncode == 0, res.stderr
    assert srv.peer_certs == [{"commonName": "client.example"}]


def test_bytes_after_starttls_220_are_dropped(relay, fake, ca):
    # A server (or a man in the middle) appends a reply to its 220: a
    # client that read it would take it as the answer to its next EHLO.
    srv = fake(inject=b"554 5.7.0 injected in the clear\r\n")
    r = relay(srv.port, options=client_options(ca))
    r.queue_message()
    res = r.run()
    assert res.returncode == 0, res.stderr
    assert len(srv.messages) == 1 and srv.messages[0]["tls"], res.stderr
    assert "bytes the server sent in the clear before the handshake were " \
        "discarded" in res.stderr
    assert r.queued() == []


def test_tls_srv_verify_refuses_unknown_ca(relay, fake, ca):
    srv = fake(ctx=ca.server_context("other"))
    r = relay(srv.port, options=client_options(ca),
              maps={"access": "TLS_Srv:127.0.0.1 VERIFY\n"})
    r.queue_message()
    res = r.run()
    assert srv.messages == []
    assert "server certificate not verified (verify=FAIL)" in res.stderr
    assert len(r.queued()) == 1
    # Without the entry the same server gets the mail (verify=FAIL logged).
    r2 = relay(srv.port, options=client_options(ca))
    r2.queue_message()
    res = r2.run()
    assert len(srv.messages) == 1, res.stderr
    assert "verify=FAIL" in res.stderr


def test_tls_srv_requires_starttls(relay, fake, ca):
    srv = fake(starttls=False)
    r = relay(srv.port, options=client_options(ca),
              maps={"access": "TLS_Srv:127.0.0.1 ENCR:128\n"})
    r.queue_message()
    res = r.run()
    assert srv.messages == []
    assert "TLS_Srv requires TLS, but the server does not offer STARTTLS" \
        in res.stderr
    mq = r.sendmail("-bp")
    assert "TLS_Srv requires TLS" in mq.stdout


def test_implicit_tls_on_port_465(relay, fake, ca):
    try:
        srv = fake(implicit=True, addr="127.0.0.46", port=465)
    except OSError as e:
        pytest.skip(f"port 465: {e}")
    r = relay(465, options=client_options(ca))
    r.cf.write_text(r.cf.read_text().replace("[127.0.0.1]", "[127.0.0.46]"))
    r.queue_message()
    res = r.run()
    assert res.returncode == 0, res.stderr
    assert [m["tls"] for m in srv.messages] == [True], res.stderr
    assert "STARTTLS" not in srv.commands


def test_auth_plain_after_tls(relay, fake, ca):
    srv = fake(mechs="LOGIN PLAIN", creds=CREDS, require_auth=True)
    r = relay(srv.port, options=client_options(ca),
              maps={"authinfo": 'AuthInfo:127.0.0.1 "U:relayuser" '
                    '"P:secret" "M:PLAIN LOGIN"\n'})
    r.queue_message()
    res = r.run()
    assert res.returncode == 0, res.stderr
    assert [(m["tls"], m["auth"]) for m in srv.messages] == [(True, True)]
    assert "AUTH PLAIN" in srv.commands
    # No submitter known: no AUTH= (the same as AUTH=<>).
    assert "AUTH=" not in srv.messages[0]["mail"]
    assert "AUTH=client, relay=[127.0.0.1] [127.0.0.1], mech=PLAIN" \
        in res.stderr
    assert "secret" not in res.stderr


def test_auth_login_when_only_login_allowed(relay, fake, ca):
    srv = fake(mechs="PLAIN LOGIN", creds=CREDS, require_auth=True)
    r = relay(srv.port, options=client_options(ca),
              maps={"authinfo": 'AuthInfo: "U:relayuser" "P=c2VjcmV0" '
                    '"M:LOGIN"\n'})
    r.queue_message()
    res = r.sendmail("-qf", "-v")
    assert res.returncode == 0, res.stderr
    assert "AUTH LOGIN" in srv.commands and len(srv.messages) == 1
    # -v shows the exchange, never the credentials (c2VjcmV0: "secret").
    assert ">>> AUTH LOGIN" in res.stdout and "<credentials>" in res.stdout
    assert "c2VjcmV0" not in res.stdout and "cmVsYXl1c2Vy" not in res.stdout


def test_no_password_in_the_clear(relay, fake, ca):
    srv = fake(starttls=False, mechs="PLAIN LOGIN", creds=CREDS,
               require_auth=True)
    maps = {"authinfo": 'AuthInfo:127.0.0.1 "U:relayuser" "P:secret" '
            '"M:PLAIN LOGIN"\n'}
    r = relay(srv.port, options=client_options(ca), maps=maps)
    r.queue_message()
    res = r.run()
    assert not any(c.startswith("AUTH") for c in srv.commands)
    assert "not sending a password without TLS" in res.stderr
    assert len(r.queued()) == 1
    # The configuration may allow it explicitly.
    r2 = relay(srv.port, options=client_options(ca) +
               ["AllowCleartextAuth=True"], maps=maps)
    r2.queue_message()
    res = r2.run()
    assert res.returncode == 0, res.stderr
    assert len(srv.messages) == 1 and srv.messages[0]["auth"]


def test_wrong_password_leaves_the_message_queued(relay, fake, ca):
    srv = fake(mechs="PLAIN", creds=CREDS, require_auth=True)
    r = relay(srv.port, options=client_options(ca),
              maps={"authinfo": 'AuthInfo:127.0.0.1 "U:relayuser" '
                    '"P:wrong" "M:PLAIN"\n'})
    r.queue_message()
    res = r.run()
    assert srv.messages == []
    assert "535 5.7.8 Authentication credentials invalid" in res.stderr
    assert re.search(r"dsn=4\.7\.8, reply=535 5\.7\.8 Authentication "
                     r"credentials invalid", res.stderr), res.stderr
    assert len(r.queued()) == 1
    mq = r.sendmail("-bp")
    assert "535 5.7.8 Authentication credentials invalid" in mq.stdout


def test_timeout_auth_bounds_a_silent_server(relay, fake, ca):
    srv = fake(mechs="PLAIN", creds=CREDS, stall="AUTH")
    r = relay(srv.port, options=client_options(ca) + ["Timeout.auth=2s"],
              maps={"authinfo": 'AuthInfo: "U:relayuser" "P:secret"\n'})
    # M: absent: AuthMechanisms decides, which must then list PLAIN.
    r.options.append("AuthMechanisms=PLAIN")
    r.queue_message()
    start = time.monotonic()
    res = r.run()
    assert time.monotonic() - start < 20
    assert "during client AUTH (Timeout.auth)" in res.stderr
    assert len(r.queued()) == 1


def test_timeout_starttls_bounds_a_silent_server(relay, fake, ca):
    srv = fake(stall="STARTTLS")
    r = relay(srv.port, options=client_options(ca) + ["Timeout.starttls=2s"])
    r.queue_message()
    start = time.monotonic()
    res = r.run()
    assert time.monotonic() - start < 20
    assert "during client STARTTLS (Timeout.starttls)" in res.stderr
    assert len(r.queued()) == 1


def test_client_port_option_S_and_try_tls(relay, fake, ca):
    srv = fake()
    r = relay(srv.port, options=client_options(ca) +
              ["ClientPortOptions=Family=inet, M=S"])
    r.queue_message()
    assert r.run().returncode == 0
    r2 = relay(srv.port, options=client_options(ca),
               maps={"access": "Try_TLS:127.0.0.1 NO\n"})
    r2.queue_message()
    assert r2.run().returncode == 0
    assert [m["tls"] for m in srv.messages] == [False, False]
    assert "STARTTLS" not in srv.commands


# --- the null client through an authenticated smart host on 587 ----------

SMART_ADDR = "127.0.0.87"


def nullclient_cf(base, ca, authinfo):
    """spec/examples/nullclient-auth587.mc with its paths pointed at the
    test's files."""
    text = (SPEC_EXAMPLES / "nullclient-auth587.mc").read_text()
    text = text.replace("/etc/mail/authinfo", str(authinfo))
    text = text.replace("/etc/ssl/certs/ca-certificates.crt",
                        ca.file("ca.crt"))
    text = text.replace("`/etc/ssl/certs'", f"`{ca.path}'")
    return build_cf(base, "nullclient", text)


@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare")
@pytest.mark.parametrize("password,delivered", [("secret", True),
                                                ("wrong", False)])
def test_nullclient_auth587(ca, password, delivered):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.mail_from, envelope.rcpt_tos,
                                  session.authenticated,
                                  envelope.content.decode(errors="replace")))
            return "250 2.0.0 accepted"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (mechanism == "PLAIN" and isinstance(auth_data, LoginPassword)
              and (auth_data.login, auth_data.password) ==
              (CREDS[0].encode(), CREDS[1].encode()))
        return AuthResult(success=ok, handled=False)

    handler = Handler()
    ctl = Controller(handler, hostname=SMART_ADDR, port=587,
                     tls_context=ca.server_context(), require_starttls=True,
                     auth_require_tls=True, auth_required=True,
                     authenticator=authenticator)
    try:
        ctl.start()
    except OSError as e:
        pytest.skip(f"{SMART_ADDR}:587: {e}")
    base = pathlib.Path(tempfile.mkdtemp(prefix="smd-null-", dir="/tmp"))
    try:
        base.chmod(0o755)
        src = base / "authinfo"
        src.write_text(f'AuthInfo:smtp.provider.example "U:{CREDS[0]}" '
                       f'"P:{password}" "M:PLAIN LOGIN"\n')
        makemap(src, src.read_text(), mode=0o600)
        cf = nullclient_cf(base, ca, src)
        queue = base / "mqueue"
        queue.mkdir()
        nobody = pwd.getpwnam("nobody")
        os.chown(queue, nobody.pw_uid, nobody.pw_gid)
        # smtp.provider.example is the smart host's name: only inside a
        # mount namespace of ours, with an /etc/hosts that says so.
        hosts = base / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n{SMART_ADDR} "
                         "smtp.provider.example\n")
        options = [f"QueueDirectory={queue}", "RunAsUser=nobody",
                   "HostStatusDirectory="]

        def ns(*args, input=None):
            return sendmail(cf, *args, input=input, options=options, wrapper=[
                "unshare", "-m", "sh", "-c",
                'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts)])
        # A cron job or script: sendmail -t, the message on stdin.
        res = ns("-odq", "-t", input="From: cron@example.org\n"
                 "To: someone@remote.example\nSubject: nightly\n\nreport\n")
        assert res.returncode == 0, res.stderr
        res = ns("-qf")
        left = queue_files(queue)
        if delivered:
            assert res.returncode == 0, res.stderr
            assert len(handler.messages) == 1, res.stderr
            frm, rcpts, authed, content = handler.messages[0]
            assert rcpts == ["someone@remote.example"]
            assert authed and "report" in content
            assert "STARTTLS=client, relay=[smtp.provider.example] " \
                "[127.0.0.87], version=TLSv1" in res.stderr
            assert "AUTH=client, relay=[smtp.provider.example] " \
                "[127.0.0.87], mech=PLAIN" in res.stderr
            assert left == []
        else:
            assert handler.messages == []
            assert "535" in res.stderr, res.stderr
            assert len(left) == 1
            mq = sendmail(cf, "-bp", options=options, timeout=30)
            assert "535" in mq.stdout, mq.stdout
    finally:
        ctl.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_failed_handshake_defers_or_falls_back_to_clear(relay, fake, ca):
    import ssl
    ctx = ca.server_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    srv = fake(ctx=ctx)
    # A client that may not speak TLS 1.3 cannot agree with this server.
    no13 = client_options(ca) + ["ClientSSLOptions=+SSL_OP_NO_TLSv1_3"]
    r = relay(srv.port, options=no13)
    r.queue_message()
    res = r.run()
    assert srv.messages == []
    assert "TLS handshake failed" in res.stderr
    assert len(r.queued()) == 1
    r2 = relay(srv.port, options=no13 + ["TLSFallbacktoClear=True"])
    r2.queue_message()
    res = r2.run()
    assert res.returncode == 0, res.stderr
    assert "trying again without STARTTLS (TLSFallbacktoClear)" in res.stderr
    assert [m["tls"] for m in srv.messages] == [False]
    assert r2.queued() == []
