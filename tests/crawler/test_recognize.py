"""Report recognition and identity, on real titles (Pingtan, the seeds) and the replica's variants."""

from __future__ import annotations

import pytest

from crawler.recognize import (
    Evidence,
    classify,
    higher_places,
    own_place,
    parse_date,
    resolve,
    split_title,
    statistics_year,
)
from crawler.registry import load_registry
from replica.families.fujian import real_pages

SOURCES = {s.id: s for s in load_registry()}


@pytest.mark.parametrize(
    "page", list(real_pages("pingtan")), ids=lambda p: str(p.docid)
)
def test_every_real_pingtan_title_is_classified_and_identified(page) -> None:
    is_report, reason = classify(page.title)
    assert is_report is (page.kind == "report"), reason
    if is_report:
        found = resolve(
            Evidence(title=page.title, published=page.published.strftime("%Y-%m-%d")),
            SOURCES["pingtan"],
        )
        assert (found.body, found.year) == (page.body, page.year)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        (
            "图解：威海临港经济技术开发区2023年政府信息公开工作年度报告",
            "noise: 解读 (an explanation of a report)",
        ),
        (
            "《威海火炬高技术产业开发区2022年政府信息公开工作年度报告》解读",
            "noise: 解读 (an explanation of a report)",
        ),
        ("威海火炬高技术产业开发区政府信息公开指南", "noise: 指南 (a guide)"),
        ("关于报送2023年政府信息公开工作年度报告的函", "noise: 函 (a letter)"),
        ("关于2014年政府信息公开工作要点落实情况的函", "noise: 函 (a letter)"),
        (
            "安丘市人民政府办公室关于做好2020年政府信息公开工作年度报告编制发布和报送工作的通知",
            "noise: 通知 (a notice)",
        ),
        ("怡园街道2023年度工作总结", "noise: 总结 (a work summary)"),
        ("威海临港经济技术开发区2024年政务公开工作要点", "noise: 要点 (a work plan)"),
        ("关于召开全区安全生产会议的通报", "noise: 通知 (a notice)"),
        ("2023年财政预算执行情况", "title names no annual report"),
    ],
)
def test_noise_titles_are_skipped_with_the_reason(title: str, reason: str) -> None:
    assert classify(title) == (False, reason)


@pytest.mark.parametrize(
    ("title", "source", "body", "year"),
    [
        (
            "威海临港经济技术开发区蔄山镇人民政府2023年政府信息公开工作年度报告",
            "wip",
            "威海临港经济技术开发区蔄山镇人民政府",
            2023,
        ),
        (
            "2024年度威海临港经济技术开发区管理委员会政府信息公开工作年度报告",
            "wip",
            "威海临港经济技术开发区管理委员会",
            2024,
        ),
        (
            "草庙子镇2019年政府信息公开工作报告",
            "wip",
            "威海临港经济技术开发区草庙子镇人民政府",
            2019,
        ),
        (
            "田和街道2021年政府信息公开工作年度报告",
            "whctp",
            "威海火炬高技术产业开发区田和街道办事处",
            2021,
        ),
        (
            "郚山镇人民政府2020年政府信息公开工作年度报告",
            "anqiu",
            "安丘市郚山镇人民政府",
            2020,
        ),
        (
            "安丘市教育和体育局2023年政府信息公开年度报告",
            "anqiu",
            "安丘市教育和体育局",
            2023,
        ),
        (
            "蓬莱区大辛店镇人民政府 2022 年度 政府信息公开工作报告",
            "penglai",
            "蓬莱区大辛店镇人民政府",
            2022,
        ),
        (
            "烟台市蓬莱区人民政府2021年政府信息公开工作报告",
            "penglai",
            "烟台市蓬莱区人民政府",
            2021,
        ),
        (
            "平潭综合实验区管委会2014年度政府信息公开工作年度报告",
            "pingtan",
            "平潭综合实验区管理委员会",
            2014,
        ),
        (
            "平潭综合实验区地方税务局2013年信息公开年度报告",
            "pingtan",
            "平潭综合实验区地方税务局",
            2013,
        ),
    ],
)
def test_body_and_year_from_title_variants(
    title: str, source: str, body: str, year: int
) -> None:
    assert classify(title)[0] is True
    found = resolve(Evidence(title=title), SOURCES[source])
    assert (found.body, found.year) == (body, year)
    assert found.note == "body from title; year from title"


def test_a_title_without_body_takes_the_publisher() -> None:
    found = resolve(
        Evidence(
            title="2023年政府信息公开工作年度报告",
            publisher="威海火炬高技术产业开发区社会事业局",
        ),
        SOURCES["whctp"],
    )
    assert (found.body, found.year, found.level) == (
        "威海火炬高技术产业开发区社会事业局",
        2023,
        "department",
    )
    assert found.note == "body from 发布机构; year from title"


def test_a_title_without_year_takes_the_statistics_period_then_the_date() -> None:
    text = "本报告中所列数据的统计期限自 2020 年 1 月 1 日起至2020年12月31日止。"
    title = "威海火炬高技术产业开发区田和街道办事处政府信息公开工作年度报告"
    found = resolve(
        Evidence(title=title, text=text, published="2021-01-20"), SOURCES["whctp"]
    )
    assert (found.year, found.note) == (
        2020,
        "body from title; year from statistics period",
    )
    found = resolve(
        Evidence(title=title, published="2021-01-20 09:00"), SOURCES["whctp"]
    )
    assert (found.year, found.note) == (
        2020,
        "body from title; year from publication date",
    )
    with pytest.raises(ValueError, match="no year"):
        resolve(Evidence(title=title), SOURCES["whctp"])


def test_a_disagreeing_statistics_period_is_kept_as_a_warning() -> None:
    found = resolve(
        Evidence(
            title="安丘市景芝镇人民政府2020年政府信息公开工作年度报告",
            text="统计期限自2019年1月1日起",
        ),
        SOURCES["anqiu"],
    )
    assert found.year == 2020
    assert found.note.endswith("warning: statistics period says 2019")


def test_helpers_read_the_real_formats() -> None:
    assert split_title("《平潭综合实验区2025年度政府信息公开工作年度报告》") == (
        "平潭综合实验区",
        2025,
    )
    assert statistics_year("报告中所列数据统计期限从2021年1月1日到12月31日止") == 2021
    assert statistics_year("结合202020年工作实际") is None  # the typo is not a period
    assert parse_date("发布时间:2024年01月29日 10:09") == "2024-01-29 10:09"
    assert parse_date("发布时间:2026-01-23 08:58:29") == "2026-01-23 08:58"
    assert parse_date("[2023-01-30]") == "2023-01-30"
    assert parse_date("时间：2025-03-10 15:35") == "2025-03-10 15:35"
    assert parse_date("no date") is None


@pytest.mark.parametrize(
    ("title", "source", "body", "level"),
    [
        # the county's own place named alone is its government
        ("安化县2022年政府信息公开工作年度报告", "anhua", "安化县人民政府", "county"),
        # a town without its county: the source's place (from its body) is added
        (
            "东古城镇2023年政府信息公开工作年度报告",
            "guanxian",
            "冠县东古城镇人民政府",
            "town",
        ),
        # the city's and the province's reports reposted in the county's column
        (
            "聊城市人民政府2022年政府信息公开工作年度报告",
            "guanxian",
            "聊城市人民政府",
            "city",
        ),
        ("荆州市2023年政府信息公开工作年度报告", "shashi", "荆州市人民政府", "city"),
        (
            "四川省民政厅2023年政府信息公开工作年度报告",
            "pengxi",
            "四川省民政厅",
            "province",
        ),
        # a city's department inside the county names the county: not a repost
        (
            "潍坊市生态环境局安丘分局2023年政府信息公开工作年度报告",
            "anqiu",
            "潍坊市生态环境局安丘分局",
            "department",
        ),
        # a county named in a zone's column is its own government, never prefixed
        ("平潭县2012年政府信息公开工作年度报告", "pingtan", "平潭县人民政府", "county"),
    ],
)
def test_whose_report_a_title_names_from_the_sources_place(
    title: str, source: str, body: str, level: str
) -> None:
    found = resolve(Evidence(title=title), SOURCES[source])
    assert (found.body, found.level) == (body, level)


def test_a_reposted_report_says_so_in_its_note() -> None:
    found = resolve(
        Evidence(title="丹东市人民政府2023年政府信息公开工作年度报告"),
        SOURCES["kuandian"],
    )
    assert found.note == (
        "body from title (a higher body's report, reposted); year from title"
    )


def test_the_place_a_source_prefixes_short_names_with() -> None:
    assert own_place(SOURCES["anqiu"]) == "安丘市"  # its body_prefix
    assert own_place(SOURCES["guanxian"]) == "冠县"  # from 冠县人民政府
    assert own_place(SOURCES["pingtan"]) == "平潭综合实验区"  # from its 管理委员会
    assert higher_places("四川省遂宁市蓬溪县") == ["四川省", "遂宁市"]


def test_news_of_a_meeting_about_the_reports_is_not_a_report() -> None:
    assert classify("望都县举办2023年度政府信息公开工作年度报告编制培训会") == (
        False,
        "noise: 会议 (news of a meeting)",
    )
