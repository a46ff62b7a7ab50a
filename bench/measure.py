"""Small helpers: run a command pinned to a CPU, read an archive, take medians."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def pinned(cpu: int, command: list[str]) -> list[str]:
    """Prefix ``taskset -c CPU`` when there are two CPUs to keep server and client apart."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu), *command]
    return command


@dataclass(frozen=True, slots=True)
class Timed:
    wall: float
    cpu: float
    returncode: int


def run(command: list[str], env: dict[str, str] | None = None) -> Timed:
    """Run to completion; wall seconds and the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(wall, cpu, done.returncode)


def rows(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def stamp_seconds(text: str) -> float:
    """An archive's UTC timestamp (``2026-12-04T15:51:51.958Z``) as epoch seconds."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def seconds_between(first: str, last: str) -> float:
    return stamp_seconds(last) - stamp_seconds(first)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> float:
    """Relative standard deviation (0.05 = ±5 %)."""
    if len(values) < 2 or not statistics.mean(values):
        return 0.0
    return statistics.stdev(values) / statistics.mean(values)


# ---------------------------------------------------------------------------- process trees
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(slots=True)
class Seen:
    """One process of a sampled tree: its role, peak RSS and CPU at the last look."""

    role: str
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class TreeSampler:
    """Every process under ``root`` (Linux /proc), looked at every ``interval`` s.

    Peak RSS is each process's own high-water mark (VmHWM), so a look shortly before
    it exits sees its true peak; CPU is its user+system time at the last look (a
    process that exits loses at most one interval). ``timeline`` holds (wall clock,
    CPU of every process seen so far) for reading the CPU at a moment (e.g. the end
    of a crawl phase). ``role`` names a process from its command line.
    """

    def __init__(
        self, root: int, role: Callable[[int, str], str], interval: float = 0.2
    ) -> None:
        self.root, self.role, self.interval = root, role, interval
        self.seen: dict[int, Seen] = {}
        self.timeline: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.look()
            self._stop.wait(self.interval)

    def look(self) -> None:
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
                parents[int(entry.name)], cpu[int(entry.name)] = stat
        tree = {self.root}
        grew = True
        while grew:
            below = {p for p, parent in parents.items() if parent in tree} - tree
            tree |= below
            grew = bool(below)
        for pid in tree & cpu.keys():
            seen = self.seen.get(pid)
            if seen is None or seen.role == "other":
                # A child seen between its fork and its exec still shows the parent's
                # command line: ask again until it has a role, and count its peak
                # from the exec on (the fork's high-water mark is the parent's).
                role = self.role(pid, _cmdline(pid))
                if seen is None or role != seen.role:
                    seen = self.seen[pid] = Seen(role)
            seen.cpu_s = max(seen.cpu_s, cpu[pid])
            seen.peak_rss_mb = max(seen.peak_rss_mb, _peak_rss_mb(pid))
        self.timeline.append((time.time(), sum(s.cpu_s for s in self.seen.values())))

    def cpu_at(self, moment: float) -> float:
        """CPU seconds of the whole tree at wall-clock ``moment`` (the last look before it)."""
        before = [cpu for when, cpu in self.timeline if when <= moment]
        return before[-1] if before else 0.0

    def peaks(self) -> dict[str, float]:
        """Role → the highest peak RSS (MB) of any process in that role."""
        out: dict[str, float] = {}
        for seen in self.seen.values():
            out[seen.role] = max(out.get(seen.role, 0.0), seen.peak_rss_mb)
        return out

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for seen in self.seen.values():
            out[seen.role] = out.get(seen.role, 0) + 1
        return out
