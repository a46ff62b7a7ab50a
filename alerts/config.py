"""The settings alerts need: channels and where messages link to (read by ``app/config.py``).

These are plain types; the one place that reads them from the environment and the
config file is ``app/config.py``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, get_args

EventKind = Literal[
    "baseline",  # a source's first crawl: one summary, not one alert per report
    "new_report",
    "changed",
    "removed",  # off the list, and its files answer 404/410
    "delisted",  # off the list, its files still there
    "restored",
    "inconsistent",  # a report's figures fail a consistency check
    "late",  # no report by the legal deadline
    "source",  # a source yielded nothing, no longer matches, or is blocked by a WAF
    "health",  # no successful run for too long
    "copied",  # a new report is (nearly) another body's report: opt-in per channel
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
# Kinds a channel gets only when its `kinds` name them (a channel without `kinds`,
# or one from $NIANBAO_ALERTS, takes every other kind).
OPT_IN_KINDS = ("copied",)


@dataclass(frozen=True, slots=True)
class Channel:
    """One place alerts go: an apprise URL, optionally narrowed to regions, bodies, kinds."""

    url: str
    name: str
    regions: tuple[str, ...] = ()  # prefixes: "山东省" takes every region in Shandong
    bodies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def wants(self, kind: str, region: str | None, body: str | None) -> bool:
        """Does this channel subscribe to a message of ``kind`` about ``body`` in ``region``?"""
        if (self.kinds or kind in OPT_IN_KINDS) and kind not in self.kinds:
            return False
        if self.regions and not any((region or "").startswith(r) for r in self.regions):
            return False
        return not self.bodies or (body or "") in self.bodies


def channel_name(url: str) -> str:
    """A stable name for a channel given only as a URL (its scheme and a hash, no secrets)."""
    scheme = url.split("://", 1)[0] if "://" in url else "url"
    return f"{scheme}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class Alerts:
    """The ``[alerts]`` section: channels, links, retries, staleness."""

    channels: tuple[Channel, ...] = ()
    datasette_url: str = "http://127.0.0.1:8001"  # links in messages point here
    database: str = "archive"  # the archive's name in Datasette
    retry_seconds: float = 60.0  # first retry after this; doubles each time
    max_attempts: int = 8
    stale_hours: float = 26.0  # no successful run for this long raises a health alert
    send_timeout: float = 60.0  # one send to one channel may take this long (seconds)
    # a new report at least this similar (0–1) to another body's report is `copied`
    copied_similarity: float = 0.8
