"""B7: search latency — ``/-/search.json`` through ``nianbao serve`` ÷ the same search
run in-process on sqlite3, and 2-character words ÷ the scan the bigram index replaced.

Builds a synthetic archive (the real schema and both search indexes) of N reports
whose texts come from the replica's prose and the seed reports, then times the same
queries with :func:`web.search.search` on a sqlite3 connection ("direct") and through
``nianbao serve`` (Datasette with nianbao's settings and plugin) over loopback HTTP.
2-character words are also timed with the bigram index bypassed (``bigrams=False``:
the scan of ``texts`` that every 2-character search was before); the floor of that
scan is the time to find the word in all the texts' bytes once, in memory.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.db import DB_NAME, open_archive
from archive.search_index import add_text
from bench.measure import PYTHON, pinned
from processors.schema import (
    ACTIVE_BLOCKS,
    APPEAL_BLOCK_KEYS,
    COLUMN_NAMES,
    ROW_NAMES,
    application_row_keys,
)
from replica import prose
from replica.model import Body, Figures
from replica.seeds import load_seed, seed_ids
from web.search import parse_query, search

if TYPE_CHECKING:
    from collections.abc import Iterator

YEARS = (2019, 2020, 2021, 2022, 2023)
PROCESSOR_VERSION = "bench-b7"
RUN_TIME = "2026-11-22T02:00:00.000Z"

# Stems of invented county names: two characters drawn from real Shandong place names.
PLACE_CHARS = (
    "安丘临朐昌乐寿光诸城高密青州平度莱西胶即墨黄岛崂阳历章长清阴济河芜钢桓台沂源博周淄"
    "张店滕薛峄亭枣庄广饶利津垦东营芝罘牟福海招远栖霞龙口蓬荣乳文登环翠汶泗水梁微宁嘉祥"
    "金乡鱼兖曲阜邹岱岳肥平新泰五莲日照岚沭郯兰陵费蒙邑莒南罗夏津武齐禹聊冠莘茌谷荏唐滨"
    "惠兴菏泽单曹定陶成巨野郓鄄"
)
COUNTY_SUFFIXES = ("县", "市", "区")
DEPARTMENTS = (
    "发展和改革局",
    "教育和体育局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化和旅游局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "行政审批服务局",
    "综合行政执法局",
    "信访局",
)
TOWNS_PER_COUNTY = 8
# The seed reports' own bodies, turned into the synthetic report's body.
SEED_NAMES = (
    "威海临港经济技术开发区蔄山镇人民政府",
    "威海临港经济技术开发区汪疃镇人民政府",
    "威海火炬高技术产业开发区管理委员会",
    "烟台市蓬莱区大辛店镇人民政府",
    "安丘市郚山镇人民政府",
)
SEED_SHORTS = ("蔄山镇", "汪疃镇", "大辛店镇", "郚山镇", "高新区", "高区")
SEED_PLACES = re.compile("威海|临港|火炬|蓬莱|烟台|安丘|蔄山|汪疃|大辛店|郚山")

DATABASE = "archive"  # the archive's name in Datasette (nianbao's default)
TWO_CHAR = ("复议", "公开", "量子")  # the last one is in no report: a full scan


# ------------------------------------------------------------------ the synthetic archive


@dataclass(frozen=True, slots=True)
class Built:
    """A synthetic archive: where it is, how big, how long it took to build."""

    db: Path
    reports: int
    text_bytes: int
    file_bytes: int
    seconds: float
    body_name: str  # a body with a handful of reports, for the body-name query


@cache
def _seed_paragraphs() -> tuple[str, ...]:
    """The seeds' prose with their bodies' names as ``{name}``/``{short}`` placeholders."""
    found = []
    for seed in seed_ids():
        text = load_seed(seed)
        for paragraph in (
            *text.intro,
            *(p for section in text.sections for p in section.paragraphs),
        ):
            for name in SEED_NAMES:
                paragraph = paragraph.replace(name, "{name}")
            for short in SEED_SHORTS:
                paragraph = paragraph.replace(short, "{short}")
            if len(paragraph) >= 20 and not SEED_PLACES.search(paragraph):
                found.append(paragraph)
    return tuple(found)


def bodies(count: int, rng: random.Random) -> list[Body]:
    """``count`` invented bodies: per county its government, departments and towns."""
    found: list[Body] = []
    stems: set[str] = set()
    while len(found) < count:
        stem = "".join(rng.sample(PLACE_CHARS, 2))
        if stem in stems:
            continue
        stems.add(stem)
        county = stem + rng.choice(COUNTY_SUFFIXES)
        region = f"山东省{county}"
        site = f"www.{len(stems):04d}.gov.cn"
        found.append(
            Body(f"{stem}-gov", f"{county}人民政府", county, "county", site, "", region)
        )
        for index, department in enumerate(DEPARTMENTS):
            name = county + department
            found.append(
                Body(
                    f"{stem}-d{index}", name, department, "department", site, "", region
                )
            )
        towns: set[str] = set()
        while len(towns) < TOWNS_PER_COUNTY:
            towns.add("".join(rng.sample(PLACE_CHARS, 2)) + rng.choice(("镇", "街道")))
        for index, town in enumerate(sorted(towns)):
            office = "人民政府" if town.endswith("镇") else "办事处"
            found.append(
                Body(
                    f"{stem}-t{index}",
                    county + town + office,
                    town,
                    "town",
                    site,
                    "",
                    region,
                )
            )
    return found[:count]


def _numbers(rng: random.Random, count: int, high: int) -> str:
    return " ".join(
        str(rng.randint(0, high) if rng.random() < 0.4 else 0) for _ in range(count)
    )


def table_text(table: str, template: str, rng: random.Random) -> str:
    """A standard table as text extraction prints it: labels, then the row's numbers."""
    columns = COLUMN_NAMES[table]
    rows = ROW_NAMES[table]
    if table == "active":
        lines = []
        for block in ACTIVE_BLOCKS[template]:
            lines.append(f"第二十条第（{block.item}）项")
            lines.append("信息内容 " + " ".join(columns[c] for c in block.columns))
            lines += [
                f"{rows[r]} {_numbers(rng, len(block.columns), 300)}"
                for r in block.rows
            ]
        return "\n".join(lines)
    if table == "applications":
        lines = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"]
        lines.append("申请人情况 " + " ".join(columns.values()))
        lines += [
            f"{rows[r]} {_numbers(rng, len(columns), 30)}"
            for r in application_row_keys(template)
        ]
        return "\n".join(lines)
    head = " ".join(rows[b] for b in APPEAL_BLOCK_KEYS)
    return f"{head}\n{' '.join(columns.values()) * 3}\n{_numbers(rng, 15, 5)}"


def report_text(body: Body, year: int, rng: random.Random) -> tuple[str, str]:
    """(title, text) of one report, about 3–8 KB of UTF-8."""
    template = "free" if year < 2019 else ("2019" if year < 2021 else "2021")
    title = f"{body.name}{year}年政府信息公开工作年度报告"
    received = rng.randint(0, 40)
    figures = Figures(
        applications={
            "new_received": {"total": received},
            "carried_over": {"total": rng.randint(0, 3)},
            "granted": {"total": rng.randint(0, received)},
        }
    )
    first, *middle, last = prose.templated_sections(body, year, figures, rng)
    head = [title, *prose.intro(body, year, template, rng), first.heading]
    head += first.paragraphs
    body_parts = []
    for section in middle:
        body_parts += [section.heading, *section.paragraphs]
        if section.table:
            body_parts.append(table_text(section.table, template, rng))
    tail = [last.heading, *last.paragraphs]
    size = len("\n".join(head + body_parts + tail).encode())
    # Seed prose until the report reaches its size (the templated core is about 4 KB).
    extra: list[str] = []
    pool = _seed_paragraphs()
    target = rng.randint(3000, 7500)
    while size < target:
        paragraph = rng.choice(pool)
        paragraph = paragraph.replace("{name}", body.name).replace(
            "{short}", body.short
        )
        extra.append(paragraph)
        size += len(paragraph.encode()) + 1
    half = len(extra) // 2
    parts = [*head, *extra[:half], *body_parts, *extra[half:], *tail]
    return title, "\n".join(parts)


def _rows(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """One dict per report: its body, year and text, bodies cycling through the years."""
    rng = random.Random(seed)
    per_body = len(YEARS)
    for index, body in enumerate(bodies(math.ceil(count / per_body), rng)):
        for year in YEARS:
            number = index * per_body + YEARS.index(year) + 1
            if number > count:
                return
            title, text = report_text(body, year, rng)
            yield {
                "id": number,
                "body": body,
                "year": year,
                "title": title,
                "text": text,
            }


def _insert(conn: sqlite3.Connection, batch: list[dict[str, Any]]) -> None:
    published = "{}-02-{:02d}"
    conn.executemany(
        "INSERT OR IGNORE INTO sources (id, name, body, region, level, family, start_urls,"
        " evidence, first_run, last_run, last_successful_run)"
        " VALUES (?, ?, ?, ?, 'county', 'bench', '[]', 'inferred', 1, 1, 1)",
        [
            (r["body"].site, r["body"].region, r["body"].region, r["body"].region)
            for r in batch
        ],
    )
    conn.executemany(
        "INSERT INTO reports (id, body, year, title, published, region, level, source_id,"
        " status, first_seen_run, last_seen_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'present', 1, 1)",
        [
            (
                r["id"],
                r["body"].name,
                r["year"],
                r["title"],
                published.format(r["year"] + 1, r["id"] % 28 + 1),
                r["body"].region,
                r["body"].level,
                r["body"].site,
            )
            for r in batch
        ],
    )
    conn.executemany(
        "INSERT INTO documents (id, url, report_id, role, first_seen_run, last_seen_run,"
        " current_version_id, last_status) VALUES (?, ?, ?, 'page', 1, 1, ?, 200)",
        [
            (
                r["id"],
                f"http://{r['body'].site}/art/{r['year']}/{r['id']}.html",
                r["id"],
                r["id"],
            )
            for r in batch
        ],
    )
    encoded = [r["text"].encode() for r in batch]
    conn.executemany(
        "INSERT INTO versions (id, document_id, sha256, text_sha256, text_status, size,"
        " media_type, first_capture_id, first_seen_run) VALUES (?, ?, ?, ?, 'ok', ?, 'text/html',"
        " ?, 1)",
        [
            (
                r["id"],
                r["id"],
                f"{r['id']:064x}",
                hashlib.sha1(data).hexdigest(),
                len(data),
                r["id"],
            )
            for r, data in zip(batch, encoded, strict=True)
        ],
    )
    conn.executemany(
        "INSERT INTO parses (version_id, report_id, document_id, status, format, title, body,"
        " year, published, template, tables_found, checks_run, checks_failed, warnings,"
        " processor_version, parsed)"
        " VALUES (?, ?, ?, 'ok', 'html', ?, ?, ?, ?, ?, 3, 12, 0, '[]', ?, ?)",
        [
            (
                r["id"],
                r["id"],
                r["id"],
                r["title"],
                r["body"].name,
                r["year"],
                published.format(r["year"] + 1, r["id"] % 28 + 1),
                "2021" if r["year"] >= 2021 else "2019",
                PROCESSOR_VERSION,
                RUN_TIME,
            )
            for r in batch
        ],
    )
    for r in batch:  # as a crawl's parses store them (both search indexes)
        add_text(conn, r["id"], r["id"], r["title"], r["text"])


def build_archive(root: Path, reports: int, seed: int = 7) -> Built:
    """A migrated archive in ``root`` holding ``reports`` synthetic reports (one version each).

    The migrations create the real schema; rows go in with ``executemany`` in one
    transaction, the ``texts`` trigger filling the trigram index as a crawl's parses do.
    """
    started = time.perf_counter()
    archive = open_archive(root)
    archive.close()
    path = root / DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO runs (id, started, ended, status, target, sources, crawler_version)"
        " VALUES (1, ?, ?, 'complete', 'bench', '[]', 'bench')",
        [RUN_TIME, RUN_TIME],
    )
    batch: list[dict[str, Any]] = []
    text_bytes, body_name = 0, ""
    for row in _rows(reports, seed):
        text_bytes += len(row["text"].encode()) + len(row["title"].encode())
        if row["id"] == reports // 2:
            body_name = row["body"].name
        batch.append(row)
        if len(batch) == 1000:
            _insert(conn, batch)
            batch = []
    if batch:
        _insert(conn, batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")  # as the crawler leaves it (and no ANALYZE)
    conn.close()
    return Built(
        path,
        reports,
        text_bytes,
        path.stat().st_size,
        time.perf_counter() - started,
        body_name or "不存在的机关",
    )


# ------------------------------------------------------------------ measuring


@dataclass(slots=True)
class Latency:
    """One query's latencies (seconds) on one path, and how many rows it returned."""

    samples: list[float] = field(default_factory=list)
    hits: int = -1

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def percentile(values: list[float], pct: float) -> float:
    """The ``pct``-th percentile, interpolated between the closest ranks (of 20 samples,
    p95 lies between the two slowest)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def on_cpu(cpu: int) -> None:
    """Run this process on one CPU (like ``pinned``), when there are two to keep apart."""
    if (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})


def all_cpus() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))


class Direct:
    """The baseline: the search itself (``web.search.search``) on a read-only sqlite3
    connection to the same file; ``bigrams=False`` is the scan it replaced."""

    def __init__(self, db: Path, *, bigrams: bool = True) -> None:
        self.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        self.bigrams = bigrams

    def __call__(self, query: str) -> tuple[float, int]:
        """Seconds to run ``query`` (page 1 with its passages); the total found."""
        wanted = parse_query({"q": query})
        assert wanted is not None
        started = time.perf_counter()
        result = search(self.conn, wanted, bigrams=self.bigrams)
        return time.perf_counter() - started, result.total

    def close(self) -> None:
        self.conn.close()


class Served:
    """``nianbao serve`` (Datasette, its settings and plugin) on loopback, pinned to CPU 0.

    Timed as a journalist's browser meets it: one keep-alive HTTP connection, the
    search page's JSON (``/-/search.json``).
    """

    def __init__(self, root: Path, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [PYTHON, "-m", "app", "serve", "--data", str(root)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            pinned(0, command), stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"nianbao serve exited ({self.process.returncode}), see {self.log.name}"
                )
            try:
                url = f"http://127.0.0.1:{self.port}/-/versions.json"
                with urllib.request.urlopen(url, timeout=5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"nianbao serve did not start in 60 s, see {self.log.name}")

    def __call__(self, query: str) -> tuple[float, int]:
        """Seconds until the whole answer has arrived (decoding it is the client's
        business); the total found."""
        path = "/-/search.json?" + urllib.parse.urlencode({"q": query})
        started = time.perf_counter()
        self.conn.request("GET", path)
        answer = self.conn.getresponse()
        data = answer.read()
        seconds = time.perf_counter() - started
        body = json.loads(data)
        if answer.status != 200 or not body.get("ok", True):
            raise RuntimeError(f"{path}: {answer.status} {body.get('error')}")
        return seconds, int(body["total"])

    def close(self) -> None:
        self.conn.close()
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def scan_floor(
    db: Path, words: tuple[str, ...], repetitions: int = 3
) -> dict[str, float]:
    """Seconds to find each word in all the texts' bytes once, in memory (``bytes.count``)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        data = b"\n".join(
            (title or "").encode() + b"\n" + text.encode()
            for title, text in conn.execute("SELECT title, text FROM texts")
        )
    floors = {}
    for word in words:
        needle = word.encode()
        times = []
        for _ in range(repetitions):
            started = time.perf_counter()
            data.count(needle)
            times.append(time.perf_counter() - started)
        floors[word] = statistics.median(times)
    return floors


@dataclass(slots=True)
class QueryResult:
    query: str
    direct: Latency
    served: Latency
    scan: Latency | None = None  # 2 characters: the scan the bigram index replaced
    floor_s: float | None = None  # 2 characters: bytes.count over all the texts

    @property
    def ratio(self) -> float:
        return self.served.p95 / self.direct.p95

    @property
    def overhead_ms(self) -> float:
        return (self.served.p95 - self.direct.p95) * 1000


@dataclass(slots=True)
class Search:
    reports: int
    build_s: float
    text_mb: float
    file_mb: float
    samples: int
    scan_mb_s: float  # bytes.count speed over the texts: the floor's "memory bandwidth"
    results: list[QueryResult]

    def as_record(self) -> dict[str, Any]:
        """For latest.json: the figures, per query p50/p95 (ms), ratio and overhead."""
        record = {k: v for k, v in asdict(self).items() if k != "results"}
        record["queries"] = [
            {
                "query": r.query,
                "rows": r.direct.hits,
                "direct_p50_ms": r.direct.p50 * 1000,
                "direct_p95_ms": r.direct.p95 * 1000,
                "datasette_p50_ms": r.served.p50 * 1000,
                "datasette_p95_ms": r.served.p95 * 1000,
                "scan_p95_ms": None if r.scan is None else r.scan.p95 * 1000,
                "ratio": r.ratio,
                "overhead_ms": r.overhead_ms,
                "floor_ms": None if r.floor_s is None else r.floor_s * 1000,
            }
            for r in self.results
        ]
        return record


def queries(built: Built) -> tuple[str, ...]:
    """2-character words, 3+ character words, a body's name, and words no report holds."""
    return (*TWO_CHAR, "行政复议", "依申请公开", built.body_name, "量子纠缠")


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (Chinese characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def measure(built: Built, samples: int, log: Path) -> list[QueryResult]:
    """Each query ``samples`` times on both paths (and 2-character words by the old
    scan), interleaved, after one warm-up each.

    The search runs on CPU 0 either way: the direct connection in this process pinned
    there, Datasette's server pinned there with this process as its client on CPU 1.
    """
    with built.db.open("rb") as whole:  # the file into the page cache
        while whole.read(1 << 24):
            pass
    direct = Direct(built.db)
    scan = Direct(built.db, bigrams=False)
    served = Served(built.db.parent, log)
    results = []
    try:
        for query in queries(built):
            result = QueryResult(query, Latency(), Latency())
            if query in TWO_CHAR:
                result.scan = Latency()
            for rep in range(samples + 1):  # the first round warms caches
                on_cpu(0)
                seconds, result.direct.hits = direct(query)
                if rep:
                    result.direct.samples.append(seconds)
                if result.scan is not None:
                    seconds, result.scan.hits = scan(query)
                    if rep:
                        result.scan.samples.append(seconds)
                on_cpu(1)
                seconds, result.served.hits = served(query)
                if rep:
                    result.served.samples.append(seconds)
            results.append(result)
    finally:
        all_cpus()
        direct.close()
        scan.close()
        served.close()
    return results


def existing_archive(root: Path, reports: int) -> Built | None:
    """A synthetic archive built earlier in ``root`` with ``reports`` reports, if there is one."""
    path = root / DB_NAME
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        ((count, text_bytes),) = conn.execute(
            "SELECT COUNT(*), SUM(LENGTH(CAST(title AS BLOB)) + LENGTH(CAST(text AS BLOB)))"
            " FROM texts"
        ).fetchall()
        if count != reports:
            return None
        (name,) = conn.execute(
            "SELECT body FROM reports WHERE id = ?", [reports // 2]
        ).fetchone()
    # An archive built by an older nianbao gets its migrations, or serve refuses it.
    open_archive(root).close()
    return Built(path, reports, text_bytes, path.stat().st_size, 0.0, name)


def b7_search(
    reports: int, samples: int, scratch: Path | None = None, keep: Path | None = None
) -> Search:
    """Build the synthetic archive (or reuse the one in ``keep``), then time the search on it."""
    folder = Path(tempfile.mkdtemp(prefix="b7-", dir=scratch))
    built = (keep and existing_archive(keep, reports)) or build_archive(
        keep or folder / "archive", reports
    )
    results = measure(built, samples, folder / "serve.log")
    floors = scan_floor(built.db, TWO_CHAR)
    for result in results:
        result.floor_s = floors.get(result.query)
    return Search(
        reports,
        built.seconds,
        built.text_bytes / 1e6,
        built.file_bytes / 1e6,
        samples,
        built.text_bytes / statistics.median(floors.values()) / 1e6,
        results,
    )


def b7_lines(b7: Search) -> list[str]:
    """B7 as printed by ``python -m bench``: one line for the archive, one per query."""
    built = f"built in {b7.build_s:.0f} s" if b7.build_s else "reused"
    lines = [
        f"B7 search, {b7.reports} reports ({b7.text_mb:.0f} MB of text, "
        f"{b7.file_mb:.0f} MB file, {built}); ms p50 / p95 of {b7.samples} samples; "
        "direct = web.search.search on sqlite3, Datasette = /-/search.json over HTTP; "
        "goal: 2-char p95 < 100 ms, ≥3-char p95 < 50 ms, Datasette overhead ≤ +15 ms; "
        f"2-char scan = the same search without the bigram index (floor: bytes.count "
        f"over all the texts, {b7.scan_mb_s:.0f} MB/s)"
    ]
    for r in b7.results:
        line = (
            f"   {_padded(r.query, 20)} {r.direct.hits:>6} found · direct"
            f" {_ms(r.direct.p50)} / {_ms(r.direct.p95)} · Datasette {_ms(r.served.p50)}"
            f" / {_ms(r.served.p95)} · ratio {r.ratio:5.2f} · overhead"
            f" {r.overhead_ms:+6.1f} ms"
        )
        if r.scan is not None:
            line += (
                f" · scan {_ms(r.scan.p50)} / {_ms(r.scan.p95)}"
                f" (index {r.scan.p95 / r.direct.p95:.1f}× faster)"
            )
        if r.floor_s:
            line += f" · floor {_ms(r.floor_s)}"
        lines.append(line)
    return lines


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"
