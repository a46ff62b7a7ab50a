"""B1 (crawl throughput against a bare Scrapy spider) and B3 (an unchanged second night)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.measure import (
    PYTHON,
    TreeSampler,
    median,
    pinned,
    rows,
    run,
    seconds_between,
    spread,
)
from crawler.registry import load_registry

if TYPE_CHECKING:
    from collections.abc import Callable

HTTP_SOURCES = [
    "wip",
    "whctp",
    "penglai",
    "anqiu",
]  # B1: pages a bare spider can fetch too
# Families whose lists are rendered in Chromium (scrapy-playwright): the baselines
# fetch those pages over plain HTTP, and the browser's start-up and rendering would be
# most of the difference (B8 measures Playwright on its own).
RENDERED_FAMILIES = frozenset({"fujian"})
# B1 times the crawl phase against crawlers that parse nothing: its crawls leave the
# parse to after the crawl (app/live.py parses during it by default, which a first
# night's end-to-end time shows, not the crawl's pages per second).
CRAWL_ALONE = {"NIANBAO_PARSE_DURING_CRAWL": "0"}


def fetched_sources() -> list[str]:
    """The registry's sources read without a browser: the benchmark mix of B1 and B3."""
    return [s.id for s in load_registry() if s.family not in RENDERED_FAMILIES]


def crawl_command(
    proxy: str, data: Path, sources: list[str] | None = None, *, polite: bool = False
) -> list[str]:
    picked = [arg for s in sources or [] for arg in ("--source", s)]
    if polite:  # the real-site settings: delays per host, a 7-day verify window
        picked.append("--polite")
    return pinned(
        1,
        [PYTHON, "-m", "app", "crawl", "--proxy", proxy, "--data", str(data), *picked],
    )


def _reset(proxy: str) -> None:
    """Start the replica's byte counters afresh (it keeps serving night 1)."""
    request = urllib.request.Request(f"{proxy}/_replica/epoch?n=1", method="POST")
    urllib.request.urlopen(request, timeout=60).read()


def a_day_passes(db: Path) -> None:
    """As if the archive's nights had been a day earlier: a polite night re-verifies
    and re-reads what is due (crawler/verify.py), and a document or list page read
    minutes ago is never due on its turn (MIN_AGE); a day later a seventh of them is,
    as on a real next night."""
    with sqlite3.connect(db) as conn:
        for table in ("captures", "runs"):
            conn.execute(
                f"UPDATE {table} SET started = strftime('%Y-%m-%dT%H:%M:%fZ', started, "
                f"'-1 day'), ended = strftime('%Y-%m-%dT%H:%M:%fZ', ended, '-1 day')"
            )


def _served_bytes(proxy: str) -> int:
    with urllib.request.urlopen(f"{proxy}/_replica/stats", timeout=60) as answer:
        return int(json.load(answer)["bytes"])


@dataclass(slots=True)
class Throughput:
    ours_pages_per_s: float
    bare_pages_per_s: float
    ratio: float
    cpu_per_page_ratio: float
    spread: float
    pages: int
    peer_pages_per_s: float = 0.0  # Scrapy + FilesPipeline + sqlite-utils
    peer_ratio: float = 0.0
    peer_spread: float = 0.0


@dataclass(frozen=True, slots=True)
class Pass:
    """One crawl by nianbao and the same link graph by the two baselines."""

    ours: float  # pages per second
    bare: float
    peer: float
    cpu_ratio: float  # CPU-s per page, ours ÷ bare
    pages: int


def link_graph(db: Path) -> dict[str, list[str]]:
    """Parent URL → the URLs fetched because of it ("" → the start URLs), from Referers."""
    graph: dict[str, list[str]] = {}
    for url, headers in rows(
        db, "SELECT url, request_headers FROM captures ORDER BY id"
    ):
        parent = json.loads(headers or "{}").get("Referer", "")
        graph.setdefault(parent, []).append(url)
    return graph


def baselines(proxy: str, db: Path, run_id: int, folder: Path) -> Pass:
    """nianbao's crawl phase of run ``run_id`` (from its captures) against the bare
    spider and the peer on the same link graph."""
    ((first, last, pages),) = rows(
        db,
        "SELECT MIN(started), MAX(ended), COUNT(*) FROM captures WHERE run_id = ?",
        (run_id,),
    )
    ((crawl_cpu,),) = rows(
        db, "SELECT crawl_cpu_seconds FROM runs WHERE id = ?", (run_id,)
    )
    graph = folder / "graph.json"
    graph.write_text(json.dumps(link_graph(db)))
    bare, peer = folder / "bare.json", folder / "peer.json"
    run(pinned(1, [PYTHON, "-m", "bench.bare_spider", str(graph), proxy, str(bare)]))
    peer_folder = folder / "peer"
    command = [PYTHON, "-m", "bench.peer_spider", str(graph), proxy, str(peer_folder)]
    run(pinned(1, [*command, str(peer)]))
    bare_result, peer_result = (
        json.loads(bare.read_text()),
        json.loads(peer.read_text()),
    )
    return Pass(
        ours=pages / seconds_between(first, last),
        bare=bare_result["pages"] / bare_result["seconds"],
        peer=peer_result["pages"] / peer_result["seconds"],
        # CPU of the fetching only: ours includes archiving (blobs, rows), not parsing.
        cpu_ratio=(crawl_cpu / pages) / (bare_result["cpu"] / bare_result["pages"]),
        pages=pages,
    )


def throughput(passes: list[Pass]) -> Throughput:
    ratios = [p.ours / p.bare for p in passes]
    peer_ratios = [p.ours / p.peer for p in passes]
    return Throughput(
        median([p.ours for p in passes]),
        median([p.bare for p in passes]),
        median(ratios),
        median([p.cpu_ratio for p in passes]),
        spread(ratios),
        passes[-1].pages,
        median([p.peer for p in passes]),
        median(peer_ratios),
        spread(peer_ratios),
    )


def b1_throughput(proxy: str, repetitions: int, scratch: Path) -> Throughput:
    """Pages per second of the crawl phase: nianbao (archive and all) ÷ a bare spider,
    and ÷ the peer (bench/peer_spider.py).

    Archives go to fresh folders under ``scratch``, deleted only when the whole bench is
    done: ext4 makes every new inode slow for a minute after thousands were deleted,
    and a crawl should not pay for the harness's clean-up of the previous one.
    """
    passes = []
    for _ in range(repetitions):
        tmp = Path(tempfile.mkdtemp(dir=scratch))
        run(crawl_command(proxy, tmp / "archive", HTTP_SOURCES), CRAWL_ALONE)
        passes.append(baselines(proxy, tmp / "archive" / "archive.db", 1, tmp))
    return throughput(passes)


@dataclass(slots=True)
class Incremental:
    first_s: float
    second_s: float
    time_ratio: float
    bytes_ratio: float
    bytes_limit: float  # night 1's list-page bytes ÷ all its bytes: night 2's floor
    second_versions: int
    second_events: int
    spread: float
    documents: int


def b3_incremental(
    proxy: str,
    repetitions: int,
    scratch: Path,
    *,
    polite: bool = False,
    sources: list[str] | None = None,
    b1: list[Pass] | None = None,
) -> Incremental:
    """Night 1 (everything new) against night 2 (nothing changed), whole `nianbao crawl`
    runs; ``polite``: at the real-site settings (crawler/verify.py decides what a
    polite night asks for again), night 2 a day after night 1; ``sources``: these
    only (default: all). With ``b1``, night 1's crawl phase is also measured against
    the baselines (B1 on this mix), appended there."""
    firsts, seconds, byte_ratios, ratios, limits = [], [], [], [], []
    versions = events = documents = 0
    for _ in range(repetitions):
        tmp = tempfile.mkdtemp(dir=scratch)
        data = Path(tmp) / "archive"
        _reset(proxy)
        # night 1 is B1's too: both nights then leave parsing to after the crawl
        alone = CRAWL_ALONE if b1 is not None else None
        first = run(crawl_command(proxy, data, sources, polite=polite), alone)
        first_bytes = _served_bytes(proxy)
        if b1 is not None:
            b1.append(baselines(proxy, data / "archive.db", 1, Path(tmp)))
        _reset(proxy)
        if polite:  # the next night, not the next minute
            a_day_passes(data / "archive.db")
        second = run(crawl_command(proxy, data, sources, polite=polite), alone)
        second_bytes = _served_bytes(proxy)
        db = data / "archive.db"
        ((versions,),) = rows(
            db, "SELECT COUNT(*) FROM versions WHERE first_seen_run = 2"
        )
        events = rows(db, "SELECT COUNT(*) FROM events WHERE run_id = 2")[0][0]
        documents = rows(db, "SELECT COUNT(*) FROM documents")[0][0]
        ((list_bytes, all_bytes),) = rows(
            db,
            "SELECT SUM(CASE WHEN kind = 'list' THEN size ELSE 0 END), SUM(size)"
            " FROM captures WHERE run_id = 1",
        )
        limits.append(list_bytes / all_bytes)
        firsts.append(first.wall)
        seconds.append(second.wall)
        ratios.append(second.wall / first.wall)
        byte_ratios.append(second_bytes / first_bytes)
    return Incremental(
        median(firsts),
        median(seconds),
        median(ratios),
        median(byte_ratios),
        median(limits),
        versions,
        events,
        spread(ratios),
        documents,
    )


@dataclass(slots=True)
class Memory:
    """B10: peak RSS of the crawl process, run by run, of consecutive nights."""

    peaks_mb: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The last run's peak ÷ the first's (goal ≤ 1.1: nothing grows night after night)."""
        return self.peaks_mb[-1] / self.peaks_mb[0] if self.peaks_mb else 0.0


def crawl_roles(root: int) -> Callable[[int, str], str]:
    """Names the processes under a `nianbao crawl` whose pid is ``root``: ``crawl`` for
    it, ``parse`` for its parse workers (forked: its command line, another pid),
    ``other`` for the rest."""

    def role(pid: int, cmdline: str) -> str:
        if " -m app crawl " not in f" {cmdline} ":
            return "other"
        return "crawl" if pid == root else "parse"

    return role


def peak_rss(command: list[str]) -> float:
    """Run ``command`` (a `nianbao crawl`) to completion; its own peak RSS (MB)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    with TreeSampler(process.pid, crawl_roles(process.pid)) as sampler:
        _, errors = process.communicate()
    if process.returncode not in (0, 3):
        raise RuntimeError(
            f"{' '.join(command)} exited {process.returncode}:\n{errors}"
        )
    return sampler.peaks().get("crawl", 0.0)


def b10_memory(
    proxy: str, nights: int, scratch: Path, sources: list[str] | None = None
) -> Memory:
    """``nights`` consecutive crawls of the replica into one archive (the first finds
    everything, the rest nothing new): the crawl process's peak RSS each night."""
    data = Path(tempfile.mkdtemp(dir=scratch)) / "archive"
    memory = Memory()
    for _ in range(nights):
        memory.peaks_mb.append(peak_rss(crawl_command(proxy, data, sources)))
    return memory
