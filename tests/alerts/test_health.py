"""Health messages: sources that yield nothing or are blocked, late reports, stale runs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from alerts.health import BEIJING, late_messages, source_messages, stale_message
from alerts.outbox import Message
from archive.db import connect, open_archive
from archive.history import settle_run
from archive.recorder import (
    FetchRecord,
    Identity,
    ListingBatch,
    ListingEntry,
    record_fetch,
    record_listing,
)
from archive.runs import finish_run, start_run, sync_sources
from crawler.registry import Source
from processors.deadlines import Deadlines
from replica.catalog import catalog
from replica.server import ReplicaThread
from tests.crawler.helpers import run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from archive.db import Archive

LIST = "http://example.gov.cn/col/col1/index.html"
TOWN = Identity(
    "某某镇人民政府",
    2023,
    "某某镇人民政府2023年政府信息公开工作年度报告",
    "山东省",
    "town",
)
COUNTY = Identity(
    "某某县人民政府",
    2023,
    "某某县人民政府2023年政府信息公开工作年度报告",
    "山东省",
    "county",
)
OLD = Identity(
    "旧镇人民政府", 2020, "旧镇人民政府2020年政府信息公开工作年度报告", "山东省", "town"
)
PAGES = {
    TOWN.body: "http://example.gov.cn/art/1.html",
    COUNTY.body: "http://example.gov.cn/art/2.html",
    OLD.body: "http://example.gov.cn/art/3.html",
}
JUST_BEFORE = datetime(
    2025, 1, 31, 23, 59, 59, tzinfo=BEIJING
)  # towns' 2024 reports due
JUST_AFTER = datetime(2025, 2, 1, 0, 0, 0, tzinfo=BEIJING)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = open_archive(tmp_path)
    source = Source(
        "s",
        "某某县 年报",
        "某某县人民政府",
        "山东省",
        "county",
        "hanweb",
        (LIST,),
        "inferred",
    )
    sync_sources(opened.db, [source])
    yield opened
    opened.close()


def _night(
    archive: Archive,
    listed: list[Identity] | None = None,
    skipped: int = 0,
    list_failure: str | None = None,
    status: str = "complete",
) -> int:
    """One recorded run of source ``s``: its list page, the items on it, their pages."""
    run = start_run(
        archive.db, target="test", epoch=None, sources=["s"], crawler_version="t"
    )

    def fetch(kind: str, url: str, **kw: Any) -> None:
        record = FetchRecord(run, "s", kind, url, "GET", "t0", "t1", "t", **kw)
        record_fetch(archive.db, archive.blobs, record)

    if list_failure:
        fetch("list", LIST, status=412, failure=list_failure)
    else:
        fetch("list", LIST, status=200, body=b"<html>list</html>")
        items = [
            ListingEntry(PAGES[i.body], i.title, None, "report", "title")
            for i in listed or []
        ]
        items += [
            ListingEntry(f"{LIST}?n={n}", "关于某某的通知", None, "skipped", "noise")
            for n in range(skipped)
        ]
        if items:
            record_listing(archive.db, ListingBatch(run, "s", LIST, items))
    for identity in listed or []:
        body = identity.title.encode()
        fetch(
            "page",
            PAGES[identity.body],
            status=200,
            body=body,
            identity=identity,
            listed=True,
        )
    settle_run(archive.db, run, ["s"])
    finish_run(archive.db, run, status, 0)
    return run


def _keys(messages: list[Message]) -> list[tuple[str, str, str]]:
    return [(m.kind, m.key, m.title) for m in messages]


# ------------------------------------------------------------------ sources, recorded


def test_a_source_whose_second_run_lists_nothing_raises_one_empty_message(
    archive,
) -> None:
    assert source_messages(archive.db, _night(archive, [TOWN])) == []
    run = _night(archive, [])
    assert source_messages(archive.db, run) == [
        Message(
            kind="source",
            key=f"source:s:empty:{run}",
            title="某某县 年报：本次未找到任何年报",
            message="列表页 1 页读取正常，但没有找到任何条目；第 1 次抓取还找到 1 份年报。"
            "栏目可能已被清空，或网站改版后页面结构已不再匹配。\n数据源 s（某某县人民政府），第 2 次抓取。",
            region="山东省",
            body="某某县人民政府",
            source_id="s",
            links=(LIST,),
        )
    ]
    # told again every run while it lasts, each time under that run's key
    assert _keys(source_messages(archive.db, _night(archive, []))) == [
        ("source", "source:s:empty:3", "某某县 年报：本次未找到任何年报")
    ]


def test_items_none_of_which_is_a_report_are_a_layout_that_no_longer_matches(
    archive,
) -> None:
    _night(archive, [TOWN])
    run = _night(archive, [], skipped=2)
    (message,) = source_messages(archive.db, run)
    assert (message.key, message.title) == (
        "source:s:layout:2",
        "某某县 年报：列表页结构可能已改变",
    )
    assert message.message.startswith(
        "列表页 1 页读取正常，但上面的 2 个条目没有一个被识别为年报"
    )


def test_a_source_that_never_listed_anything_is_a_layout_problem(archive) -> None:
    (message,) = source_messages(archive.db, _night(archive, []))
    assert message.key == "source:s:layout:1"
    assert "没有找到任何条目，这个数据源也从未找到过年报" in message.message


def test_a_list_page_blocked_by_a_waf_is_told_as_waf_not_as_unreachable(
    archive,
) -> None:
    run = _night(archive, list_failure="waf_412", status="failed")
    assert _keys(source_messages(archive.db, run)) == [
        ("source", "source:s:waf:1", "某某县 年报：被网站防火墙拦截")
    ]


def test_a_source_with_no_list_capture_at_all_is_unreachable(archive) -> None:
    run = start_run(
        archive.db, target="test", epoch=None, sources=["s"], crawler_version="t"
    )
    finish_run(archive.db, run, "failed", 0)
    (message,) = source_messages(archive.db, run)
    assert message.key == "source:s:unreachable:1"
    assert message.message.startswith(
        "列表页一页也没能读取（没有任何列表页的抓取记录）"
    )


def test_an_unknown_run_is_a_clear_error(archive) -> None:
    with pytest.raises(ValueError, match="no run 9 in the archive"):
        source_messages(archive.db, 9)


# ------------------------------------------------------------------ sources, crawled


@pytest.fixture(scope="module")
def faulty_night2(
    night1: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """Night 2 crawled with faults: two WAF blocks on whctp files, penglai's list 503,
    anqiu's list behind a WAF."""
    data = tmp_path_factory.mktemp("faulty") / "archive"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    manifest = {e["key"]: e for e in catalog(2).manifest()}
    pdf = next(f for f in manifest["whctp-gw/2021"]["files"] if f["format"] == "pdf")
    faults = {
        manifest["whctp-gw/2022"]["files"][0]["url"]: "waf_412",
        pdf["url"]: "waf_521",
        "http://www.penglai.gov.cn/col/col59245/index.html": "http_503",
        "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/index.html": "waf_521",
    }
    replica = ReplicaThread(2).start()
    try:
        for url, fault in faults.items():
            replica.set_fault(url, fault)
        done = run_crawl(data, replica.proxy)
    finally:
        replica.stop()
    assert done.returncode == 3, done.stdout + done.stderr  # partial
    db = connect(data / "archive.db", readonly=True)
    yield db, faults
    db.conn.close()


def test_a_healthy_run_raises_no_source_message(night1: Path) -> None:
    db = connect(night1 / "archive.db", readonly=True)
    try:
        assert source_messages(db, 1) == []
    finally:
        db.conn.close()


def test_waf_blocks_and_an_unreachable_list_raise_one_message_each(
    faulty_night2,
) -> None:
    db, _ = faulty_night2
    assert _keys(source_messages(db, 2)) == [
        (
            "source",
            "source:whctp:waf:2",
            "威海火炬高技术产业开发区 政府信息公开年报：被网站防火墙拦截",
        ),
        (
            "source",
            "source:penglai:unreachable:2",
            "烟台市蓬莱区 政府信息公开年报（xxgkAnnualReport）：无法访问",
        ),
        ("source", "source:anqiu:waf:2", "安丘市 政府信息公开年报：被网站防火墙拦截"),
    ]


def test_a_waf_message_counts_the_blocks_and_links_the_blocked_urls(
    faulty_night2,
) -> None:
    db, faults = faulty_night2
    whctp, penglai, _ = source_messages(db, 2)
    blocked = tuple(  # by URL: the order of fetches varies from crawl to crawl
        sorted(u for u, f in faults.items() if f.startswith("waf") and "whctp" in u)
    )
    assert whctp.message.startswith(
        "2 次抓取被网站防火墙（WAF）的验证页面拦截（waf_412 ×1，waf_521 ×1）"
    )
    assert whctp.links == blocked
    assert (whctp.region, whctp.body) == (
        "山东省威海市威海火炬高技术产业开发区",
        "威海火炬高技术产业开发区管理委员会",
    )
    assert penglai.message.startswith("列表页一页也没能读取（http_503 ×1）")
    assert penglai.links == ("http://www.penglai.gov.cn/col/col59245/index.html",)


# ------------------------------------------------------------------ late reports


def test_a_late_report_is_raised_just_after_its_deadline_and_always_under_one_key(
    archive,
) -> None:
    _night(archive, [TOWN, COUNTY, OLD])
    deadlines = Deadlines()
    assert late_messages(archive.db, deadlines, JUST_BEFORE) == []
    expected = Message(
        kind="late",
        key="late:某某镇人民政府:2024",
        title="某某镇人民政府 2024年报逾期未发布（应于2025-01-31前发布）",
        message="某某镇人民政府 2024年报逾期未发布（应于2025-01-31前发布）。"
        "存档中该机关最近的年报是 2023 年度的《某某镇人民政府2023年政府信息公开工作年度报告》。",
        region="山东省",
        body="某某镇人民政府",
        source_id="s",
        links=(PAGES[TOWN.body],),
    )
    assert late_messages(archive.db, deadlines, JUST_AFTER) == [expected]
    assert late_messages(archive.db, deadlines, JUST_AFTER + timedelta(days=9)) == [
        expected
    ]


def test_the_government_wide_report_is_due_on_31_march_and_deadlines_are_configurable(
    archive,
) -> None:
    _night(archive, [TOWN, COUNTY, OLD])
    april = datetime(2025, 4, 1, tzinfo=BEIJING)
    assert [m.key for m in late_messages(archive.db, Deadlines(), april)] == [
        "late:某某县人民政府:2024",
        "late:某某镇人民政府:2024",
    ]
    later = Deadlines(department="02-28")
    assert late_messages(archive.db, later, JUST_AFTER) == []


def test_no_late_message_when_the_source_was_not_listed_since_the_deadline(
    archive,
) -> None:
    _night(archive, [TOWN])
    archive.db.execute(
        "UPDATE runs SET ended = '2025-01-31T15:59:59Z'"
    )  # 23:59:59 Beijing
    assert late_messages(archive.db, Deadlines(), JUST_AFTER) == []
    archive.db.execute("UPDATE runs SET ended = '2025-01-31T16:00:00Z'")
    assert [m.key for m in late_messages(archive.db, Deadlines(), JUST_AFTER)] == [
        "late:某某镇人民政府:2024"
    ]


def test_now_without_a_time_zone_is_refused(archive) -> None:
    with pytest.raises(ValueError, match="now must carry its time zone"):
        late_messages(archive.db, Deadlines(), datetime(2025, 2, 1))


LATE_2024 = {
    "威海临港经济技术开发区草庙子镇人民政府",
    "威海火炬高技术产业开发区初村镇人民政府",
    "威海火炬高技术产业开发区田和街道办事处",
    "安丘市人民政府办公室",
    "安丘市凌河街道办事处",
    "安丘市发展和改革局",
    "安丘市教育和体育局",
    "安丘市景芝镇人民政府",
    "安丘市郚山镇人民政府",
    "蓬莱区刘家沟镇人民政府",
    "蓬莱区北沟镇人民政府",
    "蓬莱区大辛店镇人民政府",
    "蓬莱区紫荆山街道办事处",
}


def test_the_replica_towns_and_departments_without_a_2024_report_are_late_after_31_january(
    night1: Path, faulty_night2
) -> None:
    db = connect(night1 / "archive.db", readonly=True)
    try:
        assert late_messages(db, Deadlines(), JUST_BEFORE) == []
        late = late_messages(db, Deadlines(), JUST_AFTER)
    finally:
        db.conn.close()
    assert {m.key for m in late} == {f"late:{body}:2024" for body in LATE_2024}
    night2, _ = faulty_night2  # 草庙子镇 published its 2024 report on night 2
    assert {m.key for m in late_messages(night2, Deadlines(), JUST_AFTER)} == {
        f"late:{body}:2024"
        for body in LATE_2024 - {"威海临港经济技术开发区草庙子镇人民政府"}
    }


# ------------------------------------------------------------------ stale runs


def _ended(db: Any, run: int) -> datetime:
    (ended,) = db.execute("SELECT ended FROM runs WHERE id = ?", [run]).fetchone()
    return datetime.fromisoformat(ended)


def test_no_complete_run_for_more_than_26_hours_raises_one_health_message(
    night1: Path,
) -> None:
    db = connect(night1 / "archive.db", readonly=True)
    try:
        ended = _ended(db, 1)
        assert stale_message(db, 26.0, ended + timedelta(hours=25)) is None
        message = stale_message(db, 26.0, ended + timedelta(hours=27))
    finally:
        db.conn.close()
    assert message is not None
    shown = ended.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert message == Message(
        kind="health",
        key="health:stale:1",
        title="已超过 26 小时没有成功的抓取",
        message=f"最近一次成功的抓取是第 1 次，结束于 {shown}（北京时间），"
        "已过去 27 小时。请检查定时任务和网络。",
    )


def test_failed_runs_do_not_count_and_partial_ones_do(archive) -> None:
    def at(text: str) -> datetime:
        return datetime.fromisoformat(text)

    _night(archive, [TOWN])
    _night(archive, list_failure="http_503", status="failed")
    archive.db.execute("UPDATE runs SET ended = '2025-03-01T00:00:00Z' WHERE id = 1")
    archive.db.execute("UPDATE runs SET ended = '2025-03-02T02:00:00Z' WHERE id = 2")
    assert (
        stale_message(archive.db, 26.0, at("2025-03-02T03:00:00Z")).key
        == "health:stale:1"
    )
    _night(archive, [TOWN], status="partial")
    archive.db.execute("UPDATE runs SET ended = '2025-03-02T02:30:00Z' WHERE id = 3")
    assert stale_message(archive.db, 26.0, at("2025-03-02T03:00:00Z")) is None
    assert (
        stale_message(archive.db, 26.0, at("2025-03-03T05:00:00Z")).key
        == "health:stale:3"
    )


def test_an_archive_that_never_had_a_good_run_is_stale_from_its_first_run(
    archive,
) -> None:
    assert stale_message(archive.db, 26.0, datetime.now(UTC)) is None  # no run at all
    _night(archive, list_failure="http_503", status="failed")
    (started,) = archive.db.execute("SELECT started FROM runs WHERE id = 1").fetchone()
    message = stale_message(
        archive.db, 26.0, datetime.fromisoformat(started) + timedelta(hours=27)
    )
    assert (message.key, message.message) == (
        "health:stale:never",
        "存档至今还没有一次成功的抓取，已过去 27 小时。请检查定时任务和网络。",
    )
