"""Small helpers: run a command pinned to a CPU, read an archive, take medians."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

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


def seconds_between(first: str, last: str) -> float:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (parse(last) - parse(first)).total_seconds()


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> float:
    """Relative standard deviation (0.05 = ±5 %)."""
    if len(values) < 2 or not statistics.mean(values):
        return 0.0
    return statistics.stdev(values) / statistics.mean(values)
