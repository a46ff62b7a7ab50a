"""What the browser tests share: `nianbao serve` on a copy of an archive, and a page
in real Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import shutil
import signal
import subprocess
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Page, sync_playwright

from app.config import chromium_path
from crawler.settings import CHROMIUM_ARGS
from tests.web.test_serve import free_port, start_serve, wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@contextmanager
def served_copy(archive: Path, root: Path) -> Iterator[tuple[str, Path]]:
    """`nianbao serve` (a real subprocess) on a copy of ``archive`` made in ``root``:
    (its base URL, the copy). It must stop cleanly on SIGTERM."""
    data = root / "archive"
    shutil.copytree(archive, data, ignore=shutil.ignore_patterns("crawl.lock"))
    port = free_port()
    log = root / "serve.log"
    with log.open("w") as out:
        process = start_serve(data, port, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/-/versions.json", process)
        yield base, data
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()


@contextmanager
def chromium_page(**context: Any) -> Iterator[Page]:
    """A page of a fresh Chromium context, in Chinese, 1280 × 900."""
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_ARGS)
        )
        try:
            options = {
                "locale": "zh-CN",
                "viewport": {"width": 1280, "height": 900},
                **context,
            }
            yield browser.new_context(**options).new_page()
        finally:
            browser.close()
