"""The content-addressed blob store: every original file, once, under its SHA-256.

Layout: ``blobs/sha256/ab/cd/<hex>``. A blob is written to ``blobs/tmp/``, fsynced,
renamed into place and its directory fsynced *before* any database row points at
it, so a killed process can leave at most an unreferenced temporary file (cleared
on the next open), never a row without its blob. Names never come from a server.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobStore:
    """Blobs under ``root`` (normally ``DATA/blobs``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self._made: set[Path] = set()  # fan-out directories known to exist

    def clear_temporary(self) -> int:
        """Delete temporary files a killed writer left behind; return how many.

        Only call this while holding the crawl lock (no other writer is running).
        """
        leftovers = list(self.tmp.iterdir())
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        return len(leftovers)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (no-op if already stored); return its SHA-256."""
        return self.put_many([data])[0]

    def put_many(self, blobs: list[bytes]) -> list[str]:
        """Store each of ``blobs`` durably; return their SHA-256s in order.

        Every file is fsynced; each directory that gained a file is fsynced once, after
        all of them (one journal commit for the batch instead of one per file).
        """
        digests, touched = [], set()
        for data in blobs:
            digest, directory = self._write(data)
            digests.append(digest)
            if directory is not None:
                touched.add(directory)
        for directory in touched:
            fsync_path(directory)
        return digests

    def _write(self, data: bytes) -> tuple[str, Path | None]:
        """Write one blob (fsynced, renamed into place); the directory it entered, if new."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path(digest)
        if final.is_file():
            return digest, None
        if final.parent not in self._made:
            final.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(final.parent)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=digest[:12] + ".")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp_name).replace(final)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return digest, final.parent

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """Does the stored file still hash to its name?"""
        path = self.path(sha256)
        return (
            path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256
        )


def fsync_path(path: Path) -> None:
    """Flush a file or a directory (its entries: a rename is durable only then)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
