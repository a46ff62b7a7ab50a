"""Four replica nights under `nianbao schedule --once`, with real receivers: what a watcher hears.

Night 1 is the baseline (one summary per source, nothing per report); night 2 has one
new report, one edited report and one PDF re-saved with new metadata only; the report
that left the lists on night 2 is `removed` after night 4. The desk channel is narrowed
to report news; the mail channel takes every kind.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from crawler.registry import load_registry
from tests.alerts.receivers import SmtpReceiver, WebhookSink

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

SOURCES = len(load_registry())  # `schedule --once` crawls every source
DESK_KINDS = '["new_report", "changed", "removed", "restored", "inconsistent"]'


def _configure(data: Path, proxy: str, desk: str, mail: str) -> None:
    (data / "nianbao.toml").write_text(
        f"""
[schedule]
crawl_args = ["--proxy", "{proxy}"]

[alerts]
retry_seconds = 0

[[alerts.channels]]
name = "desk"
url = "{desk}"
kinds = {DESK_KINDS}

[[alerts.channels]]
name = "mail"
url = "{mail}"
""",
        encoding="utf-8",
    )


def _night(data: Path, proxy: str, desk: WebhookSink, mail: SmtpReceiver) -> None:
    _configure(data, proxy, desk.url, mail.url)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NIANBAO_ALERTS", "NIANBAO_CONFIG")
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "schedule", "--once", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**env, "NIANBAO_DOWNLOAD_TIMEOUT": "3", "NIANBAO_RETRY_TIMES": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _titles(posts: list[Any]) -> list[str]:
    return sorted(p.payload["title"] for p in posts)


def test_a_watcher_hears_of_the_new_the_edited_and_the_removed_report_once_each(
    tmp_path: Path, replica_at: Callable[[int], Any]
) -> None:
    data = tmp_path / "archive"
    data.mkdir()
    with WebhookSink() as desk, SmtpReceiver() as mail:
        _night(data, replica_at(1).proxy, desk, mail)
        assert desk.posts == []  # a baseline: no report news
        baseline = [m.subject for m in mail.mails]
        assert len(baseline) == SOURCES
        assert all("首次收录" in subject for subject in baseline)

        _night(data, replica_at(2).proxy, desk, mail)
        assert _titles(desk.posts) == [
            "威海临港经开区草庙子镇 2024年报已发布",
            "威海高区经济发展局 2022年报被修改",
        ]
        edited = next(p for p in desk.posts if "被修改" in p.payload["title"])
        assert "行政处罚 处理决定数量 53 → 15" in edited.payload["message"]
        heard = " ".join(p.payload["title"] + p.payload["message"] for p in desk.posts)
        heard += " ".join(m.subject + m.text for m in mail.mails)
        assert "景芝镇" not in heard  # the re-saved PDF: bytes changed, text did not

        _night(data, replica_at(3).proxy, desk, mail)
        assert len(desk.posts) == 2  # nothing new on night 3

        _night(data, replica_at(4).proxy, desk, mail)
        removed = [p.payload["title"] for p in desk.posts[2:]]
        assert len(removed) == 1
        assert removed[0].endswith("已被删除")  # its files answer 404 since night 2

        _night(data, replica_at(4).proxy, desk, mail)
        assert len(desk.posts) == 3  # said once, never again
        subjects = [m.subject for m in mail.mails]
        assert len(subjects) == len(set(subjects))  # mail: nothing twice either
    with sqlite3.connect(data / "archive.db") as db:
        statuses = db.execute(
            "SELECT channel, status, COUNT(*) FROM deliveries GROUP BY channel, status"
        ).fetchall()
    assert {(c, s) for c, s, _ in statuses} == {("desk", "sent"), ("mail", "sent")}
    assert (data / "feed.atom").exists()
