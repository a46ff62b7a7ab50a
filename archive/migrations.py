"""The archive's schema, as sqlite-utils migrations (applied in order, once each).

Column names are meant to be read by journalists in Datasette: full words, times as
ISO 8601 UTC text, JSON for lists and headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils import Migrations

from archive.search_index import (
    CREATE_BIGRAMS,
    CREATE_REPORT_TEXTS,
    index_all_bigrams,
    index_all_report_texts,
    report_text_triggers,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

migrations = Migrations("archive")


@migrations()
def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            ended TEXT,
            status TEXT NOT NULL,          -- running, complete, partial, failed, interrupted
            target TEXT NOT NULL,          -- real sites, or the replica/proxy used
            epoch INTEGER,                 -- replica night, when crawling the replica
            sources TEXT NOT NULL,         -- JSON list of source ids
            pid INTEGER,
            crawler_version TEXT NOT NULL,
            requests INTEGER,
            bytes_downloaded INTEGER,
            list_pages INTEGER,
            reports_found INTEGER,
            new_versions INTEGER,
            failures INTEGER,
            events INTEGER,
            crawl_seconds REAL,            -- wall time of the fetching
            crawl_cpu_seconds REAL,        -- CPU time of the fetching (this process)
            analysis_seconds REAL,         -- wall time of text hashing and events
            message TEXT,
            settled_by INTEGER             -- for an interrupted run: the run that wrote its events
        )"""
    )
    db.execute(
        """
        CREATE TABLE sources (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            body TEXT NOT NULL,
            region TEXT NOT NULL,
            level TEXT NOT NULL,
            family TEXT NOT NULL,
            start_urls TEXT NOT NULL,      -- JSON list
            evidence TEXT NOT NULL,        -- confirmed (from real pages) or inferred
            first_run INTEGER REFERENCES runs(id),
            last_run INTEGER REFERENCES runs(id),
            last_successful_run INTEGER REFERENCES runs(id)
        )"""
    )
    db.execute(
        """
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            body TEXT NOT NULL,
            year INTEGER NOT NULL,
            title TEXT NOT NULL,
            published TEXT,                -- as the site states it (Asia/Shanghai)
            region TEXT NOT NULL,
            level TEXT NOT NULL,
            source_id TEXT NOT NULL REFERENCES sources(id),
            status TEXT NOT NULL,          -- present, removed
            missing_runs INTEGER NOT NULL DEFAULT 0,
            first_seen_run INTEGER NOT NULL REFERENCES runs(id),
            last_seen_run INTEGER NOT NULL REFERENCES runs(id),
            identity_note TEXT,            -- how body and year were found, disagreements
            UNIQUE (body, year)
        )"""
    )
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            role TEXT NOT NULL,            -- page (the article) or attachment
            listing_url TEXT,              -- the list page that led to it
            link_text TEXT,
            first_seen_run INTEGER NOT NULL REFERENCES runs(id),
            last_seen_run INTEGER NOT NULL REFERENCES runs(id),
            current_version_id INTEGER,
            etag TEXT,
            last_modified TEXT,
            last_status INTEGER,
            links TEXT                     -- JSON [[url, text]…]: the files a page links to
        )"""
    )
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            sha256 TEXT NOT NULL,          -- raw bytes; the blob's name
            text_sha256 TEXT,              -- normalised text; NULL until computed
            text_status TEXT,              -- ok, or why the text could not be read
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL,
            first_capture_id INTEGER NOT NULL,
            first_seen_run INTEGER NOT NULL REFERENCES runs(id),
            previous_version_id INTEGER REFERENCES versions(id),
            UNIQUE (document_id, sha256)
        )"""
    )
    db.execute(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id TEXT,
            kind TEXT NOT NULL,            -- list, page, attachment, recheck
            outcome TEXT NOT NULL,         -- new_version, same_bytes, not_modified, listed, gone, failed
            failure TEXT,                  -- why a fetch failed (timeout, http_503, waf, soft_404…)
            url TEXT NOT NULL,
            final_url TEXT,
            redirects TEXT,                -- JSON list of URLs
            method TEXT NOT NULL,
            status INTEGER,
            started TEXT NOT NULL,
            ended TEXT NOT NULL,
            request_headers TEXT,          -- JSON
            response_headers TEXT,         -- JSON
            etag TEXT,
            last_modified TEXT,
            size INTEGER,
            sha256 TEXT,
            declared_type TEXT,
            sniffed_type TEXT,
            declared_charset TEXT,
            used_charset TEXT,
            listing_url TEXT,
            link_text TEXT,
            via TEXT NOT NULL,             -- http, or playwright for rendered pages
            crawler_version TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id),
            version_id INTEGER REFERENCES versions(id)
        )"""
    )
    db.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            created TEXT NOT NULL,
            kind TEXT NOT NULL,            -- new_report changed republished removed restored fetch_failed
            baseline INTEGER NOT NULL DEFAULT 0,   -- 1 on a source's first crawl
            report_id INTEGER REFERENCES reports(id),
            document_id INTEGER REFERENCES documents(id),
            version_id INTEGER REFERENCES versions(id),
            previous_version_id INTEGER REFERENCES versions(id),
            source_id TEXT,
            message TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE listings (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id TEXT NOT NULL,
            list_url TEXT NOT NULL,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            listed_date TEXT,
            decision TEXT NOT NULL,        -- report or skipped
            reason TEXT NOT NULL
        )"""
    )
    for sql in (
        "CREATE INDEX captures_run ON captures(run_id)",
        "CREATE INDEX captures_document ON captures(document_id)",
        "CREATE INDEX versions_run ON versions(first_seen_run)",
        "CREATE INDEX documents_report ON documents(report_id)",
        "CREATE INDEX events_run ON events(run_id)",
        "CREATE INDEX listings_run ON listings(run_id)",
        "CREATE INDEX reports_source ON reports(source_id)",
    ):
        db.execute(sql)


@migrations()
def m002_derived(db: Database) -> None:
    """What the processors derive from each version: identity, figures, checks, text."""
    db.execute(
        """
        CREATE TABLE parses (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id),
            report_id INTEGER NOT NULL REFERENCES reports(id),
            document_id INTEGER NOT NULL REFERENCES documents(id),
            status TEXT NOT NULL,          -- ok, parse_failed
            failure TEXT,                  -- why parsing failed: unreadable, timeout, out of memory…
            format TEXT,                   -- html, pdf, docx, doc, text
            title TEXT,                    -- as the document itself states it
            body TEXT,
            year INTEGER,
            published TEXT,
            template TEXT,                 -- 2021, 2019 (国办公开办函 templates) or free
            tables_found INTEGER,          -- how many of the three standard tables were read
            checks_run INTEGER,
            checks_failed INTEGER,
            warnings TEXT,                 -- JSON list of what the processors had to guess
            processor_version TEXT NOT NULL,
            parsed TEXT NOT NULL           -- when (UTC)
        )"""
    )
    db.execute(
        """
        CREATE TABLE figures (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            version_id INTEGER NOT NULL REFERENCES versions(id),
            table_name TEXT NOT NULL,      -- active (主动公开), applications (依申请), appeals (复议诉讼)
            row_key TEXT NOT NULL,         -- canonical keys of docs: report-format
            column_key TEXT NOT NULL,
            row_label TEXT,                -- the template's printed words: 三（七）总计, 行政许可…
            column_label TEXT,             -- 自然人, 本年处理决定数量…
            value NUMERIC,                 -- NULL: blank, "-" or "/" in the report
            processor_version TEXT NOT NULL,
            UNIQUE (version_id, table_name, row_key, column_key)
        )"""
    )
    db.execute(
        """
        CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id),
            version_id INTEGER NOT NULL REFERENCES versions(id),
            scope TEXT NOT NULL,           -- report (its own tables) or years (against the year before)
            -- balance, row_totals, handled_sum, block_totals; across years: carried_over, in_force_trend
            name TEXT NOT NULL,
            ok INTEGER NOT NULL,
            message TEXT NOT NULL,
            processor_version TEXT NOT NULL
        )"""
    )
    db.execute(
        """
        CREATE TABLE texts (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id),
            report_id INTEGER NOT NULL REFERENCES reports(id),
            title TEXT,
            text TEXT NOT NULL
        )"""
    )
    # Substring search for Chinese (3+ characters); shorter queries scan `texts`.
    db.execute(
        "CREATE VIRTUAL TABLE texts_fts USING fts5("
        "title, text, content='texts', content_rowid='version_id', tokenize='trigram')"
    )
    for sql in (
        """CREATE TRIGGER texts_ai AFTER INSERT ON texts BEGIN
             INSERT INTO texts_fts(rowid, title, text) VALUES (new.version_id, new.title, new.text);
           END""",
        """CREATE TRIGGER texts_ad AFTER DELETE ON texts BEGIN
             INSERT INTO texts_fts(texts_fts, rowid, title, text)
             VALUES ('delete', old.version_id, old.title, old.text);
           END""",
        "CREATE INDEX parses_report ON parses(report_id)",
        "CREATE INDEX figures_report ON figures(report_id, table_name)",
        "CREATE INDEX checks_report ON checks(report_id)",
        "CREATE INDEX checks_version ON checks(version_id)",
        "CREATE INDEX texts_report ON texts(report_id)",
    ):
        db.execute(sql)


@migrations()
def m003_outbox(db: Database) -> None:
    """Alerts: every message first goes to the outbox, then to each subscribed channel."""
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            run_id INTEGER REFERENCES runs(id),
            -- baseline, new_report, changed, removed, restored, inconsistent, late, source, health
            kind TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE,      -- what makes it one message: the same key is never queued twice
            title TEXT NOT NULL,           -- short, in Chinese
            message TEXT NOT NULL,         -- the text sent, with the key figures and links
            region TEXT,
            body TEXT,
            source_id TEXT,
            report_id INTEGER REFERENCES reports(id),
            event_id INTEGER REFERENCES events(id),
            links TEXT NOT NULL DEFAULT '[]'   -- JSON [url…]: the report in Datasette, the original file
        )"""
    )
    db.execute(
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id),
            channel TEXT NOT NULL,         -- the channel's name in the configuration
            status TEXT NOT NULL,          -- pending, sent, failed (gave up after max attempts)
            attempts INTEGER NOT NULL DEFAULT 0,
            last_attempt TEXT,
            next_attempt TEXT,             -- not before this time (UTC): the backoff
            sent TEXT,
            error TEXT,                    -- the last failure
            UNIQUE (outbox_id, channel)
        )"""
    )
    db.execute("CREATE INDEX deliveries_due ON deliveries(status, next_attempt)")


# The version whose figures stand for a report (`archive.derived.best_parses`): among the
# current versions of its documents, the most standard tables read, then the fewest
# failed checks, then the article page before attachments, then the newest.
BEST_VERSION = """(SELECT p.version_id FROM parses p
    JOIN documents d ON d.id = p.document_id AND d.current_version_id = p.version_id
    WHERE p.report_id = {report} AND p.status = 'ok'
    ORDER BY p.tables_found DESC, p.checks_failed ASC, d.role = 'page' DESC,
             p.version_id DESC
    LIMIT 1)"""
ADVISORY_CHECKS = (
    "('in_force_trend')"  # processors.checks.ADVISORY: warnings, not errors
)


def _value_text(value: str) -> str:
    """SQL for a figure as messages print it: 53, 1.5, 空 for a blank."""
    return (
        f"CASE WHEN {value} IS NULL THEN '空'"
        f" WHEN typeof({value}) = 'real' AND {value} = CAST({value} AS INTEGER)"
        f" THEN CAST(CAST({value} AS INTEGER) AS TEXT) ELSE CAST({value} AS TEXT) END"
    )


def _figure(table: str, column: str, rows: str) -> str:
    """SQL for one key figure of the best version ``b.version_id`` (a sum over ``rows``)."""
    where = f"f.table_name = '{table}' AND f.column_key = '{column}' AND {rows}"
    return f"(SELECT sum(f.value) FROM figures f WHERE f.version_id = b.version_id AND {where})"  # noqa: S608


# name, table, column, rows: the figures a journalist compares across bodies and years.
KEY_FIGURES = (
    ("applications_received", "applications", "total", "f.row_key = 'new_received'"),
    ("carried_over", "applications", "total", "f.row_key = 'carried_over'"),
    ("granted", "applications", "total", "f.row_key = 'granted'"),
    ("partly_granted", "applications", "total", "f.row_key = 'partly_granted'"),
    ("withheld", "applications", "total", "f.row_key LIKE 'withheld%'"),
    ("unavailable", "applications", "total", "f.row_key LIKE 'unavailable%'"),
    ("not_processed", "applications", "total", "f.row_key LIKE 'not_processed%'"),
    ("other_handling", "applications", "total", "f.row_key LIKE 'other%'"),
    ("total_handled", "applications", "total", "f.row_key = 'total_handled'"),
    ("carried_forward", "applications", "total", "f.row_key = 'carried_forward'"),
    ("reviews", "appeals", "total", "f.row_key = 'review'"),
    ("reviews_corrected", "appeals", "corrected", "f.row_key = 'review'"),
    ("lawsuits", "appeals", "total", "f.row_key LIKE 'litigation%'"),
    ("lawsuits_corrected", "appeals", "corrected", "f.row_key LIKE 'litigation%'"),
    ("licensing_decisions", "active", "decisions", "f.row_key = 'licensing'"),
    ("penalty_decisions", "active", "decisions", "f.row_key = 'penalty'"),
    ("coercion_decisions", "active", "decisions", "f.row_key = 'coercion'"),
    ("fees_10k_yuan", "active", "amount_10k_yuan", "f.row_key = 'fees'"),
    ("procurement_10k_yuan", "active", "amount", "f.row_key = 'procurement'"),
)


def _current_checks(report: str, failed: bool) -> str:
    """SQL: does a current version of ``report`` have a check (a failed error check)?"""
    failure = f" AND c.ok = 0 AND c.name NOT IN {ADVISORY_CHECKS}" if failed else ""
    return f"""EXISTS (SELECT 1 FROM checks c
        JOIN versions v ON v.id = c.version_id
        JOIN documents d ON d.id = v.document_id AND d.current_version_id = v.id
        WHERE c.report_id = {report}{failure})"""  # noqa: S608 (no user text)


@migrations()
def m004_web(db: Database) -> None:
    """Views for Datasette (journalists): one row per report, key figures, what changed.

    Views compute on read, so they always agree with the tables; the report's "best"
    version is evaluated per row (cheap by index), never for the whole archive at once.
    """
    db.execute(
        f"""CREATE VIEW best_versions AS
        SELECT r.id AS report_id, {BEST_VERSION.format(report="r.id")} AS version_id
        FROM reports r"""  # noqa: S608 (no user text)
    )
    # Province and city from the region's leading names: 山东省潍坊市安丘市 → 山东省,
    # 潍坊市; municipalities are both (北京市海淀区 → 北京市, 北京市); otherwise the city
    # ends at the first 市, 自治州, 地区 or 盟 (福建省平潭综合实验区 → 平潭综合实验区).
    db.execute(
        """CREATE VIEW regions AS
        WITH named AS (
          SELECT region, count(*) AS reports, count(DISTINCT body) AS bodies
          FROM reports GROUP BY region
        ), provinces AS (
          SELECT *, CASE
            WHEN substr(region, 1, 3) IN ('北京市', '天津市', '上海市', '重庆市')
              THEN substr(region, 1, 3)
            WHEN instr(region, '省') > 0 THEN substr(region, 1, instr(region, '省'))
            WHEN instr(region, '自治区') > 0
              THEN substr(region, 1, instr(region, '自治区') + 2)
            WHEN instr(region, '特别行政区') > 0
              THEN substr(region, 1, instr(region, '特别行政区') + 4)
          END AS province FROM named
        ), rests AS (
          SELECT *, substr(region, coalesce(length(province), 0) + 1) AS rest
          FROM provinces
        ), ends AS (
          SELECT *, min(
            coalesce(nullif(instr(rest, '市'), 0), 9999),
            coalesce(nullif(instr(rest, '自治州'), 0) + 2, 9999),
            coalesce(nullif(instr(rest, '地区'), 0) + 1, 9999),
            coalesce(nullif(instr(rest, '盟'), 0), 9999)
          ) AS city_end FROM rests
        )
        SELECT region, province,
          CASE
            WHEN province IN ('北京市', '天津市', '上海市', '重庆市') THEN province
            WHEN rest = '' THEN NULL
            WHEN city_end = 9999 THEN rest
            ELSE substr(rest, 1, city_end)
          END AS city,
          bodies, reports
        FROM ends"""
    )
    db.execute(
        f"""CREATE VIEW report_overview AS
        SELECT r.id AS report_id, r.body, r.region, g.province, g.city, r.level,
          r.year, r.title, r.published, p.template,
          CASE WHEN {_current_checks("r.id", failed=True)} THEN 'failed'
               WHEN {_current_checks("r.id", failed=False)} THEN 'ok'
               ELSE 'none' END AS check_status,
          (SELECT f.value FROM figures f WHERE f.version_id = b.version_id
             AND f.table_name = 'applications' AND f.row_key = 'new_received'
             AND f.column_key = 'total') AS applications_received,
          b.version_id AS best_version_id,
          r.status,
          (SELECT count(*) FROM documents d WHERE d.report_id = r.id) AS files,
          (SELECT started FROM runs WHERE id = r.first_seen_run) AS first_seen,
          '/archive/reports/' || r.id AS link
        FROM reports r
        JOIN best_versions b ON b.report_id = r.id
        LEFT JOIN parses p ON p.version_id = b.version_id
        LEFT JOIN regions g ON g.region = r.region"""  # noqa: S608 (no user text)
    )
    figures = ",\n          ".join(
        f"{_figure(table, column, rows)} AS {name}"
        for name, table, column, rows in KEY_FIGURES
    )
    db.execute(
        f"""CREATE VIEW key_figures AS
        SELECT r.id AS report_id, r.body, r.region, r.level, r.year,
          p.template, b.version_id,
          {figures},
          '/archive/reports/' || r.id AS link
        FROM reports r
        JOIN best_versions b ON b.report_id = r.id
        LEFT JOIN parses p ON p.version_id = b.version_id"""  # noqa: S608 (no user text)
    )
    # Every table value that differs between a changed version and the one before it
    # (alerts.messages.figure_changes): cells of the old version first, in its order.
    same_cell = (
        "{a}.table_name = {b}.table_name AND {a}.row_key = {b}.row_key"
        " AND {a}.column_key = {b}.column_key"
    )
    db.execute(
        f"""CREATE VIEW figure_changes AS
        SELECT e.id AS event_id, e.report_id, e.previous_version_id, e.version_id,
          o.table_name, o.row_key, o.column_key,
          coalesce(o.row_label, o.row_key) || ' ' || coalesce(o.column_label, o.column_key)
            AS cell,
          o.value AS before, n.value AS after, o.id AS before_figure_id,
          n.id AS after_figure_id
        FROM events e
        JOIN figures o ON o.version_id = e.previous_version_id
        LEFT JOIN figures n ON n.version_id = e.version_id
          AND {same_cell.format(a="n", b="o")}
        WHERE e.kind = 'changed' AND o.value IS NOT n.value
        UNION ALL
        SELECT e.id, e.report_id, e.previous_version_id, e.version_id,
          n.table_name, n.row_key, n.column_key,
          coalesce(n.row_label, n.row_key) || ' ' || coalesce(n.column_label, n.column_key),
          NULL, n.value, NULL, n.id
        FROM events e
        JOIN figures n ON n.version_id = e.version_id
        WHERE e.kind = 'changed' AND e.previous_version_id IS NOT NULL
          AND n.value IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM figures o WHERE o.version_id = e.previous_version_id
                          AND {same_cell.format(a="o", b="n")})"""  # noqa: S608 (no user text)
    )
    has_figures = "EXISTS (SELECT 1 FROM figures WHERE version_id = {})"
    before, after = (
        has_figures.format("e.previous_version_id"),
        has_figures.format("e.version_id"),
    )
    db.execute(
        f"""CREATE VIEW report_changes AS
        SELECT e.id AS event_id, e.created AS changed, e.run_id, e.report_id, r.body,
          r.year, r.title, d.url, d.role, e.previous_version_id, e.version_id,
          CASE
            WHEN e.previous_version_id IS NULL THEN
              CASE WHEN (SELECT count(*) FROM versions v
                         WHERE v.document_id = e.document_id) > 1
                   THEN '改回了此前的一个版本' ELSE '新增文件' END
            WHEN NOT {before} AND NOT {after} THEN '仅文字改动（没有标准表格）'
            WHEN NOT {before} THEN '旧版未读出标准表格，无法比较表格数字'
            WHEN NOT {after} THEN '新版未读出标准表格，无法比较表格数字'
            ELSE coalesce(
              (SELECT group_concat(change, '；') FROM (
                 SELECT c.cell || ' ' || {_value_text("c.before")} || ' → '
                        || {_value_text("c.after")} AS change
                 FROM figure_changes c WHERE c.event_id = e.id
                 ORDER BY c.before_figure_id IS NULL, c.before_figure_id,
                          c.after_figure_id)),
              '仅文字改动（表格数字未变）')
          END AS what_changed,
          '/archive/reports/' || e.report_id AS link
        FROM events e
        JOIN reports r ON r.id = e.report_id
        LEFT JOIN documents d ON d.id = e.document_id
        WHERE e.kind = 'changed'"""  # noqa: S608 (no user text)
    )


@migrations()
def m005_search_order(db: Database) -> None:
    """Indexes for the search of a phrase most reports hold: it walks the reports in its
    order (newest year first, then body) and reads their current files from the index,
    instead of sorting every hit."""
    db.execute("CREATE INDEX reports_year_body ON reports(year DESC, body)")
    db.execute("DROP INDEX documents_report")
    db.execute(
        "CREATE INDEX documents_report ON documents(report_id, current_version_id, role)"
    )


@migrations()
def m006_fetch_evidence(db: Database) -> None:
    """What a fetch's record needs to say why it is (not) to be trusted (issue 11)."""
    db.execute(
        "ALTER TABLE captures ADD COLUMN encoding_suspect INTEGER NOT NULL DEFAULT 0"
    )  # the declared charset was wrong; decoded by the evidence of the bytes
    db.execute(
        "ALTER TABLE captures ADD COLUMN attempts INTEGER"
    )  # tries of this fetch
    db.execute("ALTER TABLE captures ADD COLUMN failure_detail TEXT")  # e.g. sizes


@migrations()
def m007_report_parts(db: Database) -> None:
    """Reports printed over several pages (a TRS article's ``t…_1.html``, a flip-book's
    ``files/basic-html/pageN.html``): each further page is a document that is ``part``
    N of the first page's document (``part_of``). The first page's parse reads all its
    parts together, so a part's own parse never stands for the report."""
    db.execute(
        "ALTER TABLE documents ADD COLUMN part_of INTEGER REFERENCES documents(id)"
    )
    db.execute(
        "ALTER TABLE documents ADD COLUMN part INTEGER"
    )  # 2, 3… (the first is 1)
    db.execute("CREATE INDEX documents_part_of ON documents(part_of)")
    best = """(SELECT p.version_id FROM parses p
    JOIN documents d ON d.id = p.document_id AND d.current_version_id = p.version_id
    WHERE p.report_id = r.id AND p.status = 'ok' AND d.part_of IS NULL
    ORDER BY p.tables_found DESC, p.checks_failed ASC, d.role = 'page' DESC,
             p.version_id DESC
    LIMIT 1)"""
    db.execute("DROP VIEW best_versions")
    db.execute(
        f"""CREATE VIEW best_versions AS
        SELECT r.id AS report_id, {best} AS version_id FROM reports r"""  # noqa: S608
    )


@migrations()
def m008_check_cells(db: Database) -> None:
    """What a failed check says to the reader (issue 13): the report's own cells its
    failed comparisons read, as JSON ``[[table, row key, column key]…]`` (the report
    page marks them), and the failure explained in Chinese. Both are empty for checks
    stored before processor version 4 until ``nianbao process`` re-reads them."""
    db.execute("ALTER TABLE checks ADD COLUMN cells TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE checks ADD COLUMN explanation TEXT NOT NULL DEFAULT ''")


@migrations()
def m009_search_indexes(db: Database) -> None:
    """Search that finds (issue 13): a bigram index for 2-character words
    (``archive/search_index.py``), and the trigram index declared so that
    ``sqlite-utils search`` and Datasette's ``_search`` see it as ``texts``' (they look
    for ``content="texts"``, double quotes). Both are built from the stored texts."""
    db.execute("DROP TRIGGER texts_ai")
    db.execute("DROP TRIGGER texts_ad")
    db.execute("DROP TABLE texts_fts")
    db.execute(
        'CREATE VIRTUAL TABLE texts_fts USING fts5(title, text, content="texts",'
        ' content_rowid="version_id", tokenize="trigram")'
    )
    db.execute(
        """CREATE TRIGGER texts_ai AFTER INSERT ON texts BEGIN
             INSERT INTO texts_fts(rowid, title, text) VALUES (new.version_id, new.title, new.text);
           END"""
    )
    db.execute(
        """CREATE TRIGGER texts_ad AFTER DELETE ON texts BEGIN
             INSERT INTO texts_fts(texts_fts, rowid, title, text)
             VALUES ('delete', old.version_id, old.title, old.text);
           END"""
    )
    db.execute("INSERT INTO texts_fts(texts_fts) VALUES ('rebuild')")
    db.execute(CREATE_BIGRAMS)
    index_all_bigrams(db.conn)


@migrations()
def m010_body_index(db: Database) -> None:
    """The search finds a report by part of its body's name (景芝镇): a trigram index of
    the names, kept by triggers, so 3+ characters need no scan of every report."""
    db.execute(
        'CREATE VIRTUAL TABLE reports_fts USING fts5(body, content="reports",'
        ' content_rowid="id", tokenize="trigram")'
    )
    for sql in (
        """CREATE TRIGGER reports_ai AFTER INSERT ON reports BEGIN
             INSERT INTO reports_fts(rowid, body) VALUES (new.id, new.body);
           END""",
        """CREATE TRIGGER reports_ad AFTER DELETE ON reports BEGIN
             INSERT INTO reports_fts(reports_fts, rowid, body) VALUES ('delete', old.id, old.body);
           END""",
        """CREATE TRIGGER reports_au AFTER UPDATE OF body ON reports BEGIN
             INSERT INTO reports_fts(reports_fts, rowid, body) VALUES ('delete', old.id, old.body);
             INSERT INTO reports_fts(rowid, body) VALUES (new.id, new.body);
           END""",
        "INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')",
    ):
        db.execute(sql)


@migrations()
def m011_report_texts(db: Database) -> None:
    """Search by report (issue 13, B7): each report's current text in ``report_texts``
    with its trigram index, kept by triggers (``archive/search_index.py``), so that
    counting the reports that hold a phrase is counting index rows. It replaces the
    trigram index of every version's text (``texts_fts``), which search no longer
    reads: ``sqlite-utils search`` and ``_search`` now go through ``report_texts``."""
    for sql in (
        "DROP TRIGGER texts_ai",
        "DROP TRIGGER texts_ad",
        "DROP TABLE texts_fts",
        *CREATE_REPORT_TEXTS,
        *report_text_triggers(),
    ):
        db.execute(sql)
    index_all_report_texts(db.conn)


@migrations()
def m012_run_source_indexes(db: Database) -> None:
    """What a run did per source (the end-of-run table, health alerts, ``sources
    --check``) is asked source by source: indexes by run *and* source, so a night of
    10,000 sources does not read the whole run's captures and listings 10,000 times
    over (issue 14: its health checks alone took longer than its crawl)."""
    for table in ("captures", "listings", "events"):
        db.execute(f"DROP INDEX {table}_run")
        db.execute(f"CREATE INDEX {table}_run ON {table}(run_id, source_id)")


@migrations()
def m013_similarity(db: Database) -> None:
    """Copy detection (雷同, issue 15; ``archive/similarity.py`` writes these): which
    bodies print each sentence (boilerplate is what many print), each report's
    MinHash signature and LSH band keys, and each report's most similar report.
    Triggers mark a report pending whenever its current text or its body or year
    changes; every report with a text starts pending, so the next processing run (or
    ``nianbao similar``) signs them all."""
    for sql in (
        # A body's id in similarity_sentences (a name is long; a sentence has many).
        """CREATE TABLE similarity_bodies (
            id INTEGER PRIMARY KEY,
            body TEXT NOT NULL UNIQUE
        )""",
        # Which bodies print a sentence (its key's hash) in a current report.
        """CREATE TABLE similarity_sentences (
            sentence INTEGER NOT NULL,
            body_id INTEGER NOT NULL,
            PRIMARY KEY (sentence, body_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX similarity_sentences_body ON similarity_sentences(body_id)",
        """CREATE TABLE similarity_signatures (
            report_id INTEGER PRIMARY KEY REFERENCES reports(id),
            body_id INTEGER NOT NULL,
            scheme TEXT NOT NULL,          -- processors.similarity.SCHEME
            sentences INTEGER NOT NULL,    -- own sentences signed
            own_chars INTEGER NOT NULL,    -- their characters
            signature BLOB,                -- NULL: too little own text to compare
            signed TEXT NOT NULL
        )""",
        """CREATE TABLE similarity_bands (
            band_key INTEGER NOT NULL,
            report_id INTEGER NOT NULL,
            PRIMARY KEY (band_key, report_id)
        ) WITHOUT ROWID""",
        # Each report's most similar report: an earlier year of its own body
        # (same_body), and another body's report (other_body).
        """CREATE TABLE similar_reports (
            report_id INTEGER NOT NULL REFERENCES reports(id),
            scope TEXT NOT NULL,           -- same_body, other_body
            twin_id INTEGER NOT NULL REFERENCES reports(id),
            similarity REAL NOT NULL,      -- Jaccard of their own text's shingles
            computed TEXT NOT NULL,
            PRIMARY KEY (report_id, scope)
        )""",
        "CREATE INDEX similar_reports_twin ON similar_reports(twin_id)",
        "CREATE INDEX similar_reports_similarity ON similar_reports(similarity DESC)",
        "CREATE TABLE similarity_pending (report_id INTEGER PRIMARY KEY)",
        *(
            f"""CREATE TRIGGER similarity_texts_{name} AFTER {event} ON report_texts
               BEGIN INSERT OR IGNORE INTO similarity_pending VALUES ({row}.report_id); END"""  # noqa: S608
            for name, event, row in (
                ("ai", "INSERT", "new"),
                ("ad", "DELETE", "old"),
                ("au", "UPDATE", "new"),
            )
        ),
        """CREATE TRIGGER similarity_reports_au AFTER UPDATE OF body, year ON reports
           BEGIN INSERT OR IGNORE INTO similarity_pending VALUES (new.id); END""",
        "INSERT INTO similarity_pending SELECT report_id FROM report_texts",
    ):
        db.execute(sql)


@migrations()
def m014_ocr(db: Database) -> None:
    """Scanned reports read by OCR (issue 15): which pages of a version were read by
    OCR (``parses.ocr_pages``, a JSON list; NULL when none), and each figure's OCR
    confidence (``figures.confidence``, 0–100; NULL for figures read from text).
    ``processors/tables.py`` leaves a figure under its threshold blank, so every
    non-NULL value here stood the vote (``processors/ocr.py``)."""
    db.execute("ALTER TABLE parses ADD COLUMN ocr_pages TEXT")
    db.execute("ALTER TABLE figures ADD COLUMN confidence REAL")


@migrations()
def m015_carried_lists(db: Database) -> None:
    """List pages a polite night did not read (issue 16 item 5, crawler/verify.py):
    each carried forward from its last reading (run ``read_run``, ended ``read_at``;
    its items are in ``listings`` under its URL for the run, as then), led to by
    ``listing_url`` (the page read unchanged that asked for it). How the next night
    knows that page still leads to it (archive/recorder.py ``known_lists``), and how a
    report's absence waits for every list page to be read again before it is called
    removed (archive/history.py)."""
    db.execute(
        """
        CREATE TABLE carried_lists (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source_id TEXT NOT NULL,
            url TEXT NOT NULL,
            listing_url TEXT NOT NULL,
            read_run INTEGER NOT NULL REFERENCES runs(id),
            read_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX carried_lists_run ON carried_lists(run_id, source_id)")
