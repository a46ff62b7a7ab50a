"""`nianbao serve`: Datasette on a replica archive (nights 1 and 2), read-only, with
nianbao's plugin: originals as downloads, the applications chart, the feed."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest

from alerts.config import Alerts
from archive.db import connect
from tests.crawler.helpers import FAST, sources
from web.chart import OUTCOMES, chart_years, outcome_of
from web.originals import download_name
from web.serve import ServeError, build

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    import httpx
    from datasette.app import Datasette

GAOQU = "威海火炬高技术产业开发区管理委员会"
GAOQU_REGION = "山东省威海市威海火炬高技术产业开发区"
ATOM = "{http://www.w3.org/2005/Atom}"


def one(data: Path, sql: str, *params: Any) -> Any:
    with sqlite3.connect(data / "archive.db") as db:
        row = db.execute(sql, params).fetchone()
    assert row is not None, sql
    return row[0] if len(row) == 1 else row


def current_sha256(data: Path, url: str) -> str:
    return one(
        data,
        "SELECT v.sha256 FROM documents d JOIN versions v ON v.id = d.current_version_id"
        " WHERE d.url = ?",
        url,
    )


def file_of(manifest: dict[str, dict], key: str, role: str) -> dict:
    return next(f for f in manifest[key]["files"] if f["role"] == role)


def test_original_pdf_is_the_archived_file_as_a_download(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    pdf = file_of(manifest, "whctp-gw/2021", "attachment")
    sha256 = current_sha256(data, pdf["url"])
    assert sha256 == pdf["sha256"]  # what the replica published, byte for byte
    response = get(f"/-/original/{sha256}")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256
    blob = data / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    assert response.content == blob.read_bytes()
    name = f"{GAOQU}_2021年_政府信息公开工作年度报告.pdf"  # named for the report
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{sha256[:16]}.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    assert response.headers["content-length"] == str(blob.stat().st_size)


def test_an_archived_html_page_is_never_served_as_html(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    page = file_of(manifest, "whctp-gw/2021", "page")
    sha256 = current_sha256(data, page["url"])
    response = get(f"/-/original/{sha256}")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256
    assert response.content.lstrip().lower().startswith((b"<!doctype", b"<html"))
    assert response.headers["content-type"] == "application/octet-stream"
    name = f"{GAOQU}_2021年_政府信息公开工作年度报告.html"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{sha256[:16]}.html\"; filename*=UTF-8''{quote(name)}"
    )
    assert response.headers["content-security-policy"] == "sandbox"


@pytest.mark.parametrize(
    "path",
    [
        "/-/original/" + "0" * 64,  # well formed, but no version or capture has it
        "/-/original/xyz",
        "/-/original/" + "a" * 63,
        "/-/original/",
    ],
)
def test_unknown_or_malformed_hash_is_404(
    get: Callable[[str], httpx.Response], path: str
) -> None:
    response = get(path)
    assert response.status_code == 404
    assert "content-disposition" not in response.headers


def test_an_upper_case_hash_is_404(
    get: Callable[[str], httpx.Response], data: Path, manifest: dict[str, dict]
) -> None:
    pdf = file_of(manifest, "whctp-gw/2021", "attachment")
    assert get(f"/-/original/{pdf['sha256'].upper()}").status_code == 404


def test_bytes_known_only_to_a_capture_are_served_too(archive_copy: Path) -> None:
    """A fetch the archive could file under no report keeps its bytes (`unidentified`)."""
    data = b"<html><script>alert(1)</script></html>"
    sha256 = hashlib.sha256(data).hexdigest()
    blob = archive_copy / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    with sqlite3.connect(archive_copy / "archive.db") as db:
        db.execute(
            "INSERT INTO captures (run_id, kind, outcome, url, method, started, ended,"
            " sha256, sniffed_type, via, crawler_version) VALUES (1, 'page',"
            " 'unidentified', 'http://www.whctp.gov.cn/x/show.jsp?id=1', 'GET', '', '',"
            " ?, 'text/html', 'http', 'test')",
            [sha256],
        )
    datasette = build(archive_copy, Alerts())
    response = asyncio.run(datasette.client.get(f"/-/original/{sha256}"))
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"show.html\"; filename*=UTF-8''show.html"
    )


@pytest.mark.parametrize(
    ("url", "media_type", "disposition", "expected"),
    [
        (
            "http://www.whctp.gov.cn/module/download/downfile.jsp?classid=0&filename=ab.pdf",
            "application/pdf",
            None,
            "ab.pdf",
        ),
        (
            "http://www.anqiu.gov.cn/x/P020240101.docx",
            "application/pdf",
            None,
            "P020240101.docx.pdf",
        ),
        ("http://a.gov.cn/col/art.jsp?id=3", "application/pdf", None, "art.pdf"),
        ("http://a.gov.cn/zfxxgknb/", "text/html", None, "zfxxgknb.html"),
        ("http://a.gov.cn/", "text/html", None, "original.html"),
        ("http://a.gov.cn/t.shtml", "text/html", None, "t.html"),
        ("http://a.gov.cn/t.htm", "text/html", None, "t.htm"),
        (
            "http://a.gov.cn/d.jsp",
            "application/pdf",
            'attachment; filename="../../x\\y.pdf"',
            "y.pdf",
        ),
        (
            "http://a.gov.cn/d.jsp",
            "application/pdf",
            "attachment; filename*=UTF-8''%E5%B9%B4%22%0A%E6%8A%A5.pdf",
            "年_报.pdf",
        ),
        ("http://a.gov.cn/%E5%B9%B4%E6%8A%A5.pdf", "application/pdf", None, "年报.pdf"),
        ("http://a.gov.cn/x.svg", "image/svg+xml", None, "x.svg"),
    ],
)
def test_download_name(
    url: str, media_type: str, disposition: str | None, expected: str
) -> None:
    assert download_name(url, media_type, disposition) == expected


def expected_years(manifest: dict[str, dict], body: str) -> dict[int, dict[str, int]]:
    """What the replica published in table 3, per year: received and the six outcomes."""
    years = {}
    for entry in manifest.values():
        if entry["body"] != body:
            continue
        table = entry["tables"]["applications"]
        sums = {"received": table["new_received"]["total"]}
        for row, columns in table.items():
            group = outcome_of(row)
            if group:
                sums[group] = sums.get(group, 0) + columns["total"]
        years[entry["year"]] = sums
    return dict(sorted(years.items()))


def test_chart_years_of_a_body_are_the_published_figures(
    data: Path, manifest: dict[str, dict]
) -> None:
    db = connect(data / "archive.db", readonly=True)
    try:
        years = chart_years(db, body=GAOQU)
    finally:
        db.conn.close()
    got = {y.year: {"received": y.received, **y.outcomes} for y in years}
    assert got == expected_years(manifest, GAOQU)
    assert [len(y.reports) for y in years] == [1, 1, 1, 1, 1]
    assert [y.handled for y in years] == [196, 10, 205, 178, 58]


def test_chart_page_has_one_bar_group_per_year(
    get: Callable[[str], httpx.Response], manifest: dict[str, dict]
) -> None:
    response = get(f"/-/chart?body={quote(GAOQU)}")
    assert response.status_code == 200
    page = response.text
    svg = re.findall(r'<svg [^>]*class="nianbao-chart".*?</svg>', page, re.S)
    assert len(svg) == 1
    groups = re.findall(
        r'<g class="year" data-year="(\d+)"[^>]*>(.*?)</g>', svg[0], re.S
    )
    assert [int(year) for year, _ in groups] == [2020, 2021, 2022, 2023, 2024]
    labels = {"received": "新收申请", **{k: name for k, name, _ in OUTCOMES}}
    for (year, group), (_, sums) in zip(
        groups, expected_years(manifest, GAOQU).items(), strict=True
    ):
        tips = dict(re.findall(rf"<title>{year}年 (\S+)：(\d+)</title>", group))
        assert tips == {labels[k]: str(v) for k, v in sums.items() if v}
    assert "<script" not in page.split("</nav>")[1].split("<footer")[0]
    assert f'href="/archive/body_years?body={quote(GAOQU)}"' in page
    assert '<td class="number">201</td>' in page  # the table under the chart


def test_chart_of_a_region_sums_its_bodies(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    db = connect(data / "archive.db", readonly=True)
    try:
        region = chart_years(db, region=GAOQU_REGION)
        bodies = [
            b
            for (b,) in db.execute(
                "SELECT DISTINCT body FROM reports WHERE region = ?", [GAOQU_REGION]
            )
        ]
        per_body = [chart_years(db, body=b) for b in bodies]
    finally:
        db.conn.close()
    assert len(bodies) == 6
    for year in region:
        assert year.received == sum(
            y.received or 0 for body in per_body for y in body if y.year == year.year
        )
    response = get(f"/-/chart?region={quote(GAOQU_REGION)}")
    assert response.status_code == 200
    assert len(re.findall(r'<g class="year"', response.text)) == len(region)


def test_chart_of_an_unknown_body_is_404(get: Callable[[str], httpx.Response]) -> None:
    response = get(f"/-/chart?body={quote('不存在的机关')}")
    assert response.status_code == 404
    assert "存档中没有这个机关或地区的年报" in response.text


def test_feed_is_the_atom_feed_the_crawl_wrote(
    get: Callable[[str], httpx.Response], data: Path
) -> None:
    response = get("/-/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert response.content == (data / "feed.atom").read_bytes()
    feed = ET.fromstring(response.content)
    assert sorted(e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")) == [
        "威海临港经济技术开发区草庙子镇人民政府 2024年报已发布",
        "威海火炬高技术产业开发区经济发展局 2022年报被修改",
    ]


def test_nothing_writes_through_the_ui(
    get: Callable[[str], httpx.Response], datasette: Datasette, data: Path
) -> None:
    before = one(data, "SELECT count(*) FROM reports")
    insert = quote("INSERT INTO reports (id) VALUES (99999)")
    response = get(f"/archive?sql={insert}")
    assert response.status_code == 400
    assert "Statement must be a SELECT" in response.text
    # /-/query is a Datasette 1.0 path; 0.65 reads "-" as a table and refuses it too
    assert get(f"/archive/-/query?sql={insert}").status_code == 400
    assert get("/archive.db").status_code == 403  # no download of the file either
    with pytest.raises(sqlite3.OperationalError, match="readonly database"):
        asyncio.run(
            datasette.get_database("archive").execute_write(
                "DELETE FROM reports", block=True
            )
        )
    assert one(data, "SELECT count(*) FROM reports") == before == 125
    assert datasette.get_database("archive").is_mutable  # mode=ro, never immutable


def test_heavy_sql_is_cut_off(get: Callable[[str], httpx.Response]) -> None:
    endless = quote(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
        " SELECT count(*) FROM c"
    )
    started = time.monotonic()
    response = get(f"/archive.json?sql={endless}")
    assert time.monotonic() - started < 10
    assert response.status_code == 400
    assert "SQL query took too long" in response.json()["error"]
    settings = get("/-/settings.json").json()
    assert settings["sql_time_limit_ms"] == 1500
    assert settings["max_returned_rows"] == 1000
    assert settings["allow_download"] is False


def test_links_to_originals_charts_and_reports_are_clickable(
    get: Callable[[str], httpx.Response],
) -> None:
    sha = "ab" * 32
    sql = quote(
        f"SELECT '/-/original/{sha}' AS original, '/-/chart?body={GAOQU}' AS chart,"
        " '/archive/reports/3' AS report, '/-/original/xyz' AS not_a_hash"
    )
    page = get(f"/archive?sql={sql}").text
    assert f'<a href="/-/original/{sha}">/-/original/{sha}</a>' in page
    assert f'<a href="/-/chart?body={quote(GAOQU)}">图表：{GAOQU}</a>' in page
    assert '<a href="/archive/reports/3">/archive/reports/3</a>' in page
    assert '<a href="/-/original/xyz"' not in page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(data: Path, port: int, **popen: Any) -> subprocess.Popen:
    """`nianbao serve` as a real subprocess (no config file, no alert channels)."""
    command = [sys.executable, "-m", "app", "serve", "--data", str(data)]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        env={**os.environ, "NIANBAO_CONFIG": "", "NIANBAO_ALERTS": ""},
        **popen,
    )


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def test_nianbao_serve_answers_and_stops_on_sigterm(data: Path) -> None:
    port = free_port()
    process = start_serve(
        data, port, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        versions = wait_for(f"http://127.0.0.1:{port}/-/versions.json", process)
        assert b'"version": "0.65.5"' in versions
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    out, _ = process.communicate()
    assert '"GET /-/versions.json HTTP/1.1" 200' in out  # uvicorn's access log
    assert [line for line in out.splitlines() if line.startswith("nianbao")] == [
        f"nianbao serve: http://127.0.0.1:{port}/archive (125 reports, read-only);"
        " Ctrl-C to stop",
        "nianbao serve: stopped",
    ]


def test_nianbao_serve_reads_the_archive_while_a_crawl_writes_it(
    archive_copy: Path, replica_at: Callable[[int], Any]
) -> None:
    """Not immutable: night 2's crawl writes the served archive, and the next page sees it."""
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = start_serve(archive_copy, port, **quiet)
    count = f"http://127.0.0.1:{port}/archive.json?sql=select+count(*)+from+reports&_shape=arrayfirst"
    try:
        assert wait_for(count, process) == b"[124]"
        crawl = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "crawl",
                "--proxy",
                replica_at(2).proxy,
                "--data",
                str(archive_copy),
                *sources(()),
            ],
            env={**os.environ, **FAST, "NIANBAO_CONFIG": "", "NIANBAO_ALERTS": ""},
            **quiet,
        )
        answers = []
        while crawl.poll() is None:  # pages keep coming while the crawl writes
            answers.append(wait_for(count, process, timeout=10))
            time.sleep(0.1)
        assert crawl.returncode == 0
        assert set(answers) <= {b"[124]", b"[125]"}
        assert wait_for(count, process) == b"[125]"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)


def test_nianbao_serve_without_an_archive_says_so(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--data", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"no archive in {tmp_path / 'none'}" in done.stderr


def test_an_archive_with_an_older_schema_is_not_served(
    tmp_path: Path, night1: Path
) -> None:
    data = tmp_path / "old"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    with sqlite3.connect(data / "archive.db") as db:
        last = db.execute("SELECT max(name) FROM _sqlite_migrations").fetchone()[0]
        db.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [last])
    with pytest.raises(ServeError, match=f"needs upgrading \\({last}\\)"):
        build(data, Alerts())
