"""The `copied` alert (alerts/copied.py): a new report that is another body's report
with new figures, told only to the channels that ask for `copied`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from alerts.config import Alerts, Channel
from alerts.copied import copied_messages
from alerts.notify import after_run
from alerts.outbox import enqueue
from archive.similarity import update_similarity
from processors.deadlines import Deadlines
from tests.similar_reports import (
    GAOQU,
    GAOQU_BODY,
    OTHER_BODY,
    RENAMED,
    SEED_REPORTS,
    add_event,
    add_report,
    copy_of,
    empty_archive,
    seed_text,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from archive.db import Archive

URL = "json://127.0.0.1:9/"  # nothing listens: deliveries stay pending


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = empty_archive(tmp_path)
    yield opened
    opened.close()


def reports(archive: Archive) -> tuple[int, int, int]:
    """高区 2021, its own 2022 pasted from it, and another zone's copy of 2021."""
    for name, (body, year) in SEED_REPORTS.items():
        add_report(archive, body, year, seed_text(name))
    (original,) = archive.db.execute(
        "SELECT id FROM reports WHERE body = ? AND year = 2021", [GAOQU_BODY]
    ).fetchone()
    pasted = add_report(archive, GAOQU_BODY, 2022, copy_of(seed_text(GAOQU), seed=2))
    copy = add_report(
        archive, OTHER_BODY, 2021, copy_of(seed_text(GAOQU), names=RENAMED)
    )
    update_similarity(archive.db)
    return original, pasted, copy


def test_a_new_copy_of_another_bodys_report_is_told_with_both_and_a_passage(
    archive: Archive,
) -> None:
    original, _, copy = reports(archive)
    event = add_event(archive, copy)
    (message,) = copied_messages(archive.db, 1, Alerts())
    assert message.kind == "copied"
    assert message.key == f"copied:{original}:{copy}"
    assert message.title == "威海经开区 2021年报与威海高区 2021年报雷同"
    assert message.message.startswith(
        f"{message.title}：去掉模板和套话后，两份年报的文字99%相同。相同段落："
        "「一是完善制度建设。制定并印发《威海经济技术开发区政务公开重点工作及责任分工方案》"
    )
    assert (
        "／「一是完善制度建设。制定并印发《威海火炬高技术产业开发区" in message.message
    )
    assert message.message.endswith(
        f"\n查看：http://127.0.0.1:8001/archive/reports/{copy}"
        f"\n对方：http://127.0.0.1:8001/archive/reports/{original}"
    )
    assert (message.report_id, message.event_id, message.body) == (
        copy,
        event,
        OTHER_BODY,
    )


def test_only_a_new_report_like_another_bodys_is_told(archive: Archive) -> None:
    original, pasted, copy = reports(archive)
    add_event(archive, original, kind="changed")  # not new
    add_event(archive, copy, baseline=1)  # a source's first crawl: its backlog
    assert copied_messages(archive.db, 1, Alerts()) == []
    # last year's report pasted by the same body is told by the report page and the
    # `similar` query, not by this alert… unless another body's report is like it
    add_event(archive, pasted)
    (message,) = copied_messages(archive.db, 1, Alerts())
    assert message.key == f"copied:{pasted}:{copy}"


def test_the_threshold_is_the_configured_similarity(archive: Archive) -> None:
    _, _, copy = reports(archive)
    add_event(archive, copy)
    assert len(copied_messages(archive.db, 1, Alerts(copied_similarity=0.98))) == 1
    assert copied_messages(archive.db, 1, Alerts(copied_similarity=0.99)) == []


def test_the_alert_goes_only_to_channels_that_list_copied(archive: Archive) -> None:
    _, _, copy = reports(archive)
    add_event(archive, copy)
    channels = (
        Channel(URL, "everything"),  # no kinds: every kind but the opt-in ones
        Channel(URL, "new-reports", kinds=("new_report",)),
        Channel(URL, "copies", kinds=("copied",)),
        Channel(URL, "shandong-copies", regions=("山东省",), kinds=("copied", "late")),
        Channel(URL, "beijing-copies", regions=("北京市",), kinds=("copied",)),
    )
    assert (
        enqueue(archive.db, 1, copied_messages(archive.db, 1, Alerts()), channels) == 1
    )
    assert archive.db.execute(
        "SELECT d.channel FROM deliveries d JOIN outbox o ON o.id = d.outbox_id"
        " WHERE o.kind = 'copied' ORDER BY d.channel"
    ).fetchall() == [("copies",), ("shandong-copies",)]
    assert not Channel(URL, "everything").wants("copied", "山东省", OTHER_BODY)
    assert Channel(URL, "everything").wants("new_report", "山东省", OTHER_BODY)


def test_the_run_queues_it_once(archive: Archive) -> None:
    _, _, copy = reports(archive)
    add_event(archive, copy)
    settings = Alerts(channels=(Channel(URL, "copies", kinds=("copied",)),))
    after_run(archive, 1, settings, Deadlines())
    after_run(archive, 1, settings, Deadlines())
    assert archive.db.execute(
        "SELECT kind, count(*) FROM outbox WHERE kind = 'copied' GROUP BY kind"
    ).fetchall() == [("copied", 1)]
