"""开普云 / Ucap, as the Suqian/Shuyang portals publish it (site-families §2.5)."""

from __future__ import annotations

import re

import lxml.html

from replica.catalog import catalog

HOST = "www.sqyh.gov.cn"
UNITS = ("yhxq", "yhyhz", "yhzlz", "yhsy")
ARTICLE = re.compile(
    r"^http://www\.sqyh\.gov\.cn/(\w+)/gknb/\d{6}/[0-9a-f]{32}\.shtml$"
)
PAGER = re.compile(
    r"createPageHTML\('page_div', (\d+), (\d+), 'list', 'shtml', (\d+)\)"
)


def _html(path: str) -> str:
    resource = catalog(1).sites[HOST].fetch(f"http://{HOST}{path}")
    assert resource.status == 200, path
    return resource.body.decode("utf-8")


def _entries() -> list[dict]:
    return [e for e in catalog(1).manifest() if e["site"] == HOST]


def test_articles_are_32_hex_shtml_in_their_units_gknb_column() -> None:
    pages = [f["url"] for e in _entries() for f in e["files"] if f["role"] == "page"]
    assert len(pages) == 13
    assert all(ARTICLE.match(url) for url in pages), pages
    assert {ARTICLE.match(url).group(1) for url in pages} == set(UNITS)  # type: ignore[union-attr]


def test_the_body_is_wrapped_in_ucap_tags_after_the_table_content() -> None:
    for entry in _entries():
        html = _html(entry["files"][0]["url"].split(HOST, 1)[1])
        assert html.index('<table class="table_content">') < html.index("<ucapcontent>")
        for tag in ("ucaptitle", "ucapcontent", "publishtime"):
            assert f"<{tag}>" in html
            assert f"</{tag}>" in html
        labels = lxml.html.fromstring(html).xpath(
            '//table[@class="table_content"]//td[@class="t1"]/text()'
        )
        assert labels == [
            "名称",
            "索引号",
            "分类",
            "发布机构",
            "公开日期",
            "文号",
            "时效",
            "文件下载",
        ]
        assert '<meta name="ColumnName" content="头部">' in html
        assert 'var websiteCode = "3213000041"' in html
        assert "/search4/s" in html


def test_attachments_are_linked_only_from_the_table_content() -> None:
    for entry in _entries():
        page, *files = entry["files"]
        html = _html(page["url"].split(HOST, 1)[1])
        table = html.split('<table class="table_content">', 1)[1].split("</table>", 1)[
            0
        ]
        for item in files:
            path = item["url"].split(HOST, 1)[1]
            assert re.search(r"/\d{6}/[0-9a-f]{32}/files/[0-9a-f]{32}\.pdf$", path)
            assert path in table
            assert html.count(path) == 1


def test_the_page_count_is_only_in_the_six_argument_pager() -> None:
    for unit in UNITS:
        first = _html(f"/{unit}/gknb/list.shtml")
        count, current, total = (int(n) for n in PAGER.search(first).groups())  # type: ignore[union-attr]
        assert current == 1
        assert "list_2.shtml" not in first
        listed = first.count('<li><a href="')
        for n in range(2, count + 1):
            page = _html(f"/{unit}/gknb/list_{n}.shtml")
            assert PAGER.search(page).groups() == (str(count), str(n), str(total))  # type: ignore[union-attr]
            listed += page.count('<li><a href="')
        assert listed == total
        missing = (
            catalog(1)
            .sites[HOST]
            .fetch(f"http://{HOST}/{unit}/gknb/list_{count + 1}.shtml")
        )
        assert missing.status == 404


def test_the_report_page_links_every_units_column() -> None:
    root = lxml.html.fromstring(_html("/yhxq/zfxxgknb/index.shtml"))
    assert root.xpath('//ul[@class="unit-list"]//a/@href') == [
        f"/{u}/gknb/list.shtml" for u in UNITS
    ]
