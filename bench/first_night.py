"""A first night of the benchmark mix end to end, against an earlier nianbao.

Issue 16 asks for a first night at least 4× faster than on the day it was filed
(:data:`DAY_ONE`, the last commit before its work). This checks that commit out into
a git worktree beside the scratch folder, and runs both `nianbao crawl`s (crawl and
analysis, as a user runs them: no CPU pinned, default workers) over the replica's
benchmark mix at scale 1, every source, into fresh archives, alternating, each
`repetitions` times. Both run on this checkout's virtual environment: an earlier
commit whose dependencies differ cannot be measured so.

`python -m bench --only first-night [--against COMMIT]` (about 3 minutes a repetition).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.standin import start_replica
from bench.measure import PYTHON, ROOT, median, rows, spread

DAY_ONE = "1a52fa4"  # 2026-12-04 19:48, issue 16 filed: crawl ~4 s + analysis ~120 s


@dataclass(slots=True)
class FirstNight:
    against: str
    then_s: list[float] = field(default_factory=list)
    now_s: list[float] = field(default_factory=list)
    now_crawl_s: list[float] = field(default_factory=list)
    documents: int = 0

    @property
    def speedup(self) -> float:
        """The earlier commit's first night ÷ this one's (medians)."""
        return median(self.then_s) / median(self.now_s)

    def as_record(self) -> dict[str, object]:
        return {
            "against": self.against,
            "then_s": self.then_s,
            "now_s": self.now_s,
            "now_crawl_s": self.now_crawl_s,
            "documents": self.documents,
            "speedup": self.speedup,
            "spread": spread(
                [t / n for t, n in zip(self.then_s, self.now_s, strict=True)]
            ),
        }


def first_night(scratch: Path, repetitions: int, against: str = DAY_ONE) -> FirstNight:
    tree = scratch / f"nianbao-{against}"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), against],
        check=True,
        capture_output=True,
    )
    found = FirstNight(against)
    replica = start_replica(["--scale", "1", "--bench"], python=PYTHON)
    try:
        for _ in range(repetitions):
            found.then_s.append(_night(tree, replica.proxy, scratch)[0])
            now, crawl, documents = _night(ROOT, replica.proxy, scratch)
            found.now_s.append(now)
            found.now_crawl_s.append(crawl)
            found.documents = documents
    finally:
        replica.stop()
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            check=False,
            capture_output=True,
        )
    return found


def _night(tree: Path, proxy: str, scratch: Path) -> tuple[float, float, int]:
    """One `nianbao crawl` of the code in ``tree`` into a new archive: its wall time,
    its crawl phase (where the archive records it), how many documents it archived."""
    data = Path(tempfile.mkdtemp(dir=scratch)) / "archive"
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "app", "crawl", "--proxy", proxy, "--data", str(data)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
    )
    wall = time.monotonic() - started
    db = data / "archive.db"
    ((documents,),) = rows(db, "SELECT COUNT(*) FROM documents")
    try:
        ((crawl,),) = rows(db, "SELECT crawl_seconds FROM runs")
    except sqlite3.OperationalError:  # an archive from before runs timed their phases
        crawl = 0.0
    return wall, float(crawl or 0.0), int(documents)


def first_night_lines(found: FirstNight) -> list[str]:
    return [
        f"First night, bench mix ({found.documents} documents), end to end: "
        f"{median(found.now_s):5.1f} s (crawl {median(found.now_crawl_s):4.1f} s) · "
        f"{found.against}: {median(found.then_s):5.1f} s · {found.speedup:.2f}× faster "
        f"(goal ≥ 4)"
    ]
