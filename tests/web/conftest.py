"""What the web tests share: a private copy of the night-2 archive served in-process."""

from __future__ import annotations

import asyncio
import shutil
from typing import TYPE_CHECKING

import pytest

from alerts.config import Alerts
from web.serve import build

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import httpx
    from datasette.app import Datasette


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, night2: Path) -> Path:
    """A private copy of the night-2 archive (the server only reads it)."""
    target = tmp_path_factory.mktemp("web") / "archive"
    shutil.copytree(night2, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


@pytest.fixture(scope="module")
def datasette(data: Path) -> Datasette:
    return build(data, Alerts())


@pytest.fixture(scope="module")
def get(datasette: Datasette) -> Iterator[Callable[[str], httpx.Response]]:
    """GET through Datasette's in-process ASGI client (one event loop for the module)."""
    loop = asyncio.new_event_loop()
    loop.run_until_complete(datasette.invoke_startup())
    yield lambda path: loop.run_until_complete(datasette.client.get(path))
    loop.close()
