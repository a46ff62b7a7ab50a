"""One request must not exhaust `nianbao serve` (reliability row 23): hostile SQL and
writes through a real server on loopback, its memory read from /proc."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from tests.web.test_serve import free_port, start_serve, wait_for
from web.limits import (
    HEAP_LIMIT_MB,
    MAX_RESULT_MB,
    MAX_VALUE_MB,
    MB,
    ResultTooLarge,
    budgeted,
    limit_connection,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
WIDE_ROW = "SELECT " + ", ".join(["zeroblob(30000000)"] * 20)  # 600 MB in one row
MANY_ROWS = "SELECT zeroblob(30000000) FROM figures"  # 30 MB a row, thousands of rows


class Served:
    """A running `nianbao serve` and how to ask it things."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        """Status, headers, body and seconds taken; error statuses are answers too."""
        data = b"sql=DELETE+FROM+reports" if method == "POST" else None
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers or {}
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            answer = error.code, dict(error.headers), error.read()
        return (*answer, time.monotonic() - started)

    def sql(self, sql: str, extra: str = "") -> tuple[int, dict[str, Any], float]:
        status, _, body, seconds = self.request(
            f"/archive.json?sql={quote(sql)}{extra}"
        )
        return status, json.loads(body), seconds

    def peak_rss_mb(self) -> float:
        """The server's high-water resident set size (VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(li for li in status.splitlines() if li.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, night1: Path) -> Iterator[Served]:
    data = tmp_path_factory.mktemp("limits") / "archive"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = start_serve(data, port, **quiet)
    wait_for(f"http://127.0.0.1:{port}/-/versions.json", process)
    yield Served(process, port)
    process.terminate()
    process.wait(timeout=15)


def assert_still_answers(served: Served) -> None:
    status, body, _ = served.sql("SELECT count(*) FROM reports")
    assert (status, body["rows"]) == (200, [[124]])


def test_a_huge_value_is_refused_at_once(served: Served) -> None:
    """`randomblob(5e8)` took 16 s and 3.8 GB before SQLite's length limit."""
    before = served.peak_rss_mb()
    status, body, _ = served.sql("SELECT randomblob(500000000)")
    assert status == 400
    assert body["error"] == "string or blob too big"
    assert served.peak_rss_mb() - before < 50
    assert_still_answers(served)


def test_the_rows_of_one_query_stop_at_the_result_budget(served: Served) -> None:
    before = served.peak_rss_mb()
    status, body, _ = served.sql(MANY_ROWS)
    assert status == 400
    assert f"more than {MAX_RESULT_MB} MB" in body["error"]
    assert "substr(text, 1, 1000)" in body["error"]  # and what to do instead
    assert served.peak_rss_mb() - before < 4 * MAX_RESULT_MB
    assert_still_answers(served)


@pytest.mark.parametrize("path", ["/archive.json?sql=", "/archive?sql="])
def test_a_row_too_big_for_sqlites_heap_is_a_400_not_a_500(
    served: Served, path: str
) -> None:
    status, headers, body, _ = served.request(path + quote(WIDE_ROW))
    assert status == 400
    text = body.decode()
    assert f"more than its {HEAP_LIMIT_MB} MB of memory" in text
    assert "Error 500" not in text
    assert "Traceback" not in text
    if path.startswith("/archive.json"):
        assert json.loads(body)["status"] == 400
    else:
        assert headers["content-type"].startswith("text/html")
        assert "<h1>查询太大 Query too large</h1>" in text
    assert_still_answers(served)


def test_memory_stays_bounded_after_every_hostile_query(served: Served) -> None:
    """Whatever ran before in this module, the peak stays far under the 3.8 GB seen."""
    for sql in (
        "SELECT randomblob(500000000)",
        MANY_ROWS,
        WIDE_ROW,
        "SELECT " + ", ".join(["randomblob(30000000)"] * 20),
        "SELECT length(group_concat(a.text)) FROM texts a, texts b, texts c",
    ):
        status, _, _ = served.sql(sql)
        assert status == 400, sql
    assert served.peak_rss_mb() < 2 * HEAP_LIMIT_MB + MAX_RESULT_MB + 100
    assert_still_answers(served)


@pytest.mark.parametrize("extra", ["", "&_timelimit=999999"])
def test_an_endless_query_is_cut_off_at_the_time_limit(
    served: Served, extra: str
) -> None:
    """`?_timelimit=` can only lower sql_time_limit_ms (1.5 s), never raise it."""
    status, body, seconds = served.sql(ENDLESS, extra)
    assert status == 400
    assert "SQL query took too long" in body["error"]
    assert 1.4 < seconds < 3
    assert_still_answers(served)


@pytest.mark.parametrize(
    "path", ["/-/search", "/archive/latest", "/archive/reports", "/archive"]
)
def test_a_post_is_refused_with_405_and_says_why(served: Served, path: str) -> None:
    """A POST to a canned query was a 500 with a traceback (Datasette 0.65)."""
    foreign = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    status, headers, body, _ = served.request(path, "POST", foreign)
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"
    assert body.decode().startswith("nianbao serve 只读，不接受 POST 请求。")
    assert "nianbao serve is read-only: POST is not allowed" in body.decode()
    status, _, body, _ = served.request(path + ".json", "POST")
    assert status == 405
    assert json.loads(body)["error"].startswith("nianbao serve 只读")
    assert served.request(path)[0] == 200  # GET as before
    assert_still_answers(served)


def test_head_still_answers(served: Served) -> None:
    assert served.request("/archive/latest", "HEAD")[0] == 200


def test_limits_on_a_connection() -> None:
    conn = sqlite3.connect(":memory:")
    limit_connection(conn)
    assert conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH) == MAX_VALUE_MB * MB
    assert conn.execute("PRAGMA hard_heap_limit").fetchone() == (HEAP_LIMIT_MB * MB,)
    big_text = "年" * (MAX_VALUE_MB * MB // 3 - 1000)  # a report's text near the limit
    assert conn.execute("SELECT length(?)", [big_text]).fetchone() == (len(big_text),)
    with pytest.raises(sqlite3.DataError, match="string or blob too big"):
        conn.execute("SELECT zeroblob(?)", [MAX_VALUE_MB * MB + 1]).fetchone()


def test_the_budget_is_per_query() -> None:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = budgeted(sqlite3.Row, 10_000)
    rows = conn.execute("SELECT zeroblob(4000) FROM (SELECT 1 UNION SELECT 2)")
    assert len(rows.fetchall()) == 2
    again = conn.execute("SELECT zeroblob(4000) FROM (SELECT 1 UNION SELECT 2)")
    assert len(again.fetchall()) == 2  # a new query, a new budget
    with pytest.raises(ResultTooLarge, match="more than 0 MB"):
        conn.execute(
            "SELECT zeroblob(4000) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3)"
        ).fetchall()
