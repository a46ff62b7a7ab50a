"""The blob store writes several files at once and keeps the durability order for
each: temp file fsynced → renamed into place → its directory fsynced, a new fan-out
directory fsynced in its parent before any file goes in, and only then the digest
handed back (a row may point at it)."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest

import archive.blobs
from archive.blobs import BlobStore


def _payloads(count: int, size: int) -> list[bytes]:
    rng = random.Random(7)
    return [rng.randbytes(size) for _ in range(count)]


def test_a_batch_is_stored_whole_in_order_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    store = BlobStore(tmp_path)
    payloads = _payloads(40, 64 << 10)
    digests = store.put_many(payloads)
    store.close()
    assert digests == [hashlib.sha256(p).hexdigest() for p in payloads]
    assert [store.get(d) for d in digests] == payloads
    assert list(store.tmp.iterdir()) == []


def test_the_same_bytes_written_at_once_are_stored_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    renamed: list[Path] = []
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        renamed.append(Path(target))
        return real_replace(self, target)

    data = _payloads(1, 4 << 20)[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "replace", replace)
        futures = [store.put_async(data) for _ in range(8)]
        digests = {future.result() for future in futures}
    store.close()
    assert digests == {hashlib.sha256(data).hexdigest()}
    assert renamed == [store.path(hashlib.sha256(data).hexdigest())]
    assert store.verify(digests.pop())


def test_one_refused_file_fails_alone_after_the_others_are_stored(
    tmp_path: Path,
) -> None:
    store = BlobStore(tmp_path)
    good = _payloads(6, 1024)
    with pytest.raises(TypeError):
        store.put_many([*good[:3], "not bytes", *good[3:]])  # type: ignore[list-item]
    store.close()
    assert all(store.exists(hashlib.sha256(p).hexdigest()) for p in good)


def test_each_file_is_durable_in_order_before_its_digest_is_handed_back(
    tmp_path: Path,
) -> None:
    """Every fsync and rename, as the threads did them, checked file by file."""
    store = BlobStore(tmp_path / "blobs")
    events: list[tuple[str, Path]] = []
    real_fsync, real_replace = os.fsync, Path.replace
    real_sync_path = archive.blobs.fsync_path

    def fsync(fd: int) -> None:
        real_fsync(fd)
        events.append(("fsync", Path(f"/proc/self/fd/{fd}").readlink()))

    def sync_path(path: Path) -> None:
        real_sync_path(path)
        events.append(("dir", path))

    def replace(self: Path, target: Path) -> Path:
        events.append(("rename", self))
        events.append(("into", Path(target)))
        return real_replace(self, target)

    payloads = _payloads(24, 256 << 10)
    handed: list[tuple[str, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", fsync)
        patch.setattr(archive.blobs, "fsync_path", sync_path)
        patch.setattr(Path, "replace", replace)
        futures = [store.put_async(p) for p in payloads]
        for future in futures:
            handed.append((future.result(), len(events)))
    store.close()

    for digest, seen in handed:
        final = store.path(digest)
        before = events[:seen]  # what had happened when the digest was handed back
        into = before.index(("into", final))
        temporary = before[into - 1][1]
        assert before.index(("fsync", temporary)) < into  # data flushed, then renamed
        assert ("dir", final.parent) in before[into:]  # the rename flushed
        for made in (final.parent, final.parent.parent):  # sha256/ab/cd, sha256/ab
            # a fan-out directory is durable in its parent before a file goes in
            assert ("dir", made.parent) in before[:into]
