"""Datasette's metadata for the archive: titles, descriptions, canned queries, facets.

Every query here is read-only. The search (:data:`SEARCH_SQL`) finds a phrase of any
length in Chinese text: 3+ characters through the trigram index ``texts_fts``, 1–2
characters (which a trigram index cannot find) by scanning ``texts``.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config import Alerts, Deadlines

TITLE = "年报 nianbao · 政府信息公开工作年度报告存档"
DESCRIPTION = (
    "各级政府机关《政府信息公开工作年度报告》的存档：原始文件及来源证明、表格数字、"
    "勾稽校验和发布后的修改。Chinese government bodies' yearly open-government-"
    "information reports: original files with provenance, figures, checks, changes."
)
LICENSE = (
    "年报是依《中华人民共和国政府信息公开条例》主动公开的政府信息；"
    "原始文件照抓取时原样保存。The reports are public government information."
)
SOURCE = (
    "由 nianbao 从 sources 表所列各机关网站的政府信息公开栏目抓取整理"
    " · built by nianbao from the sites listed in sources"
)
SEARCH_LIMIT = 1000  # Datasette's default max_returned_rows: one page of results
CONTEXT_CHARS = 30  # characters shown on each side of the match


def _snippet(text: str, at: str) -> str:
    """SQL for the passage of ``text`` around position ``at``, the match in 【】, on one line."""
    q = "trim(:q)"
    n = CONTEXT_CHARS
    start = f"max(1, {at} - {n})"
    passage = (
        f"CASE WHEN {at} > {n + 1} THEN '…' ELSE '' END"
        f" || substr({text}, {start}, {at} - {start})"
        f" || '【' || substr({text}, {at}, length({q})) || '】'"
        f" || substr({text}, {at} + length({q}), {n})"
        f" || CASE WHEN {at} + length({q}) + {n} <= length({text}) THEN '…' ELSE '' END"
    )
    return f"replace(replace({passage}, char(13), ''), char(10), ' ')"


def _position(text: str) -> str:
    """SQL for where :q first occurs in ``text`` (ASCII case ignored, as the index does)."""
    return (
        f"coalesce(nullif(instr({text}, trim(:q)), 0),"
        f" instr(lower({text}), lower(trim(:q))))"
    )


# One row per report whose current text contains :q, newest year first. The two
# branches of `hits` are guarded by constant conditions on length(:q), so SQLite runs
# only one of them: the trigram index for 3+ characters (the query quoted as a phrase,
# `"` doubled), a scan of `texts` under 3. Only current versions count (an edit that
# removed a phrase removes the report from the results); among a report's matching
# files the one with the best figures gives the context (`archive.derived.best_parses`).
# Positions are computed once (MATERIALIZED) for the rows shown, never for every hit.
def search_sql(database: str = "archive") -> str:
    """The ``search`` canned query, its links pointing into ``database``."""
    return f"""
WITH hits AS (
  SELECT rowid AS version_id FROM texts_fts
  WHERE length(trim(:q)) >= 3
    AND texts_fts MATCH '"' || replace(trim(:q), '"', '""') || '"'
  UNION ALL
  SELECT version_id FROM texts
  WHERE length(trim(:q)) BETWEEN 1 AND 2
    AND (instr(text, trim(:q)) > 0 OR instr(coalesce(title, ''), trim(:q)) > 0
         OR (trim(:q) GLOB '*[A-Za-z]*'
             AND (instr(lower(text), lower(trim(:q))) > 0
                  OR instr(lower(coalesce(title, '')), lower(trim(:q))) > 0)))
),
found AS (
  SELECT d.report_id, v.id AS version_id,
         max(coalesce(p.tables_found, 0) * 100000000
             - coalesce(p.checks_failed, 0) * 10 + (d.role = 'page')) AS best
  FROM hits h
  JOIN versions v ON v.id = h.version_id
  JOIN documents d ON d.id = v.document_id AND d.current_version_id = v.id
  LEFT JOIN parses p ON p.version_id = v.id
  GROUP BY d.report_id
),
shown AS (
  SELECT f.report_id, f.version_id
  FROM found f JOIN reports r ON r.id = f.report_id
  ORDER BY r.year DESC, r.body, r.id
  LIMIT {SEARCH_LIMIT}
),
located AS MATERIALIZED (
  SELECT s.report_id, s.version_id,
         {_position("t.text")} AS in_text,
         {_position("coalesce(t.title, '')")} AS in_title
  FROM shown s JOIN texts t ON t.version_id = s.version_id
)
SELECT r.body, r.year, r.title,
       CASE WHEN l.in_text > 0 THEN {_snippet("t.text", "l.in_text")}
            ELSE {_snippet("t.title", "l.in_title")} END AS context,
       r.region, r.status,
       '/{database}/reports/' || r.id AS link
FROM located l
JOIN texts t ON t.version_id = l.version_id
JOIN reports r ON r.id = l.report_id
ORDER BY r.year DESC, r.body, r.id
"""  # noqa: S608 (names and numbers are ours)


SEARCH_SQL = search_sql()

CHECK_NAMES = {  # the checks' names in Chinese (archive.alerts.CHECK_NAMES and the rest)
    "balance": "收支平衡",
    "row_totals": "申请人合计",
    "handled_sum": "办理结果合计",
    "block_totals": "复议诉讼合计",
    "carried_over": "上年结转衔接",
    "in_force_trend": "现行有效件数趋势",
}
ADVISORY = ("in_force_trend",)  # processors.checks.ADVISORY: warnings, not errors
MONTH_DAY = re.compile(r"\d\d-\d\d")
DATABASE_NAME = re.compile(r"[\w-]+")


def _link(database: str, report: str) -> str:
    return f"'/{database}/reports/' || {report} AS link"


def _check_name(name: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CHECK_NAMES.items())
    return f"CASE {name} {cases} ELSE {name} END"


def _latest_sql(database: str) -> str:
    return f"""
WITH latest AS (
  SELECT id FROM reports
  ORDER BY published IS NULL, published DESC, id DESC LIMIT 100
)
SELECT o.body, o.year, o.title, o.published, o.region, o.level, o.template,
       o.check_status, o.applications_received, o.first_seen, o.status,
       {_link(database, "o.report_id")}
FROM latest JOIN report_overview o ON o.report_id = latest.id
ORDER BY o.published IS NULL, o.published DESC, o.report_id DESC
"""  # noqa: S608 (names and numbers are ours)


def _new_this_week_sql(database: str) -> str:
    return f"""
SELECT e.created AS found, o.body, o.year, o.title, o.published, o.region, o.level,
       o.template, o.check_status, o.applications_received,
       {_link(database, "o.report_id")}
FROM events e JOIN report_overview o ON o.report_id = e.report_id
WHERE e.kind = 'new_report' AND e.baseline = 0
  AND e.created >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
ORDER BY e.created DESC, o.body, o.year
"""  # noqa: S608 (names and numbers are ours)


def _failing_checks_sql(database: str) -> str:
    advisory = ", ".join(f"'{name}'" for name in ADVISORY)
    return f"""
SELECT r.body, r.year, {_check_name("c.name")} AS check_name, c.name AS "check",
       c.scope, c.message, d.role, d.url, c.version_id, r.region,
       {_link(database, "r.id")}
FROM checks c
JOIN versions v ON v.id = c.version_id
JOIN documents d ON d.id = v.document_id AND d.current_version_id = v.id
JOIN reports r ON r.id = c.report_id
WHERE c.ok = 0 AND c.name NOT IN ({advisory})
ORDER BY r.year DESC, r.body, c.id
"""  # noqa: S608 (names and numbers are ours)


def _changed_sql(database: str) -> str:
    return f"""
SELECT c.changed, c.body, c.year, c.what_changed, c.role, c.url,
       c.previous_version_id, c.version_id, c.run_id, {_link(database, "c.report_id")}
FROM report_changes c
ORDER BY c.changed DESC, c.event_id DESC
"""  # noqa: S608 (names and numbers are ours)


FIGURE_COLUMNS = (
    "applications_received",
    "carried_over",
    "granted",
    "partly_granted",
    "withheld",
    "unavailable",
    "not_processed",
    "other_handling",
    "total_handled",
    "carried_forward",
    "reviews",
    "reviews_corrected",
    "lawsuits",
    "lawsuits_corrected",
    "licensing_decisions",
    "penalty_decisions",
    "coercion_decisions",
    "fees_10k_yuan",
    "procurement_10k_yuan",
)


def _body_years_sql(database: str) -> str:
    figures = ", ".join(f"k.{name}" for name in FIGURE_COLUMNS)
    return f"""
SELECT k.year, o.published, k.template, o.check_status, {figures},
       k.version_id, o.status, {_link(database, "k.report_id")}
FROM key_figures k JOIN report_overview o ON o.report_id = k.report_id
WHERE k.body = trim(:body)
ORDER BY k.year
"""  # noqa: S608 (names and numbers are ours)


def _coverage_sql(deadlines: Deadlines) -> str:
    for day in (deadlines.department, deadlines.government):
        if not MONTH_DAY.fullmatch(day):
            raise ValueError(f"a deadline must be MM-DD, got {day!r}")
    # The latest year whose deadline has passed (archive.health.latest_due_year): due
    # by the end of MM-DD of the next year, Beijing time. A body is late as the
    # `late` alert says: it published the year before but not that year, and its
    # source was listed completely after the deadline (else the archive cannot know).
    return f"""
WITH RECURSIVE bodies AS (
  SELECT body, max(region) AS region, max(level) AS level, min(year) AS first_year,
         max(year) AS last_year, count(*) AS reports,
         CASE WHEN max(level) IN ('department', 'town') THEN '{deadlines.department}'
              ELSE '{deadlines.government}' END AS due_day,
         (SELECT x.source_id FROM reports x WHERE x.body = r.body
          ORDER BY x.year DESC LIMIT 1) AS source_id
  FROM reports r GROUP BY body
),
dated AS (
  SELECT b.*, CAST(strftime('%Y', 'now', '+8 hours') AS INTEGER)
           - CASE WHEN date('now', '+8 hours')
                       > strftime('%Y', 'now', '+8 hours') || '-' || b.due_day
                  THEN 1 ELSE 2 END AS due_year,
         (SELECT coalesce(u.ended, u.started) FROM sources s
          JOIN runs u ON u.id = s.last_successful_run WHERE s.id = b.source_id)
           AS listed
  FROM bodies b
),
span(body, year, last_year) AS (
  SELECT body, first_year, last_year FROM bodies
  UNION ALL
  SELECT body, year + 1, last_year FROM span WHERE year < last_year
),
gaps AS (
  SELECT s.body, group_concat(s.year, '、') AS missing
  FROM (SELECT * FROM span ORDER BY body, year) s
  WHERE NOT EXISTS (SELECT 1 FROM reports r WHERE r.body = s.body AND r.year = s.year)
  GROUP BY s.body
),
judged AS (
  SELECT d.*, (d.due_year + 1) || '-' || d.due_day AS due,
         d.last_year = d.due_year - 1 AS due_missing,
         d.listed >= (d.due_year + 1) || '-' || d.due_day || 'T16:00:00' AS listed_since
  FROM dated d
)
SELECT j.body, j.region, j.level,
       (SELECT group_concat(year, '、') FROM
          (SELECT year FROM reports r WHERE r.body = j.body ORDER BY year)) AS years,
       j.reports, g.missing AS missing_years,
       (SELECT group_concat(year, '、') FROM
          (SELECT year FROM reports r WHERE r.body = j.body AND r.status = 'removed'
           ORDER BY year)) AS removed_years,
       j.last_year AS latest_year, j.due_year AS latest_due_year, j.due,
       CASE WHEN j.due_missing AND j.listed_since THEN j.due_year END AS late_year,
       CASE
         WHEN j.last_year >= j.due_year THEN '已发布' || j.due_year || '年报'
         WHEN j.due_missing AND j.listed_since
           THEN '逾期：' || j.due_year || '年报应于' || j.due || '前发布'
         WHEN j.due_missing THEN '未知：截止日后栏目未完整抓取过'
         ELSE '自' || (j.last_year + 1) || '年起没有年报'
       END AS status,
       j.listed AS last_complete_listing,
       '/-/chart?body=' || j.body AS chart
FROM judged j LEFT JOIN gaps g ON g.body = j.body
ORDER BY late_year IS NULL, j.region, j.level, j.body
"""  # noqa: S608 (names and numbers are ours)


def _top_applications_sql(database: str) -> str:
    return f"""
WITH ranked AS (
  SELECT r.id AS report_id, f.value AS received
  FROM reports r
  JOIN best_versions b ON b.report_id = r.id
  JOIN figures f ON f.version_id = b.version_id AND f.table_name = 'applications'
    AND f.row_key = 'new_received' AND f.column_key = 'total'
  WHERE f.value IS NOT NULL
    AND (trim(:year) = '' OR r.year = CAST(trim(:year) AS INTEGER))
  ORDER BY f.value DESC, r.year DESC, r.body
  LIMIT 100
)
SELECT k.body, k.year, k.region, k.level, k.applications_received, k.granted,
       k.partly_granted, k.withheld, k.unavailable, k.not_processed, k.other_handling,
       k.total_handled, k.reviews, k.lawsuits, {_link(database, "k.report_id")}
FROM ranked JOIN key_figures k ON k.report_id = ranked.report_id
ORDER BY ranked.received DESC, k.year DESC, k.body
"""  # noqa: S608 (names and numbers are ours)


REPORT_PARAM = "CAST(trim(:report) AS INTEGER)"


def _report_files_sql() -> str:
    return f"""
SELECT d.role, d.url, v.id AS version_id,
       CASE WHEN d.current_version_id = v.id THEN 'current' ELSE 'earlier' END AS version,
       v.media_type, v.size, '/-/original/' || v.sha256 AS original, v.sha256,
       v.text_sha256, c.started AS fetched, c.ended AS fetch_ended, c.status,
       c.final_url, c.redirects, c.method, c.request_headers, c.response_headers,
       c.etag, c.last_modified, c.declared_type, c.sniffed_type, c.declared_charset,
       c.used_charset, c.listing_url, c.link_text, c.via, c.run_id,
       c.crawler_version, c.id AS capture_id,
       (SELECT max(k.started) FROM captures k
        WHERE k.document_id = d.id AND k.version_id = v.id
          AND k.outcome IN ('new_version', 'same_bytes', 'not_modified'))
         AS last_confirmed
FROM documents d
JOIN versions v ON v.document_id = d.id
JOIN captures c ON c.id = v.first_capture_id
WHERE d.report_id = {REPORT_PARAM}
ORDER BY d.role = 'attachment', d.id, v.id DESC
"""  # noqa: S608 (names and numbers are ours)


def _report_history_sql() -> str:
    return f"""
SELECT c.started AS seen, v.first_seen_run AS run_id, d.role, d.url,
       v.id AS version_id, v.previous_version_id,
       CASE WHEN d.current_version_id = v.id THEN 'current' ELSE 'replaced' END
         AS state,
       coalesce(e.kind, 'first_capture') AS event,
       CASE e.kind
         WHEN 'changed' THEN ch.what_changed
         WHEN 'republished' THEN '重新保存，文字未变'
         WHEN 'new_report' THEN CASE e.baseline WHEN 1 THEN '首次收录' ELSE '新发布' END
         ELSE '首次收录'
       END AS what_changed,
       p.template, p.tables_found, p.checks_failed, v.media_type, v.size, v.sha256,
       v.text_sha256, '/-/original/' || v.sha256 AS original
FROM documents d
JOIN versions v ON v.document_id = d.id
JOIN captures c ON c.id = v.first_capture_id
LEFT JOIN events e ON e.version_id = v.id
  AND e.kind IN ('new_report', 'changed', 'republished')
LEFT JOIN report_changes ch ON ch.event_id = e.id
LEFT JOIN parses p ON p.version_id = v.id
WHERE d.report_id = {REPORT_PARAM}
UNION ALL
SELECT e.created, e.run_id, NULL, NULL, NULL, NULL, NULL, e.kind,
       CASE e.kind WHEN 'removed' THEN '栏目中已撤下（存档仍保留原文件）'
                   ELSE '重新出现在栏目中' END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM events e
WHERE e.report_id = {REPORT_PARAM} AND e.kind IN ('removed', 'restored')
ORDER BY seen, version_id
"""  # noqa: S608 (names and numbers are ours)


# ---------------------------------------------------------------- descriptions

TABLES: dict[str, dict[str, Any]] = {
    "reports": {
        "description": "年报：每个机关每个年度一行。点开一行可见它的文件、表格数字、校验和文本。"
        " One row per report (body and year).",
        "sort_desc": "year",
        "label_column": "title",
        "facets": ["region", "level", "year", "status"],
        "columns": {
            "id": "年报编号（链接 /archive/reports/编号）· report id",
            "body": "发布机关的全称 · the body that publishes the report",
            "year": "报告年度 · the year the report covers",
            "title": "栏目中的标题 · the title as listed",
            "published": "网站标明的发布时间（北京时间）· publication date as the site states it",
            "region": "所属地区（省、市、县）· region of the body",
            "level": "层级：county 县级及以上政府、department 部门、town 乡镇街道 · level",
            "source_id": "来源栏目（sources 表）· the listing it was found in",
            "status": "present 栏目中仍有；removed 连续3次完整抓取未见（存档仍保留原文件）",
            "missing_runs": "连续多少次完整抓取未在栏目中见到 · complete runs without it",
            "first_seen_run": "首次收录的抓取 · run that first found it",
            "last_seen_run": "最近一次见到它的抓取 · last run that listed it",
            "identity_note": "机关和年度是如何确定的，及其中的分歧 · how body and year were found",
        },
    },
    "documents": {
        "description": "文件：年报的网页或附件，每个网址一行。· One row per URL of a report.",
        "label_column": "url",
        "facets": ["role"],
        "columns": {
            "id": "文件编号 · document id",
            "url": "网址 · URL",
            "report_id": "所属年报 · the report",
            "role": "page 正文网页，attachment 附件 · the article page or an attachment",
            "listing_url": "列出它的栏目页 · the list page that led to it",
            "link_text": "栏目中链接的文字 · the link's text",
            "first_seen_run": "首次抓到的抓取 · first run",
            "last_seen_run": "最近一次抓到的抓取 · last run",
            "current_version_id": "当前版本（versions）· the current version",
            "etag": "网站给的 ETag · the server's ETag",
            "last_modified": "网站给的 Last-Modified",
            "last_status": "最近一次的 HTTP 状态码 · last HTTP status",
            "links": "正文网页链接的文件（JSON：[网址, 文字]）· files the page links to",
        },
    },
    "versions": {
        "description": "版本：一个文件每一种不同的内容一行；原始文件可从 /-/original/<sha256> 下载。"
        " One row per distinct content of a document.",
        "sort_desc": "id",
        "label_column": "sha256",
        "facets": ["media_type", "text_status"],
        "columns": {
            "id": "版本编号 · version id",
            "document_id": "所属文件 · the document",
            "sha256": "原始字节的 SHA-256（也是存档中文件的名字）· SHA-256 of the raw bytes",
            "text_sha256": "规范化文字的 SHA-256：相同则文字未变 · SHA-256 of the normalised text",
            "text_status": "文字能否读出：ok 或原因 · whether the text could be read",
            "size": "字节数 · size in bytes",
            "media_type": "文件类型 · media type",
            "first_capture_id": "首次抓到这一版本的抓取记录（captures）· its first capture",
            "first_seen_run": "首次出现的抓取 · first run",
            "previous_version_id": "同一文件的上一版本 · the document's version before",
        },
    },
    "captures": {
        "description": "抓取记录（来源证明）：每次请求一行，含网址、时间、状态码、请求和响应头、哈希。"
        " One row per fetch: the provenance.",
        "sort_desc": "id",
        "facets": ["kind", "outcome", "failure", "via"],
        "columns": {
            "id": "抓取编号 · capture id",
            "run_id": "所属抓取运行 · the run",
            "source_id": "来源栏目 · the source",
            "kind": "list 栏目页、page 正文、attachment 附件、recheck 复查",
            "outcome": "new_version 新版本、same_bytes 内容相同、not_modified 未修改(304)、"
            "listed 栏目页、gone 已消失、failed 失败",
            "failure": "失败原因：http_503、timeout、waf_412、soft_404、truncated…",
            "url": "请求的网址 · requested URL",
            "final_url": "跳转后的网址 · URL after redirects",
            "redirects": "跳转经过的网址（JSON）· redirect chain",
            "method": "HTTP 方法 · method",
            "status": "HTTP 状态码 · status",
            "started": "开始时间（UTC）· fetch start",
            "ended": "结束时间（UTC）· fetch end",
            "request_headers": "请求头（JSON）· request headers",
            "response_headers": "响应头（JSON）· response headers",
            "etag": "ETag",
            "last_modified": "Last-Modified",
            "size": "字节数 · size",
            "sha256": "原始字节的 SHA-256 · SHA-256 of the bytes",
            "declared_type": "网站声明的类型 · declared type",
            "sniffed_type": "按内容识别的类型 · sniffed type",
            "declared_charset": "声明的编码 · declared charset",
            "used_charset": "实际使用的编码 · charset used",
            "listing_url": "列出它的栏目页 · list page",
            "link_text": "链接文字 · link text",
            "via": "http，或 playwright（浏览器渲染的栏目页）",
            "crawler_version": "抓取程序版本 · crawler version",
            "document_id": "文件 · document",
            "version_id": "得到或确认的版本 · the version it fetched or confirmed",
        },
    },
    "events": {
        "description": "事件：新年报、被修改、重新保存、撤下、重新出现、抓取失败。"
        " Things worth telling, one row each.",
        "sort_desc": "id",
        "facets": ["kind", "baseline"],
        "columns": {
            "id": "事件编号 · event id",
            "run_id": "所属抓取 · run",
            "created": "记录时间（UTC）· when",
            "kind": "new_report 新年报、changed 文字改动、republished 重新保存文字未变、"
            "removed 撤下、restored 重新出现、fetch_failed 抓取失败",
            "baseline": "1：来源首次抓取时已有的年报（存量，不是新闻）· a source's first crawl",
            "report_id": "年报 · report",
            "document_id": "文件 · document",
            "version_id": "新版本 · the new version",
            "previous_version_id": "此前的版本 · the version before",
            "source_id": "来源 · source",
            "message": "说明 · message",
        },
    },
    "listings": {
        "description": "栏目条目：每次抓取时栏目页中的每一条，及是否被当作年报和原因。"
        " Items of list pages per run and the recognition decision.",
        "sort_desc": "id",
        "facets": ["decision", "source_id"],
        "columns": {
            "id": "编号",
            "run_id": "抓取 · run",
            "source_id": "来源 · source",
            "list_url": "栏目页 · list page",
            "url": "条目链接 · item URL",
            "title": "条目标题 · title",
            "listed_date": "栏目中的日期 · date in the list",
            "decision": "report 年报，skipped 跳过",
            "reason": "理由 · why",
        },
    },
    "runs": {
        "description": "抓取运行：每次抓取一行，含状态和统计。One row per crawl.",
        "sort_desc": "id",
        "label_column": "started",
        "facets": ["status"],
        "columns": {
            "id": "运行编号 · run id",
            "started": "开始（UTC）",
            "ended": "结束（UTC）",
            "status": "running、complete 完整、partial 部分失败、failed 失败、interrupted 中断",
            "target": "抓取对象：真实网站，或副本/代理 · real sites or the replica",
            "epoch": "副本的第几夜（抓副本时）· replica night",
            "sources": "抓取的来源（JSON）",
            "pid": "进程号",
            "crawler_version": "抓取程序版本",
            "requests": "请求数",
            "bytes_downloaded": "下载字节数",
            "list_pages": "栏目页数",
            "reports_found": "找到的年报数",
            "new_versions": "新版本数",
            "failures": "失败的抓取数",
            "events": "事件数",
            "crawl_seconds": "抓取耗时（秒）",
            "crawl_cpu_seconds": "抓取 CPU 时间（秒）",
            "analysis_seconds": "分析耗时（秒）",
            "message": "说明",
            "settled_by": "中断的运行由哪次运行补写事件",
        },
    },
    "sources": {
        "description": "来源：存档抓取的各机关网站政府信息公开栏目（年报即来自这些网站）。"
        " The sites' report columns the archive is built from.",
        "label_column": "name",
        "facets": ["region", "level", "family", "evidence"],
        "columns": {
            "id": "来源编号 · source id",
            "name": "名称",
            "body": "机关（门户栏目则为门户）",
            "region": "地区",
            "level": "层级",
            "family": "网站系统（hanweb 大汉、trs 拓尔思、fujian 福建集约化…）",
            "start_urls": "栏目网址（JSON）",
            "evidence": "confirmed 已在真实网页上核实，inferred 推断",
            "first_run": "首次抓取",
            "last_run": "最近一次抓取",
            "last_successful_run": "最近一次完整列出栏目的抓取",
        },
    },
    "parses": {
        "description": "解析：每个版本读出的标题、机关、年度、模板和校验结果。"
        " How the processors read each version.",
        "sort_desc": "version_id",
        "facets": ["status", "format", "template", "year"],
        "columns": {
            "version_id": "版本 · version",
            "report_id": "年报 · report",
            "document_id": "文件 · document",
            "status": "ok 或 parse_failed",
            "failure": "解析失败的原因 · why parsing failed",
            "format": "html、pdf、docx、doc、text",
            "title": "文件自己写的标题",
            "body": "文件自己写的机关",
            "year": "文件自己写的年度",
            "published": "文件自己写的日期",
            "template": "2021 或 2019（国办公开办函模板），free 自由格式（没有标准表格）",
            "tables_found": "读出的标准表格数（0–3）",
            "checks_run": "做了多少项校验",
            "checks_failed": "多少项校验未通过",
            "warnings": "解析时不得不猜测之处（JSON）",
            "processor_version": "解析程序版本",
            "parsed": "解析时间（UTC）",
        },
    },
    "figures": {
        "description": "表格数字：每个版本三张标准表格的每一格一行。"
        "单位：件；收费金额（本年收费金额）和采购金额（采购总金额）为万元（照报告原样，"
        "个别报告写成元的见 parses.warnings）。One row per table cell.",
        "facets": ["table_name", "row_label", "column_label"],
        "columns": {
            "id": "编号",
            "report_id": "年报 · report",
            "version_id": "版本 · version",
            "table_name": "active 表二 主动公开，applications 表三 依申请公开，"
            "appeals 表四 行政复议和行政诉讼",
            "row_key": "行的规范键（docs/report-format.md）",
            "column_key": "列的规范键",
            "row_label": "模板印的行名：三（七）总计、行政许可…",
            "column_label": "模板印的列名：自然人、处理决定数量…",
            "value": "数值（件；收费和采购金额为万元）；空 = 报告中空白或“-”“/”",
            "processor_version": "解析程序版本",
        },
    },
    "checks": {
        "description": "勾稽校验：每个版本每项校验一行，未通过的写明哪些格对不上。"
        " Consistency checks with the cells that disagree.",
        "sort": "ok",
        "facets": ["ok", "name", "scope"],
        "columns": {
            "id": "编号",
            "report_id": "年报",
            "version_id": "版本",
            "scope": "report 本报告内，years 与上一年度对照",
            "name": "balance 收支平衡、row_totals 申请人合计、handled_sum 办理结果合计、"
            "block_totals 复议诉讼合计、carried_over 上年结转衔接、in_force_trend 现行有效件数趋势（仅提示）",
            "ok": "1 通过，0 未通过",
            "message": "说明，写明对不上的格 · message naming the cells",
            "processor_version": "解析程序版本",
        },
    },
    "texts": {
        "description": "全文：每个版本读出的文字（按短语搜索请用“搜索年报”）。"
        " Extracted text per version; search it with the search page.",
        "columns": {
            "version_id": "版本",
            "report_id": "年报",
            "title": "标题",
            "text": "全文",
        },
    },
    "best_versions": {
        "description": "每份年报的“最佳版本”：其当前文件中读出标准表格最多、校验失败最少、"
        "正文网页优先的版本，年报的数字即取自它。The version whose figures stand for a report.",
        "columns": {
            "report_id": "年报",
            "version_id": "最佳版本（没有成功解析的版本则为空）",
        },
    },
    "regions": {
        "description": "地区：由地区名称拆出省和市。Regions with province and city.",
        "columns": {
            "region": "地区全称",
            "province": "省级（直辖市、自治区）",
            "city": "市级（直辖市为其本身；地区、自治州、盟；没有市级的为余下部分）",
            "bodies": "机关数",
            "reports": "年报数",
        },
    },
    "report_overview": {
        "description": "年报一览：每份年报一行，可按地区、省、市、层级、年度、模板、校验状态筛选。"
        " One row per report, with facets.",
        "sort_desc": "year",
        "facets": [
            "province",
            "city",
            "region",
            "level",
            "year",
            "template",
            "check_status",
            "status",
        ],
        "columns": {
            "report_id": "年报编号",
            "body": "机关",
            "region": "地区",
            "province": "省",
            "city": "市",
            "level": "层级：county 县级及以上政府、department 部门、town 乡镇街道",
            "year": "年度",
            "title": "标题",
            "published": "发布时间（网站标明）",
            "template": "2021、2019 模板，free 自由格式",
            "check_status": "ok 校验全部通过，failed 有校验未通过（不含仅提示的），none 未做校验",
            "applications_received": "本年新收政府信息公开申请（件，表三“一、本年新收”总计）",
            "best_version_id": "数字所取的版本",
            "status": "present 栏目中仍有，removed 已撤下",
            "files": "文件数（网页和附件）",
            "first_seen": "存档首次收录的时间（UTC）",
            "link": "年报页面",
        },
    },
    "key_figures": {
        "description": "主要数字：每份年报最佳版本的关键数字（件；收费、采购金额为万元）。"
        " Key figures per report.",
        "sort_desc": "year",
        "facets": ["region", "level", "year", "template"],
        "columns": {
            "report_id": "年报编号",
            "body": "机关",
            "region": "地区",
            "level": "层级",
            "year": "年度",
            "template": "模板",
            "version_id": "数字所取的版本",
            "applications_received": "一、本年新收申请（件）",
            "carried_over": "二、上年结转（件）",
            "granted": "三（一）予以公开（件）",
            "partly_granted": "三（二）部分公开（件）",
            "withheld": "三（三）不予公开，各项之和（件）",
            "unavailable": "三（四）无法提供，各项之和（件）",
            "not_processed": "三（五）不予处理，各项之和（件）",
            "other_handling": "三（六）其他处理，各项之和（件）",
            "total_handled": "三（七）办理总计（件）",
            "carried_forward": "四、结转下年度继续办理（件）",
            "reviews": "行政复议总计（件）",
            "reviews_corrected": "行政复议结果纠正（件）",
            "lawsuits": "行政诉讼总计（未经复议直接起诉 + 复议后起诉，件）",
            "lawsuits_corrected": "行政诉讼结果纠正（件）",
            "licensing_decisions": "行政许可处理决定数量（件）",
            "penalty_decisions": "行政处罚处理决定数量（件）",
            "coercion_decisions": "行政强制处理决定数量（件）",
            "fees_10k_yuan": "行政事业性收费 本年收费金额（万元，2021 模板）",
            "procurement_10k_yuan": "政府集中采购 采购总金额（万元，2019 模板）",
            "link": "年报页面",
        },
    },
    "figure_changes": {
        "description": "改动的数字：年报发布后被修改时，新旧版本之间每一格不同的数字一行。"
        " Every table value that differs between a changed version and the one before.",
        "sort_desc": "event_id",
        "columns": {
            "event_id": "修改事件",
            "report_id": "年报",
            "previous_version_id": "旧版本",
            "version_id": "新版本",
            "table_name": "表格",
            "row_key": "行键",
            "column_key": "列键",
            "cell": "模板印的行名和列名",
            "before": "旧值（空 = 空白）",
            "after": "新值",
            "before_figure_id": "旧值所在的 figures 行",
            "after_figure_id": "新值所在的 figures 行",
        },
    },
    "report_changes": {
        "description": "发布后被修改的年报：每次文字改动一行，写明哪些数字从多少改为多少，"
        "或“仅文字改动”。Reports changed after publication and what changed.",
        "sort_desc": "changed",
        "columns": {
            "event_id": "修改事件",
            "changed": "发现修改的时间（UTC）",
            "run_id": "发现修改的抓取",
            "report_id": "年报",
            "body": "机关",
            "year": "年度",
            "title": "标题",
            "url": "被修改的文件",
            "role": "page 正文网页，attachment 附件",
            "previous_version_id": "旧版本",
            "version_id": "新版本",
            "what_changed": "改动内容：行名 列名 旧值 → 新值；或仅文字改动",
            "link": "年报页面",
        },
    },
}
HIDDEN = (
    "texts_fts",
    "texts_fts_data",
    "texts_fts_idx",
    "texts_fts_docsize",
    "texts_fts_config",
    "_sqlite_migrations",
    "outbox",
    "deliveries",
)


def queries(database: str, deadlines: Deadlines) -> dict[str, dict[str, Any]]:
    """The canned queries, read-only, their links pointing into ``database``."""
    return {
        "search": {
            "title": "搜索年报 Search the reports",
            "description": "输入词语（一个字、两个字或更长，如 复议、行政复议、依申请公开、机关名称），"
            "列出全文含有它的每份年报（以当前版本为准），并显示第一处出现的上下文，【】标出匹配。"
            f"最新年度在前，最多{SEARCH_LIMIT}份。Every report whose text contains the phrase.",
            "sql": search_sql(database),
            "params": ["q"],
            "hide_sql": True,
        },
        "latest": {
            "title": "最新发布的年报 Latest reports",
            "description": "按网站标明的发布时间，最新的100份年报。",
            "sql": _latest_sql(database),
            "hide_sql": True,
        },
        "new_this_week": {
            "title": "本周新发现的年报 New this week",
            "description": "最近7天抓取中新出现的年报（不含来源首次抓取时已有的存量年报）。",
            "sql": _new_this_week_sql(database),
            "hide_sql": True,
        },
        "failing_checks": {
            "title": "勾稽校验未通过的年报 Reports that do not add up",
            "description": "当前版本的表格数字对不上的年报，每项未通过的校验一行，写明哪些格对不上。"
            "仅提示的“现行有效件数趋势”不在此列（见 checks 表）。",
            "sql": _failing_checks_sql(database),
            "hide_sql": True,
        },
        "changed": {
            "title": "发布后被修改的年报 Changed after publication",
            "description": "文字被改动过的年报：哪个表格数字从多少改为多少，或“仅文字改动”。"
            "只是重新保存、文字未变的文件不在此列。",
            "sql": _changed_sql(database),
            "hide_sql": True,
        },
        "body_years": {
            "title": "一个机关的逐年数字 One body year by year",
            "description": "输入机关全称（如 威海火炬高技术产业开发区经济发展局），逐年列出它的主要数字"
            "（件；收费、采购金额为万元）。图表见 /-/chart?body=机关全称。",
            "sql": _body_years_sql(database),
            "params": ["body"],
            "hide_sql": True,
        },
        "coverage": {
            "title": "收录情况：哪些年度有、缺、逾期 Coverage",
            "description": "每个机关一行：存档中有哪些年度、中间缺哪些年度、哪些已撤下，"
            f"以及最近一个已过截止日的年度是否逾期未发布（部门和乡镇街道次年{deadlines.department}前，"
            f"本级政府次年{deadlines.government}前，北京时间；仅当截止日后完整抓取过该栏目才判定逾期）。",
            "sql": _coverage_sql(deadlines),
            "hide_sql": True,
        },
        "top_applications": {
            "title": "收到申请最多的机关 Top bodies by applications received",
            "description": "按“一、本年新收”申请数排列的前100份年报及其办理结果（件）。"
            "年度可留空（全部年度）。",
            "sql": _top_applications_sql(database),
            "params": ["year"],
            "hide_sql": True,
        },
        "report_files": {
            "title": "年报的原始文件及来源证明 Original files and provenance",
            "description": "输入年报编号：它的每个文件的每个版本，下载链接（原样，不在此网站上打开），"
            "以及首次抓到时的网址、时间、状态码、请求和响应头、哈希、抓取运行。",
            "sql": _report_files_sql(),
            "params": ["report"],
            "hide_sql": True,
        },
        "report_history": {
            "title": "年报的版本历史 Version history",
            "description": "输入年报编号：它的文件的每个版本（何时首次抓到、改了什么）以及撤下、"
            "重新出现，按时间排列。",
            "sql": _report_history_sql(),
            "params": ["report"],
            "hide_sql": True,
        },
    }


def _home_html(database: str) -> str:
    search = f"/{database}/search"
    links = " · ".join(
        f'<a href="/{database}/{name}">{label}</a>'
        for name, label in (
            ("report_overview", "年报一览"),
            ("latest", "最新年报"),
            ("new_this_week", "本周新年报"),
            ("failing_checks", "数字对不上的年报"),
            ("changed", "发布后被修改的年报"),
            ("coverage", "收录情况"),
            ("top_applications", "申请最多的机关"),
        )
    )
    return (
        "<p>各级政府机关每年发布的《政府信息公开工作年度报告》的存档：每个原始文件及其来源证明、"
        "三张标准表格的数字、勾稽校验、发布后的修改。"
        "An archive of Chinese government bodies' yearly open-government-information "
        "reports, with every original file, its provenance, the tables and their checks.</p>"
        f'<form action="{search}" method="get"><p>'
        f'<label for="home-q"><a href="{search}">搜索年报</a></label> '
        '<input type="search" id="home-q" name="q" placeholder="如 复议、行政复议、依申请公开">'
        ' <input type="submit" value="搜索"></p></form>'
        f"<p>{links} · "
        '<a href="/-/chart">申请与办理结果图表</a></p>'
    )


def metadata(alerts: Alerts, deadlines: Deadlines | None = None) -> dict[str, Any]:
    """Datasette metadata for the archive served as ``alerts.database``.

    :param deadlines: when reports are due (``coverage``); the defaults of
        :class:`app.config.Deadlines` if not given.
    """
    from app.config import Deadlines  # configuration types only

    database = alerts.database
    if not DATABASE_NAME.fullmatch(database):  # it goes into links inside the SQL
        raise ValueError(f"a database name is letters, digits, _ and -: {database!r}")
    tables = copy.deepcopy(TABLES)
    tables.update({name: {"hidden": True} for name in HIDDEN})
    for table in tables.values():
        if "link" in table.get("columns", {}) and database != "archive":
            table["columns"]["link"] += "（以数据库名 archive 提供时）"
    about = {  # the home page and the database page say the same
        "title": TITLE,
        "description": DESCRIPTION,
        "description_html": _home_html(database),
        "license": LICENSE,
        "source": SOURCE,
        "source_url": f"/{database}/sources",
    }
    return {
        **about,
        "databases": {
            database: {
                **about,
                "tables": tables,
                "queries": queries(database, deadlines or Deadlines()),
            }
        },
    }
