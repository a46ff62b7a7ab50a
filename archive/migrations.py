"""The archive's schema, as sqlite-utils migrations (applied in order, once each).

Column names are meant to be read by journalists in Datasette: full words, times as
ISO 8601 UTC text, JSON for lists and headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlite_utils import Migrations

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
