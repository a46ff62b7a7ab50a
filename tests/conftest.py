"""Shared fixtures: replica servers per night, manifests, and a fetch helper."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from crawler.registry import load_registry
from replica.catalog import catalog
from replica.client import Fetched, fetch, request_raw
from replica.server import ReplicaThread
from tests.crawler.helpers import run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def replica_at() -> Iterator[Callable[[int], ReplicaThread]]:
    """A running replica for night N (one server per night, shared by the session)."""
    servers: dict[int, ReplicaThread] = {}

    def get(epoch: int) -> ReplicaThread:
        if epoch not in servers:
            servers[epoch] = ReplicaThread(epoch).start()
        return servers[epoch]

    yield get
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def replica(replica_at: Callable[[int], ReplicaThread]) -> ReplicaThread:
    """The replica on night 1."""
    return replica_at(1)


@pytest.fixture(scope="session")
def manifest() -> dict[str, dict]:
    """Night 1's manifest by report key."""
    return {entry["key"]: entry for entry in catalog(1).manifest(tables=True)}


@pytest.fixture(scope="session")
def night1(
    tmp_path_factory: pytest.TempPathFactory, replica_at: Callable[[int], Any]
) -> Path:
    """An archive after one crawl of night 1 (copy it before crawling into it again)."""
    data = tmp_path_factory.mktemp("night1")
    done = run_crawl(data, replica_at(1).proxy)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture(scope="session")
def every_night1(
    tmp_path_factory: pytest.TempPathFactory, replica_at: Callable[[int], Any]
) -> Path:
    """An archive after one crawl of night 1 of every registry source (every replica
    host): what the processors make of every report the replica publishes."""
    data = tmp_path_factory.mktemp("every-night1")
    every = [arg for s in load_registry() for arg in ("--source", s.id)]
    done = run_crawl(data, replica_at(1).proxy, *every)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


NO_CHANNELS = {"NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}  # a test crawl sends nothing


@pytest.fixture(scope="session")
def night2(
    tmp_path_factory: pytest.TempPathFactory,
    night1: Path,
    replica_at: Callable[[int], Any],
) -> Path:
    """An archive after nights 1 and 2 (copy it before writing to it).

    Night 2 edits 威海火炬高技术产业开发区经济发展局 2022 and adds 草庙子镇 2024; the
    unbalanced reports are 安丘市发展和改革局 2021 and 平潭综合实验区管理委员会 2020.
    """
    data = tmp_path_factory.mktemp("night2") / "archive"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    done = run_crawl(data, replica_at(2).proxy, env=NO_CHANNELS)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture(scope="session")
def casebook_night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive after one crawl of the replica's casebook (``replica serve
    --casebook``): its twelve scans read by OCR, its planted copies and control pairs
    (replica/casebook.py). Copy it before writing to it."""
    from app.standin import start_replica
    from replica.casebook import sources_toml

    data = tmp_path_factory.mktemp("casebook") / "archive"
    data.mkdir()
    (data / "sources.toml").write_text(sources_toml(), encoding="utf-8")
    standin = start_replica(["--casebook"])
    try:
        done = run_crawl(data, standin.proxy, "--source", "casebook-*")
    finally:
        standin.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def archive_copy(night1: Path, tmp_path: Path) -> Path:
    """A private copy of the night-1 archive (without the backup its crawl made)."""
    target = tmp_path / "archive"
    shutil.copytree(
        night1, target, ignore=shutil.ignore_patterns("crawl.lock", "backups")
    )
    return target


@pytest.fixture
def get(replica: ReplicaThread) -> Callable[..., Fetched]:
    """GET through the night-1 replica (redirects followed)."""

    def go(url: str, headers: dict[str, str] | None = None) -> Fetched:
        return fetch(replica.proxy, url, headers)

    return go


@pytest.fixture
def raw(replica: ReplicaThread) -> Callable[..., Fetched]:
    """One raw request through the night-1 replica (no redirects, no decoding)."""

    def go(
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Fetched:
        return request_raw(replica.proxy, method, url, headers, body)

    return go


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A skipped test is a failed promise: nothing may be skipped (CI runs everything)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} test(s) skipped: skips are not allowed", red=True
        )
        terminalreporter._session.exitstatus = 1
