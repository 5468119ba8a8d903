"""A certificate authority made by the test, and the certificates it signs,
written with the openssl command; TLS helpers for raw SMTP clients."""
import os
import pathlib
import socket
import ssl
import subprocess

from smarthost import Listener


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True,
                   capture_output=True, timeout=60)


class CA:
    """ca.crt and, signed by it, server.crt/key (localhost, 127.0.0.1,
    smtp.provider.example) and client.crt/key; other.crt is a server
    certificate signed by a second authority nobody trusts."""

    def __init__(self, base):
        self.dir = pathlib.Path(base)
        self.dir.mkdir(parents=True, exist_ok=True)
        d = str(self.dir)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=Test CA", "-keyout", "ca.key", "-out", "ca.crt",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=Rogue CA", "-keyout", "rogue.key",
                 "-out", "rogue.crt",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        self._leaf("server", "localhost", "ca",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1,"
                   "DNS:smtp.provider.example")
        self._leaf("client", "client.example", "ca",
                   "subjectAltName=DNS:client.example")
        self._leaf("other", "localhost", "rogue",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1")
        # A hashed directory too, for CACertPath.
        self.path = self.dir / "certs"
        self.path.mkdir(exist_ok=True)
        (self.path / "ca.pem").write_bytes((self.dir / "ca.crt").read_bytes())
        subprocess.run(["openssl", "rehash", str(self.path)], check=True,
                       capture_output=True, timeout=60)
        for f in self.dir.iterdir():
            if f.is_file():
                f.chmod(0o644)
        for k in ("server.key", "client.key", "other.key"):
            (self.dir / k).chmod(0o600)

    def _leaf(self, name, cn, ca, san):
        d = str(self.dir)
        ext = self.dir / f"{name}.ext"
        ext.write_text(san + "\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt",
                 "-CAkey", f"{ca}.key", "-CAcreateserial", "-days", "2",
                 "-extfile", str(ext), "-out", f"{name}.crt", cwd=d)

    def file(self, name):
        return str(self.dir / name)

    def server_options(self, cert="server"):
        return [f"ServerCertFile={self.file(cert + '.crt')}",
                f"ServerKeyFile={self.file(cert + '.key')}",
                f"CACertFile={self.file('ca.crt')}",
                f"CACertPath={self.path}"]

    def server_context(self, cert="server"):
        """An ssl.SSLContext for a fake server."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.file(cert + ".crt"), self.file(cert + ".key"))
        return ctx

    def client_context(self, verify=True, cert=None):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if verify:
            ctx.load_verify_locations(self.file("ca.crt"))
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if cert:
            ctx.load_cert_chain(self.file(cert + ".crt"),
                                self.file(cert + ".key"))
        return ctx


def tls_wrap(conn, ctx, server_hostname="localhost"):
    """Turn a daemon_util.Conn into TLS after its STARTTLS got 220; what
    it had read ahead is kept out of TLS (the caller checks it)."""
    left = conn.buf
    conn.buf = b""
    conn.sock = ctx.wrap_socket(conn.sock, server_hostname=server_hostname)
    return left


def recv_all(sock, limit=2.0):
    """What sock sends within limit seconds (until it closes)."""
    sock.settimeout(limit)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ssl.SSLError, OSError):
        pass
    return data


# The user of the sasldb that conftest's sasl fixture writes.
REALM = "test.example"
USER, PASSWORD = "alice", "s3cret-pw"


def auth_options(sasl, mechs="PLAIN LOGIN CRAM-MD5", flags=""):
    """The daemon's options for AUTH with the sasl fixture's directory."""
    return [f"SASLConfigPath={sasl}", f"AuthMechanisms={mechs}",
            f"AuthOptions={flags}", f"AuthRealm={REALM}"]


def have_sasl_plugins():
    return any(os.path.exists(p) for p in (
        "/usr/lib/x86_64-linux-gnu/sasl2/libplain.so",
        "/usr/lib/aarch64-linux-gnu/sasl2/libplain.so",
        "/usr/lib/sasl2/libplain.so"))


class FakeTLSServer(Listener):
    """A lock-step SMTP server on (addr, port) for the SMTP client's TLS and
    AUTH: offers STARTTLS (or speaks TLS at once when implicit), may append
    `inject` to its 220 to STARTTLS, offers AUTH `mechs` and takes only
    `creds` (user, password) by PLAIN or LOGIN, may refuse mail without
    TLS or without AUTH, and goes silent at the command named `stall`.
    Records commands (AUTH lines without their credentials), whether each
    message came over TLS and authenticated, and the client certificate's
    subject."""

    def __init__(self, ctx, addr="127.0.0.1", port=0, implicit=False,
                 starttls=True, inject=b"", mechs="", creds=None,
                 require_tls=False, require_auth=False, stall=None):
        self.ctx, self.implicit, self.starttls = ctx, implicit, starttls
        self.inject, self.mechs, self.creds = inject, mechs, creds
        self.require_tls, self.require_auth = require_tls, require_auth
        self.stall = stall
        self.commands, self.messages, self.peer_certs = [], [], []
        super().__init__(port, addr)

    def _line(self, st):
        while b"\r\n" not in st["buf"]:
            data = st["sock"].recv(65536)
            if not data:
                raise EOFError
            st["buf"] += data
        line, st["buf"] = st["buf"].split(b"\r\n", 1)
        return line.decode("latin-1")

    def _tls(self, st):
        st["sock"] = self.ctx.wrap_socket(st["sock"], server_side=True)
        st["tls"] = True
        cert = st["sock"].getpeercert()
        if cert:
            self.peer_certs.append(dict(x[0] for x in cert["subject"]))

    def handle(self, c):
        import base64
        st = {"sock": c, "buf": b"", "tls": False, "auth": False}
        send = lambda b: st["sock"].sendall(b)  # noqa: E731
        try:
            c.settimeout(30)
            if self.implicit:
                self._tls(st)
            send(b"220 fake.example ESMTP\r\n")
            mail = None
            while True:
                line = self._line(st)
                word = line.split(" ")[0].split(":")[0].upper()
                self.commands.append(line if word != "AUTH" else
                                     " ".join(line.split(" ")[:2]))
                if word == self.stall:
                    import time
                    time.sleep(30)
                    return
                if word == "EHLO":
                    ext = ["PIPELINING", "8BITMIME"]
                    if self.starttls and not st["tls"] and not self.implicit:
                        ext.append("STARTTLS")
                    if self.mechs and not st["auth"]:
                        ext.append("AUTH " + self.mechs)
                    send(("250-fake.example\r\n" + "".join(
                        f"250{'-' if i < len(ext) - 1 else ' '}{e}\r\n"
                        for i, e in enumerate(ext))).encode())
                elif word == "STARTTLS":
                    send(b"220 2.0.0 Ready to start TLS\r\n" + self.inject)
                    st["buf"] = b""
                    self._tls(st)
                elif word == "AUTH":
                    parts = line.split(" ")
                    mech = parts[1].upper()
                    if mech == "PLAIN":
                        resp = parts[2] if len(parts) > 2 else None
                        if resp is None:
                            send(b"334 \r\n")
                            resp = self._line(st)
                        f = base64.b64decode(resp).split(b"\0")
                        user, pw = f[1].decode(), f[2].decode()
                    elif mech == "LOGIN":
                        send(b"334 VXNlcm5hbWU6\r\n")
                        user = base64.b64decode(self._line(st)).decode()
                        send(b"334 UGFzc3dvcmQ6\r\n")
                        pw = base64.b64decode(self._line(st)).decode()
                    else:
                        send(b"504 5.5.4 unknown mechanism\r\n")
                        continue
                    if self.creds == (user, pw):
                        st["auth"] = True
                        send(b"235 2.7.0 Authentication successful\r\n")
                    else:
                        send(b"535 5.7.8 Authentication credentials "
                             b"invalid\r\n")
                elif word == "MAIL":
                    if self.require_tls and not st["tls"]:
                        send(b"530 5.7.0 Must issue a STARTTLS command "
                             b"first\r\n")
                    elif self.require_auth and not st["auth"]:
                        send(b"530 5.7.0 Authentication required\r\n")
                    else:
                        mail = line
                        send(b"250 2.1.0 ok\r\n")
                elif word == "RCPT":
                    send(b"250 2.1.5 ok\r\n" if mail else
                         b"503 5.5.1 need MAIL\r\n")
                elif word == "DATA":
                    if not mail:
                        send(b"503 5.5.1 need MAIL\r\n")
                        continue
                    send(b"354 go ahead\r\n")
                    body = []
                    while True:
                        l = self._line(st)
                        if l == ".":
                            break
                        body.append(l)
                    self.messages.append({"mail": mail, "tls": st["tls"],
                                          "auth": st["auth"],
                                          "body": "\n".join(body)})
                    mail = None
                    send(b"250 2.0.0 queued\r\n")
                elif word == "QUIT":
                    send(b"221 2.0.0 bye\r\n")
                    return
                else:
                    send(b"250 2.0.0 ok\r\n")
        except (EOFError, OSError, ssl.SSLError, ValueError):
            return
        finally:
            try:
                st["sock"].close()
            except OSError:
                pass
