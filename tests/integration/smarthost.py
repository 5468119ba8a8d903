"""Fake smart hosts for delivery tests: aiosmtpd that records what it
gets and answers as told, and raw sockets that misbehave."""
import asyncio
import socket
import threading
import time

from aiosmtpd.controller import Controller


class Recorder:
    """An aiosmtpd handler: records envelopes, can refuse."""

    def __init__(self):
        self.messages = []
        self.rcpt_reply = {}        # address -> reply
        self.data_reply = None
        self.connections = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.rcpt_reply:
            return self.rcpt_reply[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 2.0.0 queued as FAKE%d" % len(self.messages)


class CountingController(Controller):
    def factory(self):
        self.handler.connections += 1
        return super().factory()


class SlowRecorder(Recorder):
    """A Recorder that takes `delay` seconds over each message and notes
    the most connections that were inside DATA at once."""

    def __init__(self, delay):
        super().__init__()
        self.delay, self.inside, self.most = delay, 0, 0

    async def handle_DATA(self, server, session, envelope):
        self.inside += 1
        self.most = max(self.most, self.inside)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.inside -= 1
        return await super().handle_DATA(server, session, envelope)


def start_smarthost(port, rec=None):
    rec = rec if rec is not None else Recorder()
    ctl = CountingController(rec, hostname="127.0.0.1", port=port,
                             data_size_limit=50 * 1024 * 1024)
    ctl.start()
    return ctl, rec


class Listener:
    """A TCP listener on 127.0.0.1 (or addr; port 0: any free one) whose
    connections go to handle() in a thread of their own; close() stops
    it and frees the port."""

    def __init__(self, port, addr="127.0.0.1"):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr, port))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(16)
        self.held = []
        self.connections = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(c)
            threading.Thread(target=self.handle, args=(c,), daemon=True).start()

    def handle(self, conn):
        pass

    def close(self):
        # shutdown() wakes the thread blocked in accept(); close() alone
        # would leave the port bound until it returns.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
        for c in self.held:
            c.close()


class Stalling(Listener):
    """Accepts connections and greets (or not), then says nothing."""

    def __init__(self, port, greet=False):
        self.greet = greet
        super().__init__(port)

    def handle(self, c):
        if self.greet:
            c.sendall(b"220 stall.example ESMTP\r\n")


class Full:
    """A listener whose accept queue is full: a connect() to it hangs
    until the client gives up.  close() frees the port."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(0)
        self.parked = []
        for _ in range(4):                   # fill the queue, never accept
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            self.parked.append(s)
        time.sleep(0.2)

    def close(self):
        for s in self.parked:
            s.close()
        self.sock.close()


class Busy(Listener):
    """Greets every connection with a 421 and hangs up; counts them."""

    def handle(self, c):
        c.sendall(b"421 4.3.2 busy.example too busy\r\n")
        c.close()


class Scripted(Listener):
    """A lock-step SMTP server: answers each command with `replies`
    (by command word, default 250), goes silent at `stall` and closes
    the connection at `hangup` (a command word, or "." for the end of
    the message, before its reply; with `after`, the first `after`
    messages are answered as usual); EHLO offers `caps`.  With
    `rcpt_limit`, a transaction takes that many recipients and answers
    "452 4.5.3 Too many recipients" to the RCPTs after them.  With `lmtp` it
    is an LMTP server (RFC 2033): LHLO instead of EHLO, and after the
    message one reply for each accepted recipient, in order, from
    `final` (by address as the RCPT gave it, default "250 2.1.5 ok";
    None: close the connection instead)."""

    def __init__(self, port, replies=None, stall=None, caps=("PIPELINING",),
                 hangup=None, lmtp=False, final=None, rcpt_limit=None,
                 after=0):
        self.replies = replies or {}
        self.after = after
        self.rcpt_limit = rcpt_limit
        self.stall = stall
        self.hangup = hangup
        self.lmtp = lmtp
        self.final = final or {}
        self.ehlo = "".join(f"250-{c}\r\n" for c in
                            ("scripted.example", *caps[:-1]))
        self.ehlo = (self.ehlo + f"250 {caps[-1]}\r\n").encode()
        self.commands = []
        self.lines = []                # each command line, as it came
        self.data = []                 # each message's raw DATA bytes
        super().__init__(port)

    def handle(self, c):
        f = c.makefile("rb")
        mail_ok = rcpt_ok = False
        accepted = []
        hello = "LHLO" if self.lmtp else "EHLO"
        try:
            c.sendall(b"220 scripted.example %s\r\n" %
                      (b"LMTP" if self.lmtp else b"ESMTP"))
            while True:
                line = f.readline()
                if not line:
                    return
                word = line.split(b" ")[0].split(b":")[0].strip().upper().decode()
                self.commands.append(word)
                self.lines.append(line.decode("latin-1").rstrip("\r\n"))
                if word == self.stall:
                    return                     # silence, connection open
                if word == self.hangup:
                    c.close()
                    return
                if word == hello:
                    c.sendall(self.ehlo)
                    continue
                if word in (("EHLO", "HELO") if self.lmtp else ("LHLO",)):
                    c.sendall(b"500 5.5.1 Command unrecognized\r\n")
                    continue
                if word == "MAIL":
                    mail_ok = not self.replies.get("MAIL", "250").startswith(("4", "5"))
                    rcpt_ok = False
                    accepted = []
                if word == "RCPT" and self.rcpt_limit is not None and \
                        len(accepted) >= self.rcpt_limit:
                    c.sendall(b"452 4.5.3 Too many recipients\r\n")
                    continue
                if word == "RCPT" and not self.replies.get("RCPT", "250").startswith(("4", "5")):
                    rcpt_ok = True
                    accepted.append(line.decode("latin-1").split(":", 1)[1]
                                    .strip().strip("<>").lower())
                if word == "DATA" and not (mail_ok and rcpt_ok):
                    c.sendall(b"503 5.5.1 No valid recipients\r\n")
                    continue
                if word == "DATA":
                    rep = self.replies.get("DATA", "354 go ahead")
                    c.sendall(rep.encode() + b"\r\n")
                    if not rep.startswith("354"):
                        continue
                    data = []
                    while True:
                        l = f.readline()
                        if not l or l == b".\r\n":
                            break
                        data.append(l)
                    self.data.append(b"".join(data))
                    self.commands.append(".")
                    if self.stall == "." and len(self.data) > self.after:
                        return
                    if self.hangup == "." and len(self.data) > self.after:
                        c.close()
                        return
                    if self.lmtp:
                        for a in accepted:
                            r = self.final.get(a, "250 2.1.5 ok")
                            if r is None:          # hangs up instead
                                c.close()
                                return
                            c.sendall(r.encode() + b"\r\n")
                        continue
                    c.sendall(self.replies.get(".", "250 2.0.0 ok").encode() + b"\r\n")
                    continue
                if word == "QUIT":
                    c.sendall(b"221 bye\r\n")
                    return
                c.sendall(self.replies.get(word, "250 2.0.0 ok").encode() + b"\r\n")
        except OSError:
            return



class OneAtATime(Scripted):
    """A Scripted server that takes one connection at a time, as smart
    hosts limited to one connection per client do: another one gets a
    421 greeting.  It greets `delay` seconds late, so that a second
    client connecting at once finds it busy."""

    def __init__(self, port, delay=0.5, **kw):
        self.delay, self.active, self.refused = delay, 0, 0
        self.lock = threading.Lock()
        super().__init__(port, **kw)

    def handle(self, c):
        with self.lock:
            busy = self.active > 0
            self.active += 0 if busy else 1
            self.refused += 1 if busy else 0
        if busy:
            c.sendall(b"421 4.7.0 one connection per client\r\n")
            c.close()
            return
        try:
            time.sleep(self.delay)
            super().handle(c)
        finally:
            with self.lock:
                self.active -= 1


class Raw(Listener):
    """Sends `greeting` as it is, then answers the first command (EHLO)
    with `ehlo` as it is; the bytes may be anything."""

    def __init__(self, port, greeting, ehlo=b""):
        self.greeting, self.ehlo = greeting, ehlo
        super().__init__(port)

    def handle(self, c):
        try:
            c.sendall(self.greeting)
            if self.ehlo:
                c.makefile("rb").readline()
                c.sendall(self.ehlo)
        except OSError:
            return
