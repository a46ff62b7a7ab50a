"""Guangzhou NFCMS report columns, as conghua.gov.cn publishes them (site-families §2.3, §6)."""

from __future__ import annotations

import re

import lxml.html

HOST = "https://www.conghua.gov.cn"
NB = f"{HOST}/zfxxgknb"
PAGE = re.compile(r"/index(?:_(\d+))?\.html$")


def _conghua(manifest) -> list[dict]:
    return [e for e in manifest.values() if e["site"] == "www.conghua.gov.cn"]


def _tree(get, url: str) -> lxml.html.HtmlElement:
    answer = get(url)
    assert answer.status == 200, url
    return lxml.html.fromstring(answer.body.decode("utf-8"))


def _folder_pages(get, folder: str) -> list[lxml.html.HtmlElement]:
    """A year folder's list pages, following its pager's 尾页."""
    first = _tree(get, f"{folder}index.html")
    last = first.xpath('//div[@class="page"]/a[@class="last"]/@href')
    count = int(PAGE.search(last[0]).group(1) or 1) if last else 1
    return [first] + [
        _tree(get, f"{folder}index_{n}.html") for n in range(2, count + 1)
    ]


def _listed(get) -> dict[str, tuple[str, str]]:
    """Every list item of every year folder: url → (folder, title)."""
    out = {}
    for group in ("qzf", "bm", "zj"):
        for year in range(2021, 2025):
            folder = f"{NB}/{group}/{year}n/"
            for page in _folder_pages(get, folder):
                for a in page.xpath('//ul[@class="news_list"]/li/a'):
                    out[a.get("href")] = (folder, a.get("title"))
    return out


def test_column_splits_into_unit_groups_then_year_folders(get) -> None:
    root = _tree(get, f"{NB}/index.html")
    assert root.xpath('//ul[@class="unit_list"]//a/@href') == [
        f"{NB}/{g}/index.html" for g in ("qzf", "bm", "zj")
    ]
    group = _tree(get, f"{NB}/bm/index.html")
    assert group.xpath('//ul[@class="year_list"]//a/text()') == [
        "2024年",
        "2023年",
        "2022年",
        "2021年",
    ]


def test_pager_is_static_and_page_2_is_index_2(get, raw) -> None:
    first = _tree(get, f"{NB}/bm/2023n/index.html")
    assert first.xpath('//div[@class="page"]//a/@href') == [
        f"{NB}/bm/2023n/index.html",
        f"{NB}/bm/2023n/index_2.html",
        f"{NB}/bm/2023n/index_2.html",
        f"{NB}/bm/2023n/index_2.html",
    ]
    assert first.xpath('//div[@class="page"]//a/text()') == [
        "首页",
        "2",
        "下一页",
        "尾页",
    ]
    assert raw("GET", f"{NB}/bm/2023n/index_2.html").status == 200
    assert raw("GET", f"{NB}/bm/2023n/index_1.html").status == 404
    assert not _tree(get, f"{NB}/bm/2022n/index.html").xpath('//div[@class="page"]')


def test_every_report_is_listed_in_its_years_folder_with_absolute_links(
    get, manifest
) -> None:
    listed = _listed(get)
    assert all(url.startswith(f"{HOST}/") for url in listed)
    entries = _conghua(manifest)
    assert len(entries) == 17
    for entry in entries:
        first = entry["files"][0]["url"]
        folder, title = listed[first]
        assert folder.endswith(f"/{entry['year']}n/"), (first, folder)
        assert title == entry["title"]
    assert len(listed) == len(entries) + 3  # a 图解, a 指南, a news item


def test_articles_and_files_have_the_nfcms_shapes(get, manifest) -> None:
    for entry in _conghua(manifest):
        page, *files = entry["files"]
        if entry["form"] == "pdf_only":
            assert re.fullmatch(rf"{HOST}/attachment/0/\d+/\d+/\d+\.pdf", page["url"])
            continue
        found = re.fullmatch(
            rf"{NB}/(qzf|bm|zj)/{entry['year']}n/content/post_(\d+)\.html", page["url"]
        )
        assert found, page["url"]
        for file in files:
            assert re.fullmatch(
                rf"{HOST}/attachment/0/(\d+)/\1\d{{3}}/{found.group(2)}\.pdf",
                file["url"],
            ), file["url"]


def test_article_has_the_meta_tags_body_div_and_relative_attachment(
    get, manifest
) -> None:
    (entry,) = [e for e in _conghua(manifest) if e["key"] == "conghua-jyj/2023"]
    page, pdf = entry["files"]
    html = get(page["url"]).body.decode("utf-8")
    post = page["url"].rsplit("post_", 1)[1].removesuffix(".html")
    tree = lxml.html.fromstring(html)
    meta = {m.get("name"): m.get("content") for m in tree.xpath("//meta[@name]")}
    assert meta["ArticleTitle"] == entry["title"]
    assert meta["ArticleId"] == post
    assert meta["ContentSource"] == "广州市从化区教育局"
    body = tree.xpath('//div[@class="news_cont_d_wrap"]')
    assert body
    assert body[0].xpath(".//a/@href") == [pdf["url"].removeprefix(HOST)]


def test_every_page_counts_itself_for_the_provinces_statistics(get) -> None:
    for url in (f"{HOST}/", f"{NB}/index.html", f"{NB}/bm/2023n/index_2.html"):
        html = get(url).body.decode("utf-8")
        assert "window.NFCMS_SITE_ID = 200017;" in html
        assert "//statistics.gd.gov.cn/visit/" in html
    assert "window.NFCMS_CAT_ID = 5700;" in get(f"{NB}/index.html").body.decode()
