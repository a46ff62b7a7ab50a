"""Datasette's metadata for the archive: titles, descriptions, facets (queries: ``queries.py``)."""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from archive.similarity import SIMILAR_MIN
from processors.deadlines import Deadlines
from web.queries import queries

if TYPE_CHECKING:
    from alerts.config import Alerts

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
DATABASE_NAME = re.compile(r"[\w-]+")


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
            "part_of": "分页年报的第一页（documents）· for a further page of a report"
            " printed over several: its first page",
            "part": "分页年报的第几页（2、3…）· which page it is (2, 3…)",
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
            "text_sha256": "规范化文字的 SHA-256：相同则文字未变；img1: 开头的含扫描页图像"
            " · SHA-256 of the normalised text (img1:… also of scanned pages)",
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
            "encoding_suspect": "1 = 声明的编码与内容不符，按内容解码 · declared charset was wrong",
            "attempts": "这次抓取共尝试的次数（含重试）· tries, retries included",
            "failure_detail": "失败的详细情况（如声明的与收到的字节数）· failure details",
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
    "carried_lists": {
        "description": "未重读的栏目页：谨慎模式下，某晚因其上级栏目页未变且未到轮次而没有重读，"
        "其条目按上次读取时记入当晚的栏目条目。"
        " List pages a polite night did not read (the page leading to them was"
        " unchanged, their turn had not come): their items were listed as at their"
        " last reading.",
        "sort_desc": "id",
        "facets": ["source_id"],
        "columns": {
            "id": "编号",
            "run_id": "抓取 · run",
            "source_id": "来源 · source",
            "url": "未重读的栏目页 · the list page not read",
            "listing_url": "指向它的栏目页（当晚读取，未变） · the unchanged page leading to it",
            "read_run": "上次读取所在的抓取 · the run of its last reading",
            "read_at": "上次读取时间（UTC） · its last reading",
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
            "ocr_pages": "扫描件：由 OCR 识别的页码（JSON 列表）；空 = 文字版",
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
            "value": "数值（件；收费和采购金额为万元）；空 = 报告中空白或“-”“/”，"
            "扫描件中 OCR 没有把握的数字也留空（见 parses.warnings）",
            "processor_version": "解析程序版本",
            "confidence": "扫描件：OCR 识别这个数字的置信度（0–100，低于 80 不采用）；"
            "空 = 文字版",
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
            "cells": "未通过时读到的本报告单元格（JSON：[表, 行, 栏]），报告页标红",
            "explanation": "未通过的原因（中文）",
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
    "report_texts": {
        "description": "每份年报的现行全文：其各文件当前版本的文字合在一起，一份年报一行；"
        "可全文搜索（3 个字以上）。Each report's current text, one row per report.",
        "columns": {
            "report_id": "年报",
            "title": "标题",
            "text": "现行全文",
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
    "similar_reports": {
        "description": "雷同：每份年报最相似的本机关往年年报（same_body）和其他机关年报（other_body），"
        f"相似度 {SIMILAR_MIN:.0%} 以上才记录（比较去掉模板、法定套话和多个机关共用的句子后的文字）。"
        " Each report's most similar earlier report of its body and report of another body.",
        "sort_desc": "similarity",
        "facets": ["scope"],
        "columns": {
            "report_id": "年报",
            "scope": "same_body 本机关往年，other_body 其他机关",
            "twin_id": "最相似的年报",
            "similarity": "相似度（0–1，两份年报各自文字的 5 字片段的 Jaccard 系数）",
            "computed": "计算时间（UTC）",
        },
    },
}
HIDDEN = (
    "report_texts_fts",
    "report_texts_fts_data",
    "report_texts_fts_idx",
    "report_texts_fts_docsize",
    "report_texts_fts_config",
    "texts_bigrams",
    "texts_bigrams_data",
    "texts_bigrams_idx",
    "texts_bigrams_config",
    "texts_bigrams_docsize",
    "reports_fts",
    "reports_fts_data",
    "reports_fts_idx",
    "reports_fts_docsize",
    "reports_fts_config",
    "_sqlite_migrations",
    "outbox",
    "deliveries",
    "similarity_bodies",  # copy detection's bookkeeping (archive/similarity.py)
    "similarity_sentences",
    "similarity_signatures",
    "similarity_bands",
    "similarity_pending",
)


def _home_html(database: str) -> str:
    search = "/-/search"
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
            ("similar", "雷同的年报"),
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
        :class:`processors.deadlines.Deadlines` if not given.
    """
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
