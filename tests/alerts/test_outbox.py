"""The outbox: each message queued once, one delivery per subscribed channel, backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from alerts.config import Alerts, Channel
from alerts.messages import messages_for_run
from alerts.outbox import (
    DeliveryState,
    Message,
    OutboxRow,
    due,
    enqueue,
    outbox_rows,
    record_attempt,
    stamp,
)
from archive.db import open_archive

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from archive.db import Archive

CHANGED = "威海火炬高技术产业开发区经济发展局"
T0 = datetime(2030, 1, 31, 18, 0, tzinfo=UTC)


def _deliveries(archive: Archive) -> dict[str, list[str]]:
    rows = archive.db.execute(
        "SELECT o.kind, d.channel FROM deliveries d JOIN outbox o ON o.id = d.outbox_id"
        " ORDER BY o.kind, d.channel"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for kind, channel in rows:
        out.setdefault(kind, []).append(channel)
    return out


def test_a_message_is_queued_once_however_often_it_is_produced(
    night2_outbox: Archive,
) -> None:
    channels = [Channel(url="json://127.0.0.1:9/hook", name="all")]
    messages = messages_for_run(night2_outbox.db, 2, Alerts())
    assert enqueue(night2_outbox.db, 2, messages, channels) == 2
    assert (
        enqueue(
            night2_outbox.db,
            2,
            messages_for_run(night2_outbox.db, 2, Alerts()),
            channels,
        )
        == 0
    )
    assert night2_outbox.db.execute(
        "SELECT kind, run_id, report_id IS NOT NULL, event_id IS NOT NULL, links LIKE '[\"http%'"
        " FROM outbox ORDER BY kind"
    ).fetchall() == [("changed", 2, 1, 1, 1), ("new_report", 2, 1, 1, 1)]
    assert _deliveries(night2_outbox) == {"changed": ["all"], "new_report": ["all"]}


def test_subscriptions_narrow_by_region_body_and_kind(night2_outbox: Archive) -> None:
    url = "json://127.0.0.1:9/hook"
    channels = [
        Channel(url, "all"),
        Channel(url, "changes", kinds=("changed",)),
        Channel(url, "linggang", regions=("山东省威海市威海临港经济技术开发区",)),
        Channel(url, "bureau", bodies=(CHANGED,)),
        Channel(url, "fujian", regions=("福建省",)),
        Channel(url, "weihai-new", regions=("山东省威海市",), kinds=("new_report",)),
    ]
    messages = messages_for_run(night2_outbox.db, 2, Alerts())
    assert enqueue(night2_outbox.db, 2, messages, channels) == 2
    assert _deliveries(night2_outbox) == {
        "changed": ["all", "bureau", "changes"],
        "new_report": ["all", "linggang", "weihai-new"],
    }


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Archive]:
    archive = open_archive(tmp_path)
    yield archive
    archive.close()


def _one_message(archive: Archive) -> int:
    message = Message(
        kind="health", key="health:test", title="测试", message="测试消息"
    )
    enqueue(archive.db, None, [message], [Channel("json://127.0.0.1:9/", "c")])
    return archive.db.execute("SELECT id FROM deliveries").fetchone()[0]


def test_a_failed_delivery_is_retried_with_doubling_backoff_then_given_up(
    outbox: Archive,
) -> None:
    delivery = _one_message(outbox)
    assert [d.delivery_id for d in due(outbox.db, T0)] == [delivery]
    waits = []
    at = T0
    for attempt in range(1, 5):
        status = record_attempt(
            outbox.db,
            delivery,
            at=at,
            error=f"down {attempt}",
            retry_seconds=60,
            max_attempts=4,
        )
        (next_attempt,) = outbox.db.execute(
            "SELECT next_attempt FROM deliveries WHERE id = ?", [delivery]
        ).fetchone()
        if status == "failed":
            assert (attempt, next_attempt) == (4, None)
            break
        nxt = datetime.fromisoformat(next_attempt)
        waits.append((nxt - at).total_seconds())
        assert due(outbox.db, nxt - timedelta(milliseconds=1)) == []
        assert [d.attempts for d in due(outbox.db, nxt)] == [attempt]
        at = nxt
    assert waits == [60, 120, 240]
    assert due(outbox.db, T0 + timedelta(days=365)) == []
    assert outbox.db.execute(
        "SELECT status, attempts, last_attempt, sent, error FROM deliveries"
    ).fetchall() == [("failed", 4, stamp(at), None, "down 4")]


def test_a_sent_delivery_is_never_due_again_and_the_list_shows_it(
    outbox: Archive,
) -> None:
    delivery = _one_message(outbox)
    record_attempt(
        outbox.db, delivery, at=T0, error="refused", retry_seconds=60, max_attempts=8
    )
    later = T0 + timedelta(seconds=60)
    assert (
        record_attempt(
            outbox.db, delivery, at=later, error=None, retry_seconds=60, max_attempts=8
        )
        == "sent"
    )
    assert due(outbox.db, T0 + timedelta(days=1)) == []
    [row] = outbox_rows(outbox.db, 10)
    assert row == OutboxRow(
        id=row.id,
        created=row.created,
        kind="health",
        title="测试",
        deliveries=(DeliveryState("c", "sent", 2, None, "refused"),),
    )
    assert outbox.db.execute("SELECT sent FROM deliveries").fetchone() == (
        stamp(later),
    )
    with pytest.raises(KeyError, match="no delivery 999"):
        record_attempt(
            outbox.db, 999, at=T0, error=None, retry_seconds=60, max_attempts=8
        )


def test_times_are_stored_in_the_archives_one_format() -> None:
    assert (
        stamp(datetime(2030, 1, 31, 18, 0, 5, 123456, tzinfo=UTC))
        == "2030-01-31T18:00:05.123Z"
    )
    assert (
        stamp(datetime(2030, 2, 1, 2, 0, tzinfo=UTC).astimezone())
        == "2030-02-01T02:00:00.000Z"
    )
