"""Which listed known documents and which list pages a night asks for again
(crawler/verify.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crawler.items import Identity, KnownDocument, KnownList, ListedItem
from crawler.verify import RECENT_YEARS, due, list_due, newest_listed, turn

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


def _not_its_turn(days: int, base: str = URL) -> str:
    """A URL whose night of the window is not tonight's."""
    tonight = NOW.date().toordinal() % days
    return next(u for n in range(100) if turn(u := f"{base}?n={n}", days) != tonight)


def _its_turn(days: int, base: str = URL) -> str:
    tonight = NOW.date().toordinal() % days
    return next(u for n in range(100) if turn(u := f"{base}?n={n}", days) == tonight)


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


# ---------------------------------------------------------------- list pages
LIST = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/zjnb/index_1.html"
OLD_ITEM = ListedItem(
    "http://www.anqiu.gov.cn/xxgk/a/1.html",
    "某镇2020年政府信息公开工作年度报告",
    "2021-01-08",
)


def _reading(
    read: timedelta = timedelta(days=1),
    items: tuple[ListedItem, ...] = (OLD_ITEM,),
    leads_to: frozenset[str] = frozenset(),
) -> KnownList:
    at = (NOW - read).isoformat().replace("+00:00", "Z")
    return KnownList(None, None, items, read_run=1, read_at=at, leads_to=leads_to)


def test_an_old_list_page_read_yesterday_is_carried_until_its_turn() -> None:
    assert list_due(_not_its_turn(7, LIST), _reading(), NOW, 7) is None
    assert list_due(_its_turn(7, LIST), _reading(), NOW, 7) == "its turn"
    # ... but not again the same day
    assert list_due(_its_turn(7, LIST), _reading(timedelta(hours=3)), NOW, 7) is None
    # an empty page (a year's column with nothing in it) too
    assert list_due(_not_its_turn(7, LIST), _reading(items=()), NOW, 7) is None


def test_a_list_page_not_read_for_a_window_is_due_whatever_its_turn() -> None:
    url = _not_its_turn(7, LIST)
    assert list_due(url, _reading(timedelta(days=7)), NOW, 7) == "not read for 7 days"
    assert list_due(url, _reading(timedelta(days=6, hours=23)), NOW, 7) is None


def test_list_pages_are_read_every_night_without_a_window_or_a_reading() -> None:
    assert list_due(LIST, _reading(timedelta(minutes=5)), NOW, 0) == "every night"
    assert list_due(LIST, None, NOW, 7) == "never read"
    unread = KnownList(None, None, (OLD_ITEM,))  # read_at unknown
    assert list_due(LIST, unread, NOW, 7) == "never read"


def test_a_list_page_that_leads_to_others_is_read_every_night() -> None:
    reading = _reading(leads_to=frozenset({f"{LIST}?page=2"}))
    assert list_due(_not_its_turn(7, LIST), reading, NOW, 7) == (
        "it leads to other list pages"
    )


def test_a_list_page_with_items_of_the_last_year_or_undated_is_read_every_night() -> (
    None
):
    url = _not_its_turn(7, LIST)
    within = (NOW - timedelta(days=365)).date().isoformat()
    before = f"{(NOW - timedelta(days=367)).date().isoformat()} 18:00"
    fresh = ListedItem(OLD_ITEM.url, OLD_ITEM.title, within)
    assert list_due(url, _reading(items=(OLD_ITEM, fresh)), NOW, 7) == (
        "it lists items of the last year"
    )
    aged = ListedItem(OLD_ITEM.url, OLD_ITEM.title, before)
    assert list_due(url, _reading(items=(aged,)), NOW, 7) is None
    for undated in (None, "", "三月", "2025-02-30"):
        item = ListedItem(OLD_ITEM.url, OLD_ITEM.title, undated)
        assert list_due(url, _reading(items=(OLD_ITEM, item)), NOW, 7) == (
            "it lists undated items"
        )


def test_a_list_page_whose_url_names_a_recent_year_is_read_every_night() -> None:
    for year in (NOW.year, NOW.year - RECENT_YEARS):
        url = f"https://www.conghua.gov.cn/zfxxgknb/zj/{year}n/index.html"
        assert list_due(url, _reading(items=()), NOW, 7) == (
            "its URL names a recent year"
        )
    old = "http://www.sanmen.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=SM331022-003&fbtime=2013"
    # (an id's digits are no year: SM331022, columnid=1229290123)
    assert list_due(old, _reading(items=(), read=timedelta(hours=1)), NOW, 7) is None


def test_a_list_page_of_its_source_s_newest_items_is_read_every_night() -> None:
    """Whatever the clock says: a source publishing late (or a replica's dates)."""
    url = _not_its_turn(7, LIST)
    aged = ListedItem(OLD_ITEM.url, OLD_ITEM.title, "2021-03-01")
    older = ListedItem(OLD_ITEM.url, OLD_ITEM.title, "2020-02-29 09:00")
    newest = newest_listed(
        [
            KnownList(None, None, (aged,), source_id="anqiu"),
            KnownList(None, None, (older, OLD_ITEM), source_id="anqiu"),
            KnownList(None, None, (aged, OLD_ITEM), source_id="wip"),
            KnownList(None, None, (ListedItem("u", "t", None),), source_id="sqyh"),
        ]
    )
    assert newest == {"anqiu": date(2021, 3, 1), "wip": date(2021, 3, 1)}
    reading = _reading(items=(older,))
    assert list_due(url, reading, NOW, 7, date(2021, 2, 27)) == (
        "it lists its source's newest items"
    )
    assert list_due(url, reading, NOW, 7, date(2021, 3, 1)) is None  # 366 days after
    assert list_due(url, reading, NOW, 7) is None


def test_a_report_s_file_takes_its_page_s_turn() -> None:
    page = _its_turn(7)
    file = _doc(url=_not_its_turn(7))
    assert due(file, NOW, 7) is None
    assert due(file, NOW, 7, page=page) == "its turn"
    assert due(_doc(url=page), NOW, 7, page=_not_its_turn(7)) is None
