"""The Hanweb variants as the real sites publish them (site-families §2.2): jpaas
(taixing: lists only through page/build/unit JSON, year archives …/2023n/, a download
gateway) and jcms paged by next groups with xxgk units (sanmen)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

import lxml.html

TAIXING = "https://www.taixing.gov.cn"
SANMEN = "http://www.sanmen.gov.cn"
UNIT = f"{TAIXING}/api-gateway/jpaas-publish-server/front/page/build/unit"
QUERY = {
    "webId": "Tx9cQm2LbV7wKd4RpZ8nF",
    "pageId": "Q6Corx0IUVIcgqBeAjB4v",
    "tplSetId": "hJ3sWq8XyN1oPb6EcA5tV",
    "pageType": "column",
    "tagId": "当前栏目list",
    "editType": "null",
    "parseType": "bulidstatic",
}
COLUMN = f"{SANMEN}/col/col1229290123/index.html"
DATAPROXY = f"{SANMEN}/module/web/jpage/dataproxy.jsp"
JSP = f"{SANMEN}/module/xxgk/xxgkAnnualReport.jsp"


def _unit(raw, **params: object) -> dict:
    reply = raw("GET", f"{UNIT}?{urlencode({**QUERY, **params})}")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json;charset=UTF-8"
    return json.loads(reply.body)


def _hrefs(fragment: str) -> list[str]:
    return re.findall(r"<a href='([^']+)'", fragment)


def _site_files(manifest: dict, host: str) -> list[dict]:
    return [e for e in manifest.values() if e["site"] == host]


# ---------------------------------------------------------------- jpaas
def test_jpaas_column_holds_no_list_only_a_unitbuild_script(get) -> None:
    html = get(f"{TAIXING}/zwgk/zfxxgknb/index.html").body.decode()
    tree = lxml.html.fromstring(html)
    assert not [a for a in tree.iter("a") if "/art/" in (a.get("href") or "")]
    (script,) = tree.xpath("//script[@querydata]")
    assert script.get("src") == "/AuthorizedRead/unitbuild.js"
    assert (
        script.get("url") == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    )
    data = "{" + ",".join(f"'{k}':'{v}'" for k, v in QUERY.items()) + "}"
    assert f'queryData="{data}"' in html  # single-quoted JSON, raw in the attribute


def test_unit_api_answers_a_page_of_html_with_its_pager(raw) -> None:
    answer = _unit(raw)
    assert (answer["success"], answer["code"]) == (True, "200")
    fragment = answer["data"]["html"]
    assert fragment.count("<li class='clearfix'>") == 8  # the site's default page size
    assert fragment.endswith("<div class='pagination' rows='8' count='17'></div>")


def test_param_json_and_plain_page_parameters_page_alike(raw) -> None:
    by_json = _unit(raw, paramJson='{"pageNo":2,"pageSize":8}')["data"]["html"]
    by_params = _unit(raw, pageNo=2, pageSize=8)["data"]["html"]
    assert by_json == by_params
    assert _hrefs(by_json) != _hrefs(_unit(raw)["data"]["html"])


def test_pages_together_list_every_posting_once_and_then_nothing(raw, manifest) -> None:
    links = []
    for page in (1, 2, 3):
        links += _hrefs(
            _unit(raw, paramJson=json.dumps({"pageNo": page}))["data"]["html"]
        )
    past = _unit(raw, paramJson='{"pageNo":4,"pageSize":8}')["data"]["html"]
    assert _hrefs(past) == []
    assert len(links) == len(set(links)) == 17
    firsts = {
        e["files"][0]["url"].removeprefix(TAIXING)
        for e in _site_files(manifest, "www.taixing.gov.cn")
    }
    assert firsts <= {link.replace("&amp;", "&") for link in links}
    assert len(links) - len(firsts) == 3  # 解读, 通知, a news item


def test_unknown_page_id_is_no_success(raw) -> None:
    assert _unit(raw, pageId="gone") == {
        "success": False,
        "code": "500",
        "message": "页面不存在",
    }


def test_reports_sit_in_year_archives_as_32_hex_articles(raw, manifest) -> None:
    for entry in _site_files(manifest, "www.taixing.gov.cn"):
        page = entry["files"][0]["url"]
        if entry["form"] == "pdf_only":
            continue
        assert re.fullmatch(
            rf"{TAIXING}/zwgk/zfxxgknb/{entry['year']}n/art/20\d\d/art_[0-9a-f]{{32}}\.html",
            page,
        ), page
        archive = page.split("/art/")[0] + "/index.html"
        page_id = re.search(
            r"'pageId':'(\w+)'", raw("GET", archive).body.decode()
        ).group(1)
        assert page.removeprefix(TAIXING) in _unit(raw, pageId=page_id)["data"]["html"]


def test_download_gateway_sends_the_pdf_as_octet_stream(raw, manifest) -> None:
    entry = manifest["tx-fgw/2022"]  # pdf_only: the list links the gateway itself
    (pdf,) = entry["files"]
    assert re.fullmatch(
        rf"{TAIXING}/api-gateway/jpaas-web-server/front/document/download"
        r"\?fileUrl=[A-Za-z0-9%]+&fileName=%[0-9A-F%]+\.pdf",
        pdf["url"],
    )
    reply = raw("GET", pdf["url"])
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/octet-stream"
    assert reply.headers["Content-Disposition"].startswith(
        "attachment; filename*=UTF-8''"
    )
    assert reply.body.startswith(b"%PDF")
    gone = raw("GET", pdf["url"].replace("fileUrl=", "fileUrl=x"))
    assert gone.status == 404


# ---------------------------------------------------------------- jcms next groups
def test_column_holds_its_first_group_and_a_next_group_link_but_no_total(get) -> None:
    html = get(COLUMN).body.decode()
    script = lxml.html.fromstring(html).xpath('//script[@type="text/xml"]')[0].text
    assert (
        len(re.findall(r"<record><!\[CDATA\[", script)) == 6
    )  # perPage 3 × groupSize 2
    assert (
        '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1'
        "&webid=2871&path=/&columnid=1229290123&" in script
    )
    assert "perPage:3,groupSize:2" in html
    assert "totalRecord" not in html
    assert "<totalrecord>" not in script


def test_the_chain_of_next_groups_lists_every_posting_once(raw, manifest) -> None:
    url = COLUMN
    page = raw("GET", url).body.decode()
    links, groups = re.findall(r'<a href="(/art/[^"]+)"', page), 0
    while found := re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', page):
        url = urljoin(url, found.group(1))  # the first absolute, then ./dataproxy.jsp
        page = raw("GET", url).body.decode()
        assert "<totalrecord>" not in page
        links += re.findall(r'<a href="(/art/[^"]+)"', page)
        groups += 1
    assert groups == 2
    assert len(links) == len(set(links)) == 16
    pages = {
        e["files"][0]["url"].removeprefix(SANMEN)
        for e in _site_files(manifest, "www.sanmen.gov.cn")
        if "/art/" in e["files"][0]["url"]
    }
    assert pages <= set(links)
    assert len(links) - len(pages) == 3  # 解读, 指南, a news item


def test_record_ranges_still_answer_with_totals(raw) -> None:
    form = "columnid=1229290123&webid=2871"
    reply = raw("GET", f"{DATAPROXY}?startrecord=7&endrecord=12&perpage=3&{form}")
    xml = reply.body.decode()
    assert "<totalrecord>16</totalrecord><totalpage>6</totalpage>" in xml
    assert len(re.findall(r"<record>", xml)) == 6


def test_zhejiang_column_ids_are_huge(manifest) -> None:
    pages = [
        e["files"][0]["url"]
        for e in _site_files(manifest, "www.sanmen.gov.cn")
        if "/art/" in e["files"][0]["url"]
    ]
    assert pages
    assert all(
        re.fullmatch(
            rf"{SANMEN}/art/20\d\d/\d{{1,2}}/\d{{1,2}}/art_1229290123_\d+\.html", p
        )
        for p in pages
    )


# ---------------------------------------------------------------- xxgk units
def test_column_links_each_unit_at_its_latest_year_only(get) -> None:
    html = get(COLUMN).body.decode()
    units = re.findall(
        r'href="/module/xxgk/xxgkAnnualReport\.jsp\?area=([\w-]+)&amp;fbtime=(\d{4})"',
        html,
    )
    assert units == [("SM331022-003", "2024"), ("SM331022-010", "2024")]


def test_other_years_are_served_and_a_missing_year_says_so(get, manifest) -> None:
    for key, year in (("sm-gov/2021", 2021), ("sm-bgs/2022", 2022)):
        url = manifest[key]["files"][0]["url"]
        assert re.fullmatch(rf"{JSP}\?area=SM331022-0\d\d&fbtime={year}", url)
        page = get(url)
        assert page.status == 200
        assert manifest[key]["title"] in page.body.decode()
    empty = get(f"{JSP}?area=SM331022-003&fbtime=2020")
    assert empty.status == 200
    assert "暂无年报信息" in empty.body.decode()


def test_pages_carry_the_hosts_own_filing_and_site_code(get) -> None:
    for url in (COLUMN, f"{JSP}?area=SM331022-003&fbtime=2019"):
        html = get(url).body.decode()
        assert "浙ICP备05008921号" in html
        assert '<meta name="SiteIDCode" content="3310220001"/>' in html
        assert "鲁ICP" not in html
