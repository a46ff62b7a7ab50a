"""The journalists' canned queries and views, through a real Datasette on the night-2 archive.

Each answer is compared with what the archive holds, read another way: the texts of
``archive.derived`` / ``alerts.messages``
/ ``alerts.health`` for figures, changes and lateness, the blob store for the files.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from datasette.app import Datasette
from sqlite_utils import Database

from alerts.config import Alerts
from alerts.health import late_messages
from alerts.messages import figure_changes
from archive.blobs import BlobStore
from archive.db import BLOB_DIR, DB_NAME, connect
from archive.derived import best_parses, figures_of
from archive.migrations import migrations
from processors.deadlines import Deadlines
from web.metadata import HIDDEN, metadata

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

EDITED = ("威海火炬高技术产业开发区经济发展局", 2022)
NEW = ("威海临港经济技术开发区草庙子镇人民政府", 2024)
UNBALANCED = {
    ("安丘市发展和改革局", 2021, "balance"),
    ("安丘市发展和改革局", 2021, "handled_sum"),
    ("平潭综合实验区管理委员会", 2020, "handled_sum"),
    # its 上年结转 does not carry over 2020's 结转下年度 (across years)
    ("威海火炬高技术产业开发区管理委员会", 2021, "carried_over"),
}
SETTINGS = {"sql_time_limit_ms": 5000, "max_returned_rows": 1000}


@pytest.fixture(scope="module")
def data(night2: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("web") / "archive"
    shutil.copytree(night2, target, ignore=shutil.ignore_patterns("crawl.lock"))
    return target


@pytest.fixture(scope="module")
def db(data: Path) -> Iterator[Database]:
    database = connect(data / DB_NAME, readonly=True)
    yield database
    database.conn.close()


@pytest.fixture(scope="module")
def get(data: Path) -> Iterator[Callable[..., Any]]:
    """GET a path from a Datasette serving the archive; JSON paths come back parsed."""
    ds = Datasette(
        [str(data / DB_NAME)], metadata=metadata(Alerts()), settings=SETTINGS
    )
    loop = asyncio.new_event_loop()

    def go(path: str, status: int = 200, post: dict[str, str] | None = None) -> Any:
        request = (
            ds.client.get(path) if post is None else ds.client.post(path, data=post)
        )
        response = loop.run_until_complete(request)
        assert response.status_code == status, (path, response.text[:500])
        return response.json() if ".json" in path else response

    yield go
    loop.close()


def rows(get: Callable[..., Any], query: str, **params: str | int) -> list[dict]:
    """A canned query's rows as dicts (``_shape=objects``)."""
    args = "".join(f"&{k}={quote(str(v))}" for k, v in params.items())
    return get(f"/archive/{query}.json?_shape=objects{args}")["rows"]


def report_id(db: Database, body: str, year: int) -> int:
    return db.execute(
        "SELECT id FROM reports WHERE body = ? AND year = ?", [body, year]
    ).fetchone()[0]


# ---------------------------------------------------------------- checks and changes


def test_failing_checks_holds_the_unbalanced_reports(get: Callable[..., Any]) -> None:
    found = rows(get, "failing_checks")
    assert {(r["body"], r["year"], r["check"]) for r in found} == UNBALANCED
    assert len(found) == len(UNBALANCED)
    pingtan = next(r for r in found if r["body"] == "平潭综合实验区管理委员会")
    assert pingtan["check_name"] == "办理结果合计"
    assert pingtan["message"] == (
        "三（七）总计/自然人 [total_handled/natural_person] = 20, but 三（一）…（六） sum to 26; "
        "三（七）总计/总计 [total_handled/total] = 21, but 三（一）…（六） sum to 27"
    )
    assert pingtan["explanation"] == (
        "“自然人”列：办理结果总计填 20，而三（一）至（六）各项之和为 26；"
        "“总计”列：办理结果总计填 21，而三（一）至（六）各项之和为 27"
    )
    # the advisory trend check is a warning, not a failure
    assert all(r["check"] != "in_force_trend" for r in found)


def test_report_overview_facets_and_check_status(get: Callable[..., Any]) -> None:
    page = get("/archive/report_overview.json?_size=max&_shape=objects")
    assert len(page["rows"]) == 125
    facets = page["facet_results"]
    assert list(facets) == [
        "province",
        "city",
        "region",
        "level",
        "year",
        "template",
        "check_status",
        "status",
    ]
    failed = {
        (r["body"], r["year"]) for r in page["rows"] if r["check_status"] == "failed"
    }
    assert failed == {(body, year) for body, year, _ in UNBALANCED}
    counts = {f["value"]: f["count"] for f in facets["province"]["results"]}
    assert counts == {"山东省": 106, "福建省": 19}
    cities = {f["value"]: f["count"] for f in facets["city"]["results"]}
    assert cities == {"威海市": 55, "潍坊市": 32, "烟台市": 19, "平潭综合实验区": 19}
    years = [r["year"] for r in page["rows"]]
    assert years == sorted(years, reverse=True)  # the default sort


def test_changed_holds_the_edited_report_with_what_changed(
    get: Callable[..., Any], db: Database
) -> None:
    found = rows(get, "changed")
    assert [(r["body"], r["year"]) for r in found] == [EDITED]
    (row,) = found
    assert row["what_changed"] == "行政处罚 处理决定数量 53 → 15"
    assert row["what_changed"] == "；".join(
        figure_changes(db, row["previous_version_id"], row["version_id"])
    )
    assert row["link"] == f"/archive/reports/{report_id(db, *EDITED)}"


def test_new_this_week_and_latest(get: Callable[..., Any], db: Database) -> None:
    # night 1 was each source's first crawl: its reports are the backlog, not news
    assert [(r["body"], r["year"]) for r in rows(get, "new_this_week")] == [NEW]
    latest = rows(get, "latest")
    assert len(latest) == 100
    newest = db.execute("SELECT max(published) FROM reports").fetchone()[0]
    assert latest[0]["published"] == newest
    published = [r["published"] for r in latest]
    assert published == sorted(published, reverse=True)


# ---------------------------------------------------------------- figures


def test_body_years_gives_the_best_versions_figures_year_by_year(
    get: Callable[..., Any], db: Database
) -> None:
    body = EDITED[0]
    found = rows(get, "body_years", body=body)
    assert [r["year"] for r in found] == [2020, 2021, 2022, 2023, 2024]
    best = best_parses(db)
    for row in found:
        rid = report_id(db, body, row["year"])
        assert row["version_id"] == best[rid]
        tables = figures_of(db, best[rid])
        apps = {k: v["total"] for k, v in tables["applications"].items()}
        assert row["applications_received"] == apps["new_received"]
        assert row["total_handled"] == apps["total_handled"]
        withheld = [v for k, v in apps.items() if k.startswith("withheld_")]
        assert row["withheld"] == sum(withheld)
        assert row["reviews"] == tables["appeals"]["review"]["total"]
        assert row["penalty_decisions"] == tables["active"]["penalty"]["decisions"]
    edited = next(r for r in found if r["year"] == EDITED[1])
    assert edited["penalty_decisions"] == 15  # after the edit
    assert edited["fees_10k_yuan"] == 70.12
    assert rows(get, "body_years", body="不存在的机关") == []


def test_top_applications_ranks_reports_by_applications_received(
    get: Callable[..., Any], db: Database
) -> None:
    best = best_parses(db)
    received = {}
    for rid, version in best.items():
        tables = figures_of(db, version)
        value = tables.get("applications", {}).get("new_received", {}).get("total")
        if value is not None:
            received[rid] = value
    found = rows(get, "top_applications", year="")
    assert len(found) == 100
    values = [r["applications_received"] for r in found]
    assert values == sorted(received.values(), reverse=True)[:100]
    assert found[0] == found[0] | {
        "body": "威海临港经济技术开发区管理委员会",
        "year": 2023,
        "applications_received": 223,
    }
    in_2022 = rows(get, "top_applications", year=2022)
    assert {r["year"] for r in in_2022} == {2022}
    years = dict(db.execute("SELECT id, year FROM reports").fetchall())
    assert len(in_2022) == sum(1 for rid in received if years[rid] == 2022)


def test_coverage_lists_every_body_with_its_years_and_lateness(
    get: Callable[..., Any], db: Database
) -> None:
    found = rows(get, "coverage")
    bodies = db.execute("SELECT body, group_concat(year) FROM reports GROUP BY body")
    assert {r["body"] for r in found} == {b for b, _ in bodies.fetchall()}
    chucun = next(
        r for r in found if r["body"] == "威海火炬高技术产业开发区初村镇人民政府"
    )
    assert chucun["years"] == "2021、2022、2023"
    assert chucun["latest_year"] == 2023
    assert chucun["missing_years"] is None
    pingtan = next(r for r in found if r["body"] == "平潭综合实验区管理委员会")
    assert pingtan["years"] == "、".join(str(y) for y in range(2011, 2026))
    assert pingtan["chart"] == "/-/chart?body=平潭综合实验区管理委员会"
    # late exactly where the `late` alert would say so, today
    late = late_messages(db, Deadlines(), datetime.now(UTC))
    assert {(r["body"], r["late_year"]) for r in found if r["late_year"]} == {
        (m.body, int(m.key.rsplit(":", 1)[1])) for m in late
    }
    for row in found:
        if row["late_year"]:
            assert (
                row["status"] == f"逾期：{row['late_year']}年报应于{row['due']}前发布"
            )


# ---------------------------------------------------------------- files and history


def test_report_files_link_each_original_with_its_provenance(
    get: Callable[..., Any], db: Database, data: Path
) -> None:
    rid = report_id(db, *EDITED)
    found = rows(get, "report_files", report=rid)
    assert [(r["version"], r["run_id"], r["status"]) for r in found] == [
        ("current", 2, 200),
        ("earlier", 1, 200),
    ]
    blobs = BlobStore(data / BLOB_DIR)
    for row in found:
        assert row["original"] == f"/-/original/{row['sha256']}"
        stored = blobs.path(row["sha256"]).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == row["sha256"]
        assert (
            row["url"] == "http://www.whctp.gov.cn/art/2023/1/8/art_82956_4119958.html"
        )
        assert '"Content-Type": "text/html;charset=UTF-8"' in row["response_headers"]
        first = db.execute(
            "SELECT c.started FROM versions v JOIN captures c ON c.id = v.first_capture_id"
            " WHERE v.id = ?",
            [row["version_id"]],
        ).fetchone()[0]
        assert row["fetched"] == first
    # a report with a PDF attachment
    pdf = db.execute(
        """SELECT d.report_id, v.sha256 FROM documents d JOIN versions v
           ON v.id = d.current_version_id WHERE v.media_type = 'application/pdf'
           ORDER BY d.id LIMIT 1"""
    ).fetchone()
    files = rows(get, "report_files", report=pdf[0])
    assert pdf[1] in [
        r["sha256"] for r in files if r["media_type"] == "application/pdf"
    ]


def test_report_history_lists_versions_and_what_changed(
    get: Callable[..., Any], db: Database
) -> None:
    found = rows(get, "report_history", report=report_id(db, *EDITED))
    assert [
        (r["run_id"], r["event"], r["state"], r["what_changed"]) for r in found
    ] == [
        (1, "new_report", "replaced", "首次收录"),
        (2, "changed", "current", "行政处罚 处理决定数量 53 → 15"),
    ]
    assert found[1]["previous_version_id"] == found[0]["version_id"]


def test_report_page_is_where_alerts_link(
    get: Callable[..., Any], db: Database
) -> None:
    rid = report_id(db, *EDITED)
    page = get(f"/archive/reports/{rid}.json?_shape=objects")
    assert page["rows"][0]["body"] == EDITED[0]


# ---------------------------------------------------------------- regions


def test_regions_split_into_province_and_city() -> None:
    db = Database(memory=True)
    migrations.apply(db)
    regions = {
        "山东省潍坊市安丘市": ("山东省", "潍坊市"),
        "福建省平潭综合实验区": ("福建省", "平潭综合实验区"),
        "北京市海淀区": ("北京市", "北京市"),
        "湖北省恩施土家族苗族自治州恩施市": ("湖北省", "恩施土家族苗族自治州"),
        "新疆维吾尔自治区和田地区和田市": ("新疆维吾尔自治区", "和田地区"),
        "内蒙古自治区阿拉善盟": ("内蒙古自治区", "阿拉善盟"),
        "浙江省杭州市西湖区": ("浙江省", "杭州市"),
        "广东省": ("广东省", None),
    }
    for number, region in enumerate(regions, 1):
        db.execute(
            "INSERT INTO reports (body, year, title, region, level, source_id, status,"
            " first_seen_run, last_seen_run) VALUES (?, 2024, 't', ?, 'county', 's',"
            " 'present', 1, 1)",
            [f"机关{number}", region],
        )
    found = {
        region: (province, city)
        for region, province, city in db.execute(
            "SELECT region, province, city FROM regions"
        ).fetchall()
    }
    assert found == regions


# ---------------------------------------------------------------- read-only, described


def test_nothing_can_write(get: Callable[..., Any], db: Database) -> None:
    meta = metadata(Alerts())
    queries = meta["databases"]["archive"]["queries"]
    assert not any(q.get("write") for q in queries.values())
    before = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    insert = quote("INSERT INTO reports (body, year) VALUES ('x', 1)")
    # Datasette 1.0's query page does not exist in 0.65: it is a table "-" that is not
    get(f"/archive/-/query?sql={insert}", status=400)
    refused = get(f"/archive.json?sql={insert}", status=400)
    assert refused["error"] == "Statement must be a SELECT"
    delete = quote("DELETE FROM reports")
    get(f"/archive.json?sql={delete}", status=400)
    get(f"/archive/write_anything.json?sql={delete}", status=404)
    get("/archive", post={"sql": "DELETE FROM reports"}, status=405)
    # POSTing to a read-only canned query is refused (Datasette 0.65 alone answers 500)
    get("/-/search", post={"q": "复议"}, status=405)
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == before


def test_metadata_describes_every_table_and_column_users_see(db: Database) -> None:
    meta = metadata(Alerts())
    assert meta["title"] == "年报 nianbao · 政府信息公开工作年度报告存档"
    assert '<a href="/-/search">' in meta["description_html"]
    assert "公开的政府信息" in meta["license"]
    assert "sources" in meta["source"]
    tables = meta["databases"]["archive"]["tables"]
    objects = db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (name,) in objects:
        if name in HIDDEN:
            assert tables[name] == {"hidden": True}
            continue
        assert tables[name]["description"], name
        columns = [c[1] for c in db.execute(f"PRAGMA table_info([{name}])").fetchall()]
        assert sorted(tables[name]["columns"]) == sorted(columns), name
        assert all(tables[name]["columns"].values()), name
    assert "万元" in tables["figures"]["columns"]["value"]
    assert "万元" in tables["key_figures"]["columns"]["fees_10k_yuan"]


def test_metadata_follows_the_database_name_and_the_deadlines() -> None:
    meta = metadata(Alerts(database="nb"), Deadlines(department="02-28"))
    queries = meta["databases"]["nb"]["queries"]
    assert "'/nb/reports/' || o.report_id AS link" in queries["latest"]["sql"]
    assert "'02-28'" in queries["coverage"]["sql"]
    assert "次年02-28前" in queries["coverage"]["description"]
    assert '<a href="/-/search">' in meta["description_html"]
    with pytest.raises(ValueError, match="database name"):
        metadata(Alerts(database="x' OR '1"))


def test_home_page_links_the_search(get: Callable[..., Any]) -> None:
    home = get("/").text
    assert '<form action="/-/search" method="get">' in home
    assert "年报 nianbao · 政府信息公开工作年度报告存档" in home
    database = get("/archive").text
    for hidden in ("report_texts_fts", "texts_bigrams", "outbox", "_sqlite_migrations"):
        assert f'href="/archive/{hidden}"' not in database


# ---------------------------------------------------------------- Chinese first, Excel


def test_query_pages_speak_chinese_and_name_their_columns(
    get: Callable[..., Any],
) -> None:
    page = get("/archive/latest").text
    assert "<title>最新发布的年报 Latest reports</title>" in page  # not its SQL
    assert (
        'title="applications_received" style="word-break: keep-all">新收申请（件）</th>'
        in page
    )
    assert ">机关</th>" in page
    assert "查询结果：100 行" in page
    assert "Custom SQL query" not in page
    assert 'value="查询"' in page
    assert ">县级<" in page  # level county, as read
    assert ">county<" not in page
    form = get("/archive/body_years").text
    assert "机关名称（全称或其中一部分，如 景芝镇）" in form
    assert rows(get, "latest")[0]["level"] in {"county", "town", "department", "city"}


def test_csv_with_bom_for_excel_is_offered_and_the_plain_csv_is_unchanged(
    get: Callable[..., Any],
) -> None:
    page = get("/archive/latest").text
    assert (
        'class="nb-csv-excel" href="/archive/latest.csv?_size=max&_dl=1&_bom=1"' in page
    )
    plain = get("/archive/latest.csv?_size=max").content
    excel = get("/archive/latest.csv?_size=max&_bom=1").content
    download = get("/archive/latest.csv?_size=max&_dl=1&_bom=1")
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content == excel
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain
    assert excel.decode("utf-8-sig").splitlines()[0].startswith("body,year,title")


def test_body_years_finds_a_body_by_part_of_its_name(
    get: Callable[..., Any], db: Database
) -> None:
    found = rows(get, "body_years", body="景芝镇")
    expected = db.execute(
        "SELECT year FROM reports WHERE body = '安丘市景芝镇人民政府' ORDER BY year"
    ).fetchall()
    assert [(r["body"], r["year"]) for r in found] == [
        ("安丘市景芝镇人民政府", y) for (y,) in expected
    ]
    assert (
        rows(get, "body_years", body="镇") == []
    )  # one character: the whole name only
    several = {r["body"] for r in rows(get, "body_years", body="管理委员会")}
    assert len(several) > 1
    assert all("管理委员会" in b for b in several)


def test_facets_name_their_columns_and_values_in_chinese(
    get: Callable[..., Any], db: Database
) -> None:
    page = get("/archive/reports").text
    assert '<strong title="level">层级' in page
    (counties,) = db.execute(
        "SELECT count(*) FROM reports WHERE level = 'county'"
    ).fetchone()
    assert f'level=county">县级</a> {counties:,}</li>' in page  # the link keeps the key
    assert '<strong title="status">状态' in page
    assert ">在网站上</a>" in page


def test_table_headers_are_chinese_and_keep_their_keys(get: Callable[..., Any]) -> None:
    page = get("/archive/report_overview").text
    # the key stays where Datasette's menus and the API read it
    assert 'data-column="applications_received"' in page
    assert 'title="applications_received" style="word-break: keep-all">' in page
    assert "新收申请（件）</a>" in page
    assert ">年报编号" in page
