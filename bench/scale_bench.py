"""B2 (the politeness budget used) and the night of many sources (issue 14).

Both crawl the replica's fleet (``replica/fleet.py``): county portals on hosts of
their own, one source per report column, every answer delayed by the replica's
``--latency`` as a distant server's would be. Crawls run at the real-site settings
(``--polite``: 2 requests at a time per host, 1 s ± 50 % between them), in one
process or with workers sharing a real ``redis-server`` (``--redis --workers N``).

* **B2** = requests per second achieved on each host ÷ the ceiling its settings
  allow, min(1 / delay, concurrency / latency): a crawler that leaves the budget
  idle makes every night longer than the sites require. Measured on one host and
  on many hosts at once (the limit is per host, so hosts must proceed in parallel).
* **The night**: ``sources`` sources on ``sources / columns`` hosts, crawled in one
  process and with 2 and 4 workers; pages/s of the crawl phase, CPU per page (every
  process of ours, workers and ingester included, up to the end of the crawl phase),
  wall time (crawl, then the analysis: parsing and events), peak RSS per process
  (each process's own high-water mark) and the archive's growth per source.
  The replica runs beside the crawl on the same 2 cores (nothing is pinned).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from app.standin import start_replica
from bench.measure import PYTHON, TreeSampler, rows, stamp_seconds
from bench.redis_server import start_redis
from replica.fleet import Fleet

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DELAY = 1.0  # crawler/settings.py DOWNLOAD_DELAY: the polite default
PER_HOST = 2  # crawler/settings.py CONCURRENT_REQUESTS_PER_DOMAIN
FLEET_SOURCES = "fleet*"


@dataclass(frozen=True, slots=True)
class Shape:
    """A fleet: ``hosts`` portals × ``columns`` sources × ``years`` reports."""

    hosts: int
    columns: int
    years: int

    @property
    def sources(self) -> int:
        return self.hosts * self.columns

    def fleet(self) -> Fleet:
        return Fleet(self.hosts, self.columns, self.years)

    def options(self, latency_ms: int) -> list[str]:
        return [
            "--fleet", str(self.hosts),
            "--fleet-columns", str(self.columns),
            "--fleet-years", str(self.years),
            "--latency", str(latency_ms),
        ]  # fmt: skip


@dataclass(slots=True)
class Crawled:
    """One crawl of the fleet: what it fetched and found, and what it cost."""

    mode: str  # "1 process", "2 workers" …
    shape: Shape
    returncode: int
    pages: int
    reports: int
    crawl_s: float
    analysis_s: float
    wall_s: float
    crawl_cpu_s: float
    archive_mb: float
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)
    host_rates: list[float] = field(default_factory=list)  # requests/s, per host

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.crawl_s if self.crawl_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.crawl_cpu_s / self.pages if self.pages else 0.0

    @property
    def kb_per_source(self) -> float:
        return 1024 * self.archive_mb / self.shape.sources

    def as_record(self) -> dict[str, object]:
        """For bench/results/latest.json."""
        return {
            "mode": self.mode,
            "sources": self.shape.sources,
            "hosts": self.shape.hosts,
            "pages": self.pages,
            "reports": self.reports,
            "pages_per_s": round(self.pages_per_s, 2),
            "cpu_ms_per_page": round(self.cpu_ms_per_page, 3),
            "crawl_s": round(self.crawl_s, 2),
            "analysis_s": round(self.analysis_s, 2),
            "wall_s": round(self.wall_s, 2),
            "kb_per_source": round(self.kb_per_source, 1),
            "peak_rss_mb": {k: round(v, 1) for k, v in self.peak_rss_mb.items()},
            "processes": self.processes,
        }


@contextmanager
def fleet_replica(shape: Shape, latency_ms: int) -> Iterator[str]:
    """The replica serving ``shape``'s fleet; yields its proxy URL."""
    replica = start_replica(shape.options(latency_ms), python=PYTHON)
    try:
        yield replica.proxy
    finally:
        replica.stop()


def _role(root: int) -> Callable[[int, str], str]:
    def role(pid: int, cmdline: str) -> str:
        if pid == root:
            return "crawl" if "--redis" not in cmdline else "coordinator"
        if " worker " in cmdline:
            return "worker"
        if " crawl " in cmdline:
            return "parse"  # forked from the crawl: its parse pool
        return "other"

    return role


def crawl_fleet(
    proxy: str, shape: Shape, data: Path, workers: int = 0, redis: str | None = None
) -> Crawled:
    """Crawl the whole fleet at the polite settings into ``data``, measured."""
    data.mkdir(parents=True)
    (data / "sources.toml").write_text(shape.fleet().sources_toml(), encoding="utf-8")
    command = [
        PYTHON, "-m", "app", "crawl", "--proxy", proxy, "--data", str(data),
        "--polite", "--source", FLEET_SOURCES,
        *(["--redis", redis, "--workers", str(workers)] if redis else []),
    ]  # fmt: skip
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    with TreeSampler(process.pid, _role(process.pid)) as sampler:
        output, _ = process.communicate()
    wall = time.monotonic() - started
    if process.returncode not in (0, 3):
        raise RuntimeError(
            f"{' '.join(command)} exited {process.returncode}:\n{output}"
        )
    db = data / "archive.db"
    ((run_started, crawl_s, analysis_s),) = rows(
        db, "SELECT started, crawl_seconds, analysis_seconds FROM runs"
    )
    ((pages,),) = rows(db, "SELECT COUNT(*) FROM captures")
    ((reports,),) = rows(db, "SELECT COUNT(*) FROM reports")
    crawl_end = stamp_seconds(run_started) + crawl_s
    size = sum(f.stat().st_size for f in data.rglob("*") if f.is_file())
    return Crawled(
        mode=f"{workers} workers" if redis else "1 process",
        shape=shape,
        returncode=process.returncode,
        pages=pages,
        reports=reports,
        crawl_s=crawl_s,
        analysis_s=analysis_s or 0.0,
        wall_s=wall,
        crawl_cpu_s=sampler.cpu_at(crawl_end),
        archive_mb=size / 2**20,
        peak_rss_mb=sampler.peaks(),
        processes=sampler.counts(),
        host_rates=_host_rates(db),
    )


def request_times(db: Path) -> dict[str, list[float]]:
    """Host → when each of its answers arrived, in order.

    Answers, not starts: a capture's start is when its request entered Scrapy's
    downloader, where it may then wait out the host's delay; with a fixed latency the
    gaps between answers are the gaps between requests on the wire.
    """
    times: dict[str, list[float]] = {}
    for url, stamp in rows(db, "SELECT url, ended FROM captures"):
        times.setdefault(url.split("/")[2], []).append(stamp_seconds(stamp))
    return {host: sorted(t) for host, t in times.items()}


def _host_rates(db: Path) -> list[float]:
    """Requests per second on each host: (requests - 1) ÷ first to last answer."""
    return [
        (len(t) - 1) / (t[-1] - t[0])
        for t in request_times(db).values()
        if len(t) > 2 and t[-1] > t[0]
    ]


# ---------------------------------------------------------------------------- B2
@dataclass(slots=True)
class Budget:
    """B2 for one crawl: the median host's rate ÷ the ceiling of the settings."""

    mode: str
    hosts: int
    latency_ms: int
    achieved: float  # requests/s on the median host
    ceiling: float
    wall_s: float

    @property
    def ratio(self) -> float:
        return self.achieved / self.ceiling


def ceiling(latency_ms: int) -> float:
    """Requests/s a host may get: one every DELAY s (on average), PER_HOST at a time."""
    return min(1 / DELAY, PER_HOST / (latency_ms / 1000))


def b2_budget(scratch: Path, latency_ms: int = 300) -> list[Budget]:
    """B2 on one host and on 40 hosts at once, in one process and with 2 workers."""
    out = []
    with redis_for_bench(scratch) as redis:
        for shape in (Shape(1, 4, 6), Shape(40, 4, 6)):
            with fleet_replica(shape, latency_ms) as proxy:
                for workers in (0, 2):
                    data = Path(tempfile.mkdtemp(dir=scratch)) / "archive"
                    crawled = crawl_fleet(
                        proxy, shape, data, workers, redis if workers else None
                    )
                    _require_all(crawled)
                    out.append(
                        Budget(
                            crawled.mode,
                            shape.hosts,
                            latency_ms,
                            median(crawled.host_rates),
                            ceiling(latency_ms),
                            crawled.crawl_s,
                        )
                    )
    return out


def b2_lines(budgets: list[Budget]) -> list[str]:
    return [
        f"B2 politeness used, {b.hosts:>3} host{'s' if b.hosts > 1 else ' '}, "
        f"{b.mode:<9} {b.achieved:5.2f} req/s per host · ceiling {b.ceiling:.2f} "
        f"({PER_HOST} at a time, {DELAY:g} s apart, {b.latency_ms} ms latency) · "
        f"ratio {b.ratio:.2f} (goal ≥ 0.9) · crawl {b.wall_s:.0f} s"
        for b in budgets
    ]


# ---------------------------------------------------------------------------- the night
def night(
    scratch: Path,
    sources: tuple[int, ...] = (100, 1_000, 10_000),
    modes: tuple[int, ...] = (0, 2, 4),
    latency_ms: int = 300,
    columns: int = 10,
    years: int = 2,
) -> list[Crawled]:
    """The fleet at each size in ``sources``, in one process (0) and with N workers."""
    out = []
    with redis_for_bench(scratch) as redis:
        for count in sources:
            shape = Shape(max(1, count // columns), columns, years)
            with fleet_replica(shape, latency_ms) as proxy:
                for workers in modes:
                    data = Path(tempfile.mkdtemp(dir=scratch)) / "archive"
                    crawled = crawl_fleet(
                        proxy, shape, data, workers, redis if workers else None
                    )
                    _require_all(crawled)
                    out.append(crawled)
    return out


def _require_all(crawled: Crawled) -> None:
    """A night that missed reports measured something else: say so, loudly."""
    expected = crawled.shape.fleet().expected_reports()
    if crawled.reports != expected:
        raise RuntimeError(
            f"{crawled.mode}, {crawled.shape.sources} sources: {crawled.reports} "
            f"reports archived, the fleet publishes {expected}"
        )


def night_lines(nights: list[Crawled], latency_ms: int = 300) -> list[str]:
    lines = [
        f"Night of many sources (fleet, {latency_ms} ms latency, polite: "
        f"{PER_HOST} per host, {DELAY:g} s apart; 2 cores shared with the replica)"
    ]
    for c in nights:
        rss = " ".join(
            f"{role} {mb:.0f}"
            + (f"×{c.processes[role]}" if c.processes[role] > 1 else "")
            for role, mb in sorted(c.peak_rss_mb.items())
            if role != "other"
        )
        lines.append(
            f"  {c.shape.sources:>6} sources {c.shape.hosts:>5} hosts {c.mode:<9} "
            f"{c.pages_per_s:6.1f} pages/s · {c.cpu_ms_per_page:5.2f} ms CPU/page · "
            f"crawl {c.crawl_s:6.1f} s + analysis {c.analysis_s:6.1f} s · "
            f"{c.kb_per_source:5.1f} KB/source · peak RSS MB: {rss}"
        )
    lines += growth_lines(nights)
    lines += projection_lines(nights)
    return lines


def growth_lines(nights: list[Crawled]) -> list[str]:
    """How wall time and RSS grow with the number of sources, per mode (1.0 = linear)."""
    lines = []
    for mode in dict.fromkeys(c.mode for c in nights):
        runs = sorted(
            (c for c in nights if c.mode == mode), key=lambda c: c.shape.sources
        )
        for small, big in itertools.pairwise(runs):
            factor = big.shape.sources / small.shape.sources
            lines.append(
                f"  growth {mode:<9} {small.shape.sources:>6} → {big.shape.sources:>6} "
                f"sources (×{factor:g}): crawl time ×{big.crawl_s / small.crawl_s:.2f}, "
                f"peak RSS ×{max(big.peak_rss_mb.values()) / max(small.peak_rss_mb.values()):.2f}"
            )
    return lines


@contextmanager
def redis_for_bench(scratch: Path) -> Iterator[str]:
    server = start_redis(Path(tempfile.mkdtemp(dir=scratch)))
    try:
        yield server.url
    finally:
        server.stop()


# ---------------------------------------------------------------------------- projection
@dataclass(frozen=True, slots=True)
class RealNight:
    """The assumptions of the projection for a real night (README, Scaling out)."""

    sources: int = 10_000
    hosts: int = 1_000  # county portals: a county's government, offices and towns
    pages_per_source: float = 10.0  # 1–2 list pages, ~5 years × ~1.5 files
    latency_s: float = 1.0  # a government site far away, answering slowly
    cores: int = 2
    pdf_pages_per_report: float = 12.0  # most reports are PDFs of 10–60 pages
    pdf_pages_per_s: float = (
        150.0  # our parse, one core (B5, 2026-12-04; 22 before PDFium)
    )


def project(night: Crawled, real: RealNight = RealNight()) -> dict[str, float]:
    """Seconds of a real first night by what bounds it, from a measured fleet night."""
    pages = real.sources * real.pages_per_source
    per_host = pages / real.hosts
    concurrency = min(256, PER_HOST * real.hosts)
    return {
        "hosts (one request per DELAY each)": per_host * DELAY,
        "in flight (CONCURRENT_REQUESTS / latency)": pages
        * real.latency_s
        / concurrency,
        "CPU of the crawl (measured CPU per page)": pages
        * night.cpu_ms_per_page
        / 1000
        / max(1, min(real.cores, night.processes.get("worker", 1))),
        "parsing (PDF pages / parse rate / cores)": real.sources
        * (real.pages_per_source - 1)
        / 1.5
        * real.pdf_pages_per_report
        / real.pdf_pages_per_s
        / real.cores,
    }


def projection_lines(nights: list[Crawled], real: RealNight = RealNight()) -> list[str]:
    biggest = [
        c for c in nights if c.shape.sources == max(n.shape.sources for n in nights)
    ]
    lines = [
        f"Projection for a real first night: {real.sources:,} sources on {real.hosts:,} "
        f"hosts, {real.pages_per_source:g} pages per source, {real.latency_s:g} s "
        f"latency, polite defaults, {real.cores} cores; reports as PDFs of "
        f"{real.pdf_pages_per_report:g} pages parsed at {real.pdf_pages_per_s:g} pages/s/core"
    ]
    for night in biggest:
        bounds = project(night, real)
        slowest = max(bounds, key=lambda k: bounds[k])
        detail = " · ".join(
            f"{name} {seconds / 60:.0f} min" for name, seconds in bounds.items()
        )
        lines.append(f"  {night.mode:<9} {detail} → bounded by {slowest}")
        crawl_only = {k: v for k, v in bounds.items() if not k.startswith("parsing")}
        later = max(crawl_only, key=lambda k: crawl_only[k])
        lines.append(
            f"  {'':<9} later nights (the same requests, answered 304, nothing to "
            f"parse): {crawl_only[later] / 60:.0f} min, bounded by {later}"
        )
    return lines
