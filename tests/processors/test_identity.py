"""Report identity on real documents (the 20 Pingtan pages, the five seeds) and on every title shape."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from processors.document import Document
from processors.html import read_html
from processors.identity import (
    Hints,
    Identity,
    TitleParts,
    classify,
    find_heading,
    identify,
    place_government,
    read_title,
    signature_date,
    stated_year,
)
from processors.plain import read_text

DATA = Path(__file__).parents[2] / "replica" / "data"
PAGES = yaml.safe_load((DATA / "pingtan" / "pages.yaml").read_text(encoding="utf-8"))
PINGTAN = Hints(
    body="平潭综合实验区管理委员会"
)  # the source's body (crawler/sites/fujian.toml)

# docid → (title, published): the page's own heading or ArticleTitle, and its PubDate.
PINGTAN_TITLES = {
    105587: ("平潭综合实验区2025年度政府信息公开工作年度报告", "2026-03-10"),
    97791: ("平潭综合实验区2024年度政府信息公开工作年度报告", "2025-03-10"),
    87885: ("平潭综合实验区2023年度政府信息公开工作年度报告", "2024-03-08"),
    80629: ("平潭综合实验区2022年度政府信息公开工作年度报告", "2023-02-20"),
    80613: ("平潭综合实验区2021年度政府信息公开工作年度报告", "2022-02-08"),
    80595: ("平潭综合实验区2020年政府信息公开工作年度报告", "2021-03-05"),
    80576: ("平潭综合实验区2019年政府信息公开工作年度报告", "2020-01-20"),
    80529: ("平潭综合实验区2018年度政府信息公开工作年度报告", "2019-01-10"),
    80506: ("平潭综合实验区2017年度政府信息公开工作年度报告", "2018-01-23"),
    80485: ("平潭综合实验区2016年度政府信息公开工作年度报告", "2017-01-18"),
    80445: ("平潭综合实验区2015年度政府信息公开工作年度报告", "2016-01-12"),
    80791: ("平潭综合实验区2014年度政府信息公开工作年度报告", "2015-01-02"),
    80774: ("平潭综合实验区地方税务局2013年信息公开年度报告", "2014-02-25"),
    80759: ("平潭综合实验区2013年政府信息公开工作年度报告", "2014-01-10"),
    80754: ("平潭县人民政府2013年政府信息公开工作年度报告", "2014-01-22"),
    80734: ("平潭综合实验区2012年政府信息公开工作年度报告", "2013-02-25"),
    80725: ("平潭县人民政府2012年政府信息公开工作年度报告", "2013-01-17"),
    80678: ("平潭综合实验区2011年政府信息公开工作年度报告", "2012-04-11"),
    80716: ("平潭县人民政府2011年政府信息公开工作年度报告", "2012-04-18"),
}


def pingtan(docid: int) -> Document:
    return read_html((DATA / "pingtan" / f"{docid}.html").read_bytes())


def seed(name: str) -> Document:
    (path,) = (DATA / "seeds").glob(f"{name}_*.txt")
    return read_text(path.read_bytes())


def text(*lines: str, kind: str = "pdf", **meta: str) -> Document:
    return Document(kind=kind, text="\n".join(lines), meta=meta)


# ---------------------------------------------------------------- real Pingtan pages


def test_every_pingtan_report_is_listed_with_its_title() -> None:
    reports = {docid for docid, page in PAGES.items() if page.get("kind") != "函"}
    assert reports == set(PINGTAN_TITLES)


@pytest.mark.parametrize("docid", sorted(PINGTAN_TITLES))
def test_real_pingtan_report_is_identified_without_warnings(docid: int) -> None:
    title, published = PINGTAN_TITLES[docid]
    body, year = PAGES[docid]["body"], PAGES[docid]["year"]
    assert identify(pingtan(docid), PINGTAN) == Identity(title, body, year, published)


def test_the_pingtan_letter_is_not_a_report() -> None:
    found = identify(pingtan(80787), PINGTAN)
    assert classify(found.title or "") == (False, "noise: 函 (a letter)")
    assert found.warnings[-1] == (
        "title: 关于2014年政府信息公开工作要点落实情况的函 is not an annual report "
        "(noise: 函 (a letter))"
    )


def test_a_title_naming_a_place_takes_the_government_from_the_publishers_office() -> (
    None
):
    # ContentSource 平潭综合实验区管委会办公室: the office publishes for the 管委会
    found = identify(pingtan(105587))
    assert (found.body, found.warnings) == ("平潭综合实验区管理委员会", ())


def test_a_title_naming_a_place_ignores_a_publisher_of_another_place() -> None:
    # 80445 has no ContentSource; the page prints the CMS default "来源：平潭县人民政府"
    assert pingtan(80445).meta["publisher"] == "平潭县人民政府"
    found = identify(pingtan(80445))
    assert found.body == "平潭综合实验区管理委员会"
    assert found.warnings == (
        "body: the heading names 平潭综合实验区, a place; "
        "took its government 平潭综合实验区管理委员会",
    )


def test_a_heading_naming_a_place_takes_the_body_the_page_title_names() -> None:
    # heading 平潭综合实验区 / 2014年度…; ArticleTitle 平潭综合实验区管委会2014年度…
    found = identify(pingtan(80791))
    assert (found.body, found.warnings) == ("平潭综合实验区管理委员会", ())


@pytest.mark.parametrize(
    ("place", "government"),
    [
        ("平潭综合实验区", "平潭综合实验区管理委员会"),
        ("威海火炬高技术产业开发区", "威海火炬高技术产业开发区管理委员会"),
        ("安丘市", "安丘市人民政府"),
        ("烟台市蓬莱区", "烟台市蓬莱区人民政府"),
        ("高区", None),  # an abbreviation of 威海火炬高技术产业开发区, not a district
    ],
)
def test_the_government_of_a_place(place: str, government: str | None) -> None:
    assert place_government(place) == government


def test_an_abbreviated_place_is_kept_as_printed_and_reported() -> None:
    found = identify(text("高区2021年政府信息公开工作年度报告"))
    assert (found.body, found.warnings) == (
        "高区",
        (
            "body: the heading names 高区, a place, and no 发布机构, crumb or known body "
            "of that place says whose report it is",
        ),
    )


def test_a_heading_over_two_lines_beats_a_differently_worded_page_title() -> None:
    document = pingtan(80791)
    assert (
        document.meta["title"] == "平潭综合实验区管委会2014年度政府信息公开工作年度报告"
    )
    assert (
        find_heading(document.text) == "平潭综合实验区2014年度政府信息公开工作年度报告"
    )


def test_a_statistics_sentence_with_its_dates_left_blank_gives_no_year() -> None:
    # 80754 prints "本报告所列数据的统计期限自至。": the template's dates never filled in
    found = identify(pingtan(80754), Hints(body="平潭县人民政府"))
    assert (found.year, found.warnings) == (2013, ())


# ---------------------------------------------------------------- the five seeds

# The list items' titles (typed on the site, so not garbled like the extracted text).
SEED_LIST_TITLES = {
    "000": "威海临港经济技术开发区蔄山镇人民政府2021年政府信息公开工作年度报告",
    "001": "郚山镇人民政府2020年政府信息公开工作年度报告",
    "002": "威海临港经济技术开发区汪疃镇人民政府2023年政府信息公开工作年度报告",
    "003": "威海火炬高技术产业开发区管理委员会2021年政府信息公开工作年度报告",
    "004": "蓬莱区大辛店镇人民政府2022年度政府信息公开工作报告",
}


@pytest.mark.parametrize(
    ("name", "body", "year", "published"),
    [
        ("000", "威海临港经济技术开发区蔄山镇人民政府", 2021, None),
        ("001", "郚山镇人民政府", 2020, "2021-01-25"),
        ("002", "威海临港经济技术开发区汪疃镇人民政府", 2023, None),
        ("003", "威海火炬高技术产业开发区管理委员会", 2021, None),
        ("004", "蓬莱区大辛店镇人民政府", 2022, "2023-01-09"),
    ],
)
def test_seed_is_identified_with_its_list_title(
    name: str, body: str, year: int, published: str | None
) -> None:
    found = identify(seed(name), Hints(title=SEED_LIST_TITLES[name]))
    assert (found.title, found.body, found.year, found.published) == (
        SEED_LIST_TITLES[name],
        body,
        year,
        published,
    )


def test_a_garbled_seed_heading_gives_way_to_the_list_title() -> None:
    found = identify(seed("000"), Hints(title=SEED_LIST_TITLES["000"]))
    assert found.warnings == (
        "title: the heading reads 威海临港经济技术开发区蒿山镇人民政府2021年政府信息公开工作年度报告 "
        "where the list title reads 威海临港经济技术开发区蔄山镇人民政府2021年政府信息公开工作年度报告; "
        "kept the list title (text extraction garbles rare characters)",
        "body: the text also spells 蔄山镇 as 崑山镇, 蒿山镇, 藁山镇 (a garbled extraction?); "
        "kept the list title's",
    )


def test_a_seed_without_hints_keeps_its_heading_and_says_the_name_varies() -> None:
    found = identify(seed("001"))
    assert (found.title, found.body, found.year) == (
        "郟山镇人民政府2020年政府信息公开工作年度报告",
        "郟山镇人民政府",
        2020,
    )
    assert found.warnings == (
        "body: the text also spells 郟山镇 as 邵山镇, 郗山镇 (a garbled extraction?); "
        "kept the heading's",
    )


def test_seeds_date_their_signature() -> None:
    assert (
        signature_date(seed("001").text) == "2021-01-25"
    )  # 安丘市郗山镇人民政府 / 2021年1月25日
    assert signature_date(seed("003").text) is None


def test_seeds_name_their_own_year_in_the_intro() -> None:
    assert stated_year(seed("000").text) == 2021  # "结合 2021 年…政府信息公开工作实际"
    assert (
        stated_year(seed("004").text) == 2022
    )  # "向社会公开 2022 年度政府信息公开工作报告"


# ---------------------------------------------------------------- title shapes


@pytest.mark.parametrize(
    ("title", "name", "year"),
    [
        (
            "威海火炬高技术产业开发区管理委员会2021年政府信息公开工作年度报告",
            "威海火炬高技术产业开发区管理委员会",
            2021,
        ),
        (
            "平潭综合实验区管委会2014年度政府信息公开工作年度报告",
            "平潭综合实验区管委会",
            2014,
        ),
        (
            "2024年度威海临港经济技术开发区管理委员会政府信息公开工作年度报告",
            "威海临港经济技术开发区管理委员会",
            2024,
        ),
        ("安丘市教育和体育局2023年政府信息公开年度报告", "安丘市教育和体育局", 2023),
        (
            "蓬莱区大辛店镇人民政府 2022 年度 政府信息公开工作报告",
            "蓬莱区大辛店镇人民政府",
            2022,
        ),
        ("2023年政府信息公开工作年度报告", "", 2023),
        ("田和街道办事处政府信息公开工作年度报告", "田和街道办事处", None),
        (
            "安丘市景芝镇人民政府政府信息公开工作年度报告（2021年度）",
            "安丘市景芝镇人民政府",
            2021,
        ),
        ("《平潭综合实验区2025年度政府信息公开工作年度报告》", "平潭综合实验区", 2025),
    ],
)
def test_title_shapes(title: str, name: str, year: int | None) -> None:
    found = read_title(title)
    assert (found.name, found.year, found.typo) == (name, year, "")


@pytest.mark.parametrize(
    ("title", "name", "year", "typo"),
    [
        (
            "蓬莱区刘家沟镇人民政府202020年政府信息公开工作年度报告",
            "蓬莱区刘家沟镇人民政府",
            2020,
            "202020",
        ),
        (
            "安丘市审计局202121年度政府信息公开工作年度报告",
            "安丘市审计局",
            2021,
            "202121",
        ),
    ],
)
def test_a_year_typed_twice_over_is_repaired(
    title: str, name: str, year: int, typo: str
) -> None:
    assert read_title(title) == TitleParts(title, name, year, typo)


def test_a_typo_year_in_a_heading_is_read_and_reported() -> None:
    found = identify(
        text(
            "蓬莱区刘家沟镇人民政府202020年政府信息公开工作年度报告",
            "根据《条例》要求编制本报告。",
        )
    )
    assert (found.body, found.year) == ("蓬莱区刘家沟镇人民政府", 2020)
    assert found.warnings == ("year: the heading prints 202020年, read as 2020",)


def test_a_heading_over_three_lines_below_an_index_number() -> None:
    document = text(
        "索引号：11371000MB2851234X/2022-00012",
        "威海火炬高技术产业开发区",
        "田和街道办事处",
        "2021年政府信息公开工作年度报告",
        "根据《中华人民共和国政府信息公开条例》要求，编制本报告。",
    )
    assert find_heading(document.text) == (
        "威海火炬高技术产业开发区田和街道办事处2021年政府信息公开工作年度报告"
    )


def test_a_sentence_naming_the_report_format_is_no_heading() -> None:
    document = text(
        "本报告根据《中华人民共和国政府信息公开工作年度报告格式》要求编制。",
        "一、总体情况",
    )
    assert find_heading(document.text) is None


def test_a_generic_pdf_title_gives_way_to_the_list_title() -> None:
    document = text("一、总体情况", "2021年，我局……", title="政府信息公开工作年度报告")
    hints = Hints(title="威海市生态环境局2021年政府信息公开工作年度报告")
    found = identify(document, hints)
    assert (found.title, found.body, found.year) == (
        "威海市生态环境局2021年政府信息公开工作年度报告",
        "威海市生态环境局",
        2021,
    )


def test_a_short_town_name_gets_its_government() -> None:
    found = identify(
        text("草庙子镇2019年政府信息公开工作报告", "根据《条例》要求编制本报告。")
    )
    assert (found.body, found.year, found.warnings) == ("草庙子镇人民政府", 2019, ())


# ---------------------------------------------------------------- no unit in the title


def test_no_unit_takes_the_publisher() -> None:
    found = identify(
        text(
            "2023年政府信息公开工作年度报告",
            publisher="威海火炬高技术产业开发区社会事业局",
        )
    )
    assert (found.body, found.year, found.warnings) == (
        "威海火炬高技术产业开发区社会事业局",
        2023,
        (),
    )


def test_no_unit_nor_publisher_takes_the_deepest_body_in_the_breadcrumb() -> None:
    hints = Hints(breadcrumb="首页 > 部门信息公开 > 安丘市审计局 > 政府信息公开年报")
    found = identify(text("2022年政府信息公开工作年度报告"), hints)
    assert (found.body, found.warnings) == ("安丘市审计局", ())


def test_no_unit_anywhere_takes_the_sources_body_and_says_so() -> None:
    found = identify(
        text("2022年政府信息公开工作年度报告"), Hints(body="安丘市人民政府")
    )
    assert (found.body, found.warnings) == (
        "安丘市人民政府",
        ("body: no title names one; took the source's body 安丘市人民政府",),
    )


# ---------------------------------------------------------------- no year in the title


def test_no_year_takes_the_statistics_period() -> None:
    found = identify(
        text(
            "威海火炬高技术产业开发区田和街道办事处政府信息公开工作年度报告",
            "本报告中所列数据的统计期限自 2020 年 1 月 1 日起至2020年12月31日止。",
            published="2021-01-20",
        )
    )
    assert (found.year, found.published, found.warnings) == (2020, "2021-01-20", ())


def test_no_year_anywhere_guesses_from_the_publication_date() -> None:
    found = identify(
        text("田和街道办事处政府信息公开工作年度报告"),
        Hints(published="2021-01-20 09:00"),
    )
    assert (found.body, found.year, found.published) == (
        "田和街道办事处",
        2020,
        "2021-01-20",
    )
    assert found.warnings == (
        "year: 2020 is a guess, the publication date 2021-01-20 minus one",
    )


def test_nothing_at_all_says_so_without_raising() -> None:
    assert identify(text("一、总体情况")) == Identity(
        None,
        None,
        None,
        None,
        (
            "body: none (not in a title, 发布机构, the breadcrumb or the hints)",
            "year: none (no title, statistics period or date gives one)",
            "title: none (no heading in the text, no page or list title)",
        ),
    )


# ---------------------------------------------------------------- disagreements


def test_a_statistics_period_of_another_year_is_a_warning() -> None:
    found = identify(
        text(
            "安丘市景芝镇人民政府2021年政府信息公开工作年度报告",
            "本年度报告中所列数据统计期限从2020年1月1日到12月31日止。",
        )
    )
    assert found.year == 2021
    assert found.warnings == (
        "year: the heading says 2021, the statistics period says 2020; kept 2021",
    )


def test_an_intro_naming_another_year_is_a_warning() -> None:
    found = identify(
        text(
            "安丘市景芝镇人民政府2021年政府信息公开工作年度报告",
            "根据《条例》要求，结合2020年我镇政府信息公开工作实际，编制本报告。",
        )
    )
    assert (found.year, found.warnings) == (
        2021,
        ("year: the heading says 2021, the text says 2020; kept 2021",),
    )


def test_a_publication_two_years_late_is_a_warning() -> None:
    found = identify(
        text(
            "安丘市景芝镇人民政府2021年政府信息公开工作年度报告", published="2023-02-01"
        )
    )
    assert found.warnings == (
        "year: the heading says 2021, the publication date 2023-02-01 says 2022; kept 2021",
    )


def test_a_page_title_of_another_year_and_body_is_a_warning() -> None:
    document = text(
        "安丘市景芝镇人民政府2021年政府信息公开工作年度报告",
        kind="html",
        title="安丘市石埠子镇人民政府2020年政府信息公开工作年度报告",
    )
    found = identify(document)
    assert (found.title, found.body, found.year) == (
        "安丘市景芝镇人民政府2021年政府信息公开工作年度报告",
        "安丘市景芝镇人民政府",
        2021,
    )
    assert found.warnings == (
        "body: the heading names 安丘市景芝镇人民政府, the page title names "
        "安丘市石埠子镇人民政府; kept the heading's",
        "year: the heading says 2021, the page title says 2020; kept 2021",
    )


def test_an_html_heading_is_never_taken_for_a_garble() -> None:
    # typed on both sides: a one-character difference is a disagreement, not extraction
    document = text(
        "郟山镇人民政府2020年政府信息公开工作年度报告",
        kind="html",
        title="郚山镇人民政府2020年政府信息公开工作年度报告",
    )
    found = identify(document)
    assert found.body == "郟山镇人民政府"
    assert found.warnings == (
        "body: the heading names 郟山镇人民政府, the page title names 郚山镇人民政府; "
        "kept the heading's",
    )


def test_the_crawlers_year_is_checked_too() -> None:
    found = identify(
        text("安丘市景芝镇人民政府2021年政府信息公开工作年度报告"), Hints(year=2020)
    )
    assert found.warnings == (
        "year: the heading says 2021, the crawl says 2020; kept 2021",
    )
