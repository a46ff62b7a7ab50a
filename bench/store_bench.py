"""B4: the blob store (hash, temp file, fsync, rename, directory fsync, database row)
against the machine's limit: min(SHA-256 speed, sequential write + fsync speed).

Files go in as the crawl's archive pipeline sends them: each starts into the store as
it arrives (``BlobStore.put_async``), and the rows follow in batches (whatever arrived
while the writer was busy; here ``BATCH``, the crawl's downloads in flight), one
committed transaction each, once the batch's files are durable.

The ratio is for an archive past its first nights, whose fan-out directories
(``sha256/ab/cd``, 65,792 of them) exist: a new directory costs two more fsyncs (it
is made durable in its parent before a file goes in), which a young archive pays for
most files. That fresh-store ratio, and the same files one at a time (``put``, then a
transaction for its row) in ms per file, are reported beside it.
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from archive.blobs import BlobStore
from archive.db import connect, write
from bench.measure import median, spread
from crawler.settings import CONCURRENT_REQUESTS

BATCH = CONCURRENT_REQUESTS


def _payloads(count: int, size: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(size) for _ in range(count)]


def _hash_speed(payloads: list[bytes]) -> float:
    started = time.perf_counter()
    for data in payloads:
        hashlib.sha256(data).hexdigest()
    return sum(map(len, payloads)) / (time.perf_counter() - started)


def _write_speed(total: int, folder: Path) -> float:
    """The disk's own sequential write speed: ``dd oflag=direct`` of the same total size."""
    path = folder / "raw.bin"
    megabytes = max(1, total >> 20)
    command = [
        "dd",
        "if=/dev/zero",
        f"of={path}",
        "bs=1M",
        f"count={megabytes}",
        "oflag=direct",
    ]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    seconds = time.perf_counter() - started
    path.unlink()
    return (megabytes << 20) / seconds


def _store_speed(store: BlobStore, payloads: list[bytes], batch: int) -> float:
    """Seconds to store ``payloads`` as the pipeline does; ``batch`` 1: one at a time."""
    db = connect(store.root.parent / "bench.db")
    db.execute("CREATE TABLE IF NOT EXISTS captures (sha256 TEXT, size INTEGER)")
    started = time.perf_counter()
    if batch == 1:
        for data in payloads:
            digest = store.put(data)
            with write(db):
                db.execute("INSERT INTO captures VALUES (?, ?)", [digest, len(data)])
    else:
        arriving = [(store.put_async(data), len(data)) for data in payloads]
        for first in range(0, len(arriving), batch):
            rows = [(f.result(), size) for f, size in arriving[first : first + batch]]
            with write(db):
                db.conn.executemany("INSERT INTO captures VALUES (?, ?)", rows)
    seconds = time.perf_counter() - started
    store.close()
    db.conn.close()
    return seconds


def _mature_store(root: Path) -> Path:
    """A blob store root whose every fan-out directory exists and is on disk."""
    for high in range(256):
        for low in range(256):
            (root / "sha256" / f"{high:02x}" / f"{low:02x}").mkdir(parents=True)
    os.sync()
    return root


def _emptied(root: Path, payloads: list[bytes]) -> None:
    """Take the files of ``payloads`` out again (their directories stay)."""
    store = BlobStore(root)
    for data in payloads:
        store.path(hashlib.sha256(data).hexdigest()).unlink(missing_ok=True)
    (root.parent / "bench.db").unlink()


@dataclass(slots=True)
class StoreResult:
    label: str
    store_mb_s: float
    limit_mb_s: float
    ratio: float
    ms_per_file: float
    spread: float
    single_ms_per_file: float  # the same files one at a time, a transaction each
    fresh_ratio: float  # into a new, empty store (every fan-out directory made)


def b4_store(repetitions: int) -> list[StoreResult]:
    out = []
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as scratch:
        mature = _mature_store(Path(scratch) / "mature" / "blobs")
        for label, count, size in (
            ("1 MB files", 96, 1 << 20),
            ("10 MB files", 12, 10 << 20),
            ("20 KB files", 300, 20 << 10),
        ):
            out.append(_b4_size(label, count, size, repetitions, mature))
    return out


def _b4_size(
    label: str, count: int, size: int, repetitions: int, mature: Path
) -> StoreResult:
    store, limit, per_file, single, ratios, fresh = [], [], [], [], [], []
    for rep in range(repetitions):
        payloads = _payloads(count, size, seed=rep)
        total = sum(map(len, payloads))
        with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
            hashed = _hash_speed(payloads)
            written = _write_speed(total, Path(tmp))
            fresh_s = _store_speed(BlobStore(Path(tmp) / "blobs"), payloads, BATCH)
        seconds = _store_speed(BlobStore(mature), payloads, BATCH)
        _emptied(mature, payloads)
        alone = _store_speed(BlobStore(mature), payloads, 1)
        _emptied(mature, payloads)
        limit_b_s = min(hashed, written)
        store.append(total / seconds)
        limit.append(limit_b_s)
        per_file.append(seconds / count * 1000)
        single.append(alone / count * 1000)
        ratios.append(total / seconds / limit_b_s)
        fresh.append(total / fresh_s / limit_b_s)
    return StoreResult(
        label,
        median(store) / 1e6,
        median(limit) / 1e6,
        median(ratios),
        median(per_file),
        spread(ratios),
        median(single),
        median(fresh),
    )
