"""Delivering the outbox through apprise: one thread per channel, every send bounded in time.

Channels are independent: each has its own thread, so a slow or failing one never
holds up the others, and every attempt is recorded per channel as soon as it ends
(by the calling thread: the archive's connection stays in one thread). A failed
delivery is retried later with backoff (``alerts.outbox.record_attempt``). Apprise
says why a send failed only in its log (2.x also keeps those lines in its result):
that line, with the channel's URL masked, is what goes into ``deliveries.error``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import apprise

from alerts.outbox import Due, due, record_attempt

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlite_utils import Database

    from alerts.config import Alerts, Channel

logger = logging.getLogger(__name__)
APPRISE_LOGGER = "apprise"
WARNING_LEVELS = ("WARNING", "ERROR", "CRITICAL")
SAMPLE_TITLE = "nianbao 测试消息"
SAMPLE_BODY = (
    "这是一条 nianbao 测试消息：收到它，说明渠道「{name}」配置正确。"
    "今后有年报发布、被修改或撤下、勾稽校验不通过、逾期未发布或数据源出错时，消息会发到这里。"
)


@dataclass(frozen=True, slots=True)
class Sent:
    """The outcome of one send to one channel."""

    ok: bool
    error: str | None = None  # what apprise said, when not ok
    timed_out: bool = False


@dataclass(slots=True)
class DeliverySummary:
    """What one delivery pass did."""

    sent: int = 0
    failed: int = 0  # attempts that failed in this pass (retried later unless given up)
    gave_up: int = 0  # deliveries that failed for good (max attempts reached)
    not_tried: int = 0  # due, but their channel had just timed out: next pass
    failed_channels: tuple[str, ...] = ()
    unknown_channels: tuple[
        str, ...
    ] = ()  # deliveries for channels no longer configured

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_tried)

    def line(self) -> str:
        text = f"{self.sent} sent, {self.failed} failed"
        if self.gave_up:
            text += f" ({self.gave_up} given up after the last attempt)"
        if self.not_tried:
            text += f", {self.not_tried} not tried (their channel timed out)"
        if self.failed_channels:
            text += f"; failing channels: {', '.join(self.failed_channels)}"
        if self.unknown_channels:
            text += (
                "; waiting for channels no longer configured: "
                f"{', '.join(self.unknown_channels)}"
            )
        return text


class _ThreadLog(logging.Handler):
    """Collects apprise's warnings per thread, so that concurrent sends keep theirs apart."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self._local, "lines", None)
        if lines is not None:
            lines.append(record.getMessage())

    @contextlib.contextmanager
    def lines(self) -> Iterator[list[str]]:
        collected: list[str] = []
        self._local.lines = collected
        try:
            yield collected
        finally:
            self._local.lines = None


_LOG = _ThreadLog()
_LOG_INSTALLED = threading.Lock()


def _install_log() -> None:
    with _LOG_INSTALLED:
        log = logging.getLogger(APPRISE_LOGGER)
        if _LOG not in log.handlers:
            log.addHandler(_LOG)
            log.setLevel(logging.WARNING)  # its INFO lines ("Sent Email to…") are noise


def _warnings(result: object) -> list[str]:
    """What apprise 2.x recorded per service of a call (1.x returns a bare bool)."""
    return [
        entry.message
        for service in getattr(result, "results", ())
        for entry in service.logs()
        if entry.level in WARNING_LEVELS
    ]


def _notify(url: str, title: str, body: str) -> Sent:
    """One apprise send, with apprise's own words on failure.

    Apprise says why a send failed only in its log: its 2.x results keep the lines
    per service; for 1.x (which sends in this thread when ``async_mode`` is off) the
    thread's captured warnings stand in.
    """
    _install_log()
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
    with _LOG.lines() as lines:
        try:
            if not notifier.add(url):
                said = "; ".join(dict.fromkeys(lines)) or "malformed or unknown scheme"
                error = f"apprise cannot use this {_scheme(url)} URL: {said}"
                return Sent(False, _redact(error, url))
            result = notifier.notify(
                title=title, body=body, body_format=apprise.NotifyFormat.TEXT
            )
        # a thread boundary: a plugin's bug fails this send only
        except Exception as exc:
            logger.exception("apprise raised while sending %r", title)
            return Sent(False, _redact(f"{type(exc).__name__}: {exc}", url))
    if result:
        return Sent(True)
    said = "; ".join(dict.fromkeys(_warnings(result) or lines))
    return Sent(
        False, _redact(said or "apprise reported a failure without saying why", url)
    )


def _scheme(url: str) -> str:
    return url.split("://", 1)[0] + "://" if "://" in url else "(no scheme)"


def _redact(text: str, url: str) -> str:
    """The error without the channel's URL, which may hold a token or a password
    (errors are kept in the archive, which Datasette may publish)."""
    return text.replace(url, f"{_scheme(url)}…")


def send(url: str, title: str, body: str, timeout: float) -> Sent:
    """Send one message to one apprise URL, giving up after ``timeout`` seconds.

    A send that times out goes on in a daemon thread (apprise cannot be interrupted);
    its late outcome is ignored.
    """
    box: list[Sent] = []
    worker = threading.Thread(
        target=lambda: box.append(_notify(url, title, body)),
        name="apprise-send",
        daemon=True,
    )
    worker.start()
    worker.join(timeout)
    if not box:
        return Sent(
            False, f"no answer within {timeout:g} s (timed out)", timed_out=True
        )
    return box[0]


_DONE = None  # a worker's last word: its channel has nothing more
Result = tuple[Due, "Sent | None"] | None


def _channel_worker(
    channel: Channel, items: list[Due], timeout: float, results: queue.Queue[Result]
) -> None:
    """Send a channel's due messages in order; after a time-out, leave the rest for later."""
    try:
        stuck = False
        for item in items:
            if stuck:
                results.put((item, None))
                continue
            sent = send(channel.url, item.title, item.message, timeout)
            results.put((item, sent))
            stuck = sent.timed_out
    finally:
        results.put(_DONE)


def _send_all(
    channels: dict[str, Channel], work: dict[str, list[Due]], timeout: float
) -> Iterator[tuple[Due, Sent | None]]:
    """Every channel's work in its own thread; outcomes as they come (None: not tried)."""
    results: queue.Queue[Result] = queue.Queue()
    threads = [
        threading.Thread(
            target=_channel_worker,
            args=(channels[name], items, timeout, results),
            name=f"alerts-{name}",
            daemon=True,
        )
        for name, items in work.items()
    ]
    for thread in threads:
        thread.start()
    running = len(threads)
    while running:
        got = results.get()
        if got is _DONE:
            running -= 1
            continue
        yield got


def deliver(
    db: Database, settings: Alerts, now: datetime | None = None
) -> DeliverySummary:
    """Send every delivery that is due at ``now`` (default: the current time).

    Each attempt is recorded as it ends: sent, or failed with apprise's message and
    the time of the next attempt. The caller holds the archive's crawl lock, so that
    two deliverers never send the same delivery.
    """
    moment = now or datetime.now(UTC)
    channels = {channel.name: channel for channel in settings.channels}
    work: dict[str, list[Due]] = {}
    unknown: set[str] = set()
    for item in due(db, moment):
        if item.channel in channels:
            work.setdefault(item.channel, []).append(item)
        else:
            unknown.add(item.channel)
    if unknown:
        logger.warning(
            "deliveries wait for channels no longer configured: %s",
            ", ".join(sorted(unknown)),
        )
    summary = DeliverySummary(unknown_channels=tuple(sorted(unknown)))
    failing: set[str] = set()
    for item, sent in _send_all(channels, work, settings.send_timeout):
        if sent is None:
            summary.not_tried += 1
            failing.add(item.channel)
            continue
        status = record_attempt(
            db,
            item.delivery_id,
            at=moment,
            error=None if sent.ok else sent.error,
            retry_seconds=settings.retry_seconds,
            max_attempts=settings.max_attempts,
        )
        if sent.ok:
            summary.sent += 1
            continue
        logger.warning(
            "alert %s to channel %s failed: %s",
            item.outbox_id,
            item.channel,
            sent.error,
        )
        summary.failed += 1
        summary.gave_up += status == "failed"
        failing.add(item.channel)
    summary.failed_channels = tuple(sorted(failing))
    return summary


def send_test(settings: Alerts) -> dict[str, Sent]:
    """A sample message to every configured channel at once: channel name → outcome."""
    channels = settings.channels
    if not channels:
        return {}
    timeout = settings.send_timeout
    with ThreadPoolExecutor(max_workers=len(channels)) as pool:
        outcomes = pool.map(
            lambda c: send(
                c.url, SAMPLE_TITLE, SAMPLE_BODY.format(name=c.name), timeout
            ),
            channels,
        )
        return {c.name: sent for c, sent in zip(channels, outcomes, strict=True)}
