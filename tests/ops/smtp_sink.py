"""A real SMTP server on loopback for the fault tests: records every message it accepts,
and can SIGKILL a process (the worker) at one point of a conversation.

Points: "smtp-connected" (a client connected, nothing said yet) and "smtp-accepted"
(right after answering 250 to the message's data: the server has the message, the
sender has not recorded that). A kill fires once.
"""

import os
import signal
import socketserver
import threading
from email import message_from_bytes
from email.message import Message

POINTS = ("smtp-connected", "smtp-accepted")
SESSION_TIMEOUT_SECONDS = 30


class SmtpSink:
    def __init__(self):
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._kill: tuple[int, str] | None = None
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
        self._server.daemon_threads = True
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def message_ids(self) -> list[str]:
        with self._lock:
            return [message["Message-ID"] for message in self.messages]

    def kill_at(self, point: str, pid: int) -> None:
        assert point in POINTS, point
        self._kill = (pid, point)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def _record(self, data: bytes) -> None:
        with self._lock:
            self.messages.append(message_from_bytes(data))

    def _reached(self, point: str) -> bool:
        """Kill the armed process if it is armed for this point; True when it was."""
        with self._lock:
            if self._kill is None or self._kill[1] != point:
                return False
            pid, _ = self._kill
            self._kill = None
        os.kill(pid, signal.SIGKILL)
        return True


class _Session(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.request.settimeout(SESSION_TIMEOUT_SECONDS)

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink: SmtpSink = self.server.sink
        if sink._reached("smtp-connected"):
            return
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                sink._record(self._read_data())
                self.reply("250 OK: queued")
                if sink._reached("smtp-accepted"):
                    return
            elif verb == b"QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)
