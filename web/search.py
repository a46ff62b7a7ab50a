# ruff: noqa: S608 - the SQL here is built of our own fragments; the words are parameters
"""``/-/search``: every report that holds the words, one row per report (issue 13, point 2).

A query is up to :data:`MAX_TERMS` words separated by spaces; a report is found when
its current text holds every word, or its body's name holds every word (景芝镇 finds
安丘市景芝镇人民政府 whatever its text says). Filters: year, region (a prefix:
山东省潍坊市), level and template. Each row gives the number of hits and the best
passage: the sentence with the most of the words that is not a heading, the
table-of-contents sentence every report shares (本报告内容包括总体情况、…) or a table
row, unless nothing else holds them.

How a word is found (the SQL in :func:`_word_hits`), always as the set of reports
whose current text holds it: 3+ characters through the trigram index of each
report's current text ``report_texts_fts``; 2 characters through the bigram index
``texts_bigrams`` (by version, then the documents' current versions); anything else
(1 character, a pair with punctuation) by scanning ``report_texts``
(``archive/search_index.py`` declares them all). The page of reports either walks the reports in the page's
order (index ``reports_year_body``) and stops when the page is full, when the word is
common, or sorts the few reports found, when it is rare (:data:`WALK_SHARE`).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from datasette.utils.asgi import Response

from archive.search_index import indexed_pair
from web.common import _database_name, _run
from web.report import LEVELS, TEMPLATES, number_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from datasette.app import Datasette
    from datasette.utils.asgi import Request

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 reports: past that, narrow the search with the filters
MAX_TERMS = 5
MAX_QUERY = 100  # characters
PASSAGE_CHARS = 40  # on each side of the first hit in the sentence
# Walk the reports in order when at least one in WALK_SHARE holds the word (the page
# fills quickly); sort the reports found when fewer do (walking would read them all).
WALK_SHARE = 20
# Up to this many reports into the results (page × size), a common word's page tests
# each report it walks past in the indexes (at most WALK_SHARE × this many lookups).
PROBE_REPORTS = 100

# ---------------------------------------------------------------- the query


CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never part of a word: read as spaces


class SearchRefused(ValueError):
    """A search that cannot run as asked; the message says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the reader asked: the words and the filters (all optional but the words)."""

    words: tuple[str, ...]
    year: int | None = None
    region: str = ""  # a prefix of reports.region
    level: str = ""  # a key of LEVELS
    template: str = ""  # a key of TEMPLATES
    page: int = 1

    @property
    def q(self) -> str:
        return " ".join(self.words)

    def args(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this search (with ``changes``), blanks left out."""
        values: dict[str, Any] = {
            "q": self.q,
            "year": self.year,
            "region": self.region,
            "level": self.level,
            "template": self.template,
            "page": self.page if self.page > 1 else None,
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def parse_query(args: Mapping[str, str]) -> SearchQuery | None:
    """The search the URL asks for; None when it asks for none (no words).

    :raises SearchRefused: for a value no search can use (the message names it).
    """
    q = " ".join(CONTROL.sub(" ", args.get("q") or "").split())
    if len(q) > MAX_QUERY:
        raise SearchRefused(f"搜索词太长（{len(q)} 个字符，最多 {MAX_QUERY} 个）。")
    words = tuple(dict.fromkeys(q.split()))
    if len(words) > MAX_TERMS:
        raise SearchRefused(
            f"最多 {MAX_TERMS} 个词（用空格分开），这里有 {len(words)} 个。"
        )
    year = _number(args.get("year"), "年度", 1990, 2100)
    page = _number(args.get("page"), "页码", 1, MAX_PAGE) or 1
    level = (args.get("level") or "").strip()
    if level and level not in LEVELS:
        raise SearchRefused(
            f"没有“{_quoted(level)}”这个层级；可选：{_choices(LEVELS)}。"
        )
    template = (args.get("template") or "").strip()
    if template and template not in TEMPLATES:
        raise SearchRefused(
            f"没有“{_quoted(template)}”这种模板；可选：{_choices(TEMPLATES)}。"
        )
    region = (args.get("region") or "").strip()
    if len(region) > MAX_QUERY:
        raise SearchRefused(f"地区太长（最多 {MAX_QUERY} 个字符）。")
    if not words:
        return None
    return SearchQuery(words, year, region, level, template, page)


def _number(value: str | None, name: str, low: int, high: int) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise SearchRefused(
            f"{name}应是 {low} 到 {high} 之间的整数，而不是“{_quoted(text)}”。"
        )
    return int(text)


def _quoted(text: str) -> str:
    """A value quoted back to the reader: short, on one line."""
    shown = CONTROL.sub("?", text)
    return shown if len(shown) <= 20 else shown[:20] + "…"


def _choices(names: Mapping[str, str]) -> str:
    return "、".join(f"{key}（{label}）" for key, label in names.items())


# ---------------------------------------------------------------- finding the reports


def _phrase(word: str) -> str:
    """``word`` as one FTS5 phrase: quoted, so that every character is literal."""
    return '"' + word.replace('"', '""') + '"'


def _word_hits(
    word: str, at: int, bigrams: bool, rare: bool = False
) -> tuple[str, str, dict[str, str]]:
    """How to find the reports whose current text (``report_texts``) holds ``word``
    (the ``at``-th word): SQL for all of them (each report once, or at most once per
    file with ``rare``), SQL testing one report (``r.id``), and their parameters.
    Without ``bigrams``, 2 characters are found by the scan the bigram index replaced
    (the benchmark's baseline)."""
    key = f"w{at}"
    if len(word) >= 3:
        every = (
            f"SELECT rowid FROM report_texts_fts WHERE report_texts_fts MATCH :{key}"
        )
        return every, f"EXISTS ({every} AND rowid = r.id)", {key: _phrase(word)}
    if bigrams and indexed_pair(word):
        # The bigram index is kept by version: a report holds the pair when one of
        # its documents' current versions does. A rare pair's few versions are looked
        # up one by one; a common pair's set is built once and the documents read in
        # order (a lookup for each of 100,000 versions would cost more).
        versions = f"SELECT rowid FROM texts_bigrams WHERE texts_bigrams MATCH :{key}"
        if rare:
            every = (
                f"SELECT d.report_id FROM ({versions}) b JOIN versions v ON v.id = b.rowid"
                f" JOIN documents d ON d.id = v.document_id AND d.current_version_id = v.id"
            )
        else:
            every = (
                f"SELECT d.report_id FROM documents d"
                f" WHERE +d.current_version_id IN ({versions}) GROUP BY d.report_id"
            )
        one = (
            f"EXISTS (SELECT 1 FROM documents d WHERE d.report_id = r.id"
            f" AND EXISTS ({versions} AND rowid = d.current_version_id))"
        )
        return every, one, {key: _phrase(word.lower())}
    if word.isascii():  # letters: case ignored, as the indexes ignore it
        holds = (
            f"(instr(lower(text), :{key}) > 0"
            f" OR instr(lower(coalesce(title, '')), :{key}) > 0)"
        )
        value = word.lower()
    else:
        holds = f"(instr(text, :{key}) > 0 OR instr(coalesce(title, ''), :{key}) > 0)"
        value = word
    every = f"SELECT report_id FROM report_texts WHERE {holds}"
    return every, f"EXISTS ({every} AND report_id = r.id)", {key: value}


def _hits_sql(
    query: SearchQuery, bigrams: bool, rare: bool = False
) -> tuple[str, str, dict[str, Any]]:
    """SQL for the reports whose current text holds every word, SQL testing whether
    report ``r`` does, and their parameters."""
    every, one, params = [], [], {}
    for at, word in enumerate(query.words):
        all_sql, one_sql, word_params = _word_hits(word, at, bigrams, rare)
        every.append(all_sql)
        one.append(one_sql)
        params.update(word_params)
    return " INTERSECT ".join(every), " AND ".join(one), params


def _in_name(query: SearchQuery) -> tuple[str, dict[str, str]]:
    """SQL: the body's name (``r.body``) holds every word (3+ characters through the
    trigram index of the names ``reports_fts``, shorter ones by ``instr``)."""
    tests, params = [], {}
    for at, word in enumerate(query.words):
        key = f"n{at}"
        if len(word) >= 3:
            tests.append(
                f"r.id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :{key})"
            )
            params[key] = _phrase(word)
        else:
            tests.append(f"instr(r.body, :{key}) > 0")
            params[key] = word
    return " AND ".join(tests), params


def _filters(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    """SQL conditions on ``r`` (reports) for the query's filters, and their parameters."""
    sql: list[str] = []
    params: dict[str, Any] = {}
    if query.year is not None:
        sql.append("r.year = :year")
        params["year"] = query.year
    if query.region:
        sql.append("substr(r.region, 1, :region_length) = :region")
        params.update(region=query.region, region_length=len(query.region))
    if query.level:
        sql.append("r.level = :level")
        params["level"] = query.level
    if query.template:
        sql.append(
            "EXISTS (SELECT 1 FROM documents td JOIN parses tp"
            " ON tp.version_id = td.current_version_id"
            " WHERE td.report_id = r.id AND tp.template = :template)"
        )
        params["template"] = query.template
    return " AND ".join(sql) or "1", params


def _is_common(conn: sqlite3.Connection, query: SearchQuery, bigrams: bool) -> bool:
    """Whether at least one report in WALK_SHARE holds the words (counted only so far).

    It only chooses the plan, both give the same reports: one word is judged by its
    index entries (for 2 characters, versions rather than reports), which costs a
    fraction of a millisecond; several words by the reports that hold them all.
    """
    hits, _, params = _hits_sql(query, bigrams)
    (reports,) = conn.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()
    params["enough"] = int(reports) // WALK_SHARE + 1
    if len(query.words) == 1:
        word = query.words[0]
        if bigrams and len(word) == 2 and indexed_pair(word):
            hits = "SELECT rowid FROM texts_bigrams WHERE texts_bigrams MATCH :w0"
    (count,) = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM ({hits}) LIMIT :enough)",
        params,
    ).fetchone()
    return bool(count >= params["enough"])


def _walked(name: str, where: str, probe: str, short: bool) -> str:
    """A common word: walk the reports in the page's order until the page is full.

    Unfiltered, the total is the number of reports the index finds plus the bodies
    whose name alone holds the words (few: each tested by ``probe``). With ``short``
    (the first pages, no filters, where one report in WALK_SHARE at least holds the
    words, so the walk is short whatever they are) each report on the way is tested
    in the indexes directly: tens of lookups instead of the set of every hit.
    """
    in_hits = "r.id IN (SELECT report FROM hits)"
    if where == "1":
        total = f"""(SELECT count(*) FROM hits)
          + (SELECT count(*) FROM reports r WHERE {name} AND NOT ({probe}))"""
    else:
        total = (
            f"(SELECT count(*) FROM reports r WHERE {where} AND ({in_hits} OR {name}))"
        )
    holds = probe if short else in_hits
    return f"""page AS (
  SELECT r.id, r.year, r.body FROM reports r INDEXED BY reports_year_body
  WHERE {where} AND (({holds}) OR {name})
  ORDER BY r.year DESC, r.body, r.id LIMIT :size OFFSET :offset)
SELECT NULL, NULL, NULL, {total} UNION ALL SELECT id, year, body, NULL FROM page"""


def _sorted(name: str, where: str) -> str:
    """A rare word: its few reports, filtered and sorted."""
    return f"""found(id) AS (
  SELECT report FROM hits UNION SELECT r.id FROM reports r WHERE {name}),
matched AS MATERIALIZED (
  SELECT r.id, r.year, r.body FROM found f JOIN reports r ON r.id = f.id WHERE {where}),
page AS (SELECT * FROM matched ORDER BY year DESC, body, id LIMIT :size OFFSET :offset)
SELECT NULL, NULL, NULL, (SELECT count(*) FROM matched)
UNION ALL SELECT id, year, body, NULL FROM page"""


def _find(
    conn: sqlite3.Connection, query: SearchQuery, size: int, bigrams: bool
) -> tuple[int, list[int]]:
    """How many reports the search finds (with the filters), and the ids on its page
    (``size`` of them), newest year first, then by body."""
    common = _is_common(conn, query, bigrams)
    # A word found rarely is looked up hit by hit (for several words, each of which
    # may be common, the sets are built).
    rare = not common and len(query.words) == 1
    hits, probe, params = _hits_sql(query, bigrams, rare)
    name, name_params = _in_name(query)
    where, where_params = _filters(query)
    if common:
        short = where == "1" and query.page * size <= PROBE_REPORTS
        rest = _walked(name, where, probe, short)
    else:
        rest = _sorted(name, where)
    # One word's index lookup is cheaper to run again for each use of `hits` than to
    # copy; several words' intersection is computed once.
    once = "MATERIALIZED" if len(query.words) > 1 else "NOT MATERIALIZED"
    sql = f"WITH hits(report) AS {once} ({hits}), {rest}"
    params.update(name_params, **where_params)
    params.update(size=size, offset=(query.page - 1) * size)
    rows = conn.execute(sql, params).fetchall()
    total = next(int(t) for i, _, _, t in rows if i is None)
    page = sorted(
        (r for r in rows if r[0] is not None), key=lambda r: (-r[1], r[2], r[0])
    )
    return total, [r[0] for r in page]


# ---------------------------------------------------------------- hits and passages


@dataclass(frozen=True, slots=True)
class Passage:
    """The best sentence holding the words, cut around them; ``parts`` alternate
    between text and a hit (odd indexes are hits)."""

    parts: tuple[str, ...]
    kind: str  # prose, table, heading (what the sentence is)

    @property
    def marked(self) -> str:
        """The passage as one string, hits in 【】 (for JSON and CSV)."""
        return "".join(f"【{p}】" if i % 2 else p for i, p in enumerate(self.parts))


SENTENCE = re.compile(r"[^。！？；\n]*[。！？；]?")
HEADING = re.compile(
    r"\s*(第[一二三四五六七八九十]+[章节部分]|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[、.．])"
)
# The section names every report's table of contents repeats (the 2019 and 2021 templates).
SECTIONS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "行政复议",
    "行政诉讼",
    "存在的主要问题",
    "其他需要报告的事项",
)
PROSE_MARK = re.compile(r"[，。；：、！？]")
DOT_LEADER = re.compile(r"(…{2,}|\.{4,}|·{4,})\s*\d+\s*$")


def sentence_kind(sentence: str) -> str:
    """``prose``, or ``table`` (a table's row or header), or ``heading`` (a heading, the
    title, the body's name on a line of its own, a table-of-contents line): what every
    report shares ranks last."""
    text = sentence.strip()
    if sum(name in text for name in SECTIONS) >= 3 or DOT_LEADER.search(text):
        return "heading"
    if "\t" in text:
        return "table"
    if "年度报告" in text and len(text) <= 60:
        return "heading"
    if HEADING.match(text) and len(text) <= 40 and "，" not in text:
        return "heading"
    if len(text) <= 30 and not PROSE_MARK.search(text):
        return "heading"  # a line without a sentence's punctuation: a title, a name
    return "prose"


KIND_RANK = {"prose": 2, "table": 1, "heading": 0}
KIND_WORDS = {"prose": "正文", "table": "表格中", "heading": "标题或目录中"}


def _fold(text: str, word: str) -> tuple[str, str]:
    """Text and word as compared: ASCII case ignored (as the indexes ignore it)."""
    return (text.lower(), word.lower()) if word.isascii() else (text, word)


def count_hits(text: str, words: tuple[str, ...]) -> int:
    """How many times the words occur in ``text`` (each word counted on its own)."""
    return sum(str.count(*_fold(text, word)) for word in words)


def best_passage(text: str, words: tuple[str, ...]) -> Passage | None:
    """The sentence with the most of the words, prose before a table row before a
    heading or the contents, then the most hits, then the first; cut around its
    first hit. None when no sentence holds any word."""
    best: tuple[tuple[int, int, int], int, str] | None = None
    for number, match in enumerate(SENTENCE.finditer(text)):
        sentence = match.group()
        present = [w for w in words if _fold(sentence, w)[1] in _fold(sentence, w)[0]]
        if not present:
            continue
        kind = sentence_kind(sentence)
        score = (len(present), KIND_RANK[kind], count_hits(sentence, words))
        if best is None or score > best[0]:
            best = (score, number, sentence)
    if best is None:
        return None
    sentence = " ".join(best[2].split())
    return Passage(_cut(sentence, words), sentence_kind(best[2]))


def _cut(sentence: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """``sentence`` around its first hit (``…`` where cut), split into text and hits."""
    folded = sentence.lower()
    spans: list[tuple[int, int]] = []
    for word in sorted(words, key=len, reverse=True):
        needle = word.lower() if word.isascii() else word
        haystack = folded if word.isascii() else sentence
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(word)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = haystack.find(needle, end)
    spans.sort()
    first = spans[0][0]
    lo = max(0, first - PASSAGE_CHARS)
    hi = min(len(sentence), spans[0][1] + PASSAGE_CHARS * 2)
    parts = ["…" if lo > 0 else ""]
    at = lo
    for start, end in spans:
        if start < lo or end > hi:
            continue
        parts[-1] += sentence[at:start]
        parts += [sentence[start:end], ""]
        at = end
    parts[-1] += sentence[at:hi] + ("…" if hi < len(sentence) else "")
    return tuple(parts)


# ---------------------------------------------------------------- the results


@dataclass(frozen=True, slots=True)
class Found:
    """One report found: who, when, how many hits, the passage."""

    report_id: int
    body: str
    year: int
    title: str
    region: str
    level: str
    status: str
    hits: int
    passage: Passage | None
    in_name: bool  # the body's name holds every word
    # When the words are only in a table: what the table says on the rows they name
    # ("行政复议 总计 0"), from the report's best version; blank cells say 未填.
    figures: tuple[str, ...] = ()
    ocr: bool = False  # the text is a scan's, read by OCR (it may hold misreadings)

    @property
    def level_name(self) -> str:
        return LEVELS.get(self.level, self.level)


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: SearchQuery
    total: int
    rows: tuple[Found, ...] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.query.page - 1) * PAGE_SIZE + 1


def search(
    conn: sqlite3.Connection,
    query: SearchQuery,
    size: int = PAGE_SIZE,
    *,
    bigrams: bool = True,
) -> SearchResult:
    """The page of ``size`` reports ``query`` asks for, with the total found
    (``bigrams=False``: 2 characters by a scan, as before the bigram index)."""
    total, ids = _find(conn, query, size, bigrams)
    return SearchResult(query, total, tuple(_rows(conn, ids, query.words)))


def _rows(
    conn: sqlite3.Connection, ids: list[int], words: tuple[str, ...]
) -> list[Found]:
    """The reports ``ids`` (in that order), each with its current file that holds the
    words most often."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    texts: dict[int, list[tuple[str, str]]] = {}
    for report_id, title, text in conn.execute(
        f"""SELECT d.report_id, t.title, t.text FROM documents d
            JOIN texts t ON t.version_id = d.current_version_id
            WHERE d.report_id IN ({marks}) ORDER BY d.id""",
        ids,
    ):
        texts.setdefault(report_id, []).append((title or "", text))
    reports = {
        row[0]: row
        for row in conn.execute(
            f"SELECT id, body, year, title, region, level, status FROM reports"
            f" WHERE id IN ({marks})",
            ids,
        )
    }
    scanned = {
        row[0]
        for row in conn.execute(
            f"""SELECT d.report_id FROM documents d
                JOIN parses p ON p.version_id = d.current_version_id
                WHERE d.report_id IN ({marks}) AND p.ocr_pages IS NOT NULL""",
            ids,
        )
    }
    found = []
    for report_id in ids:
        _, body, year, title, region, level, status = reports[report_id]
        candidates = [f"{t}\n{x}" for t, x in texts.get(report_id, [])]
        best = max(candidates, key=lambda c: count_hits(c, words), default="")
        passage = best_passage(best, words)
        in_table = passage is not None and passage.kind == "table"
        found.append(
            Found(
                report_id,
                body,
                year,
                title,
                region,
                level,
                status,
                count_hits(best, words),
                passage,
                all(w in body for w in words),
                _named_figures(conn, report_id, words) if in_table else (),
                ocr=report_id in scanned,
            )
        )
    return found


FIGURES_SHOWN = 4


def _named_figures(
    conn: sqlite3.Connection, report_id: int, words: tuple[str, ...]
) -> tuple[str, ...]:
    """The figures of the report's best version on the table rows whose label holds a
    word: each row's 总计 where it has one, else its cells; at most FIGURES_SHOWN."""
    cells: dict[tuple[str, str], list[tuple[str, str, Any]]] = {}
    for table, row_key, row_label, column_key, column_label, value in conn.execute(
        """SELECT f.table_name, f.row_key, f.row_label, f.column_key, f.column_label,
                  f.value
           FROM best_versions b JOIN figures f ON f.version_id = b.version_id
           WHERE b.report_id = ? ORDER BY f.id""",
        [report_id],
    ):
        if row_key.startswith("litigation"):  # the template groups them under 行政诉讼
            row_label = f"行政诉讼（{row_label}）"
        if row_label and any(w in row_label for w in words):
            cells.setdefault((table, row_key), []).append(
                (row_label, column_key, (column_label or column_key, value))
            )
    shown: list[str] = []
    for row in cells.values():
        totals = [c for c in row if c[1] == "total"] or row
        for label, _, (column, value) in totals:
            number = number_text(value) or "未填"
            shown.append(f"{label} {column} {number}")
    return tuple(shown[:FIGURES_SHOWN])


# ---------------------------------------------------------------- the page


CSV_ROWS = 5000  # a CSV holds the first reports found, up to this many
CSV_COLUMNS = (
    "年报编号",
    "发布机构",
    "年度",
    "地区",
    "层级",
    "出现次数",
    "机关名称含此词",
    "摘录",
    "年报标题",
    "年报页面",
)


def csv_text(result: SearchResult, base_url: str) -> str:
    """The results as CSV for Excel (the caller adds the BOM): Chinese headers, the
    passage with its hits in 【】, the report page's full address."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in result.rows:
        writer.writerow(
            (
                f.report_id,
                f.body,
                f.year,
                f.region,
                f.level_name,
                f.hits,
                "是" if f.in_name else "",
                f.passage.marked if f.passage else "",
                f.title,
                f"{base_url}{f.report_id}",
            )
        )
    return out.getvalue()


def json_data(result: SearchResult | None, message: str | None) -> dict[str, Any]:
    if result is None:
        return {"ok": message is None, "error": message, "total": 0, "rows": []}
    return {
        "ok": True,
        "q": result.query.q,
        "total": result.total,
        "page": result.query.page,
        "pages": result.pages,
        "rows": [
            {
                "report_id": f.report_id,
                "body": f.body,
                "year": f.year,
                "region": f.region,
                "level": f.level,
                "status": f.status,
                "hits": f.hits,
                "in_name": f.in_name,
                "ocr": f.ocr,
                "passage": f.passage.marked if f.passage else None,
                "passage_kind": f.passage.kind if f.passage else None,
                "figures": list(f.figures),
                "title": f.title,
            }
            for f in result.rows
        ],
    }


async def search_page(request: Request, datasette: Datasette) -> Response:
    """The search form and a query's page of reports; ``/-/search.json`` the same as
    JSON, ``/-/search.csv`` the first CSV_ROWS reports for Excel (UTF-8 with a BOM)."""
    form = request.url_vars.get("format") or "html"
    result: SearchResult | None = None
    status, message = 200, None
    query: SearchQuery | None = None
    try:
        query = parse_query(request.args)
        if query is not None:
            wanted = query
            size = PAGE_SIZE
            if form == "csv":
                wanted, size = replace(query, page=1), CSV_ROWS
            result = await _run(datasette, lambda db: search(db.conn, wanted, size))
    except SearchRefused as refused:
        status, message = 400, str(refused)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):  # by the time limit
            status, message = 503, "搜索超时：请加上年度、地区等条件缩小范围。"
        else:
            status, message = 400, f"无法搜索这些词（{exc}）。"
    database = _database_name(datasette)
    reports = datasette.urls.path(f"/{database}/reports")
    if form == "json":
        return Response.json(json_data(result, message), status=status)
    if form == "csv" and result is not None:
        base = datasette.absolute_url(request, f"{reports}/")
        return Response(
            "\ufeff" + csv_text(result, base),
            content_type="text/csv; charset=utf-8",
            headers={"content-disposition": _csv_name(result.query)},
        )

    def link(path: str, **changes: Any) -> str:
        return str(
            datasette.urls.path(
                f"{path}?" + urlencode(query.args(**changes) if query else {})
            )
        )

    context = {
        "result": result,
        "message": message,
        "args": request.args,
        "query": query,
        "levels": LEVELS,
        "templates": TEMPLATES,
        "kinds": KIND_WORDS,
        "action": datasette.urls.path("/-/search"),
        "reports": reports,
        "page_link": lambda **changes: link("/-/search", **changes),
        "csv": link("/-/search.csv", page=None),
        "json": link("/-/search.json"),
    }
    page = await datasette.render_template("search.html", context, request=request)
    return Response.html(page, status=status if form == "html" else 400)


def _csv_name(query: SearchQuery) -> str:
    name = quote(f"搜索_{'_'.join(query.words)}.csv")
    return f"attachment; filename=\"search.csv\"; filename*=UTF-8''{name}"
