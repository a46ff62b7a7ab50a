"""The end of every crawl run: turn what happened into messages, queue them, write the feed, deliver.

Every producer is idempotent (messages carry keys), so running this twice for a run
queues nothing twice; delivery only sends what is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alerts.delivery import deliver
from alerts.feed import write_feed
from alerts.health import late_messages, source_messages, stale_message
from alerts.messages import messages_for_run
from alerts.outbox import enqueue

if TYPE_CHECKING:
    from alerts.config import Alerts
    from archive.db import Archive
    from processors.deadlines import Deadlines

logger = logging.getLogger(__name__)
FEED_NAME = "feed.atom"


@dataclass(frozen=True, slots=True)
class Notified:
    queued: int  # new messages in the outbox
    feed_entries: int
    sent: int
    failed: int

    def line(self) -> str:
        return (
            f"{self.queued} new alerts queued, {self.sent} deliveries sent, "
            f"{self.failed} failed (retried by `nianbao alerts send`); "
            f"feed: {self.feed_entries} entries"
        )


def after_run(
    archive: Archive,
    run_id: int,
    settings: Alerts,
    deadlines: Deadlines,
    now: datetime | None = None,
) -> Notified:
    """Queue the run's messages (events, checks, source health, late reports), write the feed, deliver."""
    now = now or datetime.now(UTC)
    messages = [
        *messages_for_run(archive.db, run_id, settings),
        *source_messages(archive.db, run_id),
    ]
    stale = stale_message(archive.db, settings.stale_hours, now)
    if stale is not None:
        messages.append(stale)
    late = late_messages(archive.db, deadlines, now)
    first = _first_crawled(archive, run_id)
    queued = enqueue(
        archive.db,
        run_id,
        [*messages, *(m for m in late if m.source_id not in first)],
        settings.channels,
    )
    # A source's first crawl is a baseline: reports already late when watching began are
    # recorded in the outbox (so they are never raised later) but sent to no channel.
    queued += enqueue(archive.db, run_id, [m for m in late if m.source_id in first], ())
    entries = write_feed(archive.db, archive.root / FEED_NAME, settings)
    delivered = deliver(archive.db, settings, now=now)
    return Notified(queued, entries, delivered.sent, delivered.failed)


def _first_crawled(archive: Archive, run_id: int) -> set[str]:
    """Sources whose first crawl is this run."""
    rows = archive.db.execute("SELECT id FROM sources WHERE first_run = ?", [run_id])
    return {source_id for (source_id,) in rows.fetchall()}
