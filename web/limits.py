"""What one request may take from ``nianbao serve``: value, memory and result limits,
and no method but GET.

Time is Datasette's ``sql_time_limit_ms`` (``?_timelimit=`` may only lower it). Memory
has three bounds, because a query can grow it three ways:

- **one value** (``randomblob(5e8)``, ``group_concat`` over every text): SQLite's
  ``SQLITE_LIMIT_LENGTH`` refuses any string or blob over ``MAX_VALUE_MB`` while it is
  being built; the largest real value, a report's text, is a few MB;
- **one row** of many large values: SQLite's heap (``hard_heap_limit``) — the limit is
  process-wide, so it also counts Datasette's ``_internal`` database and every other
  query running at the time: near it, a concurrent query may fail with "out of memory"
  (answered 400, and fine on a retry), the process never does;
- **the rows of one query** before Datasette renders them (``SELECT zeroblob(3e7)``
  over a big table): a row factory counts the bytes each cursor returned and stops it
  at ``MAX_RESULT_MB``, which also bounds the JSON or HTML made of them. CSV exports
  page through this and stop at ``max_csv_mb``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import weakref
from typing import TYPE_CHECKING, Any

from datasette.utils.asgi import Response

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
    RowFactory = Callable[[sqlite3.Cursor, tuple[Any, ...]], Any]

MB = 1024 * 1024
MAX_VALUE_MB = (
    32  # one string or blob (SQLITE_LIMIT_LENGTH); a report's text is a few MB
)
HEAP_LIMIT_MB = 256  # SQLite's heap, the whole process (PRAGMA hard_heap_limit)
SOFT_HEAP_LIMIT_MB = 128  # above this SQLite gives back cache pages first
MAX_RESULT_MB = 64  # the rows of one query, as Python holds them
READ_METHODS = frozenset({"GET", "HEAD"})

TOO_BIG = (
    "这个查询太大（{what}）：请少选几行或几列，或只取长文本的一部分，"
    "如 substr(text, 1, 1000) 或 length(text)。"
    "The query is too large ({what}): select fewer rows or columns, or part of "
    "long values, e.g. substr(text, 1, 1000) or length(text)."
)
READ_ONLY = (
    "nianbao serve 只读，不接受 {method} 请求。"
    "nianbao serve is read-only: {method} is not allowed. Queries, canned or your "
    "own, are run with GET, e.g. /-/search?q=复议 or /archive?sql=select+1"
)


class ResultTooLarge(sqlite3.DatabaseError):
    """A query's rows grew past ``MAX_RESULT_MB``."""


def limit_connection(conn: sqlite3.Connection) -> None:
    """Put the value, heap and result limits on one of Datasette's connections.

    The heap limits are process-wide: ``hard_heap_limit`` only ever lowers the limit,
    so setting it on each connection is idempotent.
    """
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_MB * MB)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_MB * MB}")
    conn.execute(f"PRAGMA soft_heap_limit = {SOFT_HEAP_LIMIT_MB * MB}")
    conn.row_factory = budgeted(conn.row_factory, MAX_RESULT_MB * MB)


def budgeted(factory: RowFactory | None, budget: int) -> RowFactory:
    """A row factory that raises ResultTooLarge once a cursor's rows exceed ``budget`` bytes.

    Counted per cursor (Datasette opens one per query), as Python holds the values.
    """
    spent: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def row(cursor: sqlite3.Cursor, values: tuple[Any, ...]) -> Any:
        total = spent.get(cursor, 0) + sum(map(sys.getsizeof, values))
        if total > budget:
            raise ResultTooLarge(TOO_BIG.format(what=f"more than {budget // MB} MB"))
        spent[cursor] = total
        return factory(cursor, values) if factory is not None else values

    return row


def too_big_message(exception: BaseException) -> str | None:
    """What to tell the user about a query a limit stopped; None for anything else."""
    if isinstance(exception, ResultTooLarge):
        return str(exception)
    if isinstance(exception, sqlite3.DataError):  # SQLITE_TOOBIG: over MAX_VALUE_MB
        return TOO_BIG.format(what=f"a value over {MAX_VALUE_MB} MB: {exception}")
    if isinstance(exception, MemoryError):  # SQLITE_NOMEM: the heap limit
        return TOO_BIG.format(
            what=f"SQLite needed more than its {HEAP_LIMIT_MB} MB of memory, "
            "shared by all queries"
        )
    return None


def read_only(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: GET and HEAD pass; any other method is answered 405, saying why.

    Datasette 0.65 answers a POST to a canned query with a 500 (a table view returns
    its data, not a response) and has no write query nianbao uses.
    """

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await app(scope, receive, send)
            return
        await refusal(scope).asgi_send(send)

    return guarded


def refusal(scope: dict[str, Any]) -> Response:
    """The 405 for a method other than GET or HEAD: JSON for .json paths, else text."""
    message = READ_ONLY.format(method=scope["method"])
    headers = {"Allow": "GET, HEAD"}
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    if scope["path"].endswith(".json") or b"application/json" in accept:
        body = {"ok": False, "error": message, "status": 405}
        return Response(
            json.dumps(body, ensure_ascii=False),
            status=405,
            headers=headers,
            content_type="application/json; charset=utf-8",
        )
    return Response.text(message, status=405, headers=headers)
