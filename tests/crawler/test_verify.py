"""Which listed known documents a night asks for again (crawler/verify.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.items import Identity, KnownDocument
from crawler.verify import due, turn

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
URL = "http://www.whctp.gov.cn/art/2023/3/1/art_1_2.html"


def _doc(
    verified: timedelta | None = timedelta(days=1),
    year: int = 2022,
    url: str = URL,
    link_text: str = "2022年政府信息公开工作年度报告",
) -> KnownDocument:
    at = (
        None
        if verified is None
        else (NOW - verified).isoformat().replace("+00:00", "Z")
    )
    return KnownDocument(
        url=url,
        source_id="whctp",
        role="page",
        identity=Identity(
            "某局", year, "2022年政府信息公开工作年度报告", "威海", "county"
        ),
        link_text=link_text,
        verified_at=at,
    )


def _not_its_turn(days: int) -> str:
    """A URL whose night of the window is not tonight's."""
    tonight = NOW.date().toordinal() % days
    return next(u for n in range(100) if turn(u := f"{URL}?n={n}", days) != tonight)


def _its_turn(days: int) -> str:
    tonight = NOW.date().toordinal() % days
    return next(u for n in range(100) if turn(u := f"{URL}?n={n}", days) == tonight)


def test_a_window_of_0_asks_for_every_document_every_night() -> None:
    assert due(_doc(timedelta(minutes=5)), NOW, 0) == "every night"


def test_an_old_report_verified_yesterday_waits_for_its_turn() -> None:
    assert due(_doc(url=_not_its_turn(7)), NOW, 7) is None


def test_its_turn_comes_once_in_the_window() -> None:
    assert due(_doc(url=_its_turn(7)), NOW, 7) == "its turn"
    # ... but not again the same day
    assert due(_doc(timedelta(hours=3), url=_its_turn(7)), NOW, 7) is None


def test_every_document_has_a_turn_and_turns_spread_over_the_window() -> None:
    turns = [turn(f"{URL}?n={n}", 7) for n in range(700)]
    counts = [turns.count(night) for night in range(7)]
    assert min(counts) > 70  # about a hundred each
    assert max(counts) < 130


def test_a_document_not_verified_for_a_window_is_due_whatever_its_turn() -> None:
    doc = _doc(timedelta(days=7, minutes=1), url=_not_its_turn(7))
    assert due(doc, NOW, 7) == "not verified for 7 days"
    assert due(_doc(timedelta(days=6), url=_not_its_turn(7)), NOW, 7) is None


def test_recent_reports_are_asked_for_every_night() -> None:
    assert due(_doc(timedelta(hours=1), year=2026), NOW, 7) == "recent report"
    assert due(_doc(timedelta(hours=1), year=2025), NOW, 7) == "recent report"
    assert (
        due(_doc(timedelta(hours=1), year=2024, url=_not_its_turn(7)), NOW, 7) is None
    )


def test_a_never_verified_document_is_due() -> None:
    assert due(_doc(None), NOW, 7) == "never verified"


def test_a_changed_list_entry_makes_a_document_due() -> None:
    doc = _doc(timedelta(hours=1), url=_not_its_turn(7))
    assert (
        due(doc, NOW, 7, "2022年政府信息公开工作年度报告（更正）")
        == "list entry changed"
    )
    assert due(doc, NOW, 7, " 2022年政府信息公开工作年度报告 ") is None
    assert due(doc, NOW, 7, None) is None
