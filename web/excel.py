"""CSV that Excel on Chinese Windows opens right: UTF-8 with a byte-order mark.

Datasette's CSV (``….csv``) is UTF-8 without a BOM, which Excel reads as the local
code page (GBK): every Chinese character garbled. With ``_bom=1`` in the query string
(the pages' "CSV（Excel 用）" link) this ASGI middleware puts the BOM in front of the
first bytes of the body; without it the CSV is Datasette's, byte for byte.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

BOM = "\ufeff".encode()
ASGIApp = Any


def wants_bom(scope: dict[str, Any]) -> bool:
    if scope.get("type") != "http" or not str(scope.get("path", "")).endswith(".csv"):
        return False
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("_bom") == ["1"]


def excel_csv(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: a ``.csv`` answer asked for with ``_bom=1`` starts with a BOM
    (Datasette sends CSV as ``text/plain`` unless ``_dl=1``: the path decides)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if not wants_bom(scope):
            await app(scope, receive, send)
            return
        state = {"ok": False, "first": True}

        async def bom_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                state["ok"] = (
                    message.get("status") == 200
                )  # an error page stays as it is
                if state["ok"]:
                    message = {
                        **message,
                        "headers": _longer(message.get("headers", [])),
                    }
            elif message["type"] == "http.response.body" and state["first"]:
                state["first"] = False
                if state["ok"]:
                    message = {**message, "body": BOM + message.get("body", b"")}
            await send(message)

        await app(scope, receive, bom_send)

    return wrapped


def _longer(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with ``content-length`` (if any) counting the BOM."""
    return [
        (name, str(int(value) + len(BOM)).encode())
        if name.lower() == b"content-length"
        else (name, value)
        for name, value in headers
    ]
