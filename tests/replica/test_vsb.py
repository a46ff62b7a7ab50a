"""博达 VSB, as the Dalian zones' portals publish it (site-families §2.6)."""

from __future__ import annotations

import re

from replica.catalog import catalog
from replica.site import Request

HOST = "www.dlhyk.gov.cn"
DOWNLOAD = "/system/_content/download.jsp"
COLUMN = "/zwgk/zfxxgknb"


def _get(path: str, headers: dict[str, str] | None = None):
    base, _, query = path.partition("?")
    return (
        catalog(1)
        .sites[HOST]
        .respond(Request("GET", "http", HOST, base, query, headers or {}))
    )


def _entries() -> list[dict]:
    return [e for e in catalog(1).manifest() if e["site"] == HOST]


def test_pages_count_down_from_the_column_page() -> None:
    first = _get(f"{COLUMN}.htm").body.decode()
    count = int(re.search(r'<span class="p_t">1/(\d+)</span>', first).group(1))  # type: ignore[union-attr]
    assert count == 6
    assert 'class="p_next p_fun"><a href="zfxxgknb/5.htm">下页' in first
    for display in range(2, count + 1):
        page = _get(f"{COLUMN}/{count - display + 1}.htm")
        assert page.status == 200
        assert f'<span class="p_t">{display}/{count}</span>' in page.body.decode()
    assert _get(f"{COLUMN}/{count}.htm").status == 404
    assert _get(f"{COLUMN}/0.htm").status == 404


def test_articles_are_info_pages_with_the_vsb_traits() -> None:
    for entry in _entries():
        page = entry["files"][0]
        assert re.fullmatch(
            rf"http://{re.escape(HOST)}/info/1308/\d{{5}}\.htm", page["url"]
        )
        html = _get(page["url"].split(HOST, 1)[1]).body.decode()
        assert "<!--Announced by Visual SiteBuilder 9-->" in html
        assert '<div id="vsb_content">' in html
        assert "_showDynClicks(" in html
        assert (
            '<META name="ArticleTitle"' in html or '<meta name="ArticleTitle"' in html
        )


def _download_hrefs(page_url: str) -> list[str]:
    html = _get(page_url.split(HOST, 1)[1]).body.decode()
    return [
        h.replace("&amp;", "&") for h in re.findall(r'附件【<a href="([^"]+)"', html)
    ]


def test_download_jsp_serves_the_file_only_with_a_referer_from_the_site() -> None:
    checked = 0
    for entry in _entries():
        page, *files = entry["files"]
        hrefs = _download_hrefs(page["url"])
        assert len(hrefs) == len(files)
        for href, item in zip(hrefs, files, strict=True):
            assert href.startswith(
                f"{DOWNLOAD}?urltype=news.DownloadAttachUrl&owner=1621233478&wbfileid="
            )
            good = _get(href, {"referer": page["url"]})
            assert good.status == 200
            assert good.sha256 == item["sha256"]
            assert good.disposition
            assert good.disposition.startswith("attachment;")
            for headers in ({}, {"referer": "http://www.example.com/"}):
                bad = _get(href, headers)
                assert bad.status == 200
                assert bad.content_type.startswith("text/html")
                assert 4500 < len(bad.body) < 5300  # the real error page: 4.9 KB
            checked += 1
    assert checked == 6


def test_the_manifest_lists_the_uploads_static_local_paths() -> None:
    for entry in _entries():
        for item in entry["files"][1:]:
            path = item["url"].split(HOST, 1)[1]
            assert re.fullmatch(
                r"/__local/[0-9A-F]/[0-9A-F]{2}/[0-9A-F]{2}/[0-9A-F]{27}_[0-9A-F]{8}_[0-9A-F]+\.(pdf|docx)",
                path,
            )
            assert _get(path).sha256 == item["sha256"]
            assert int(path.rsplit("_", 1)[1].split(".")[0], 16) == item["bytes"]


def test_a_report_posted_as_a_bare_file_gets_an_article_saying_see_attachment() -> None:
    """The benchmark mix posts some reports as bare files (``pdf_only``); VSB lists
    articles only, so such a report gets an article saying 详见附件 with the file
    attached (as gkmlpt does), rather than stopping the replica."""
    from dataclasses import replace

    from replica.catalog import builder
    from replica.corpus import postings, spec

    site_spec = next(s for s in spec().sites if s.host == HOST)
    items = [
        replace(p, form="pdf_only") if p.is_report else p
        for p in postings(site_spec, 1)
    ]
    site = builder("vsb")(site_spec, items, 1)
    report = next(p for p in items if p.is_report)
    listing = site.respond(Request("GET", "http", HOST, f"{COLUMN}.htm", "", {}))
    assert listing is not None
    article = re.search(
        r'href="\.\./(info/1308/\d{5}\.htm)"[^>]*title="'
        + re.escape(report.list_title),
        listing.body.decode(),
    )
    assert article is not None
    page = site.respond(Request("GET", "http", HOST, "/" + article.group(1), "", {}))
    assert page is not None
    html = page.body.decode()
    assert f"{report.item.title}详见附件。" in html
    assert "附件【<a href=" in html
