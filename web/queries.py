"""The canned queries for journalists: read-only SQL, their links pointing into the database.

The search is not one of them: it has its own page, ``/-/search`` (``web/search.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from archive.similarity import SIMILAR_MIN
from processors.checks import ADVISORY as CHECKS_ADVISORY
from web.report import LEVELS, ROLES, TEMPLATES

if TYPE_CHECKING:
    from processors.deadlines import Deadlines

# The canned queries' columns as the journalist reads them (the page's headers; JSON and
# CSV keep the keys, which are the API).
COLUMN_LABELS = {
    "applications_received": "新收申请（件）",
    "baseline": "首次收录",
    "best_version_id": "数字所取的版本",
    "body_name": "机关",
    "cells": "涉及的格",
    "column_key": "列键",
    "column_label": "列",
    "current_version_id": "当前版本",
    "document_id": "文件编号",
    "files": "文件数",
    "first_seen_run": "首次收录的抓取",
    "id": "编号",
    "identity_note": "机关和年度的依据",
    "last_seen_run": "最近见到的抓取",
    "missing_runs": "连续未见次数",
    "name": "名称",
    "ok": "通过",
    "parsed": "解析时间",
    "processor_version": "解析程序版本",
    "report_id": "年报编号",
    "row_key": "行键",
    "row_label": "行",
    "start_urls": "栏目网址",
    "value": "数值",
    "city": "市",
    "decision": "判定",
    "evidence": "依据",
    "failure": "失败原因",
    "family": "网站类型",
    "format": "格式",
    "kind": "类别",
    "outcome": "结果",
    "province": "省",
    "source_id": "来源栏目",
    "text_status": "文字状态",
    "body": "机关",
    "capture_id": "抓取记录",
    "carried_forward": "结转下年度",
    "carried_over": "上年结转",
    "changed": "改动时间",
    "chart": "图表",
    "check": "校验项",
    "check_name": "校验",
    "check_status": "勾稽校验",
    "checks_failed": "未通过校验",
    "coercion_decisions": "行政强制决定",
    "compare": "对比",
    "crawler_version": "抓取程序版本",
    "declared_charset": "声明的编码",
    "declared_type": "声明的类型",
    "due": "截止日",
    "etag": "ETag",
    "event": "事件",
    "fees_10k_yuan": "收费（万元）",
    "fetch_ended": "抓取结束",
    "fetched": "抓取时间",
    "final_url": "最终网址",
    "first_seen": "首次发现",
    "found": "发现时间",
    "granted": "予以公开",
    "last_complete_listing": "最近完整抓取栏目",
    "last_confirmed": "最近确认",
    "last_modified": "Last-Modified",
    "late_year": "逾期年度",
    "latest_due_year": "应已发布的年度",
    "latest_year": "最新年度",
    "lawsuits": "行政诉讼",
    "lawsuits_corrected": "诉讼被纠正",
    "level": "层级",
    "licensing_decisions": "行政许可决定",
    "link": "年报页面",
    "link_text": "链接文字",
    "listing_url": "所在栏目",
    "media_type": "文件类型",
    "message": "技术说明（行列键）",
    "explanation": "哪里对不上",
    "method": "请求方法",
    "missing_years": "缺少的年度",
    "not_processed": "不予处理",
    "original": "存档副本",
    "other_handling": "其他处理",
    "partly_granted": "部分公开",
    "penalty_decisions": "行政处罚决定",
    "previous_version_id": "旧版本",
    "procurement_10k_yuan": "采购（万元）",
    "published": "发布日期",
    "redirects": "跳转",
    "region": "地区",
    "removed_years": "已撤下的年度",
    "reports": "年报数",
    "request_headers": "请求头",
    "response_headers": "响应头",
    "reviews": "行政复议",
    "reviews_corrected": "复议被纠正",
    "role": "文件角色",
    "run_id": "抓取运行",
    "scope": "范围",
    "seen": "时间",
    "sha256": "SHA-256",
    "similarity": "相似度（0–1）",
    "twin_body": "相似年报的机关",
    "twin_id": "相似的年报",
    "twin_link": "相似年报页面",
    "twin_region": "相似年报的地区",
    "twin_year": "相似年报的年度",
    "size": "大小（字节）",
    "sniffed_type": "实际类型",
    "state": "状态",
    "status": "状态",
    "tables_found": "读出的表格",
    "template": "模板",
    "text_sha256": "文字 SHA-256",
    "title": "标题",
    "total_handled": "办理总计",
    "unavailable": "无法提供",
    "url": "网址",
    "used_charset": "采用的编码",
    "version": "版本",
    "version_id": "版本编号",
    "via": "经由",
    "what_changed": "改动内容",
    "withheld": "不予公开",
    "year": "年度",
    "years": "已有年度",
}
# Values shown in Chinese on the pages (JSON and CSV keep the keys).
VALUE_LABELS = {
    "level": LEVELS,
    "status": {"present": "在网站上", "removed": "已从网站撤下"},
    "check_status": {"ok": "通过", "failed": "未通过", "none": "无标准表格"},
    "role": ROLES,
    "template": TEMPLATES,
    "scope": {
        "report": "本年报",
        "years": "跨年度",
        "same_body": "本机关往年",
        "other_body": "其他机关",
    },
}

CHECK_NAMES = {  # the checks' names in Chinese (alerts.messages.CHECK_NAMES and the rest)
    "balance": "收支平衡",
    "row_totals": "申请人合计",
    "handled_sum": "办理结果合计",
    "block_totals": "复议诉讼合计",
    "carried_over": "上年结转衔接",
    "in_force_trend": "现行有效件数趋势",
}
ADVISORY = tuple(sorted(CHECKS_ADVISORY))  # warnings, not errors
MONTH_DAY = re.compile(r"\d\d-\d\d")


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
SELECT r.body, r.year, {_check_name("c.name")} AS check_name,
       CASE WHEN c.explanation <> '' THEN c.explanation ELSE c.message END
         AS explanation,
       c.name AS "check", c.scope, c.message, d.role, d.url, c.version_id, r.region,
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
       c.previous_version_id, c.version_id, c.run_id,
       '/-/compare?version_a=' || c.previous_version_id || '&version_b=' || c.version_id
         AS compare,
       {_link(database, "c.report_id")}
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
SELECT k.body, k.year, o.published, k.template, o.check_status, {figures},
       k.version_id, o.status, {_link(database, "k.report_id")}
FROM key_figures k JOIN report_overview o ON o.report_id = k.report_id
WHERE k.body = trim(:body)
   OR (length(trim(:body)) >= 2 AND instr(k.body, trim(:body)) > 0
       AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.body = trim(:body)))
ORDER BY k.body, k.year
"""  # noqa: S608 (names and numbers are ours)


def _coverage_sql(deadlines: Deadlines) -> str:
    for day in (deadlines.department, deadlines.government):
        if not MONTH_DAY.fullmatch(day):
            raise ValueError(f"a deadline must be MM-DD, got {day!r}")
    # The latest year whose deadline has passed (alerts.health.latest_due_year): due
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


def _similar_sql(database: str) -> str:
    # A pair of different bodies' reports that are each other's twin is listed once.
    return f"""
SELECT s.similarity, s.scope, r.body, r.year, t.body AS twin_body, t.year AS twin_year,
       r.region, t.region AS twin_region, {_link(database, "s.report_id")},
       '/{database}/reports/' || s.twin_id AS twin_link
FROM similar_reports s
JOIN reports r ON r.id = s.report_id
JOIN reports t ON t.id = s.twin_id
WHERE (trim(:year) = '' OR CAST(trim(:year) AS INTEGER) IN (r.year, t.year))
  AND (s.scope = 'same_body' OR s.report_id < s.twin_id OR NOT EXISTS (
    SELECT 1 FROM similar_reports x WHERE x.report_id = s.twin_id
      AND x.scope = 'other_body' AND x.twin_id = s.report_id))
ORDER BY s.similarity DESC, r.year DESC, r.body
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
       CASE e.kind WHEN 'removed' THEN '已被删除：栏目不再列出，原链接失效（存档仍保留原文件）'
                   WHEN 'delisted' THEN '栏目中已撤下，原链接仍可访问或无法核实（存档保留原文件）'
                   ELSE '重新出现在栏目中' END,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM events e
WHERE e.report_id = {REPORT_PARAM} AND e.kind IN ('removed', 'delisted', 'restored')
ORDER BY seen, version_id
"""  # noqa: S608 (names and numbers are ours)


def queries(database: str, deadlines: Deadlines) -> dict[str, dict[str, Any]]:
    """The canned queries, read-only, their links pointing into ``database``."""
    return {
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
            "description": "输入机关名称，全称或其中一部分（如 景芝镇；不是全称时列出名称含它的每个机关），"
            "逐年列出它的主要数字"
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
        "similar": {
            "title": "雷同的年报 Copied reports",
            "description": "文字雷同的年报：照抄本机关往年年报（只改数字）或照抄其他机关年报的，"
            "按相似度排列。相似度比较的是去掉模板、法定套话和多个机关共用的句子后各自的文字"
            f"（数字和本机关名称不同也算相同），{SIMILAR_MIN:.0%} 以上才列出；两个机关互为最相似的只列一次。"
            "点开年报页面可见两边相同的段落。年度可留空（全部年度）。",
            "sql": _similar_sql(database),
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
