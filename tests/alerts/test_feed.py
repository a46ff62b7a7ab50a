"""The Atom feed of new and changed reports, parsed back the way a feed reader reads it."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

import pytest

from alerts.config import Alerts
from alerts.feed import feed_xml, write_feed
from archive.db import connect, open_archive
from archive.history import settle_run
from archive.recorder import FetchRecord, Identity, record_fetch
from archive.runs import finish_run, start_run, sync_sources
from crawler.registry import Source
from tests.crawler.helpers import rows, run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

NS = {"a": "http://www.w3.org/2005/Atom"}
NEW = "威海临港经济技术开发区草庙子镇人民政府"
CHANGED = "威海火炬高技术产业开发区经济发展局"


@pytest.fixture(scope="module")
def night2(night1: Path, tmp_path_factory: pytest.TempPathFactory, replica_at) -> Path:
    data = tmp_path_factory.mktemp("feed") / "archive"
    shutil.copytree(night1, data, ignore=shutil.ignore_patterns("crawl.lock"))
    done = run_crawl(data, replica_at(2).proxy)
    assert done.returncode == 0, done.stdout + done.stderr
    return data


@pytest.fixture
def db2(night2: Path) -> Iterator[Any]:
    db = connect(night2 / "archive.db", readonly=True)
    yield db
    db.conn.close()


def _report(data: Path, body: str, year: int) -> int:
    ((report_id,),) = rows(
        data, "SELECT id FROM reports WHERE body = ? AND year = ?", (body, year)
    )
    return report_id


def _event(data: Path, kind: str) -> int:
    ((event_id,),) = rows(
        data, "SELECT id FROM events WHERE run_id = 2 AND kind = ?", (kind,)
    )
    return event_id


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    assert found.text, path
    return found.text


def _links(entry: ET.Element, rel: str) -> list[str]:
    return [link.get("href", "") for link in entry.findall(f"a:link[@rel='{rel}']", NS)]


def test_the_feed_after_night_2_has_the_new_and_the_changed_report_not_the_resave(
    db2, tmp_path: Path
) -> None:
    path = tmp_path / "feed.atom"
    assert write_feed(db2, path, Alerts()) == 2
    feed = ET.fromstring(path.read_bytes())
    # Both came in the same run; their order follows the order the crawl met them in.
    assert sorted(_text(e, "a:title") for e in feed.findall("a:entry", NS)) == sorted(
        [f"{CHANGED} 2022年报被修改", f"{NEW} 2024年报已发布"]
    )
    assert "景芝镇" not in path.read_text(
        encoding="utf-8"
    )  # re-saved, same text: no news


def test_the_feed_is_atom_with_every_required_element(db2, night2: Path) -> None:
    feed = ET.fromstring(feed_xml(db2, Alerts()))
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert _text(feed, "a:id") == "tag:127.0.0.1,2025:archive/feed"
    assert _text(feed, "a:title") == "政府信息公开工作年度报告：新发布和被修改的年报"
    assert _text(feed, "a:author/a:name") == "nianbao"
    entries = feed.findall("a:entry", NS)
    changed, new = sorted(entries, key=lambda e: "被修改" not in _text(e, "a:title"))
    assert _text(feed, "a:updated") == max(_text(e, "a:updated") for e in entries)
    assert [_text(e, "a:id") for e in (changed, new)] == [
        f"tag:127.0.0.1,2025:archive/events/{_event(night2, 'changed')}",
        f"tag:127.0.0.1,2025:archive/events/{_event(night2, 'new_report')}",
    ]
    for entry in (changed, new):
        assert (
            datetime.fromisoformat(_text(entry, "a:updated"))
            .utcoffset()
            .total_seconds()
            == 0
        )
    assert _links(new, "alternate") == [
        f"http://127.0.0.1:8001/archive/reports/{_report(night2, NEW, 2024)}"
    ]
    original = "http://127.0.0.1:8001/-/original/"
    ((new_sha,),) = rows(
        night2,
        "SELECT v.sha256 FROM documents d JOIN versions v"
        " ON v.id = d.current_version_id WHERE d.report_id = ?",
        (_report(night2, NEW, 2024),),
    )
    assert _links(new, "related") == [  # the archived copy, then the site's
        original + new_sha,
        "http://www.wip.gov.cn/art/2025/2/11/art_151617_4158433.html",
    ]
    assert _links(changed, "alternate") == [
        f"http://127.0.0.1:8001/archive/reports/{_report(night2, CHANGED, 2022)}"
    ]
    ((changed_sha,),) = rows(
        night2,
        "SELECT v.sha256 FROM events e JOIN versions v ON v.id = e.version_id"
        " WHERE e.id = ?",
        (_event(night2, "changed"),),
    )
    assert _links(changed, "related") == [
        original + changed_sha,
        "http://www.whctp.gov.cn/art/2023/1/8/art_82956_4119958.html",
    ]
    assert [
        link.get("title") for link in changed.findall("a:link[@rel='related']", NS)
    ] == [
        "存档副本",
        "原件（政府网站）",
    ]
    assert _text(new, "a:author/a:name") == NEW
    assert _text(new, "a:summary").startswith(
        f"{NEW}2024年政府信息公开工作年度报告。机关：{NEW}；地区：山东省威海市威海临港经济技术开发区；"
        "网站标注的发布日期：2025-02-11 16:20。"
    )


def test_ids_links_and_limit_follow_the_configuration(db2, night2: Path) -> None:
    alerts = Alerts(datasette_url="https://nianbao.example.org/", database="nb")
    feed = ET.fromstring(feed_xml(db2, alerts, limit=1))
    (entry,) = feed.findall("a:entry", NS)
    newest = max(
        ("changed", CHANGED, 2022),
        ("new_report", NEW, 2024),
        key=lambda k: _event(night2, k[0]),
    )
    assert (
        _text(entry, "a:id")
        == f"tag:nianbao.example.org,2025:nb/events/{_event(night2, newest[0])}"
    )
    assert _links(entry, "alternate") == [
        f"https://nianbao.example.org/nb/reports/{_report(night2, newest[1], newest[2])}"
    ]


def test_writing_is_atomic_and_gives_the_served_bytes(db2, tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_bytes(b"an older feed")
    write_feed(db2, path, Alerts())
    assert path.read_bytes() == feed_xml(db2, Alerts()) == feed_xml(db2, Alerts())
    assert [p.name for p in tmp_path.iterdir()] == ["feed.atom"]  # no temporary left
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_first_crawl_is_a_baseline_not_news(night1: Path, tmp_path: Path) -> None:
    db = connect(night1 / "archive.db", readonly=True)
    try:
        assert write_feed(db, tmp_path / "feed.atom", Alerts()) == 0
    finally:
        db.conn.close()
    feed = ET.fromstring((tmp_path / "feed.atom").read_bytes())
    assert feed.findall("a:entry", NS) == []
    ((ended,),) = rows(night1, "SELECT ended FROM runs WHERE id = 1")
    assert datetime.fromisoformat(_text(feed, "a:updated")) == datetime.fromisoformat(
        ended
    ).replace(microsecond=0)


def test_a_report_whose_page_and_file_both_changed_is_one_entry(tmp_path: Path) -> None:
    archive = open_archive(tmp_path / "archive")
    page, pdf = "http://example.gov.cn/art/1.html", "http://example.gov.cn/art/1.pdf"
    identity = Identity(
        "某某镇人民政府", 2023, "某某镇人民政府2023年年报", "山东省", "town"
    )
    try:
        sync_sources(
            archive.db,
            [
                Source(
                    "s",
                    "某某",
                    "某某县人民政府",
                    "山东省",
                    "county",
                    "hanweb",
                    ("http://x/",),
                    "inferred",
                )
            ],
        )
        for night in (1, 2):
            run = start_run(
                archive.db, target="t", epoch=None, sources=["s"], crawler_version="t"
            )
            listing = FetchRecord(  # the source's list, read whole each night
                run, "s", "list", "http://x/", "GET", "t0", "t1", "t", status=200
            )
            listing.body = b"<html>list</html>"
            record_fetch(archive.db, archive.blobs, listing)
            for kind, url in (("page", page), ("attachment", pdf)):
                record = FetchRecord(
                    run, "s", kind, url, "GET", "t0", "t1", "t", status=200
                )
                record.body, record.identity, record.listed = (
                    f"{url} {night}".encode(),
                    identity,
                    True,
                )
                record_fetch(archive.db, archive.blobs, record)
            settle_run(archive.db, run, ["s"])
            finish_run(archive.db, run, "complete", 0)
        feed = ET.fromstring(feed_xml(archive.db, Alerts()))
    finally:
        archive.close()
    (entry,) = feed.findall("a:entry", NS)
    assert _text(entry, "a:title") == "某某镇人民政府 2023年报被修改"
    assert _links(entry, "related")[-2:] == [page, pdf]
    assert len(_links(entry, "related")) == 4  # each file's archived copy first
    assert "（2 个文件与上一版本不同）" in _text(entry, "a:summary")
