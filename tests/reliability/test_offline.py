"""Nothing leaves the machine but requests to the sources (issue 11, point 13).

Scrapy's cookie middleware builds a tldextract splitter on import, which downloads
the public suffix list unless told otherwise; `crawler/__init__.py` tells it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from tests.commands import run

if TYPE_CHECKING:
    from pathlib import Path

PROBE = """
import sys
reached = []
sys.addaudithook(
    lambda event, args: reached.append(args[0])
    if event in ("socket.getaddrinfo", "socket.connect") else None
)
import crawler.settings  # what a crawl (and `scrapy`) loads first
from scrapy.downloadermiddlewares import cookies
print(cookies._split_domain("www.wip.gov.cn").suffix)
print("reached:", reached)
"""


def test_the_crawler_never_fetches_the_public_suffix_list(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT")}
    env["TLDEXTRACT_CACHE"] = str(tmp_path / "empty-cache")  # nothing cached
    done = run(sys.executable, "-c", PROBE, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["gov.cn", "reached: []"]
