"""The replica's rendered documents, kept on disk so that a replica starts in a blink.

Building the replica (``replica.catalog.catalog``) is ~95 % rendering documents:
every report posted as PDF (reportlab) or Word (python-docx) takes ~0.1–0.2 s, ~4 s
in all for a night, in every process that starts a replica. The rest (HTML pages,
lists, endpoints, Last-Modified stamping) takes ~0.15 s and is still built on every
start, by the same code as without the cache.

What is cached is the documents' bytes, not the ``Catalog``: a catalog's sites hold
endpoint handlers (closures over the columns and stores they serve) that pickle
cannot store, and a document does not depend on the night but through its variant
(2 for an edited or re-saved report from night 2 on), so one entry serves every
night, every process, and a night 2 after a night 1 renders just those two.

Key: an entry is ``ROOT/FINGERPRINT/PROFILE/NAME``.

* ``FINGERPRINT``: SHA-256 (24 hex digits) of every ``*.py`` under ``replica/``,
  every file under ``replica/data/`` and ``replica/assets/`` (path and bytes), the
  Python implementation and version, zlib's version, and the versions of what writes
  the bytes: reportlab, python-docx, lxml, Pillow and its libjpeg, PyYAML, and for
  the casebook's scans pypdfium2 and numpy.
* ``PROFILE``: the replica's ``Profile`` (``scale1``, ``scale4-bench``, …).
* ``NAME``: the document: format, report key and variant (``pdf-wip-gw%2F2022-v1``),
  or the Pingtan 全真版 PDF by docid (``pingtan-qzb-80485-pdf``).

Location: ``replica/.cache/`` in the repository (git-ignored), unless the
environment variable ``NIANBAO_REPLICA_CACHE`` names another directory;
``NIANBAO_REPLICA_CACHE=off`` turns the cache off (everything is rendered, nothing
is read or written).

Safety: several processes may start replicas at once (pytest, crawl subprocesses,
the benchmarks). An entry is written to a temporary file in its folder, fsync'ed
and renamed over its name (``os.replace``), so a reader sees a whole entry or none.
An entry starts with a magic line and the SHA-256 of its payload; one that is
unreadable, truncated or does not match is ignored, rendered again and rewritten.
Failing to write is never an error (the replica just renders next time too). The
bytes served are the same with and without the cache (``tests/replica/test_cache.py``).

Invalidation: a change to anything in the fingerprint gives a new folder, and the
old entries are never read again; the first write under a fingerprint in a process
deletes the folders of the other fingerprints (only folders named like one), and
temporary files left by writers that died an hour ago or more. Entries of other
profiles under the same fingerprint stay: the tests and the benchmarks alternate.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections import Counter
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

ENV = "NIANBAO_REPLICA_CACHE"
OFF = "off"
PACKAGE = Path(__file__).resolve().parent
DEFAULT_ROOT = PACKAGE / ".cache"
MAGIC = b"nianbao replica cache 1\n"
DIGEST_SIZE = hashlib.sha256().digest_size
FINGERPRINT_DIGITS = 24
FINGERPRINT_NAME = re.compile(rf"[0-9a-f]{{{FINGERPRINT_DIGITS}}}")
STALE_TEMP_SECONDS = 3600
# What this process did: hits, misses, corrupt (ignored entries), written, unwritten.
STATS: Counter[str] = Counter()
_pruned: set[Path] = set()


def cache_root() -> Path | None:
    """Where the entries go, or None when ``NIANBAO_REPLICA_CACHE=off``."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() == OFF:
        return None
    return Path(value).expanduser() if value else DEFAULT_ROOT


def source_files(package: Path) -> list[Path]:
    """The files the replica's bytes are made from: its code, data and assets."""
    found = set(package.rglob("*.py"))
    for folder in ("data", "assets"):
        found.update(p for p in (package / folder).rglob("*") if p.is_file())
    return sorted(
        (
            p
            for p in found
            if not any(
                part.startswith(".") or part == "__pycache__"
                for part in p.relative_to(package).parts
            )
        ),
        key=lambda p: p.relative_to(package).as_posix(),
    )


def libraries() -> list[str]:
    """The interpreter and the libraries whose versions can change a document's bytes."""
    import docx  # the renderers import them all anyway
    import lxml.etree
    import PIL
    import PIL.features
    import reportlab  # type: ignore[import-untyped]
    import yaml

    return [
        f"python {sys.implementation.name} {platform.python_version()}",
        f"zlib {zlib.ZLIB_RUNTIME_VERSION}",
        f"reportlab {reportlab.Version}",
        f"python-docx {docx.__version__}",
        f"lxml {lxml.etree.__version__}",
        f"pillow {PIL.__version__} libjpeg {PIL.features.version('jpg')}",
        f"pyyaml {yaml.__version__}",
        # The casebook's scans (replica/scans.py); not imported: numpy is slow to load.
        f"pypdfium2 {metadata.version('pypdfium2')}",
        f"numpy {metadata.version('numpy')}",
    ]


def digest(package: Path, environment: Iterable[str]) -> str:
    """The fingerprint of ``package``'s sources (see ``source_files``) and ``environment``."""
    sha = hashlib.sha256()
    for line in environment:
        sha.update(line.encode() + b"\n")
    for path in source_files(package):
        data = path.read_bytes()
        sha.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
        sha.update(data)
    return sha.hexdigest()[:FINGERPRINT_DIGITS]


@cache
def fingerprint() -> str:
    """This replica's fingerprint (computed once per process)."""
    return digest(PACKAGE, libraries())


def stored(scope: str, name: str, build: Callable[[], bytes]) -> bytes:
    """The bytes of entry ``scope/name``: read from the cache, or built and written."""
    root = cache_root()
    if root is None:
        return build()
    folder = root / fingerprint() / scope
    path = folder / name
    data = _read(path)
    if data is not None:
        STATS["hits"] += 1
        return data
    STATS["misses"] += 1
    data = build()
    _write(root, path, data)
    return data


def _read(path: Path) -> bytes | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        STATS["corrupt"] += 1
        logger.warning("replica cache: cannot read %s (%s); rebuilding it", path, exc)
        return None
    start = len(MAGIC) + DIGEST_SIZE
    payload = raw[start:]
    if (
        not raw.startswith(MAGIC)
        or len(raw) < start
        or hashlib.sha256(payload).digest() != raw[len(MAGIC) : start]
    ):
        STATS["corrupt"] += 1
        logger.warning("replica cache: %s is corrupt; rebuilding it", path)
        return None
    return payload


def _write(root: Path, path: Path, data: bytes) -> None:
    """Write an entry atomically (temp file, fsync, rename); never raise for an OSError."""
    try:
        _prune(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC)
                out.write(hashlib.sha256(data).digest())
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            Path(temp).replace(path)  # os.replace: atomic on POSIX
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_folder(path.parent)
    except OSError as exc:
        STATS["unwritten"] += 1
        logger.warning("replica cache: cannot write %s (%s)", path, exc)
        return
    STATS["written"] += 1


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable too (best effort: not every system can)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prune(root: Path) -> None:
    """Once per process and root: delete other fingerprints' folders and stale temp files."""
    if root in _pruned:
        return
    _pruned.add(root)
    current = fingerprint()
    try:
        children = list(root.iterdir())
    except OSError:
        return
    for child in children:
        if (
            child.name != current
            and FINGERPRINT_NAME.fullmatch(child.name)
            and child.is_dir()
            and not child.is_symlink()
        ):
            shutil.rmtree(child, ignore_errors=True)
    stale = time.time() - STALE_TEMP_SECONDS
    for temp in (root / current).glob("*/.*.tmp"):
        try:
            if temp.stat().st_mtime < stale:
                temp.unlink()
        except OSError:
            continue
