"""Fixtures of the alerts tests: the archive after night 2, and the loopback receivers."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from archive.db import open_archive
from tests.alerts.receivers import silent_endpoint, smtp_receiver, webhook_sink
from tests.crawler.helpers import run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from archive.db import Archive

__all__ = [
    "night2",
    "night2_copy",
    "night2_outbox",
    "silent_endpoint",
    "smtp_receiver",
    "webhook_sink",
]
NO_CHANNELS = {"NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}  # the crawl sends nothing


@pytest.fixture(scope="session")
def night2(
    tmp_path_factory: pytest.TempPathFactory,
    night1: Path,
    replica_at: Callable[[int], Any],
) -> Path:
    """An archive after nights 1 and 2 (copy it before writing to it)."""
    data = tmp_path_factory.mktemp("night2") / "archive"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    done = run_crawl(data, replica_at(2).proxy, env=NO_CHANNELS)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def night2_copy(night2: Path, tmp_path: Path) -> Path:
    """A private copy of the night-2 archive."""
    target = tmp_path / "night2"
    shutil.copytree(night2, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


@pytest.fixture
def night2_outbox(night2_copy: Path) -> Iterator[Archive]:
    """The night-2 archive, opened, with nothing queued yet.

    The crawl itself queues its messages for the channels it knew (none): emptying the
    outbox lets a test queue them again for its own channels.
    """
    archive = open_archive(night2_copy)
    archive.db.execute("DELETE FROM deliveries")
    archive.db.execute("DELETE FROM outbox")
    yield archive
    archive.close()
