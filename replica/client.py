"""A minimal client that fetches through the replica proxy (self-checks, tests)."""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes


def opener(proxy: str) -> urllib.request.OpenerDirector:
    """An opener that sends every request through ``proxy`` and accepts its certificate."""
    # The replica's HTTPS hosts present a self-signed certificate by design.
    context = ssl._create_unverified_context()  # noqa: S323
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy}),
        urllib.request.HTTPSHandler(context=context),
    )


def fetch(
    proxy: str,
    url: str,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    method: str | None = None,
    timeout: float = 20,
) -> Fetched:
    """GET (or POST ``data``) ``url`` through the replica; HTTP errors are returned, not raised."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"only http(s) URLs go through the replica, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=data, headers=headers or {}, method=method
    )
    try:
        with opener(proxy).open(request, timeout=timeout) as response:
            return Fetched(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read())


def request_raw(
    proxy: str,
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 20,
) -> Fetched:
    """One request through the proxy, exactly as sent: no redirects followed, no
    decompression (HTTPS goes through a CONNECT tunnel)."""
    parts = urlsplit(url)
    proxy_parts = urlsplit(proxy)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        context = ssl._create_unverified_context()  # noqa: S323 (replica certificate)
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            proxy_parts.hostname or "",
            proxy_parts.port,
            timeout=timeout,
            context=context,
        )
        conn.set_tunnel(parts.hostname or "", parts.port or 443)
    else:
        conn = http.client.HTTPConnection(
            proxy_parts.hostname or "", proxy_parts.port, timeout=timeout
        )
        target = url
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return Fetched(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()
