"""``/-/search`` on the night-2 archive: what it finds is what the texts hold, read
another way (every current text scanned in Python); passages, counts, filters, pages,
CSV, and hostile input."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import pytest

from archive.db import DB_NAME
from web.search import (
    MAX_QUERY,
    PAGE_SIZE,
    SearchQuery,
    best_passage,
    count_hits,
    parse_query,
    search,
    sentence_kind,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import httpx

NOWHERE = {"量子纠缠", '复议"', "行政*", "(依申请"}  # queries no report answers
ALL = 10_000  # a page size that holds every report of the night-2 archive
JINGZHI = "安丘市景芝镇人民政府"
CONTENTS = (
    "本报告内容包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
    "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
)


@pytest.fixture(scope="module")
def conn(data: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{data / DB_NAME}?mode=ro", uri=True)
    yield connection
    connection.close()


def current(conn: sqlite3.Connection) -> dict[int, list[str]]:
    """Each report's current files' title + text."""
    texts: dict[int, list[str]] = {}
    for report_id, title, text in conn.execute(
        """SELECT d.report_id, coalesce(t.title, ''), t.text FROM documents d
           JOIN texts t ON t.version_id = d.current_version_id"""
    ):
        texts.setdefault(report_id, []).append(f"{title}\n{text}")
    return texts


def holding(conn: sqlite3.Connection, words: tuple[str, ...]) -> set[int]:
    """Reports whose current files hold every word between them (ASCII case ignored),
    or whose body's name holds every word."""

    def has(text: str, word: str) -> bool:
        return word.lower() in text.lower() if word.isascii() else word in text

    found = {
        r
        for r, texts in current(conn).items()
        if all(any(has(t, w) for t in texts) for w in words)
    }
    bodies = conn.execute("SELECT id, body FROM reports").fetchall()
    return found | {r for r, body in bodies if all(w in body for w in words)}


def ordered(conn: sqlite3.Connection, ids: set[int]) -> list[int]:
    rows = conn.execute("SELECT id, year, body FROM reports").fetchall()
    return [
        r
        for r, year, body in sorted(rows, key=lambda r: (-r[1], r[2], r[0]))
        if r in ids
    ]


def everything(conn: sqlite3.Connection, q: str, **filters: str) -> list[int]:
    query = parse_query({"q": q, **filters})
    assert query is not None
    return [f.report_id for f in search(conn, query, ALL).rows]


# ---------------------------------------------------------------- what it finds


@pytest.mark.parametrize(
    "q",
    [
        "复议",  # 2 characters: the bigram index
        "诉讼",
        "收费",
        "疫情",  # 2 characters in a few reports only
        "行政复议",  # 3+: the trigram index
        "依申请公开",
        "复",  # 1 character: a scan
        "pdf",  # ASCII: case ignored
        "PDF",
        "景芝镇",  # part of a body's name
        "行政 诉讼",  # two words, both required
        '复议"',  # quotes, operators and wildcards are literal text
        "复议 OR 诉讼",
        "行政*",
        "(依申请",
        "量子纠缠",  # in no report
    ],
)
def test_finds_exactly_the_reports_holding_every_word_in_page_order(
    conn: sqlite3.Connection, q: str
) -> None:
    words = tuple(q.split())
    expected = ordered(conn, holding(conn, words))
    assert everything(conn, q) == expected
    query = parse_query({"q": q})
    assert query is not None
    first = search(conn, query)  # a common word's first page probes the indexes
    assert first.total == len(expected)
    assert [f.report_id for f in first.rows] == expected[:PAGE_SIZE]
    assert (q in NOWHERE) != bool(expected)


def test_words_in_different_files_of_a_report_find_it(
    conn: sqlite3.Connection,
) -> None:
    """A report is its page and its attachments: one word on the page, the other in
    the attached PDF, and the report is found (by the trigram and bigram indexes)."""
    shown = 0
    for report, texts in current(conn).items():
        if len(texts) < 2:
            continue
        first, second = texts[0], texts[1]
        only = [
            next((w for w in _words(a) if w not in b), None)
            for a, b in ((first, second), (second, first))
        ]
        if None in only:
            continue
        for size in (3, 2):
            q = " ".join(w[:size] for w in only if w)
            words = tuple(q.split())
            if any(all(w in t for w in words) for t in texts):
                continue  # one file holds both after all
            assert report in everything(conn, q), q
            shown += 1
    assert shown >= 2


def _words(text: str) -> list[str]:
    """Runs of four Chinese characters in ``text``, rarest-looking first (the last ones)."""
    return re.findall(r"[\u4e00-\u9fff]{4}", text)[::-1]


@pytest.mark.parametrize("q", ["复议", "诉讼", "公开", "收费", "a1", "疫情", "量子"])
def test_the_bigram_index_finds_what_the_scan_found(
    conn: sqlite3.Connection, q: str
) -> None:
    query = parse_query({"q": q})
    assert query is not None
    indexed = search(conn, query, ALL)
    scanned = search(conn, query, ALL, bigrams=False)
    assert indexed == scanned


def test_part_of_a_body_name_finds_the_body_in_every_year(
    conn: sqlite3.Connection,
) -> None:
    query = parse_query({"q": "景芝镇"})
    assert query is not None
    result = search(conn, query, ALL)
    years = [f.year for f in result.rows if f.body == JINGZHI]
    expected = [
        y
        for (y,) in conn.execute(
            "SELECT year FROM reports WHERE body = ? ORDER BY year DESC", [JINGZHI]
        )
    ]
    assert years == expected
    assert len(years) >= 4
    assert all(f.in_name for f in result.rows if f.body == JINGZHI)


# ---------------------------------------------------------------- hits and passages


def test_each_row_counts_the_hits_of_its_best_file_and_quotes_it(
    conn: sqlite3.Connection,
) -> None:
    texts = current(conn)
    query = parse_query({"q": "行政 复议"})
    assert query is not None
    for found in search(conn, query, ALL).rows:
        counts = [count_hits(t, query.words) for t in texts.get(found.report_id, [])]
        assert found.hits == max(counts, default=0)
        if found.hits:
            assert found.passage is not None
            plain = "".join(found.passage.parts).strip("…")
            assert any(plain in " ".join(t.split()) for t in texts[found.report_id])
            assert found.passage.parts[1] in query.words  # the first hit is marked


def test_the_passage_is_prose_not_the_contents_when_prose_holds_the_word(
    conn: sqlite3.Connection,
) -> None:
    query = parse_query({"q": "复议"})
    assert query is not None
    texts = current(conn)
    prose_reports = 0
    for found in search(conn, query, ALL).rows:
        assert found.passage is not None
        assert "本报告内容包括" not in found.passage.marked
        has_prose = any(
            sentence_kind(s) == "prose"
            for t in texts[found.report_id]
            for s in re.findall(r"[^。！？；\n]*[。！？；]?", t)
            if "复议" in s
        )
        assert (found.passage.kind == "prose") == has_prose, found
        prose_reports += has_prose
    assert prose_reports >= 1


def test_passage_rules_on_real_shapes() -> None:
    text = "\n".join(
        [
            "安丘市景芝镇人民政府",
            "2022年政府信息公开工作年度报告",
            CONTENTS,
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议\t行政诉讼",
            "本年度发生政府信息公开行政复议案件2件，均维持原行政行为。",
        ]
    )
    passage = best_passage(text, ("复议",))
    assert passage is not None
    assert passage.kind == "prose"
    assert (
        passage.marked
        == "本年度发生政府信息公开行政【复议】案件2件，均维持原行政行为。"
    )
    only_boilerplate = text.rsplit("\n", 1)[0]
    table = best_passage(only_boilerplate, ("复议",))
    assert table is not None
    assert table.kind == "table"
    assert (
        best_passage(
            "四、政府信息公开行政复议、行政诉讼情况\n" + CONTENTS, ("复议",)
        ).kind
        == "heading"
    )  # type: ignore[union-attr]
    assert best_passage(text, ("量子",)) is None
    assert sentence_kind(CONTENTS) == "heading"
    assert sentence_kind("安丘市景芝镇人民政府") == "heading"
    long = "甲" * 100 + "复议" + "乙" * 100 + "。"
    cut = best_passage(long, ("复议",))
    assert cut is not None
    assert cut.marked == "…" + "甲" * 40 + "【复议】" + "乙" * 80 + "…"


def test_two_words_prefer_the_sentence_holding_both() -> None:
    text = (
        "行政复议情况良好，无纠错。\n本年度行政复议被纠正1件，已整改。\n复议后起诉0件。"
    )
    passage = best_passage(text, ("复议", "纠正"))
    assert passage is not None
    assert passage.marked == "本年度行政【复议】被【纠正】1件，已整改。"


# ---------------------------------------------------------------- filters and pages


@pytest.mark.parametrize(
    "filters",
    [
        {"year": "2022"},
        {"region": "山东省潍坊市"},
        {"level": "town"},
        {"template": "2019"},
        {"year": "2021", "region": "山东省威海市", "level": "department"},
    ],
)
def test_filters_keep_exactly_the_reports_that_match_them(
    conn: sqlite3.Connection, filters: dict[str, str]
) -> None:
    everywhere = everything(conn, "公开")
    rows = {
        r: (year, region, level)
        for r, year, region, level in conn.execute(
            "SELECT id, year, region, level FROM reports"
        )
    }
    templates: dict[int, set[str]] = {}
    for r, template in conn.execute(
        """SELECT d.report_id, p.template FROM documents d
           JOIN parses p ON p.version_id = d.current_version_id"""
    ):
        templates.setdefault(r, set()).add(template)

    def keep(r: int) -> bool:
        year, region, level = rows[r]
        return (
            str(year) == filters.get("year", str(year))
            and region.startswith(filters.get("region", ""))
            and level == filters.get("level", level)
            and (
                "template" not in filters or filters["template"] in templates.get(r, ())
            )
        )

    expected = [r for r in everywhere if keep(r)]
    assert everything(conn, "公开", **filters) == expected
    assert 0 < len(expected) < len(everywhere)


def test_pages_follow_each_other_without_gaps(conn: sqlite3.Connection) -> None:
    whole = everything(conn, "复议")
    assert len(whole) > 2 * PAGE_SIZE
    paged: list[int] = []
    for page in range(1, len(whole) // PAGE_SIZE + 2):
        query = parse_query({"q": "复议", "page": str(page)})
        assert query is not None
        paged += [f.report_id for f in search(conn, query).rows]
    assert paged == whole


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_total_hits_and_passages(
    get: Callable[[str], httpx.Response], conn: sqlite3.Connection
) -> None:
    total = len(everything(conn, "复议", year="2022"))
    page = get("/-/search?" + urlencode({"q": "复议", "year": "2022"}))
    assert page.status_code == 200
    html = page.text
    assert f"<strong>共 {total} 份年报</strong>含“复议”" in html
    assert html.count('<li>\n    <div class="nb-head">') == min(total, PAGE_SIZE)
    assert html.count("<mark>复议</mark>") >= min(total, PAGE_SIZE)
    assert "<title>搜索：复议</title>" in html
    assert "下一页" in html if total > PAGE_SIZE else "下一页" not in html


def test_json_gives_the_same_rows(
    get: Callable[[str], httpx.Response], conn: sqlite3.Connection
) -> None:
    answer = get("/-/search.json?" + urlencode({"q": "景芝镇"})).json()
    assert answer["ok"] is True
    assert answer["total"] == len(everything(conn, "景芝镇"))
    assert [r["report_id"] for r in answer["rows"]] == everything(conn, "景芝镇")
    assert all(r["body"] == JINGZHI and r["in_name"] for r in answer["rows"])


def test_csv_opens_in_excel_with_every_report_found(
    get: Callable[[str], httpx.Response], conn: sqlite3.Connection
) -> None:
    answer = get("/-/search.csv?" + urlencode({"q": "复议", "page": "2"}))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.content.startswith("\ufeff".encode())  # the BOM Excel needs
    assert (
        "filename*=UTF-8''" + quote("搜索_复议.csv")
        in answer.headers["content-disposition"]
    )
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["年报编号", "发布机构", "年度"]
    assert [int(r[0]) for r in table[1:]] == everything(conn, "复议")  # all, not a page
    assert all(r[9].endswith(f"/archive/reports/{r[0]}") for r in table[1:])


def test_the_old_search_address_leads_here(
    get: Callable[[str], httpx.Response],
) -> None:
    old = get("/archive/search?q=" + quote("复议"))
    assert old.status_code == 302
    assert old.headers["location"] == "/-/search?q=" + quote("复议")
    assert get("/archive/search.json?q=x").headers["location"] == "/-/search.json?q=x"
    assert get("/other/search").status_code == 404


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"q": "复" * (MAX_QUERY + 1)}, "搜索词太长"),
        ({"q": "a b c d e f"}, "最多 5 个词"),
        ({"q": "复议", "year": "abc"}, "年度应是 1990 到 2100 之间的整数"),
        ({"q": "复议", "year": "99999999999999999999999"}, "年度应是"),
        ({"q": "复议", "year": "２０２２"}, "年度应是"),  # full-width digits
        ({"q": "复议", "page": "0"}, "页码应是 1 到 500"),
        ({"q": "复议", "page": "-1"}, "页码应是"),
        (
            {"q": "复议", "level": "'; DROP TABLE reports; --"},
            "DROP TABLE report…”这个层级",
        ),
        ({"q": "复议", "template": "2020"}, "没有“2020”这种模板"),
        ({"q": "复议", "region": "省" * 101}, "地区太长"),
    ],
)
def test_hostile_input_gets_a_clear_page_never_a_traceback(
    get: Callable[[str], httpx.Response], args: dict[str, str], says: str
) -> None:
    page = get("/-/search?" + urlencode(args))
    assert page.status_code == 400
    assert says in page.text
    assert "Traceback" not in page.text
    answer = get("/-/search.json?" + urlencode(args))
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert says in answer.json()["error"]


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1 --",
        "复议'; DROP TABLE texts; --",
        "NEAR(复议 诉讼)",
        "\x00复议",
        "《》",
    ],
)
def test_sql_and_fts_syntax_are_searched_as_text(
    get: Callable[[str], httpx.Response], conn: sqlite3.Connection, q: str
) -> None:
    answer = get("/-/search.json?" + urlencode({"q": q})).json()
    assert answer["ok"] is True
    words = tuple(re.sub(r"[\x00-\x1f\x7f]", " ", q).split())  # control: a space
    assert answer["total"] == len(holding(conn, words))


def test_no_words_shows_the_form(get: Callable[[str], httpx.Response]) -> None:
    page = get("/-/search")
    assert page.status_code == 200
    assert 'name="q"' in page.text
    assert "共 " not in page.text
    assert get("/-/search.json").json() == {
        "ok": True,
        "error": None,
        "total": 0,
        "rows": [],
    }


def test_queries_are_kept_as_typed_in_the_links() -> None:
    query = SearchQuery(("复议", "诉讼"), 2022, "山东省", "town", "2021", 3)
    assert query.args(page=4) == {
        "q": "复议 诉讼",
        "year": "2022",
        "region": "山东省",
        "level": "town",
        "template": "2021",
        "page": "4",
    }


# ---------------------------------------------------------------- the ecosystem


def test_sqlite_utils_and_datasette_see_the_full_text_index(
    data: Path, get: Callable[[str], httpx.Response], conn: sqlite3.Connection
) -> None:
    """Both find, through ``report_texts``, the reports whose current files hold the phrase."""
    tool = Path(sys.executable).parent / "sqlite-utils"
    found = subprocess.run(
        [
            str(tool),
            "search",
            str(data / DB_NAME),
            "report_texts",
            "行政复议",
            "-c",
            "report_id",
            "--csv",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    reports = {int(r) for r in found.stdout.split()[1:]}
    with_phrase = {
        report
        for (report,) in conn.execute(
            "SELECT d.report_id FROM documents d"
            " JOIN texts t ON t.version_id = d.current_version_id"
            " WHERE instr(t.text, '行政复议') > 0"
            " OR instr(coalesce(t.title, ''), '行政复议') > 0"
        )
    }
    assert reports == with_phrase
    assert len(reports) > 100
    answer = get(
        "/archive/report_texts.json?_search="
        + quote("行政复议")
        + "&_size=max&_col=report_id"
    )
    assert answer.status_code == 200
    assert {r[0] for r in json.loads(answer.text)["rows"]} == reports


def test_a_word_only_in_a_table_shows_what_the_table_says(
    conn: sqlite3.Connection,
) -> None:
    query = parse_query({"q": "复议"})
    assert query is not None
    shown = 0
    for found in search(conn, query, ALL).rows:
        if found.passage is None or found.passage.kind != "table":
            assert found.figures == ()
            continue
        totals = conn.execute(
            """SELECT f.row_key, f.row_label, f.value FROM best_versions b
               JOIN figures f ON f.version_id = b.version_id
               WHERE b.report_id = ? AND f.column_key = 'total'
                 AND f.row_label LIKE '%复议%' ORDER BY f.id""",
            [found.report_id],
        ).fetchall()
        expected = []
        for key, label, value in totals:
            name = f"行政诉讼（{label}）" if key.startswith("litigation") else label
            number = "未填" if value is None else f"{float(value):g}"
            expected.append(f"{name} 总计 {number}")
        assert list(found.figures) == expected[:4], found.body
        shown += bool(expected)
    assert shown >= 10  # most reports name 复议 only in table 4
