"""B1 (crawl throughput against a bare Scrapy spider) and B3 (an unchanged second night)."""

from __future__ import annotations

import json
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

if TYPE_CHECKING:
    from collections.abc import Callable

HTTP_SOURCES = [
    "wip",
    "whctp",
    "penglai",
    "anqiu",
]  # B1: pages a bare spider can fetch too


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


def link_graph(db: Path) -> dict[str, list[str]]:
    """Parent URL → the URLs fetched because of it ("" → the start URLs), from Referers."""
    graph: dict[str, list[str]] = {}
    for url, headers in rows(
        db, "SELECT url, request_headers FROM captures ORDER BY id"
    ):
        parent = json.loads(headers or "{}").get("Referer", "")
        graph.setdefault(parent, []).append(url)
    return graph


def b1_throughput(proxy: str, repetitions: int, scratch: Path) -> Throughput:
    """Pages per second of the crawl phase: nianbao (archive and all) ÷ a bare spider.

    Archives go to fresh folders under ``scratch``, deleted only when the whole bench is
    done: ext4 makes every new inode slow for a minute after thousands were deleted,
    and a crawl should not pay for the harness's clean-up of the previous one.
    """
    ours, bare, cpu_ratio = [], [], []
    pages = 0
    for _ in range(repetitions):
        tmp = tempfile.mkdtemp(dir=scratch)
        data = Path(tmp) / "archive"
        run(crawl_command(proxy, data, HTTP_SOURCES))
        db = data / "archive.db"
        ((first, last, pages),) = rows(
            db, "SELECT MIN(started), MAX(ended), COUNT(*) FROM captures"
        )
        ((crawl_cpu,),) = rows(db, "SELECT crawl_cpu_seconds FROM runs")
        ours.append(pages / seconds_between(first, last))
        urls_file, out = Path(tmp) / "graph.json", Path(tmp) / "bare.json"
        urls_file.write_text(json.dumps(link_graph(db)))
        run(
            pinned(
                1,
                [
                    PYTHON,
                    "-m",
                    "bench.bare_spider",
                    str(urls_file),
                    proxy,
                    str(out),
                ],
            )
        )
        result = json.loads(out.read_text())
        bare.append(result["pages"] / result["seconds"])
        # CPU of the fetching only: ours includes archiving (blobs, rows), not text hashing.
        cpu_ratio.append((crawl_cpu / pages) / (result["cpu"] / result["pages"]))
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    return Throughput(
        median(ours),
        median(bare),
        median(ratios),
        median(cpu_ratio),
        spread(ratios),
        pages,
    )


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
    proxy: str, repetitions: int, scratch: Path, *, polite: bool = False
) -> Incremental:
    """Night 1 (everything new) against night 2 (nothing changed), whole `nianbao crawl`
    runs; ``polite``: at the real-site settings (crawler/verify.py decides what a
    polite night asks for again)."""
    firsts, seconds, byte_ratios, ratios, limits = [], [], [], [], []
    versions = events = documents = 0
    for _ in range(repetitions):
        tmp = tempfile.mkdtemp(dir=scratch)
        data = Path(tmp) / "archive"
        _reset(proxy)
        first = run(crawl_command(proxy, data, polite=polite))
        first_bytes = _served_bytes(proxy)
        _reset(proxy)
        second = run(crawl_command(proxy, data, polite=polite))
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
