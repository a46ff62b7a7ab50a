"""Fixtures for crawl tests: an archive crawled from night 1, and private copies of it."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from tests.crawler.helpers import run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(scope="session")
def night1(
    tmp_path_factory: pytest.TempPathFactory, replica_at: Callable[[int], Any]
) -> Path:
    """An archive after one crawl of night 1 (copy it before crawling into it again)."""
    data = tmp_path_factory.mktemp("night1")
    done = run_crawl(data, replica_at(1).proxy)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def archive_copy(night1: Path, tmp_path: Path) -> Path:
    """A private copy of the night-1 archive."""
    target = tmp_path / "archive"
    shutil.copytree(night1, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target
