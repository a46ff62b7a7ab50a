"""A full disk stops a run early, with its own exit status, never with a traceback.

Before a run: refuse to start below a floor of free space (``NIANBAO_MIN_FREE_MB``,
default 256). During a run: a write that fails with ENOSPC (a blob) or SQLITE_FULL
(the database) stops the crawl; the run is recorded ``disk_full`` if the disk still
takes that, and ``nianbao crawl`` exits with status 6. The archive stays sound:
blobs are written to a temporary file first, and SQLite rolls the transaction back.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from archive.db import is_disk_full

__all__ = ["DiskFull", "is_disk_full", "require_free"]

if TYPE_CHECKING:
    from pathlib import Path

MB = 1024 * 1024


class DiskFull(RuntimeError):
    """The archive's disk is (nearly) full; the message says how full and what to do."""


def require_free(root: Path, floor_mb: float) -> None:
    """:raises DiskFull: when the disk of ``root`` has less than ``floor_mb`` free."""
    probe = root if root.exists() else root.parent
    free = shutil.disk_usage(probe).free / MB
    if free < floor_mb:
        raise DiskFull(
            f"only {free:.0f} MB free on the disk of {root} (a crawl needs at least "
            f"{floor_mb:g} MB: NIANBAO_MIN_FREE_MB); free some space, or move the "
            "archive (--data) to a larger disk"
        )
