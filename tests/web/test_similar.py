"""雷同 in the journalists' window: the `similar` canned query lists the copies, and a
report's page shows its twin and the passages they share, side by side (web/similar.py);
in Chromium too (a browser test). The archive holds the five real seed reports,
高区's 2021 report pasted as its 2022 one and another zone's copy of it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.html
import pytest
from datasette.app import Datasette
from playwright.sync_api import expect

from alerts.config import Alerts
from archive.db import DB_NAME
from archive.similarity import update_similarity
from tests.similar_reports import (
    GAOQU,
    GAOQU_BODY,
    OTHER_BODY,
    add_report,
    empty_archive,
    seed_text,
    seeded,
)
from tests.web.browsing import chromium_page, served_copy
from web.metadata import metadata

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("similar") / "archive"
    archive = empty_archive(root)
    ids = seeded(archive)
    ids["template"] = add_report(
        archive,
        "某某镇人民政府",
        2021,
        "\n".join(line for line in seed_text(GAOQU).splitlines() if "\t" in line),
    )
    update_similarity(archive.db)
    ids["pending"] = add_report(archive, "另一镇人民政府", 2021, seed_text(GAOQU)[:50])
    archive.close()
    return root, ids


@pytest.fixture(scope="module")
def get(data: tuple[Path, dict[str, int]]) -> Iterator[Callable[[str], Any]]:
    ds = Datasette([str(data[0] / DB_NAME)], metadata=metadata(Alerts()))
    loop = asyncio.new_event_loop()

    def go(path: str) -> Any:
        response = loop.run_until_complete(ds.client.get(path))
        assert response.status_code == 200, (path, response.text[:500])
        return response.json() if ".json" in path else response

    yield go
    loop.close()


def test_the_similar_query_lists_each_copy_once(
    get: Callable[[str], Any], data: tuple[Path, dict[str, int]]
) -> None:
    ids = data[1]
    found = get("/archive/similar.json?_shape=objects&year=")["rows"]
    assert [
        (r["scope"], r["body"], r["year"], r["twin_body"], r["twin_year"])
        for r in found
    ] == [
        ("same_body", GAOQU_BODY, 2022, GAOQU_BODY, 2021),
        ("other_body", GAOQU_BODY, 2022, OTHER_BODY, 2021),
        ("other_body", GAOQU_BODY, 2021, OTHER_BODY, 2021),
    ]
    assert [r["similarity"] for r in found] == [1.0, 0.9893, 0.9893]
    assert found[2]["link"] == f"/archive/reports/{ids[GAOQU]}"
    assert found[2]["twin_link"] == f"/archive/reports/{ids['copy']}"
    only_2022 = get("/archive/similar.json?_shape=objects&year=2022")["rows"]
    assert len(only_2022) == 2
    page = get("/archive/similar?year=").text
    assert "雷同的年报" in page
    assert "其他机关" in page
    assert "本机关往年" in page
    assert f'<a href="/archive/reports/{ids["copy"]}">' in page


def section(get: Callable[[str], Any], report: int) -> Any:
    root = lxml.html.fromstring(get(f"/archive/reports/{report}").text)
    (found,) = root.xpath("//section[@class='nb-similar']")
    return found


def test_a_copys_page_shows_its_twin_and_the_passages_side_by_side(
    get: Callable[[str], Any], data: tuple[Path, dict[str, int]]
) -> None:
    ids = data[1]
    page = section(get, ids["copy"])
    (twin,) = page.xpath(".//div[@class='nb-twin']")
    heading = " ".join(twin.xpath("./h3")[0].text_content().split())
    assert heading == f"其他机关的年报：{GAOQU_BODY} 2021 年，相似度 99%"
    assert twin.xpath(".//a[@class='nb-twin-link']/@href") == [
        f"/archive/reports/{ids[GAOQU]}"
    ]
    (table,) = twin.xpath(".//table[contains(@class, 'nb-passage')]")
    rows = table.xpath("./tbody/tr")
    assert len(rows) == 42
    mine, theirs = (td.text_content() for td in rows[4].xpath("./td"))
    assert theirs == (
        "2021年，全区共公开信息10000余条，其中门户网站信息2400余条，"
        "微信公众号信息6300余条，政务微博信息1500余条。"
    )
    assert mine != theirs
    assert mine.endswith("余条。")
    marked = rows[4].xpath("./td[2]/mark/text()")
    assert marked == ["2021", "10000", "2400", "6300", "1500"]  # every figure differs
    assert rows[1].xpath(".//mark") == []  # no figure in it


def test_a_report_pasted_from_last_year_shows_both_twins(
    get: Callable[[str], Any], data: tuple[Path, dict[str, int]]
) -> None:
    ids = data[1]
    twins = section(get, ids["pasted"]).xpath(".//div[@class='nb-twin']/h3")
    assert [" ".join(h.text_content().split()) for h in twins] == [
        f"其他机关的年报：{OTHER_BODY} 2021 年，相似度 99%",
        f"本机关往年的年报：{GAOQU_BODY} 2021 年，相似度 100%",
    ]


def test_pages_say_why_there_is_no_twin(
    get: Callable[[str], Any], data: tuple[Path, dict[str, int]]
) -> None:
    ids = data[1]

    def said(report: int) -> str:
        return " ".join(section(get, report).xpath("./p")[0].text_content().split())

    assert said(ids["001_108774158328b12b"]) == (
        "没有发现与本年报雷同（相似度 60% 以上）的本机关往年年报或其他机关年报。"
    )
    assert said(ids["template"]) == (
        "去掉模板、法定套话和多个机关共用的句子后，本年报只剩 0 字自己的文字"
        "（不足 150 字），未做雷同比对。"
    )
    assert said(ids["pending"]) == "尚未比对（下次处理时进行）。"


@pytest.mark.browser
def test_a_copied_report_shows_its_twin_and_the_shared_passages_in_chromium(
    data: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    root, ids = data
    with served_copy(root, tmp_path) as (base, _), chromium_page() as page:
        page.goto(f"{base}/archive/similar")
        page.locator(f"a[href='/archive/reports/{ids['copy']}']").first.click()
        page.wait_for_url(f"{base}/archive/reports/{ids['copy']}")
        twin = page.locator("div.nb-twin")
        expect(twin).to_have_count(1)
        expect(twin.locator("h3")).to_contain_text(f"{GAOQU_BODY} 2021 年")
        expect(twin.locator(".nb-similarity")).to_have_text("99%")
        cells = twin.locator("table.nb-passage tbody tr").nth(1).locator("td")
        expect(cells.nth(0)).to_contain_text("《威海经济技术开发区政务公开重点工作")
        expect(cells.nth(1)).to_contain_text(
            "《威海火炬高技术产业开发区政务公开重点工作"
        )
        left, right = (cells.nth(i).bounding_box() for i in (0, 1))
        assert left is not None
        assert right is not None
        assert left["x"] + left["width"] <= right["x"] + 1  # side by side
        assert abs(left["y"] - right["y"]) < 1
        expect(twin.locator("mark").first).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#similar").scroll_into_view_if_needed()
        page.screenshot(path=ARTIFACTS / "serve-similar.png")
        twin.locator("a.nb-twin-link").click()
        page.wait_for_url(f"{base}/archive/reports/{ids[GAOQU]}")
        expect(page.locator("div.nb-twin h3")).to_contain_text(OTHER_BODY)
