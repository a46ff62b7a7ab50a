"""Delivery through apprise to real receivers on loopback: retries, independence, no duplicates."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from click.testing import CliRunner

from alerts.config import Alerts, Channel
from alerts.delivery import SAMPLE_TITLE, deliver, send_test
from alerts.messages import messages_for_run
from alerts.outbox import enqueue
from app.cli import cli
from tests.alerts.receivers import SENDER, WATCHER

if TYPE_CHECKING:
    from pathlib import Path

    from archive.db import Archive
    from tests.alerts.receivers import SilentEndpoint, SmtpReceiver, WebhookSink

T0 = datetime(2030, 1, 31, 18, 0, tzinfo=UTC)
TITLES = ["威海临港经开区草庙子镇 2024年报已发布", "威海高区经济发展局 2022年报被修改"]
HTTP_500 = "Failed to send JSON POST notification: Internal server error., error=500."


def _config(*channels: Channel, **alerts: float) -> Alerts:
    return Alerts(channels=channels, **alerts)  # type: ignore[arg-type]


def _queue(archive: Archive, config: Alerts) -> None:
    messages = messages_for_run(archive.db, 2, config)
    assert enqueue(archive.db, 2, messages, config.channels) == 2


def _states(archive: Archive, channel: str) -> list[tuple[str, int, str | None]]:
    return archive.db.execute(
        "SELECT status, attempts, error FROM deliveries WHERE channel = ? ORDER BY outbox_id",
        [channel],
    ).fetchall()


def test_a_channel_down_for_two_attempts_gets_each_alert_once_and_the_other_is_not_delayed(
    night2_outbox: Archive, smtp_receiver: SmtpReceiver, webhook_sink: WebhookSink
) -> None:
    webhook_sink.fail_first = 4  # two messages, each refused twice
    config = _config(
        Channel(smtp_receiver.url, "mail"),
        Channel(webhook_sink.url, "hook"),
        retry_seconds=60,
        max_attempts=5,
    )
    _queue(night2_outbox, config)

    first = deliver(night2_outbox.db, config, now=T0)
    assert (first.sent, first.failed, first.failed_channels) == (2, 2, ("hook",))
    assert sorted(m.subject for m in smtp_receiver.mails) == sorted(TITLES)
    assert (len(webhook_sink.requests), webhook_sink.posts) == (2, [])
    assert _states(night2_outbox, "hook") == [("pending", 1, HTTP_500)] * 2

    passes = [
        deliver(night2_outbox.db, config, now=T0 + timedelta(seconds=s))
        for s in (59, 60, 179, 180, 86_400)
    ]
    assert [(p.sent, p.failed) for p in passes] == [
        (0, 0),
        (0, 2),
        (0, 0),
        (2, 0),
        (0, 0),
    ]
    assert len(webhook_sink.requests) == 6
    assert sorted(p.payload["title"] for p in webhook_sink.posts) == sorted(TITLES)
    assert len(smtp_receiver.mails) == 2
    assert _states(night2_outbox, "mail") == [("sent", 1, None)] * 2
    assert _states(night2_outbox, "hook") == [("sent", 3, HTTP_500)] * 2


def test_what_a_receiver_gets(
    night2_outbox: Archive, smtp_receiver: SmtpReceiver, webhook_sink: WebhookSink
) -> None:
    config = _config(
        Channel(smtp_receiver.url, "mail"), Channel(webhook_sink.url, "hook")
    )
    _queue(night2_outbox, config)
    assert deliver(night2_outbox.db, config, now=T0).sent == 4
    (title, text) = night2_outbox.db.execute(
        "SELECT title, message FROM outbox WHERE kind = 'changed'"
    ).fetchone()
    [mail] = [m for m in smtp_receiver.mails if m.subject == title]
    assert (mail.sender, mail.recipients, mail.text) == (SENDER, (WATCHER,), text)
    [post] = [p for p in webhook_sink.posts if p.payload["title"] == title]
    assert (post.path, post.payload["message"], post.payload["type"]) == (
        "/hook",
        text,
        "info",
    )


def test_a_hung_channel_times_out_without_holding_up_the_others(
    night2_outbox: Archive, smtp_receiver: SmtpReceiver, silent_endpoint: SilentEndpoint
) -> None:
    config = _config(
        Channel(smtp_receiver.url, "mail"),
        Channel(silent_endpoint.url, "hung"),
        send_timeout=1.0,
    )
    _queue(night2_outbox, config)
    started = time.monotonic()
    summary = deliver(night2_outbox.db, config, now=T0)
    assert time.monotonic() - started < 3
    assert (summary.sent, summary.failed, summary.not_tried) == (2, 1, 1)
    assert len(smtp_receiver.mails) == 2
    assert _states(night2_outbox, "hung") == [
        ("pending", 1, "no answer within 1 s (timed out)"),
        ("pending", 0, None),
    ]


def test_a_delivery_is_given_up_after_max_attempts(
    night2_outbox: Archive, webhook_sink: WebhookSink
) -> None:
    webhook_sink.fail_first = 1000
    config = _config(
        Channel(webhook_sink.url, "hook"), retry_seconds=60, max_attempts=2
    )
    _queue(night2_outbox, config)
    passes = [
        deliver(night2_outbox.db, config, now=T0 + timedelta(seconds=s))
        for s in (0, 60, 86_400)
    ]
    assert [(p.sent, p.failed, p.gave_up) for p in passes] == [
        (0, 2, 0),
        (0, 2, 2),
        (0, 0, 0),
    ]
    assert len(webhook_sink.requests) == 4
    assert _states(night2_outbox, "hook") == [("failed", 2, HTTP_500)] * 2


def test_deliveries_wait_for_a_channel_no_longer_configured(
    night2_outbox: Archive, webhook_sink: WebhookSink
) -> None:
    _queue(night2_outbox, _config(Channel(webhook_sink.url, "gone")))
    summary = deliver(
        night2_outbox.db, _config(Channel(webhook_sink.url, "hook")), now=T0
    )
    assert (summary.sent, summary.unknown_channels, webhook_sink.requests) == (
        0,
        ("gone",),
        [],
    )
    assert _states(night2_outbox, "gone") == [("pending", 0, None)] * 2


def test_send_test_says_which_channel_got_the_sample(
    smtp_receiver: SmtpReceiver, webhook_sink: WebhookSink
) -> None:
    webhook_sink.fail_first = 1
    config = _config(
        Channel(smtp_receiver.url, "mail"),
        Channel(webhook_sink.url, "hook"),
        Channel("nosuchscheme://x", "typo"),
    )
    results = send_test(config)
    assert {name: (sent.ok, sent.error) for name, sent in results.items()} == {
        "mail": (True, None),
        "hook": (False, HTTP_500),
        "typo": (
            False,
            "apprise cannot use this nosuchscheme:// URL: Unparseable URL nosuchscheme://…",
        ),
    }
    assert [m.subject for m in smtp_receiver.mails] == [SAMPLE_TITLE]
    assert "渠道「mail」配置正确" in smtp_receiver.mails[0].text


# ------------------------------------------------------------------ the commands


def _write_config(path: Path, *channels: tuple[str, str]) -> Path:
    lines = ["[alerts]", "retry_seconds = 60", ""]
    for name, url in channels:
        lines += ["[[alerts.channels]]", f'name = "{name}"', f'url = "{url}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_alerts_send_and_list(
    night2_outbox: Archive,
    smtp_receiver: SmtpReceiver,
    webhook_sink: WebhookSink,
    tmp_path: Path,
) -> None:
    webhook_sink.fail_first = 2
    conf = _write_config(
        tmp_path / "nianbao.toml",
        ("mail", smtp_receiver.url),
        ("hook", webhook_sink.url),
    )
    _queue(
        night2_outbox,
        _config(Channel(smtp_receiver.url, "mail"), Channel(webhook_sink.url, "hook")),
    )
    data = str(night2_outbox.root)
    env = {"NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}
    runner = CliRunner()

    sent = runner.invoke(
        cli, ["alerts", "send", "--data", data, "--config", str(conf)], env=env
    )
    assert (sent.exit_code, sent.stdout) == (
        1,
        "2 sent, 2 failed; failing channels: hook\n",
    )
    again = runner.invoke(
        cli, ["alerts", "send", "--data", data, "--config", str(conf)], env=env
    )
    assert (again.exit_code, again.stdout) == (0, "0 sent, 0 failed\n")  # not due yet
    assert len(smtp_receiver.mails) == 2

    listed = runner.invoke(
        cli, ["alerts", "list", "--data", data, "--limit", "1"], env=env
    )
    assert listed.exit_code == 0, listed.output
    (newest, kind, title, next_attempt) = night2_outbox.db.execute(
        """SELECT o.id, o.kind, o.title, d.next_attempt FROM outbox o
           JOIN deliveries d ON d.outbox_id = o.id AND d.channel = 'hook' ORDER BY o.id DESC"""
    ).fetchone()
    lines = listed.stdout.splitlines()
    assert lines[0].split(None, 3)[0] == str(newest)
    assert lines[0].endswith(f"  {kind:<12} {title}")
    assert lines[1:] == [
        f"        hook: pending, 1 attempt, next {next_attempt[:19]}: {HTTP_500}",
        "        mail: sent, 1 attempt",
    ]


def test_alerts_test_command(
    smtp_receiver: SmtpReceiver, webhook_sink: WebhookSink, tmp_path: Path
) -> None:
    webhook_sink.fail_first = 1
    conf = _write_config(
        tmp_path / "nianbao.toml",
        ("mail", smtp_receiver.url),
        ("hook", webhook_sink.url),
    )
    runner = CliRunner()
    env = {"NIANBAO_ALERTS": "", "NIANBAO_CONFIG": ""}
    result = runner.invoke(
        cli, ["alerts", "test", "--data", str(tmp_path), "--config", str(conf)], env=env
    )
    assert (result.exit_code, result.stdout) == (
        1,
        f"mail: sent\nhook: FAILED: {HTTP_500}\n",
    )
    result = runner.invoke(
        cli, ["alerts", "test", "--data", str(tmp_path), "--config", str(conf)], env=env
    )
    assert (result.exit_code, result.stdout) == (0, "mail: sent\nhook: sent\n")
    assert [m.subject for m in smtp_receiver.mails] == [SAMPLE_TITLE, SAMPLE_TITLE]

    bare = runner.invoke(
        cli, ["alerts", "test", "--data", str(tmp_path / "none")], env=env
    )
    assert bare.exit_code == 1
    assert "no alert channels configured" in bare.output
