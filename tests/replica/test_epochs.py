"""Night 2 differs from night 1 by exactly one new, one edited, one re-saved and one
removed report; nights 3 and 4 are night 2; HTTP validators follow the bytes."""

from __future__ import annotations

import io
import re

import pdfplumber

from replica.catalog import catalog
from replica.client import request_raw

NIGHT_2 = "Sun, 01 Nov 2026 18:00:00 GMT"  # 2026-11-02 02:00 in Asia/Shanghai


def _by_key(epoch: int) -> dict[str, dict]:
    return {e["key"]: e for e in catalog(epoch).manifest()}


def _hashes(entry: dict) -> list[tuple[str, str]]:
    return [(f["url"], f["sha256"]) for f in entry["files"]]


def test_night_2_adds_one_report_and_removes_one() -> None:
    one, two = _by_key(1), _by_key(2)
    assert set(two) - set(one) == {"wip-caomiaozi/2024"}
    assert set(one) - set(two) == {"anqiu-linghe/2020"}


def test_night_2_changes_exactly_two_files_of_existing_reports() -> None:
    one, two = _by_key(1), _by_key(2)
    changed = {k for k in set(one) & set(two) if _hashes(one[k]) != _hashes(two[k])}
    assert changed == {"whctp-jjfz/2022", "anqiu-jingzhi/2022"}
    for key in changed:  # same URLs, new bytes
        assert [u for u, _ in _hashes(one[key])] == [u for u, _ in _hashes(two[key])]


def _text(epoch: int, url: str) -> str:
    return catalog(epoch).sites[url.split("/")[2]].fetch(url).body.decode("utf-8")


def test_the_edited_report_changes_one_table_number_and_nothing_else() -> None:
    url = _by_key(1)["whctp-jjfz/2022"]["files"][0]["url"]
    before, after = (re.findall(r">([^<]*)<", _text(n, url)) for n in (1, 2))
    assert len(before) == len(after)
    edits = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert edits == [("53", "15")]  # 行政处罚 本年处理决定数量


def _pdf(epoch: int, url: str) -> tuple[str, dict]:
    data = catalog(epoch).sites[url.split("/")[2]].fetch(url).body
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() for p in pdf.pages), pdf.metadata


def test_the_resaved_pdf_keeps_its_text_and_changes_its_metadata() -> None:
    url = _by_key(1)["anqiu-jingzhi/2022"]["files"][0]["url"]
    (text1, meta1), (text2, meta2) = _pdf(1, url), _pdf(2, url)
    assert text1 == text2
    assert len(text1) > 1000
    assert meta1["Producer"] == "WPS 文字"
    assert meta2["Producer"] == "WPS 文字 (11.1.0.14309)"
    assert meta1["CreationDate"] == meta2["CreationDate"]
    assert meta2["ModDate"] == "D:20261102020000+08'00'"


def test_nights_3_and_4_are_night_2() -> None:
    assert catalog(3).manifest() == catalog(2).manifest() == catalog(4).manifest()


def test_the_removed_report_is_gone_from_its_list_and_its_urls_from_night_2_on(
    replica_at,
) -> None:
    files = [f["url"] for f in _by_key(1)["anqiu-linghe/2020"]["files"]]
    assert len(files) == 2
    for epoch, status in ((1, 200), (2, 404), (3, 404), (4, 404)):
        for url in files:
            assert request_raw(replica_at(epoch).proxy, "GET", url).status == status, (
                epoch,
                url,
            )
    lists = [
        r.body.decode("gb18030")
        for p, r in catalog(2).sites["www.anqiu.gov.cn"].resources.items()
        if "/zjnb/index" in p
    ]
    assert not any("凌河街道办事处2020年" in page for page in lists)


def test_the_new_report_appears_on_night_2(replica_at) -> None:
    url = _by_key(2)["wip-caomiaozi/2024"]["files"][0]["url"]
    assert request_raw(replica_at(1).proxy, "GET", url).status == 404
    assert request_raw(replica_at(2).proxy, "GET", url).status == 200
    column = request_raw(
        replica_at(2).proxy, "GET", "http://www.wip.gov.cn/col/col151617/index.html"
    )
    assert url.removeprefix("http://www.wip.gov.cn") in column.body.decode()


def test_night_1_validators_revalidate_unchanged_files_and_refetch_changed_ones(
    replica_at,
) -> None:
    one, two = _by_key(1), _by_key(2)
    night1, night2 = replica_at(1).proxy, replica_at(2).proxy
    for key, changed in (
        ("whctp-jjfz/2022", True),
        ("anqiu-jingzhi/2022", True),
        ("whctp-gw/2022", False),
    ):
        url = one[key]["files"][0]["url"]
        first = request_raw(night1, "GET", url)
        by_etag = request_raw(
            night2, "GET", url, {"If-None-Match": first.headers["ETag"]}
        )
        by_date = request_raw(
            night2, "GET", url, {"If-Modified-Since": first.headers["Last-Modified"]}
        )
        if changed:
            assert by_etag.status == by_date.status == 200, key
            assert by_etag.headers["Last-Modified"] == NIGHT_2
            assert by_etag.body != first.body
        else:
            assert by_etag.status == by_date.status == 304, key
            assert by_etag.headers["Last-Modified"] == first.headers["Last-Modified"]
        assert _hashes(two[key])[0][0] == url


def test_list_pages_that_changed_are_stamped_with_night_2_the_others_keep_their_date(
    replica_at,
) -> None:
    column = "http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/zjnb/"
    for page, changed in (
        ("index.html", False),
        ("index_1.html", True),
    ):  # the removal was on page 2
        first = request_raw(replica_at(1).proxy, "GET", column + page)
        again = request_raw(
            replica_at(2).proxy,
            "GET",
            column + page,
            {"If-Modified-Since": first.headers["Last-Modified"]},
        )
        assert again.status == (200 if changed else 304)
        assert (again.headers["Last-Modified"] == NIGHT_2) is changed
