"""Fixtures of the alerts tests: copies of the night-2 archive, and the loopback receivers."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from archive.db import open_archive
from tests.alerts.receivers import silent_endpoint, smtp_receiver, webhook_sink

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from archive.db import Archive

__all__ = [
    "night2_copy",
    "night2_outbox",
    "silent_endpoint",
    "smtp_receiver",
    "webhook_sink",
]


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
