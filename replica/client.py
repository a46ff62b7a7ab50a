"""A minimal client that fetches through the replica proxy (self-checks, tests)."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass


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
