"""Which listed known documents a night asks for again (issue 16 item 5).

Asking for every known document every night, each with a conditional GET, costs an
unchanged night at real sites nearly as much as the first: every request waits out
its host's delay, 304 or not. The list pages are read every night (new, changed and
vanished reports show there); a document still listed is asked for again when

* it was never verified (no answer from its server since it was archived);
* its report is recent — this year's or last year's (``RECENT_YEARS``): a new report
  is the one corrected in its first weeks;
* its list entry changed (another title than the one it was archived under);
* its turn comes: each document has a night of the window (by a hash of its URL), so
  a window of 7 nights re-verifies about a seventh of the old ones each night;
* it was last verified a whole window ago or more (a night without a crawl, a
  failed fetch).

So a silent edit of an old report is caught within the window, at a seventh of the
requests. A document that is no longer listed is always asked for (whether its file
still answers is what tells removed from delisted). A window of 0 asks for every
known document every night, as before; it is the default for a crawl of the replica
(not polite), so the replica's tests see every night's edits.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.items import KnownDocument

RECENT_YEARS = 1  # a report of this year or the year before is checked every night
DEFAULT_WINDOW_DAYS = 7  # a polite crawl's window
# A document's turn does not come again within this of its last verification (two
# runs on one day, a night's run that began late).
MIN_AGE = timedelta(hours=20)


def due(
    doc: KnownDocument,
    now: datetime,
    window_days: int,
    listed_text: str | None = None,
) -> str | None:
    """Why ``doc``, listed tonight, is asked for again; None when it is not.

    :param now: the crawl's start (aware).
    :param window_days: every document is verified at least once in this many days;
        0 asks for every one every night.
    :param listed_text: the link text tonight's list gives it.
    """
    if window_days <= 0:
        return "every night"
    if doc.verified_at is None:
        return "never verified"
    year = doc.identity.year
    if year is not None and year >= now.year - RECENT_YEARS:
        return "recent report"
    if listed_text and doc.link_text and listed_text.strip() != doc.link_text.strip():
        return "list entry changed"
    age = now - datetime.fromisoformat(doc.verified_at.replace("Z", "+00:00"))
    if age >= timedelta(days=window_days):
        return f"not verified for {window_days} days"
    if (
        age >= MIN_AGE
        and turn(doc.url, window_days) == now.date().toordinal() % window_days
    ):
        return "its turn"
    return None


def turn(url: str, window_days: int) -> int:
    """The night of the window (0 … window − 1) a document is re-verified on."""
    return zlib.crc32(url.encode("utf-8")) % window_days
