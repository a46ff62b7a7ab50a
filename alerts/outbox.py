"""The alert outbox: messages are stored first, then delivered to each subscribed channel.

Producers (``alerts/messages.py`` for events and checks, ``alerts/health.py`` for
sources, late reports and stale runs) turn archive state into :class:`Message`\\ s;
``enqueue`` stores each once (by ``key``), and delivery (``alerts/delivery.py``) works
through ``deliveries``, one row per message and channel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from archive.db import now, write

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlite_utils import Database

    from alerts.config import EventKind


@dataclass(frozen=True, slots=True)
class Message:
    """One thing worth telling, before it is queued."""

    kind: EventKind
    key: str  # the same key is never queued twice ("event:42", "late:<body>:2025")
    title: str  # short, Chinese: "威海高区 2021年报已发布"
    message: str  # the text sent: key figures, then links
    region: str | None = None
    body: str | None = None
    source_id: str | None = None
    report_id: int | None = None
    event_id: int | None = None
    links: tuple[str, ...] = field(default=())


class Subscriber(Protocol):
    """A channel as the outbox sees it (``alerts.config.Channel`` fits)."""

    @property
    def name(self) -> str: ...

    def wants(self, kind: str, region: str | None, body: str | None) -> bool: ...


TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def stamp(moment: datetime) -> str:
    """``moment`` as the archive writes times: ISO 8601 UTC with milliseconds and ``Z``.

    One fixed width, so that times compare as text in SQL.
    """
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime(TIME_FORMAT)[:-3] + "Z"


def enqueue(
    db: Database,
    run_id: int | None,
    messages: Iterable[Message],
    channels: Iterable[Subscriber],
) -> int:
    """Store each message once (by ``key``) with one pending delivery per subscribed channel.

    A message whose key is already in the outbox is ignored, so producers may run again
    over the same run. Returns how many messages were new.
    """
    channels = tuple(channels)
    created, new = now(), 0
    with write(db):
        for message in messages:
            cursor = db.execute(
                """INSERT INTO outbox (created, run_id, kind, key, title, message, region,
                     body, source_id, report_id, event_id, links)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(key) DO NOTHING""",
                [
                    created,
                    run_id,
                    message.kind,
                    message.key,
                    message.title,
                    message.message,
                    message.region,
                    message.body,
                    message.source_id,
                    message.report_id,
                    message.event_id,
                    json.dumps(list(message.links), ensure_ascii=False),
                ],
            )
            if not cursor.rowcount:
                continue
            new += 1
            outbox_id = cursor.lastrowid
            db.conn.executemany(
                "INSERT INTO deliveries (outbox_id, channel, status) VALUES (?, ?, 'pending')",
                [
                    (outbox_id, channel.name)
                    for channel in channels
                    if channel.wants(message.kind, message.region, message.body)
                ],
            )
    return new


@dataclass(frozen=True, slots=True)
class Due:
    """A delivery whose time has come: which message, to which channel, how often tried."""

    delivery_id: int
    outbox_id: int
    channel: str
    attempts: int
    kind: str
    title: str
    message: str


def due(db: Database, moment: datetime) -> list[Due]:
    """Pending deliveries whose next attempt has come by ``moment``, oldest message first."""
    rows = db.execute(
        """SELECT d.id, d.outbox_id, d.channel, d.attempts, o.kind, o.title, o.message
           FROM deliveries d JOIN outbox o ON o.id = d.outbox_id
           WHERE d.status = 'pending' AND (d.next_attempt IS NULL OR d.next_attempt <= ?)
           ORDER BY d.outbox_id, d.channel""",
        [stamp(moment)],
    ).fetchall()
    return [Due(*row) for row in rows]


def record_attempt(
    db: Database,
    delivery_id: int,
    *,
    at: datetime,
    error: str | None,
    retry_seconds: float,
    max_attempts: int,
) -> str:
    """Record one attempt of a delivery made at ``at``; return its new status.

    ``error`` None means sent. A failure is retried ``retry_seconds * 2**(attempts-1)``
    later; after ``max_attempts`` attempts the delivery is ``failed`` for good.

    :raises KeyError: for an unknown delivery id.
    """
    row = db.execute(
        "SELECT attempts FROM deliveries WHERE id = ?", [delivery_id]
    ).fetchone()
    if row is None:
        raise KeyError(f"no delivery {delivery_id} in the outbox")
    attempts = row[0] + 1
    if error is None:
        status, next_attempt = "sent", None
    elif attempts >= max_attempts:
        status, next_attempt = "failed", None
    else:
        wait = timedelta(seconds=retry_seconds * 2 ** (attempts - 1))
        status, next_attempt = "pending", stamp(at + wait)
    with write(db):
        db.execute(
            """UPDATE deliveries SET status = ?, attempts = ?, last_attempt = ?,
                 next_attempt = ?, sent = ?, error = COALESCE(?, error) WHERE id = ?""",
            [
                status,
                attempts,
                stamp(at),
                next_attempt,
                stamp(at) if error is None else None,
                error,
                delivery_id,
            ],
        )
    return status


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """Where one message stands with one channel."""

    channel: str
    status: str  # pending, sent, failed
    attempts: int
    next_attempt: str | None
    error: str | None  # the last failure (kept after a later success)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One queued message with its per-channel deliveries (for ``nianbao alerts list``)."""

    id: int
    created: str
    kind: str
    title: str
    deliveries: tuple[DeliveryState, ...]


def outbox_rows(db: Database, limit: int = 50) -> list[OutboxRow]:
    """The newest ``limit`` messages of the outbox, newest first, each with its deliveries."""
    messages = db.execute(
        "SELECT id, created, kind, title FROM outbox ORDER BY id DESC LIMIT ?", [limit]
    ).fetchall()
    states: dict[int, list[DeliveryState]] = {}
    if messages:
        ids = [m[0] for m in messages]
        marks = ",".join("?" * len(ids))
        for outbox_id, *state in db.execute(
            f"""SELECT outbox_id, channel, status, attempts, next_attempt, error
                FROM deliveries WHERE outbox_id IN ({marks}) ORDER BY channel""",  # noqa: S608
            ids,
        ).fetchall():
            states.setdefault(outbox_id, []).append(DeliveryState(*state))
    return [
        OutboxRow(id, created, kind, title, tuple(states.get(id, ())))
        for id, created, kind, title in messages
    ]
