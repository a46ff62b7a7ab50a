"""Messages from events: baseline summaries, new and changed reports, removals, checks."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from alerts.config import Alerts
from alerts.messages import messages_for_run, short_name
from app.process import process_versions
from archive.blobs import BlobStore
from archive.db import connect, open_archive
from archive.history import settle_run, store_text
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

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from archive.db import Archive

ALERTS = Alerts(datasette_url="http://datasette.test/", database="nb")
NEW = "威海临港经济技术开发区草庙子镇人民政府"
CHANGED = "威海火炬高技术产业开发区经济发展局"
RESAVED = "安丘市景芝镇人民政府"


def _report_id(data: Path, body: str, year: int) -> int:
    with sqlite3.connect(data / "archive.db") as db:
        return db.execute(
            "SELECT id FROM reports WHERE body = ? AND year = ?", [body, year]
        ).fetchone()[0]


@pytest.mark.parametrize(
    ("body", "short"),
    [
        ("威海火炬高技术产业开发区管理委员会", "威海高区"),
        ("威海火炬高技术产业开发区经济发展局", "威海高区经济发展局"),
        ("威海临港经济技术开发区草庙子镇人民政府", "威海临港经开区草庙子镇"),
        ("威海火炬高技术产业开发区怡园街道办事处", "威海高区怡园街道"),
        ("安丘市景芝镇人民政府", "安丘市景芝镇"),
        ("平潭综合实验区管理委员会", "平潭综合实验区"),
        ("安丘市发展和改革局", "安丘市发展和改革局"),
    ],
)
def test_short_names_are_the_ones_people_use(body: str, short: str) -> None:
    assert short_name(body) == short


def test_night_1_is_one_baseline_summary_per_source(night1: Path) -> None:
    db = connect(night1 / "archive.db", readonly=True)
    try:
        messages = messages_for_run(db, 1, ALERTS)
    finally:
        db.conn.close()
    assert [(m.kind, m.key, m.source_id) for m in messages] == [
        ("baseline", f"baseline:{s}:1", s)
        for s in ("anqiu", "penglai", "pingtan", "whctp", "wip")
    ]
    assert [m.message.split("\n")[0] for m in messages] == [
        "安丘市首次收录：32份年报（7个机关，2019–2023年；30份勾稽校验通过，1份未通过，1份没有标准表格）",
        "烟台市蓬莱区首次收录：19份年报（5个机关，2020–2023年；19份勾稽校验通过）",
        "平潭综合实验区首次收录：19份年报（3个机关，2011–2025年；6份勾稽校验通过，1份未通过，12份没有标准表格）",
        "威海高区首次收录：26份年报（6个机关，2020–2024年；25份勾稽校验通过，1份没有标准表格）",
        "威海临港经开区首次收录：28份年报（5个机关，2019–2024年；27份勾稽校验通过，1份没有标准表格）",
    ]
    whctp = messages[3]
    assert whctp.title == "威海高区首次收录：26份年报"
    assert whctp.body == "威海火炬高技术产业开发区管理委员会"
    assert whctp.region == "山东省威海市威海火炬高技术产业开发区"
    assert whctp.links == (
        "http://datasette.test/nb/reports?source_id=whctp",
        "http://www.whctp.gov.cn/col/col82956/index.html",
    )
    assert whctp.message.split("\n")[1:] == [
        "查看：http://datasette.test/nb/reports?source_id=whctp",
        "栏目：http://www.whctp.gov.cn/col/col82956/index.html",
    ]


def test_night_2_tells_the_new_and_the_changed_report_and_not_the_resave(
    night2: Path,
) -> None:
    db = connect(night2 / "archive.db", readonly=True)
    try:
        # in event order, which follows the (concurrent) crawl's order of versions
        messages = sorted(messages_for_run(db, 2, ALERTS), key=lambda m: m.kind)
        events = dict(
            db.execute("SELECT kind, id FROM events WHERE run_id = 2").fetchall()
        )
    finally:
        db.conn.close()
    new, changed = _report_id(night2, NEW, 2024), _report_id(night2, CHANGED, 2022)
    new_url = "http://www.wip.gov.cn/art/2025/2/11/art_151617_4158433.html"
    changed_url = "http://www.whctp.gov.cn/art/2023/1/8/art_82956_4119958.html"
    assert sorted(events) == ["changed", "new_report", "republished"]
    assert [(m.kind, m.key, m.report_id) for m in messages] == [
        ("changed", f"event:{events['changed']}", changed),
        ("new_report", f"event:{events['new_report']}", new),
    ]
    assert [m.title for m in messages] == [
        "威海高区经济发展局 2022年报被修改",
        "威海临港经开区草庙子镇 2024年报已发布",
    ]
    with sqlite3.connect(night2 / "archive.db") as db3:
        changed_sha, new_sha = (
            db3.execute(
                "SELECT v.sha256 FROM events e JOIN versions v ON v.id = e.version_id"
                " WHERE e.id = ?",
                [events[kind]],
            ).fetchone()[0]
            for kind in ("changed", "new_report")
        )
    archived = "http://datasette.test/-/original/"
    assert [m.message for m in messages] == [
        "威海高区经济发展局 2022年报被修改：行政处罚 处理决定数量 53 → 15\n"
        f"查看：http://datasette.test/nb/reports/{changed}\n"
        f"存档副本：{archived}{changed_sha}\n原文（政府网站）：{changed_url}",
        "威海临港经开区草庙子镇 2024年报已发布：新收申请0件，勾稽校验通过\n"
        f"查看：http://datasette.test/nb/reports/{new}\n"
        f"存档副本：{archived}{new_sha}\n原文（政府网站）：{new_url}",
    ]
    assert messages[0].links == (
        f"http://datasette.test/nb/reports/{changed}",
        f"{archived}{changed_sha}",
        changed_url,
    )
    assert (messages[0].body, messages[0].region, messages[0].source_id) == (
        CHANGED,
        "山东省威海市威海火炬高技术产业开发区",
        "whctp",
    )
    assert not any(RESAVED in m.body or "景芝镇" in m.message for m in messages)


# --------------------------------------------- a source built with the recorder API

LIST = "http://example.gov.cn/col/col1/index.html"
PAGE_A = "http://example.gov.cn/art/2023/1/5/art_1_1.html"
PAGE_B = "http://example.gov.cn/art/2023/1/9/art_1_2.html"
TOWN_A = Identity(
    "甲镇人民政府",
    2021,
    "甲镇人民政府2021年政府信息公开工作年度报告",
    "山东省测试县",
    "town",
)
TOWN_B = Identity(
    "乙镇人民政府",
    2022,
    "乙镇人民政府2022年政府信息公开工作年度报告",
    "山东省测试县",
    "town",
)


class Site:
    """A one-source archive whose nights are recorded by hand (list page, pages, texts)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        sync_sources(
            archive.db,
            [
                Source(
                    id="s",
                    name="测试县 政府信息公开年报",
                    body="测试县人民政府",
                    region="山东省测试县",
                    level="county",
                    family="hanweb",
                    start_urls=(LIST,),
                    evidence="inferred",
                )
            ],
        )

    def night(self, pages: dict[str, tuple[Identity, bytes, str]]) -> int:
        """One complete run listing ``pages`` (url → identity, bytes, text hash)."""
        db, blobs = self.archive.db, self.archive.blobs
        run = start_run(
            db, target="test", epoch=None, sources=["s"], crawler_version="t"
        )
        record_fetch(
            db,
            blobs,
            FetchRecord(
                run,
                "s",
                "list",
                LIST,
                "GET",
                "t0",
                "t1",
                "t",
                status=200,
                body=b"<html>list</html>",
            ),
        )
        record_listing(
            db,
            ListingBatch(
                run,
                "s",
                LIST,
                [
                    ListingEntry(u, i.title, None, "report", "title")
                    for u, (i, _, _) in pages.items()
                ],
            ),
        )
        for url, (identity, body, _) in pages.items():
            record_fetch(
                db,
                blobs,
                FetchRecord(
                    run,
                    "s",
                    "page",
                    url,
                    "GET",
                    "t0",
                    "t1",
                    "t",
                    status=200,
                    body=body,
                    sniffed_type="text/html",
                    used_charset="utf-8",
                    identity=identity,
                    listed=True,
                ),
            )
        texts = {url: text for url, (_, _, text) in pages.items()}
        for version_id, url in db.execute(
            "SELECT v.id, d.url FROM versions v JOIN documents d ON d.id = v.document_id"
            " WHERE v.first_seen_run = ?",
            [run],
        ).fetchall():
            store_text(db, version_id, texts[url], "ok")
        process_versions(self.archive)
        settle_run(db, run, ["s"])
        finish_run(db, run, "complete", 0)
        return run

    def messages(self, run: int) -> list[tuple[str, str]]:
        return [
            (m.kind, m.message.split("\n")[0])
            for m in messages_for_run(self.archive.db, run, ALERTS)
        ]

    def one(self, sql: str, params: list[Any]) -> Any:
        return self.archive.db.execute(sql, params).fetchone()[0]


@pytest.fixture
def failing_report(night1: Path) -> bytes:
    """A real replica page whose own figures do not add up (balance, handled_sum)."""
    with sqlite3.connect(night1 / "archive.db") as db:
        (sha256,) = db.execute(
            """SELECT v.sha256 FROM checks c JOIN versions v ON v.id = c.version_id
               JOIN documents d ON d.id = v.document_id JOIN reports r ON r.id = d.report_id
               WHERE c.ok = 0 AND c.scope = 'report' AND r.body = '安丘市发展和改革局'"""
        ).fetchone()
    return BlobStore(night1 / "blobs").path(sha256).read_bytes()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    archive = open_archive(tmp_path / "site")
    yield Site(archive)
    archive.close()


def test_inconsistent_text_only_removed_and_restored(
    site: Site, failing_report: bytes
) -> None:
    a = {
        PAGE_A: (
            TOWN_A,
            "<html><body><p>甲镇2021年报告正文</p></body></html>".encode(),
            "a",
        )
    }
    b = {PAGE_B: (TOWN_B, failing_report, "b1")}
    first = site.night(a)
    assert site.messages(first) == [
        (
            "baseline",
            "测试县首次收录：1份年报（1个机关，2021年；0份勾稽校验通过，1份没有标准表格）",
        )
    ]

    second = site.night({**a, **b})
    b_report = site.one("SELECT report_id FROM documents WHERE url = ?", [PAGE_B])
    b_version = site.one(
        "SELECT current_version_id FROM documents WHERE url = ?", [PAGE_B]
    )
    checks = site.archive.db.execute(
        "SELECT name, explanation FROM checks WHERE version_id = ? AND ok = 0"
        " ORDER BY id",
        [b_version],
    ).fetchall()
    b_sha = site.one("SELECT sha256 FROM versions WHERE id = ?", [b_version])
    assert [name for name, _ in checks] == ["balance", "handled_sum"]
    told = messages_for_run(site.archive.db, second, ALERTS)
    assert [(m.kind, m.key) for m in told] == [
        (
            "new_report",
            f"event:{site.one('SELECT id FROM events WHERE run_id = ?', [second])}",
        ),
        ("inconsistent", f"inconsistent:{b_version}"),
    ]
    assert told[0].message.split("\n")[0] == (
        "乙镇 2022年报已发布：新收申请14件，勾稽校验未通过（收支平衡、办理结果合计）"
    )
    assert told[1].title == "乙镇 2022年报勾稽校验未通过"
    assert told[1].message == (
        f"乙镇 2022年报勾稽校验未通过：收支平衡：{checks[0][1]}；"
        f"办理结果合计：{checks[1][1]}\n"
        f"查看：http://datasette.test/nb/reports/{b_report}\n"
        f"存档副本：http://datasette.test/-/original/{b_sha}\n原文（政府网站）：{PAGE_B}"
    )

    edited = failing_report.replace(
        b"</body>", "<p>（本报告有更正）</p></body>".encode(), 1
    )
    assert edited != failing_report
    third = site.night({**a, PAGE_B: (TOWN_B, edited, "b2")})
    edited_version = site.one(
        "SELECT current_version_id FROM documents WHERE url = ?", [PAGE_B]
    )
    assert site.messages(third) == [
        ("changed", "乙镇 2022年报被修改：仅文字改动（表格数字未变）"),
        ("inconsistent", site.messages(second)[1][1]),
    ]
    assert (
        messages_for_run(site.archive.db, third, ALERTS)[1].key
        == f"inconsistent:{edited_version}"
    )

    b_edited = {PAGE_B: (TOWN_B, edited, "b2")}
    assert [site.messages(site.night(b_edited)) for _ in range(2)] == [[], []]
    removal = site.night(b_edited)
    assert site.messages(removal) == [
        (  # page A was not fetched at all on these nights: not known to be gone
            "delisted",
            "甲镇 2021年报已从栏目中撤下：连续3次完整抓取都未在栏目中找到，"
            "但原文件链接仍可访问或无法核实（存档保留原文件）",
        )
    ]
    a_report = site.one("SELECT report_id FROM documents WHERE url = ?", [PAGE_A])
    a_sha = site.one(
        "SELECT v.sha256 FROM documents d JOIN versions v"
        " ON v.id = d.current_version_id WHERE d.url = ?",
        [PAGE_A],
    )
    assert messages_for_run(site.archive.db, removal, ALERTS)[0].links == (
        f"http://datasette.test/nb/reports/{a_report}",
        f"http://datasette.test/-/original/{a_sha}",  # gone from the site, kept here
        PAGE_A,
    )
    assert site.messages(site.night({**a, **b_edited})) == [
        ("restored", "甲镇 2021年报重新出现：此前被撤下的年报又出现在栏目中")
    ]
