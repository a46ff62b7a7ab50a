"""The end of every crawl run: turn what happened into messages, queue them, write the feed, deliver.

Every producer is idempotent (messages carry keys), so running this twice for a run
queues nothing twice; delivery only sends what is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alerts.copied import copied_messages
from alerts.delivery import deliver
from alerts.feed import write_feed
from alerts.health import (
    failing_messages,
    late_messages,
    source_messages,
    stale_message,
)
from alerts.messages import messages_for_run
from alerts.outbox import Message, enqueue

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
        *copied_messages(archive.db, run_id, settings),
        *source_messages(archive.db, run_id),
        *failing_messages(archive.db, run_id),
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


def between_runs(
    archive: Archive, settings: Alerts, now: datetime | None = None
) -> Notified:
    """What is due between runs, on the scheduler's own clock: the stale-archive alert
    (no good run for ``stale_hours``: a crawl that never ends, or never starts, cannot
    say so itself) and the retries of failed deliveries. The caller holds the crawl lock.
    """
    now = now or datetime.now(UTC)
    stale = stale_message(archive.db, settings.stale_hours, now)
    queued = enqueue(archive.db, None, [stale] if stale else [], settings.channels)
    delivered = deliver(archive.db, settings, now=now)
    return Notified(queued, 0, delivered.sent, delivered.failed)


def disk_full(archive: Archive, settings: Alerts, run_id: int, detail: str) -> Notified:
    """The ``health`` alert of a run stopped by a full disk (queued if the disk still
    takes a row; the crawl's exit status 6 and its log say it in any case)."""
    message = Message(
        kind="health",
        key=f"health:disk_full:{run_id}",
        title="存档所在磁盘已满，抓取已停止",
        message=(
            f"第 {run_id} 次抓取因磁盘已满而提前停止（{detail}）。已存档的内容完好；"
            f"请清理磁盘空间或把存档（{archive.root}）移到更大的磁盘，然后重新抓取。"
        ),
    )
    queued = enqueue(archive.db, run_id, [message], settings.channels)
    delivered = deliver(archive.db, settings)
    return Notified(queued, 0, delivered.sent, delivered.failed)


def _first_crawled(archive: Archive, run_id: int) -> set[str]:
    """Sources whose first crawl is this run."""
    rows = archive.db.execute("SELECT id FROM sources WHERE first_run = ?", [run_id])
    return {source_id for (source_id,) in rows.fetchall()}
