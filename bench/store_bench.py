"""B4: the blob store (hash, temp file, fsync, rename, directory fsync, database row)
against the machine's limit: min(SHA-256 speed, sequential write + fsync speed)."""

from __future__ import annotations

import hashlib
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from archive.blobs import BlobStore
from archive.db import connect, write
from bench.measure import median, spread


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


def _store_speed(payloads: list[bytes], folder: Path) -> tuple[float, float]:
    """Bytes per second through BlobStore.put plus one committed row per file; ms per file."""
    store = BlobStore(folder / "blobs")
    db = connect(folder / "bench.db")
    db.execute("CREATE TABLE IF NOT EXISTS captures (sha256 TEXT, size INTEGER)")
    started = time.perf_counter()
    for data in payloads:
        digest = store.put(data)
        with write(db):
            db.execute("INSERT INTO captures VALUES (?, ?)", [digest, len(data)])
    seconds = time.perf_counter() - started
    db.conn.close()
    return sum(map(len, payloads)) / seconds, seconds / len(payloads) * 1000


@dataclass(slots=True)
class StoreResult:
    label: str
    store_mb_s: float
    limit_mb_s: float
    ratio: float
    ms_per_file: float
    spread: float


def b4_store(repetitions: int) -> list[StoreResult]:
    out = []
    for label, count, size in (
        ("1 MB files", 48, 1 << 20),
        ("10 MB files", 6, 10 << 20),
        ("20 KB files", 300, 20 << 10),
    ):
        store, limit, per_file, ratios = [], [], [], []
        for rep in range(repetitions):
            payloads = _payloads(count, size, seed=rep)
            with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
                hashed = _hash_speed(payloads)
                written = _write_speed(sum(map(len, payloads)), Path(tmp))
                speed, ms = _store_speed(payloads, Path(tmp))
            store.append(speed)
            limit.append(min(hashed, written))
            per_file.append(ms)
            ratios.append(speed / min(hashed, written))
        out.append(
            StoreResult(
                label,
                median(store) / 1e6,
                median(limit) / 1e6,
                median(ratios),
                median(per_file),
                spread(ratios),
            )
        )
    return out
