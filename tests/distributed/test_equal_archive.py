"""Two workers through a real Redis make the archive one process makes: replica nights
1 and 2 crawled with ``nianbao crawl --redis URL --workers 2`` against the session's
single-process archives of the same nights (reports, documents, versions, events,
alerts), and Redis holds nothing of the run afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.conftest import NO_CHANNELS
from tests.crawler.helpers import rows, run_crawl

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.distributed.conftest import RedisServer

REPORT = "r.source_id, r.body, r.year"
WHAT = {
    "reports": f"SELECT {REPORT}, r.title, r.status FROM reports r",
    "documents": f"""SELECT d.url, d.role, {REPORT}, d.listing_url, d.part
        FROM documents d JOIN reports r ON r.id = d.report_id""",
    "versions": """SELECT d.url, v.sha256, v.size, v.media_type, v.first_seen_run
        FROM versions v JOIN documents d ON d.id = v.document_id""",
    "current": """SELECT d.url, v.sha256 FROM documents d
        JOIN versions v ON v.id = d.current_version_id""",
    "events": f"""SELECT e.run_id, e.kind, e.baseline, {REPORT}, d.url, v.sha256, p.sha256
        FROM events e LEFT JOIN reports r ON r.id = e.report_id
        LEFT JOIN documents d ON d.id = e.document_id
        LEFT JOIN versions v ON v.id = e.version_id
        LEFT JOIN versions p ON p.id = e.previous_version_id""",
    # (an alert's key names its event by id, which the order of ingestion decides)
    "alerts": "SELECT run_id, kind, title FROM outbox",
    "listings": """SELECT l.run_id, l.source_id, l.url, l.decision FROM listings l""",
    "figures": """SELECT v.sha256, f.table_name, f.row_key, f.column_key, f.value
        FROM figures f JOIN versions v ON v.id = f.version_id""",
    "runs": "SELECT id, status, reports_found, new_versions, failures, events FROM runs",
}


def snapshot(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(rows(data, sql), key=repr) for name, sql in WHAT.items()}


def test_two_workers_make_the_archive_one_process_makes(
    tmp_path: Path,
    night1: Path,
    night2: Path,
    redis_server: RedisServer,
    replica_at: Callable[[int], Any],
) -> None:
    data = tmp_path / "archive"
    redis = ("--redis", redis_server.url, "--workers", "2")
    first = run_crawl(data, replica_at(1).proxy, *redis)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "phase done" in first.stderr
    after_one = snapshot(data)
    assert after_one == snapshot(night1)
    assert len(after_one["reports"]) == 124
    assert redis_server.client().dbsize() == 0  # nothing of the run is left

    second = run_crawl(data, replica_at(2).proxy, *redis, env=NO_CHANNELS)
    assert second.returncode == 0, second.stdout + second.stderr
    after_two = snapshot(data)
    expected = snapshot(night2)
    for name in WHAT:
        assert after_two[name] == expected[name], name
    kinds = {e[1] for e in after_two["events"] if e[0] == 2}
    assert kinds == {"new_report", "changed", "republished"}
    assert redis_server.client().dbsize() == 0
