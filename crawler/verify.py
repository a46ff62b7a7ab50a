"""Which listed known documents a night asks for again (issue 16 item 5).

Asking for every known document every night, each with a conditional GET, costs an
unchanged night at real sites nearly as much as the first: every request waits out
its host's delay, 304 or not. New, changed and vanished reports show on the list pages
(which of them a night reads: below); a document still listed is asked for again when

* it was never verified (no answer from its server since it was archived);
* its report is recent — this year's or last year's (``RECENT_YEARS``): a new report
  is the one corrected in its first weeks;
* its list entry changed (another title than the one it was archived under);
* its turn comes: each document has a night of the window (by a hash of its URL; a
  report's files and further pages have its page's), so a window of 7 nights
  re-verifies about a seventh of the old ones each night;
* it was last verified a whole window ago or more (a night without a crawl, a
  failed fetch).

So a silent edit of an old report is caught within the window, at a seventh of the
requests. A document that is no longer listed is always asked for (whether its file
still answers is what tells removed from delisted). A window of 0 asks for every
known document every night, as before; it is the default for a crawl of the replica
(not polite), so the replica's tests see every night's edits.

List pages too (``list_due``): a list page's reading that changed (a new report at its
top, an entry renamed or gone) asks for every list page it leads to; the list pages of
an unchanged one are read when they are due and otherwise carried forward from their
last reading (their items listed tonight as they were then: nothing goes missing). A
list page is due when it was never read, when its reading led on to other list pages
(only reading it asks for them), when it lists anything undated, listed within the last
year or within a year of its source's newest item (where a new or corrected report
shows), when its URL names this year or last year (a year's column, filled when that
year's reports come), on its turn, and a window after its last reading. So an
unchanged night at real-site settings reads the first pages of each column, the pages
of its newest reports and a seventh of the rest, and a report that appears deep in an
unchanged list (a late report given an old date) is found within the window.
"""

from __future__ import annotations

import re
import zlib
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crawler.items import KnownDocument, KnownList

RECENT_YEARS = 1  # a report of this year or the year before is checked every night
DEFAULT_WINDOW_DAYS = 7  # a polite crawl's window
# A document's turn does not come again within this of its last verification (two
# runs on one day, a night's run that began late).
MIN_AGE = timedelta(hours=20)
# A list page that listed something within this is read every night: reports come
# once a year, so a page whose newest item is older than that is an archive's page
# (the year's new reports go to the first page, or to a new year's column).
RECENTLY_LISTED = timedelta(days=366)
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # in a URL


def due(
    doc: KnownDocument,
    now: datetime,
    window_days: int,
    listed_text: str | None = None,
    page: str | None = None,
) -> str | None:
    """Why ``doc``, listed tonight, is asked for again; None when it is not.

    :param now: the crawl's start (aware).
    :param window_days: every document is verified at least once in this many days;
        0 asks for every one every night.
    :param listed_text: the link text tonight's list gives it.
    :param page: the report's page, for a file it links or a further page: its turn
        is the page's (asked for with it, then, not on a night of its own).
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
    return _rolling(page or doc.url, doc.verified_at, now, window_days, "verified")


def list_due(
    url: str,
    reading: KnownList | None,
    now: datetime,
    window_days: int,
    newest: date | None = None,
) -> str | None:
    """Why the list page ``url`` is read tonight although the page that leads to it
    was read unchanged; None when it is carried forward from ``reading`` (its last).

    :param now: the crawl's start (aware).
    :param window_days: every list page is read at least once in this many days; 0
        reads every one every night.
    :param newest: the newest date its source lists (:func:`newest_listed`).
    """
    if window_days <= 0:
        return "every night"
    if reading is None or reading.read_at is None or reading.read_run is None:
        return "never read"
    if reading.leads_to:
        return "it leads to other list pages"
    for item in reading.items:
        listed = _listed_on(item.listed_date)
        if listed is None:
            return "it lists undated items"
        if now.date() - listed < RECENTLY_LISTED:
            return "it lists items of the last year"
        if newest is not None and newest - listed < RECENTLY_LISTED:
            return "it lists its source's newest items"
    if any(int(year) >= now.year - RECENT_YEARS for year in YEAR.findall(url)):
        return "its URL names a recent year"
    return _rolling(url, reading.read_at, now, window_days, "read")


def newest_listed(lists: Iterable[KnownList]) -> dict[str, date]:
    """Each source's newest listed date, of the list pages' last readings: a page
    listing within a year of it holds the source's newest reports (read every night,
    whatever the clock says: a source may publish late, or have stopped)."""
    newest: dict[str, date] = {}
    for reading in lists:
        for item in reading.items:
            listed = _listed_on(item.listed_date)
            if listed is None:
                continue
            before = newest.get(reading.source_id)
            if before is None or listed > before:
                newest[reading.source_id] = listed
    return newest


def _listed_on(listed_date: str | None) -> date | None:
    """The day of a listed date ('YYYY-MM-DD', perhaps with a time); None if none."""
    try:
        return date.fromisoformat((listed_date or "")[:10])
    except ValueError:
        return None


def _rolling(
    url: str,
    last: str,
    now: datetime,
    window_days: int,
    done: str,
) -> str | None:
    """Due a window after ``last``, or on ``url``'s turn (not within MIN_AGE of ``last``)."""
    age = now - datetime.fromisoformat(last.replace("Z", "+00:00"))
    if age >= timedelta(days=window_days):
        return f"not {done} for {window_days} days"
    if (
        age >= MIN_AGE
        and turn(url, window_days) == now.date().toordinal() % window_days
    ):
        return "its turn"
    return None


def turn(url: str, window_days: int) -> int:
    """The night of the window (0 … window − 1) a URL is re-verified or re-read on."""
    return zlib.crc32(url.encode("utf-8")) % window_days
