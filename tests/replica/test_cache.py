"""The replica's document cache (replica/cache.py): a replica started from it serves
exactly what a fresh build serves, a broken entry is rebuilt and never trusted, and
old entries do not pile up."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from app.standin import start_replica
from replica import cache
from replica.client import request_raw

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

# Night 2, built on night 1: the re-saved report's PDF is served in its second variant.
EPOCH = 2
RESAVED = "anqiu-jingzhi/2022"
PAGES = [  # pages built on every start (not cached), which embed cached documents' links
    "http://www.wip.gov.cn/col/col151616/index.html",
    "http://www.whctp.gov.cn/module/web/jpage/dataproxy.jsp?columnid=82956&page=1",
    "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/",
]
HEADERS = ("Content-Type", "Content-Length", "ETag", "Last-Modified")
Served = dict[str, tuple[int, dict[str, str], bytes]]


@dataclass(frozen=True, slots=True)
class Start:
    manifest: list[dict]
    served: Served


def _urls(manifest: list[dict]) -> list[str]:
    """A few pages, and one file of each format from each site, and the changed ones."""
    urls = list(PAGES)
    seen: set[tuple[str, str]] = set()
    for entry in manifest:
        for item in entry["files"]:
            picked = (entry["site"], item["format"])
            if entry["key"] == RESAVED or picked not in seen:
                seen.add(picked)
                urls.append(item["url"])
    return urls


def _start(root: Path, monkeypatch: pytest.MonkeyPatch) -> Start:
    """Start ``python -m replica serve`` on night 2 with its cache in ``root``."""
    monkeypatch.setenv(cache.ENV, str(root))
    standin = start_replica(["--epoch", str(EPOCH)])
    try:
        manifest_url = f"{standin.proxy}/_replica/manifest"
        text = request_raw(standin.proxy, "GET", manifest_url).body.decode()
        manifest = [json.loads(line) for line in text.splitlines()]
        served: Served = {}
        for url in _urls(manifest):
            got = request_raw(standin.proxy, "GET", url)
            headers = {k: v for k, v in got.headers.items() if k in HEADERS}
            served[url] = (got.status, headers, got.body)
    finally:
        assert standin.stop() == 0, standin.output
    return Start(manifest, served)


def _entries(root: Path) -> dict[Path, tuple[int, int, bytes]]:
    """Every cache entry: (inode, mtime, bytes), to see whether it was rewritten."""
    return {
        path: (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
        for path in root.rglob("*")
        if path.is_file()
    }


@dataclass(frozen=True, slots=True)
class Cold:
    root: Path
    start: Start
    entries: dict[Path, tuple[int, int, bytes]]


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Cold:
    """A replica started with an empty cache (a fresh build), and the cache it left."""
    root = tmp_path_factory.mktemp("replica-cache")
    with pytest.MonkeyPatch.context() as monkeypatch:
        start = _start(root, monkeypatch)
    return Cold(root, start, _entries(root))


def _name(fmt: str, key: str, variant: int) -> str:
    return f"{fmt}-{quote(key, safe='')}-v{variant}"


def test_a_fresh_start_writes_every_document_once(cold: Cold) -> None:
    names = {path.name for path in cold.entries}
    assert len(names) == len(cold.entries)  # one fingerprint, one profile
    assert {path.parent.name for path in cold.entries} == {"scale1"}
    served = {
        _name(item["format"], entry["key"], 2 if entry["key"] == RESAVED else 1)
        for entry in cold.start.manifest
        if entry["family"] != "fujian"
        for item in entry["files"]
        if item["format"] in ("pdf", "docx")
    }
    assert {name.split("-")[0] for name in served} == {"pdf", "docx"}
    assert served <= names
    # Night 2 is built on night 1: its documents (v1 of the re-saved PDF, those of
    # the report removed on night 2) are there too, and the Pingtan 全真版 PDF.
    assert _name("pdf", RESAVED, 1) in names
    assert any(name.startswith("pingtan-qzb-") for name in names - served)
    for name in names - served:
        assert name.endswith("-v1") or name.startswith("pingtan-qzb-"), name


def test_a_start_from_the_cache_serves_exactly_what_a_fresh_build_serves(
    cold: Cold, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm = _start(cold.root, monkeypatch)
    assert warm.manifest == cold.start.manifest  # every file's SHA-256 included
    assert warm.served == cold.start.served
    assert len(warm.served) >= 10
    assert all(status == 200 for status, _, _ in warm.served.values())
    # Nothing rendered again: a miss would have rewritten its entry (new inode).
    assert _entries(cold.root) == cold.entries


def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(
    cold: Cold, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    shutil.copytree(cold.root, root)
    copied = _entries(root)
    by_name = {path.name: path for path in copied}
    flipped = by_name[_name("pdf", RESAVED, 2)]
    data = bytearray(flipped.read_bytes())
    data[-100] ^= 0xFF  # a wrong byte in the document, same length
    flipped.write_bytes(bytes(data))
    truncated = by_name[min(n for n in by_name if n.startswith("docx-"))]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    garbage = by_name[min(n for n in by_name if n.startswith("pingtan-qzb-"))]
    garbage.write_bytes(b"\x80\x04not a cache entry")
    empty = by_name[min(n for n in by_name if n.startswith("pdf-") and n[-2:] == "v1")]
    empty.write_bytes(b"")
    broken = {flipped, truncated, garbage, empty}

    warm = _start(root, monkeypatch)

    assert warm.manifest == cold.start.manifest
    assert warm.served == cold.start.served
    after = _entries(root)
    assert set(after) == set(copied)
    for path in broken:  # rebuilt: the fresh build's bytes again, in a new file
        assert after[path][2] == cold.entries[cold.root / path.relative_to(root)][2]
        assert after[path][0] != copied[path][0]
    for path in set(copied) - broken:  # the others were read, not rewritten
        assert after[path] == copied[path]


# ---------------------------------------------------------------- the cache itself


def _counting(data: bytes) -> tuple[list[int], Callable[[], bytes]]:
    calls: list[int] = []

    def build() -> bytes:
        calls.append(1)
        return data

    return calls, build


def test_an_entry_is_built_once_then_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    calls, build = _counting(b"%PDF-1.4 one")
    assert cache.stored("scale1", "pdf-x-v1", build) == b"%PDF-1.4 one"
    assert cache.stored("scale1", "pdf-x-v1", build) == b"%PDF-1.4 one"
    assert calls == [1]
    entry = tmp_path / cache.fingerprint() / "scale1" / "pdf-x-v1"
    assert entry.read_bytes().startswith(cache.MAGIC)
    assert entry.read_bytes().endswith(b"%PDF-1.4 one")
    assert [p.name for p in entry.parent.iterdir()] == ["pdf-x-v1"]  # no temp left


def test_off_reads_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cache_root() is None
    calls, build = _counting(b"bytes")
    assert cache.stored("scale1", "pdf-x-v1", build) == b"bytes"
    assert cache.stored("scale1", "pdf-x-v1", build) == b"bytes"
    assert calls == [1, 1]


def test_the_default_location_is_in_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(cache.ENV, raising=False)
    assert cache.cache_root() == cache.PACKAGE / ".cache"
    assert cache.PACKAGE.name == "replica"


def test_a_cache_that_cannot_be_written_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    monkeypatch.setenv(cache.ENV, str(not_a_folder))
    before = cache.STATS["unwritten"]
    calls, build = _counting(b"bytes")
    assert cache.stored("scale1", "pdf-x-v1", build) == b"bytes"
    assert cache.stored("scale1", "pdf-x-v1", build) == b"bytes"
    assert calls == [1, 1]
    assert cache.STATS["unwritten"] == before + 2


def test_the_first_write_deletes_other_fingerprints_and_stale_temp_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    monkeypatch.setattr(cache, "_pruned", set())
    old = tmp_path / ("0" * cache.FINGERPRINT_DIGITS) / "scale1"
    old.mkdir(parents=True)
    (old / "pdf-x-v1").write_bytes(b"old")
    (tmp_path / "notes").mkdir()  # not named like a fingerprint: not ours to delete
    (tmp_path / "README.txt").write_text("mine")
    scope = tmp_path / cache.fingerprint() / "scale1"
    scope.mkdir(parents=True)
    stale, fresh = scope / ".pdf-y-v1.dead.tmp", scope / ".pdf-z-v1.live.tmp"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    hours_ago = stale.stat().st_mtime - 2 * cache.STALE_TEMP_SECONDS
    os.utime(stale, (hours_ago, hours_ago))

    cache.stored("scale1", "pdf-x-v1", lambda: b"new")

    assert not old.parent.exists()
    assert (tmp_path / "notes").is_dir()
    assert (tmp_path / "README.txt").read_text() == "mine"
    assert not stale.exists()
    assert fresh.exists()  # another process may be writing it right now
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["README.txt", "notes", cache.fingerprint()]
    )


def test_the_fingerprint_covers_code_data_and_assets_but_not_caches(
    tmp_path: Path,
) -> None:
    files = {
        "site.py": "code",
        "families/hanweb.py": "code",
        "data/sites.yaml": "data",
        "data/pingtan/80485.html": "data",
        "assets/trs-page.js": "asset",
        ".cache/abc/scale1/pdf-x-v1": "entry",
        "__pycache__/site.cpython-311.pyc": "bytecode",
        "families/__pycache__/hanweb.cpython-311.pyc": "bytecode",
        "notes.txt": "not a source",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    env = ["python cpython 3.11.7", "reportlab 4.5.1"]
    base = cache.digest(tmp_path, env)
    assert cache.digest(tmp_path, env) == base
    assert cache.digest(tmp_path, [*env[:1], "reportlab 4.5.2"]) != base
    for name in files:
        path = tmp_path / name
        path.write_text(files[name] + " changed")
        counted = cache.digest(tmp_path, env) != base
        path.write_text(files[name])
        sourced = name.endswith(".py") or name.startswith(("data/", "assets/"))
        assert counted == sourced, name
    (tmp_path / "data" / "new.yaml").write_text("data")
    assert cache.digest(tmp_path, env) != base
