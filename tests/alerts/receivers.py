"""Real alert receivers on loopback: an SMTP server (aiosmtpd) and an HTTP webhook sink.

Use the classes directly (``with SmtpReceiver() as smtp: …``) or the fixtures
``smtp_receiver``, ``webhook_sink`` and ``silent_endpoint`` (import them into a
test module or a conftest). Their ``url`` is an apprise URL that reaches them:

* ``mailto://127.0.0.1:PORT?from=…&to=…`` — plain SMTP, no TLS, no login (apprise's
  ``mailto://`` is insecure by default; with a password it would try to log in);
* ``json://127.0.0.1:PORT/hook`` — apprise POSTs ``{"title", "message", "type", …}``.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller

if TYPE_CHECKING:
    from collections.abc import Iterator

SENDER = "nianbao@example.org"
WATCHER = "watcher@example.org"


@dataclass(frozen=True, slots=True)
class Mail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    text: str  # the plain-text part, decoded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _plain(part: Any) -> str:
    """A text part's content with the wire's CRLF line ends made plain again."""
    return "" if part is None else part.get_content().replace("\r\n", "\n").strip()


class _MailHandler:
    def __init__(self, mails: list[Mail]) -> None:
        self.mails = mails

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        part = parsed.get_body(preferencelist=("plain",))
        self.mails.append(
            Mail(
                sender=envelope.mail_from,
                recipients=tuple(envelope.rcpt_tos),
                subject=str(parsed["subject"]),
                text=_plain(part),
            )
        )
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """An SMTP server on 127.0.0.1 that keeps every mail it accepts."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self._controller: Controller | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?from={SENDER}&to={WATCHER}"

    def start(self) -> SmtpReceiver:
        # aiosmtpd's controller cannot listen on port 0 (it probes the port it was
        # given), so take a free port, and another if someone took it meanwhile.
        for _ in range(5):
            self.port = _free_port()
            controller = Controller(
                _MailHandler(self.mails), hostname="127.0.0.1", port=self.port
            )
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self._controller = controller
            return self
        raise RuntimeError("no free loopback port for the SMTP receiver")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True, slots=True)
class Post:
    path: str
    status: int  # what the sink answered
    payload: dict[str, Any]


class WebhookSink:
    """An HTTP server on 127.0.0.1 recording every POST; it answers 500 to the first
    ``fail_first`` requests (a channel that is down), then 200."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[Post] = []  # every POST, answered 500 or 200
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(size) or b"{}")
                with sink._lock:
                    status = 500 if len(sink.requests) < sink.fail_first else 200
                    sink.requests.append(Post(self.path, status, payload))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    @property
    def posts(self) -> list[Post]:
        """The POSTs it accepted (answered 200)."""
        return [p for p in self.requests if p.status == 200]

    def start(self) -> WebhookSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SilentEndpoint:
    """A loopback port that accepts connections and never answers (a hung channel)."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)  # the kernel completes the handshakes; no one reads

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self._socket.getsockname()[1]}/hook"

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def webhook_sink() -> Iterator[WebhookSink]:
    """A webhook sink; set ``fail_first`` to make it answer 500 to its first requests."""
    with WebhookSink() as sink:
        yield sink


@pytest.fixture
def silent_endpoint() -> Iterator[SilentEndpoint]:
    endpoint = SilentEndpoint()
    yield endpoint
    endpoint.close()
