"""The replica's HTTP server: a forward proxy on loopback that answers as the real hosts.

Clients reach the replica under the real host names by using it as their HTTP
proxy (Scrapy's ``meta["proxy"]``, Chromium's ``--proxy-server``, ``curl -x``):

* ``GET http://www.wip.gov.cn/col/…`` (absolute-form) is answered by that host's
  replica, so ``response.url`` stays the real URL;
* ``CONNECT www.pingtan.gov.cn:443`` opens a TLS tunnel with the replica's own
  certificate for the HTTPS hosts (clients must not verify it, as crawlers of
  Chinese government sites already don't);
* any other host answers 502, as a proxy that cannot reach it would: nothing
  ever leaves the machine;
* a request to the server itself (``http://127.0.0.1:PORT/``) reaches the control
  pages: an index, the manifest, request counters and the epoch switch.

HTTP semantics are real: ``ETag``/``Last-Modified`` and ``304`` on conditional
requests, ``HEAD``, gzip when asked, keep-alive, ``Content-Disposition``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import h11

from replica import faults as injected
from replica.catalog import MAX_EPOCH, catalog
from replica.certs import tls_context
from replica.corpus import spec
from replica.site import Request, Resource

if TYPE_CHECKING:
    from replica.fleet import Fleet

logger = logging.getLogger(__name__)

CONTROL_HOSTS = {"127.0.0.1", "localhost"}
COMPRESSIBLE = ("text/", "application/javascript", "application/json")
SERVER_NAMES = {"trs": "Apache", "fujian": "TRS-WCM"}
READ_SIZE = 65536
CLOSE_WAIT = 2.0  # seconds a closed connection may take to say so


@dataclass(slots=True)
class Reply:
    """What goes on the wire: status, headers, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


@dataclass(slots=True)
class Counters:
    """What the replica has served since its epoch was last set."""

    requests: int = 0
    bytes: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def add(self, reply: Reply) -> None:
        self.requests += 1
        self.bytes += len(reply.body)
        self.by_status[reply.status] = self.by_status.get(reply.status, 0) + 1


def http_date(moment: datetime) -> str:
    return format_datetime(moment.replace(tzinfo=UTC), usegmt=True)


def etag_of(resource: Resource) -> str:
    return f'"{resource.sha256[:32]}"'


def not_modified(resource: Resource, headers: dict[str, str]) -> bool:
    """RFC 9110 §13.1.1-3: If-None-Match, when present, wins over If-Modified-Since."""
    if "if-none-match" in headers:
        if "etag" not in resource.validators:
            return False
        tags = {
            t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")
        }
        return "*" in tags or etag_of(resource) in tags
    if "last-modified" in resource.validators and "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return resource.modified.replace(microsecond=0) <= since.replace(tzinfo=None)
    return False


class ReplicaServer:
    """The replica on one loopback port, serving one epoch at a time.

    ``fleet``: many more hosts, built on demand (replica/fleet.py). ``latency``: seconds
    every answer to a site waits before it is sent, as a distant server's would (the
    control pages answer at once).
    """

    def __init__(
        self,
        epoch: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        fleet: Fleet | None = None,
        latency: float = 0.0,
    ) -> None:
        self.epoch = epoch
        self.host = host
        self.port = port
        self.fleet = fleet
        self.latency = latency
        self.counters = Counters()
        self._server: asyncio.Server | None = None
        self._gzip: dict[str, bytes] = {}
        self.faults: dict[str, str] = {}
        catalog(
            epoch
        )  # build before accepting connections: the first request is not slow

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> int:
        """Bind and listen; return the port (useful with port 0)."""
        if not self.host.startswith("127.") and self.host != "localhost":
            raise ValueError(f"the replica binds to loopback only, not {self.host!r}")
        self._server = await asyncio.start_server(
            self._connection, self.host, self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def serve_forever(self) -> None:
        if self._server is None:
            raise RuntimeError("call start() before serve_forever()")
        async with self._server:
            await self._server.serve_forever()

    def set_epoch(self, epoch: int) -> None:
        """Serve night ``epoch`` from now on (and reset the counters)."""
        catalog(epoch)
        self.epoch = epoch
        self.counters = Counters()

    # ------------------------------------------------------------------ connections
    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            await self._serve(reader, writer, "http", None)
        except (
            ConnectionError,
            h11.ProtocolError,
            ssl.SSLError,
            asyncio.IncompleteReadError,
        ) as exc:
            logger.debug("replica connection ended: %s", exc)
        except asyncio.CancelledError:
            # The replica is stopping. Not re-raised: Python 3.11's start_server callback
            # logs a cancelled connection task as an error (3.12 checks for it).
            logger.debug("replica connection closed: the replica is stopping")
        finally:
            writer.close()
            # Bounded: after a CONNECT whose TLS handshake never came, the stream's
            # protocol was swapped and its close is never reported (wait_closed()
            # would wait forever, and a replica told to stop would never exit).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), CLOSE_WAIT)

    async def _next(self, conn: h11.Connection, reader: asyncio.StreamReader) -> Any:
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            conn.receive_data(await reader.read(READ_SIZE))

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        scheme: str,
        tunnel: str | None,
    ) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            event = await self._next(conn, reader)
            if not isinstance(event, h11.Request):
                return
            body = b""
            while not isinstance(
                part := await self._next(conn, reader), h11.EndOfMessage
            ):
                if isinstance(part, h11.ConnectionClosed):
                    return
                body += part.data
            headers = {
                k.decode().lower(): v.decode("latin-1") for k, v in event.headers
            }
            method, target = event.method.decode(), event.target.decode("latin-1")
            if method == "CONNECT" and tunnel is None:
                host = target.rsplit(":", 1)[0]
                if not self._tunnels_to(host):
                    await self._send(
                        conn,
                        writer,
                        Reply(
                            502,
                            [("Content-Type", "text/plain")],
                            b"replica: no such host\n",
                        ),
                    )
                    return
                await self._send(conn, writer, Reply(200, []), connect=True)
                await writer.start_tls(tls_context(self._https_hosts()))
                await self._serve(reader, writer, "https", host)
                return
            fault = injected.fault_for(
                self.faults, self._url(target, headers, scheme, tunnel)
            )
            if fault:
                if await self._fail(
                    fault,
                    conn,
                    reader,
                    writer,
                    (method, target, headers, body, scheme, tunnel),
                ):
                    return  # the fault ended the connection
                conn.start_next_cycle()
                continue
            reply = self.dispatch(method, target, headers, body, scheme, tunnel)
            if self.latency and not self._is_control(target, tunnel):
                await asyncio.sleep(self.latency)
            await self._send(conn, writer, reply)
            if conn.our_state is h11.MUST_CLOSE:
                return
            conn.start_next_cycle()

    async def _send(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        reply: Reply,
        connect: bool = False,
    ) -> None:
        headers = reply.headers if connect else [*reply.headers]
        writer.write(
            conn.send(
                h11.Response(status_code=reply.status, headers=headers, reason=b"")
            )
        )
        if not connect:
            if reply.body:
                writer.write(conn.send(h11.Data(data=reply.body)))
            writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()

    # ------------------------------------------------------------------ injected faults
    @staticmethod
    def _is_control(target: str, tunnel: str | None) -> bool:
        """A request for the control pages (origin-form, or absolute to 127.0.0.1)."""
        if tunnel is not None:
            return False
        if not target.startswith(("http://", "https://")):
            return True
        return (urlsplit(target).hostname or "") in CONTROL_HOSTS

    @staticmethod
    def _url(
        target: str, headers: dict[str, str], scheme: str, tunnel: str | None
    ) -> str:
        if target.startswith(("http://", "https://")):
            return target
        return (
            f"{scheme}://{tunnel or headers.get('host', '').rsplit(':', 1)[0]}{target}"
        )

    def set_fault(self, url: str, fault: str) -> None:
        """Make ``url`` misbehave (see replica/faults.py) until :meth:`clear_faults`."""
        if fault not in injected.FAULTS:
            raise ValueError(
                f"unknown fault {fault!r}; known: {sorted(injected.FAULTS)}"
            )
        self.faults[url] = fault

    def clear_faults(self) -> None:
        self.faults.clear()

    async def _fail(
        self,
        fault: str,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: tuple[str, str, dict[str, str], bytes, str, str | None],
    ) -> bool:
        """Answer with the fault (replica/faults.py); True when the connection must end."""
        self.counters.add(Reply(0, [], b""))
        if fault == "timeout":  # accept, never answer; wait for the client to give up
            while await reader.read(READ_SIZE):
                pass
            return True
        if fault in ("truncate", "cut"):
            await self._cut_short(fault, conn, writer, request)
            return True
        if fault in injected.REDIRECTS:
            url = self._url(request[1], request[2], request[4], request[5])
            location = injected.redirect_target(fault, url)
            reply = Reply(302, [("Location", location), ("Content-Length", "0")], b"")
        elif fault == "charset_lie":
            real = self.dispatch(*request)
            reply = Reply(real.status, injected.lying_charset(real.headers), real.body)
        elif fault == "gutted":
            real = self.dispatch(*self._plain(request))
            reply = Reply(real.status, *injected.gutted(real.headers, real.body))
        else:
            status, headers, body = (
                injected.bomb_answer()
                if fault == "gzip_bomb"
                else injected.ANSWERS[fault]
            )
            reply = Reply(status, headers, body)
        await self._send(conn, writer, reply)
        return conn.our_state is h11.MUST_CLOSE

    @staticmethod
    def _plain(
        request: tuple[str, str, dict[str, str], bytes, str, str | None],
    ) -> tuple[str, str, dict[str, str], bytes, str, str | None]:
        """The request without validators or Accept-Encoding: the whole, raw answer."""
        method, target, headers, body, scheme, tunnel = request
        plain = {
            k: v
            for k, v in headers.items()
            if not k.startswith("if-") and k != "accept-encoding"
        }
        return method, target, plain, body, scheme, tunnel

    async def _cut_short(
        self,
        fault: str,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: tuple[str, str, dict[str, str], bytes, str, str | None],
    ) -> None:
        """``truncate``: promise the whole body, send half. ``cut``: no Content-Length,
        send 60 % and close, as an HTTP/1.0-style answer whose end only the format tells."""
        reply = self.dispatch(*self._plain(request))
        kept = [(k, v) for k, v in reply.headers if k.lower() != "content-length"]
        if fault == "truncate":
            kept.append(("Content-Length", str(len(reply.body))))
            response = h11.Response(status_code=reply.status, headers=kept, reason=b"")
            writer.write(conn.send(response))
            writer.write(conn.send(h11.Data(data=reply.body[: len(reply.body) // 2])))
        else:
            head = f"HTTP/1.1 {reply.status} OK\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in [*kept, ("Connection", "close")]
            )
            cut = int(len(reply.body) * injected.CUT_AT)
            writer.write(head.encode("latin-1") + b"\r\n" + reply.body[:cut])
        await writer.drain()

    # ------------------------------------------------------------------ routing
    def _https_hosts(self) -> tuple[str, ...]:
        return tuple(sorted(s.host for s in spec().sites if s.scheme == "https"))

    def _tunnels_to(self, host: str) -> bool:
        return host in self._https_hosts()

    def dispatch(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
        scheme: str,
        tunnel: str | None,
    ) -> Reply:
        """Answer one request (also usable without sockets, e.g. in tests)."""
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            scheme, host, path, query = (
                parts.scheme,
                parts.hostname or "",
                parts.path or "/",
                parts.query,
            )
        else:
            path, _, query = target.partition("?")
            host = tunnel or headers.get("host", "").rsplit(":", 1)[0]
        host = host.lower()
        if host in CONTROL_HOSTS and tunnel is None:
            return self._control(method, path, query)
        request = Request(method, scheme, host, path, query, headers, body)
        resource = catalog(self.epoch).respond(request)
        if resource is None and self.fleet is not None:
            resource = self.fleet.respond(request)
        if resource is None:
            reply = Reply(
                502,
                [("Content-Type", "text/plain")],
                f"replica: no such host {host}\n".encode(),
            )
        else:
            reply = self._render(resource, request)
        self.counters.add(reply)
        logger.debug("%s %s://%s%s -> %s", method, scheme, host, path, reply.status)
        return reply

    def _render(self, resource: Resource, request: Request) -> Reply:
        site = catalog(self.epoch).sites.get(request.host)
        family = site.family if site else "trs"  # the fleet's hosts are TRS portals
        headers = [
            ("Date", http_date(datetime.now(UTC).replace(tzinfo=None))),
            ("Server", SERVER_NAMES.get(family, "nginx")),
        ]
        headers += list(resource.headers)
        if "etag" in resource.validators:
            headers.append(("ETag", etag_of(resource)))
        if "last-modified" in resource.validators:
            headers.append(("Last-Modified", http_date(resource.modified)))
        if (
            resource.status == 200
            and request.method in ("GET", "HEAD")
            and not_modified(resource, request.headers)
        ):
            return Reply(304, headers)
        headers.append(("Content-Type", resource.content_type))
        if resource.disposition:
            headers.append(("Content-Disposition", resource.disposition))
        body = resource.body
        if self._gzip_wanted(resource, request):
            body = self._gzipped(resource)
            headers = [(k, f"W/{v}" if k == "ETag" else v) for k, v in headers]
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        headers.append(("Content-Length", str(len(body))))
        return Reply(
            resource.status, headers, b"" if request.method == "HEAD" else body
        )

    @staticmethod
    def _gzip_wanted(resource: Resource, request: Request) -> bool:
        return (
            "gzip" in request.headers.get("accept-encoding", "")
            and resource.content_type.startswith(COMPRESSIBLE)
            and len(resource.body) >= 1024
        )

    def _gzipped(self, resource: Resource) -> bytes:
        key = resource.sha256
        if key not in self._gzip:
            self._gzip[key] = gzip.compress(resource.body, mtime=0)
        return self._gzip[key]

    # ------------------------------------------------------------------ control pages
    def _control(self, method: str, path: str, query: str) -> Reply:
        params = {k: v[0] for k, v in parse_qs(query).items()}
        if path == "/_replica/epoch":
            if method == "POST":
                n = int(params.get("n", "0")) if params.get("n", "").isdigit() else 0
                if not 1 <= n <= MAX_EPOCH:
                    return _json(
                        400, {"error": f"n must be an epoch between 1 and {MAX_EPOCH}"}
                    )
                self.set_epoch(n)
            return _json(200, {"epoch": self.epoch})
        if path == "/_replica/manifest":
            epoch = int(params.get("epoch", self.epoch))
            lines = catalog(epoch).manifest(tables=params.get("tables") == "1")
            body = "".join(
                json.dumps(line, ensure_ascii=False) + "\n" for line in lines
            )
            return Reply(
                200,
                [("Content-Type", "application/x-ndjson; charset=utf-8")],
                body.encode(),
            )
        if path == "/_replica/faults":
            if method == "DELETE":
                self.clear_faults()
            elif method == "POST":
                try:
                    self.set_fault(params.get("url", ""), params.get("fault", ""))
                except ValueError as exc:
                    return _json(400, {"error": str(exc)})
            return _json(200, self.faults)
        if path == "/_replica/stats":
            c = self.counters
            return _json(
                200,
                {
                    "epoch": self.epoch,
                    "requests": c.requests,
                    "bytes": c.bytes,
                    "by_status": {str(k): v for k, v in sorted(c.by_status.items())},
                },
            )
        if path == "/_replica/health":
            return Reply(200, [("Content-Type", "text/plain")], b"ok\n")
        if path == "/":
            return Reply(
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                self._index().encode(),
            )
        return Reply(404, [("Content-Type", "text/plain")], b"no such control page\n")

    def _index(self) -> str:
        proxy = f"http://{self.host}:{self.port}"
        rows = "".join(
            f"<tr><td>{s.host}</td><td>{s.family}</td><td>{s.scheme}</td><td>{s.site_name}</td></tr>"
            for s in spec().sites
        )
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>nianbao replica</title></head><body>"
            f"<h1>nianbao replica — night {self.epoch}</h1>"
            f"<p>Use this server as an HTTP proxy: <code>curl -x {proxy} http://www.wip.gov.cn/</code>.</p>"
            "<table border='1'><tr><th>host</th><th>family</th><th>scheme</th><th>site</th></tr>"
            f"{rows}</table>"
            "<p><a href='/_replica/manifest'>manifest</a> · <a href='/_replica/stats'>stats</a></p>"
            "</body></html>"
        )


def _json(status: int, data: object) -> Reply:
    return Reply(
        status, [("Content-Type", "application/json")], json.dumps(data).encode()
    )


class ReplicaThread:
    """The replica in a background thread with its own event loop (tests, benchmarks)."""

    def __init__(
        self,
        epoch: int = 1,
        port: int = 0,
        *,
        fleet: Fleet | None = None,
        latency: float = 0.0,
    ) -> None:
        self.server = ReplicaServer(epoch, port=port, fleet=fleet, latency=latency)
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="nianbao-replica", daemon=True
        )

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self.server.start())
        self._started.set()
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self.server.serve_forever())
        self._loop.close()

    def start(self) -> ReplicaThread:
        self._thread.start()
        if not self._started.wait(60):
            raise RuntimeError("the replica did not start within 60 s")
        return self

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the server's loop and wait for it (errors re-raised here)."""

        async def call() -> Any:
            return fn(*args)

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(120)

    def set_epoch(self, epoch: int) -> None:
        """Switch nights; returns once the new night is being served."""
        self._call(self.server.set_epoch, epoch)

    def set_fault(self, url: str, fault: str) -> None:
        """Make ``url`` misbehave (see replica/faults.py) from now on."""
        self._call(self.server.set_fault, url, fault)

    def clear_faults(self) -> None:
        self._call(self.server.clear_faults)

    def stats(self) -> Counters:
        return self.server.counters

    def stop(self) -> None:
        def close() -> None:
            if self.server._server is not None:
                self.server._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(10)
