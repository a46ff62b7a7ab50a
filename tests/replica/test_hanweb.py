"""Hanweb jcms and its xxgk module, as the real sites publish them (site-families §2.2)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import lxml.html

from replica.catalog import catalog
from replica.families.hanweb_xxgk import CODE_CHARS, CODE_WEIGHTS

WHCTP = "http://www.whctp.gov.cn"
WIP = "http://www.wip.gov.cn"
PENGLAI = "http://www.penglai.gov.cn"
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
FORM = {
    "col": "1",
    "appid": "1",
    "webid": "12",
    "path": "/",
    "columnid": "82956",
    "sourceContentType": "1",
    "unitid": "282956",
    "webname": "威海火炬高技术产业开发区管理委员会",
    "permissiontype": "0",
}


def _records(xml: str) -> list[str]:
    return re.findall(r'<a href="(/art/[^"]+)"', xml)


def test_first_page_exists_only_inside_a_text_xml_datastore(get) -> None:
    page = get(f"{WHCTP}/col/col82956/index.html")
    html = page.body.decode("utf-8")
    tree = lxml.html.fromstring(html)
    visible = [a.get("href") for a in tree.iter("a") if a.get("href")]
    assert not [
        h for h in visible if "/art/" in h
    ]  # an HTML parser sees no report links
    script = tree.xpath('//script[@type="text/xml"]')[0].text
    assert script.startswith("<datastore><nextgroup><![CDATA[")
    assert len(re.findall(r"<record><!\[CDATA\[", script)) == 10  # perPage
    assert "perPage:10" in html
    assert "totalRecord:30" in html
    assert "proxyUrl:'/module/web/jpage/dataproxy.jsp'" in html


def test_dataproxy_serves_every_page_by_range_or_page_number_get_or_post(raw) -> None:
    body = urlencode(FORM).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"{WHCTP}/col/col82956/index.html",
    }
    by_range = raw(
        "POST",
        f"{WHCTP}{DATAPROXY}?startrecord=11&endrecord=20&perpage=10",
        headers,
        body,
    )
    by_page = raw("GET", f"{WHCTP}{DATAPROXY}?page=2&{urlencode(FORM)}")
    assert by_range.status == by_page.status == 200
    assert by_range.headers["Content-Type"] == "text/xml;charset=UTF-8"
    for reply in (by_range, by_page):
        xml = reply.body.decode("utf-8")
        assert "<totalrecord>30</totalrecord><totalpage>3</totalpage>" in xml
    assert _records(by_range.body.decode()) == _records(by_page.body.decode())
    assert len(_records(by_range.body.decode())) == 10


def test_all_dataproxy_pages_together_list_every_posting_once(raw, manifest) -> None:
    links: list[str] = []
    for page in (1, 2, 3, 4):
        reply = raw("GET", f"{WHCTP}{DATAPROXY}?page={page}&{urlencode(FORM)}")
        links += _records(reply.body.decode())
    assert len(links) == len(set(links)) == 30
    pages = {
        f["url"]
        for e in manifest.values()
        if e["site"] == "www.whctp.gov.cn"
        for f in e["files"]
        if f["role"] == "page"
    }
    assert pages <= {WHCTP + link for link in links}
    assert len(links) - len(pages) == 4  # 解读, 指南, 函, 总结


def test_the_real_wip_report_url_serves_maoshan_2023_with_its_breadcrumb(get) -> None:
    page = get(f"{WIP}/art/2024/1/29/art_151616_4308925.html")
    assert page.status == 200
    tree = lxml.html.fromstring(page.body.decode("utf-8"))
    assert (
        tree.findtext(".//h1")
        == "威海临港经济技术开发区蔄山镇人民政府2023年政府信息公开工作年度报告"
    )
    crumb = " > ".join(a.text for a in tree.xpath('//div[@class="position"]/a'))
    assert (
        crumb
        == "首页 > 政府信息公开 > 信息公开目录 > 管委信息公开 > 信息公开年报 > 2023年"
    )
    assert "发布时间:2024年01月29日 10:09" in page.body.decode("utf-8")


def test_article_paths_are_not_zero_padded(manifest) -> None:
    paths = [  # jcms hosts; jpaas (taixing) writes art/YYYY/art_{hex}.html
        f["url"]
        for e in manifest.values()
        if e["family"] == "hanweb"
        for f in e["files"]
        if "/art/" in f["url"]
    ]
    assert paths
    assert all(
        re.search(r"/art/20\d\d/[1-9]\d?/[1-9]\d?/art_\d+_\d+\.html$", p) for p in paths
    )


def test_wip_reports_sit_in_year_sub_columns_of_the_report_column(
    get, manifest
) -> None:
    root = lxml.html.fromstring(get(f"{WIP}/col/col151610/index.html").body.decode())
    years = {
        a.text: a.get("href") for a in root.xpath('//div[@class="sub-columns"]//a')
    }
    assert set(years) == {f"{y}年" for y in range(2019, 2025)}
    for entry in (e for e in manifest.values() if e["site"] == "www.wip.gov.cn"):
        column = get(WIP + years[f"{entry['year']}年"]).body.decode()
        first = entry["files"][0]["url"].removeprefix(WIP)
        assert first in column, entry["key"]


def test_one_old_column_is_only_a_javascript_redirect(get) -> None:
    stub = get(f"{WIP}/col/col151609/index.html").body.decode()
    assert (
        stub
        == '<html><head><script>location.href="/col/col151610/index.html";</script></head>'
        "<body></body></html>"
    )
    parent = get(f"{WIP}/col/col151600/index.html").body.decode()
    assert 'href="/col/col151609/index.html"' in parent
    assert 'href="/col/col151610/index.html"' in parent


def test_downfile_sends_attachments_as_octet_stream_with_a_utf8_file_name(
    raw, manifest
) -> None:
    entry = manifest["whctp-gw/2021"]
    url = next(f["url"] for f in entry["files"] if f["role"] == "attachment")
    assert re.fullmatch(
        rf"{WHCTP}/module/download/downfile\.jsp\?classid=0&filename=[0-9a-f]{{32}}\.pdf",
        url,
    )
    reply = raw("GET", url)
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="')
    assert (
        "filename*=UTF-8''%E5%A8%81%E6%B5%B7" in reply.headers["Content-Disposition"]
    )  # 威海…
    assert reply.body.startswith(b"%PDF-")
    assert raw("GET", url.replace("filename=", "filename=0")).status == 404


def _valid_credit_code(code: str) -> bool:
    total = sum(
        CODE_CHARS.index(ch) * w for ch, w in zip(code[:17], CODE_WEIGHTS, strict=True)
    )
    return len(code) == 18 and code[17] == CODE_CHARS[(31 - total % 31) % 31]


def test_penglai_has_one_annual_report_page_per_unit_and_year(get, manifest) -> None:
    entries = [e for e in manifest.values() if e["site"] == "www.penglai.gov.cn"]
    assert len(entries) == 19
    index = get(f"{PENGLAI}/col/col59245/index.html").body.decode()
    for entry in entries:
        url = entry["files"][0]["url"]
        found = re.fullmatch(
            rf"{PENGLAI}/module/xxgk/xxgkAnnualReport\.jsp\?area=(\w{{18}})&fbtime=(\d{{4}})",
            url,
        )
        assert found
        assert int(found.group(2)) == entry["year"]
        assert _valid_credit_code(found.group(1))
        assert url.removeprefix(PENGLAI).replace("&", "&amp;") in index
        text = lxml.html.fromstring(get(url).body.decode()).text_content()
        assert re.search(
            rf"{re.escape(entry['title'])}\s*发布时间:\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d",
            text,
        )


def test_penglai_answers_a_missing_year_with_a_soft_404(get, manifest) -> None:
    url = manifest["penglai-beigou/2022"]["files"][0]["url"].replace(
        "fbtime=2022", "fbtime=2019"
    )
    reply = get(url)
    assert reply.status == 200
    assert "暂无年报信息" in reply.body.decode()
    assert "发布时间" not in reply.body.decode()


def test_whctp_articles_carry_the_weihai_metadata_table(get, manifest) -> None:
    page = get(manifest["whctp-shsy/2023"]["files"][0]["url"]).body.decode()
    tree = lxml.html.fromstring(page)
    cells = [td.text_content() for td in tree.xpath('//table[@class="xxgk_table"]//td')]
    assert cells[:4] == [
        "索引号：",
        cells[1],
        "发布单位：",
        "威海火炬高技术产业开发区社会事业局",
    ]
    assert re.fullmatch(r"11371000\d{4}0000/2024-\d{5}", cells[1])
    assert (
        tree.findtext(".//h1") == "2023年政府信息公开工作年度报告"
    )  # the title names no body


def test_catalog_and_server_agree_on_every_hanweb_page(get) -> None:
    site = catalog(1).sites["www.wip.gov.cn"]
    for path in [p for p in site.resources if p.startswith("/col/")]:
        assert get(f"{WIP}{path}").body == site.resources[path].body
