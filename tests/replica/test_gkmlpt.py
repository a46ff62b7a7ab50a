"""Guangdong's 政府信息公开目录平台, as fogang.gov.cn publishes it (site-families §2.3, §6)."""

from __future__ import annotations

import json
import math
import re

import lxml.html
import pytest

FOGANG = "http://www.fogang.gov.cn"
API = f"{FOGANG}/gkmlpt/api/all"
SID = "763021"
CATEGORIES = (2656, 2657, 2658)
PER_PAGE = 3  # the spec's perpage (real sites: about 100)
LABELS = ["索引号", "分类", "发布机构", "成文日期", "名称", "文号", "发布日期"]


def _api(get, category: int, page: int, sid: str = SID) -> dict:
    answer = get(f"{API}/{category}?page={page}&sid={sid}")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json;charset=UTF-8"
    return json.loads(answer.body)


def _listed(get, category: int) -> list[dict]:
    first = _api(get, category, 1)
    pages = math.ceil(first["total"] / PER_PAGE)
    items = list(first["articles"])
    for n in range(2, pages + 1):
        items += _api(get, category, n)["articles"]
    return items


def _fogang(manifest) -> list[dict]:
    return [e for e in manifest.values() if e["site"] == "www.fogang.gov.cn"]


@pytest.mark.parametrize("path", ["/gkmlpt/index", "/gkmlpt/annualreport"])
def test_shells_hold_no_list_only_the_apps_config(get, path: str) -> None:
    html = get(f"{FOGANG}{path}").body.decode("utf-8")
    tree = lxml.html.fromstring(html)
    assert [a.get("href") for a in tree.iter("a")] == []
    assert tree.xpath("string(//body)").strip() == ""
    assert tree.xpath('//div[@id="app"]')
    assert f"SID: '{SID}'" in html
    config = re.search(r"TREE: (\[.*\]),\n", html)
    assert config
    (reports,) = [n for n in json.loads(config.group(1)) if "年报" in n["name"]]
    assert reports["jump_url"] == "/gkmlpt/annualreport"
    assert [c["id"] for c in reports["children"]] == list(CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_pages_0_and_1_are_the_same_page(raw, category: int) -> None:
    zero = raw("GET", f"{API}/{category}?page=0&sid={SID}")
    one = raw("GET", f"{API}/{category}?page=1&sid={SID}")
    assert zero.body == one.body


@pytest.mark.parametrize("category", CATEGORIES)
def test_api_pages_add_up_to_the_total_then_run_empty(get, category: int) -> None:
    first = _api(get, category, 1)
    assert first["classify"]["post_count"] == first["total"]
    items = _listed(get, category)
    assert len(items) == first["total"] == len({i["id"] for i in items})
    times = [i["display_publish_time"] for i in items]
    assert times == sorted(times, reverse=True)  # newest first
    beyond = _api(get, category, math.ceil(first["total"] / PER_PAGE) + 1)
    assert (beyond["total"], beyond["articles"]) == (first["total"], [])


def test_a_wrong_site_id_lists_nothing(get) -> None:
    assert _api(get, 2657, 1, sid="755031")["articles"] == []


def test_every_report_page_is_listed_once_by_the_api(get, manifest) -> None:
    listed = [i["url"] for c in CATEGORIES for i in _listed(get, c)]
    pages = [e["files"][0]["url"] for e in _fogang(manifest)]
    assert len(pages) == 18
    assert set(pages) <= set(listed)
    assert len(listed) == len(set(listed)) == len(pages) + 2  # a 解读 and a 通知


def test_articles_are_post_ids_under_millions_and_thousands(manifest) -> None:
    for entry in _fogang(manifest):
        page = entry["files"][0]["url"]
        found = re.fullmatch(
            rf"{FOGANG}/gkmlpt/content/(\d+)/(\d+)/post_(\d+)\.html", page
        )
        assert found, page
        a, b, post = map(int, found.groups())
        assert (a, b) == (post // 1_000_000, post // 1000)
        for file in entry["files"][1:]:
            assert re.fullmatch(
                rf"{FOGANG}/attachment/0/(\d+)/\1\d{{3}}/{post}\.(pdf|docx)",
                file["url"],
            ), file["url"]


def test_article_has_the_metadata_table_and_its_detail_json(get, manifest) -> None:
    (entry,) = [e for e in _fogang(manifest) if e["key"] == "fogang-jyj/2023"]
    html = get(entry["files"][0]["url"]).body.decode("utf-8")
    tree = lxml.html.fromstring(html)
    labels = [t.rstrip("：") for t in tree.xpath('//td[@class="td-label"]//text()')]
    assert labels == LABELS
    values = tree.xpath('//td[@class="td-value"]')
    assert values[2].text_content() == "佛冈县教育局"  # 发布机构
    assert values[4].text_content() == "2023年政府信息公开工作年度报告"  # 名称
    assert tree.xpath('//div[@class="article-content"]')
    assert "DETAIL: {" in html
    assert "\\u003Cp" in html  # the body again, as JSON


def test_attachments_are_listed_by_the_api_and_linked_from_the_article(
    get, manifest
) -> None:
    with_files = [e for e in _fogang(manifest) if len(e["files"]) > 1]
    assert {e["form"] for e in with_files} == {"html_pdf", "stub_pdf", "stub_docx"}
    items = {i["url"]: i for c in CATEGORIES for i in _listed(get, c)}
    for entry in with_files:
        page, file = entry["files"]
        assert [a["url"] for a in items[page["url"]]["attachment"]] == [file["url"]]
        html = get(page["url"]).body.decode("utf-8")
        path = file["url"].removeprefix(FOGANG)
        assert f'<a href="{path}"' in html
