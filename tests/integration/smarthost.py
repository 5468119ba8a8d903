"""Fake smart hosts for delivery tests: aiosmtpd that records what it
gets and answers as told, and raw sockets that misbehave."""
import socket
import threading

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


def start_smarthost(port):
    rec = Recorder()
    ctl = CountingController(rec, hostname="127.0.0.1", port=port,
                             data_size_limit=50 * 1024 * 1024)
    ctl.start()
    return ctl, rec


class Stalling:
    """Accepts connections and greets (or not), then says nothing."""

    def __init__(self, port, greet=False):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.greet = greet
        self.held = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(c)
            if self.greet:
                c.sendall(b"220 stall.example ESMTP\r\n")

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
        for c in self.held:
            c.close()


class Busy:
    """Greets every connection with a 421 and hangs up; counts them."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
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
            c.sendall(b"421 4.3.2 busy.example too busy\r\n")
            c.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(5)
