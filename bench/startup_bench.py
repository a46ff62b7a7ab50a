"""Replica start-up: `python -m replica serve --port 0` from a cold and from a warm cache.

Timed from launching the process to its ``listening on`` line (imports, building
night 1, binding), pinned to CPU 0 like the replica of the other benchmarks. Cold:
``NIANBAO_REPLICA_CACHE`` names an empty folder, so every document is rendered (and
written); warm: the same folder again, so every document is read (``replica/cache.py``).
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.standin import start_replica
from bench.measure import PYTHON, median, pinned, spread
from replica.cache import ENV

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass(slots=True)
class Startup:
    cold_s: float
    warm_s: float
    ratio: float  # warm ÷ cold
    spread: float  # of the ratios
    repetitions: int


@contextmanager
def _cache_in(folder: Path) -> Iterator[None]:
    """Point the replica's cache at ``folder`` (start_replica passes os.environ on)."""
    before = os.environ.get(ENV)
    os.environ[ENV] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = before


def _time_start(folder: Path) -> float:
    with _cache_in(folder):
        started = time.monotonic()
        replica = start_replica(python=PYTHON, prefix=pinned(0, []))
        ready = time.monotonic() - started
    if replica.stop() != 0:
        raise RuntimeError(f"the replica did not stop cleanly:\n{replica.output}")
    return ready


def startup(repetitions: int, scratch: Path) -> Startup:
    """Medians of ``repetitions`` cold starts, each followed by a warm one."""
    colds, warms = [], []
    for _ in range(repetitions):
        folder = Path(tempfile.mkdtemp(dir=scratch, prefix="replica-cache-"))
        colds.append(_time_start(folder))
        warms.append(_time_start(folder))
    ratios = [w / c for w, c in zip(warms, colds, strict=True)]
    return Startup(
        median(colds), median(warms), median(ratios), spread(ratios), repetitions
    )


def startup_lines(result: Startup) -> list[str]:
    return [
        f"Replica start-up       cold cache {result.cold_s:5.2f} s · "
        f"warm cache {result.warm_s:5.2f} s · warm ÷ cold {result.ratio:.2f} "
        f"(±{result.spread:.0%})"
    ]
