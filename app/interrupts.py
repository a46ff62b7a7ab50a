"""Ctrl-C and SIGTERM during a run: never silent, never recorded as a complete run.

Scrapy handles the first signal of the crawl phase itself (it stops taking new
requests and finishes those under way; a second signal stops at once); ``run_crawl``
then sees that a signal came and ends the run ``interrupted`` (the workers parsing
during the crawl are killed, ``app/live.py``). After the crawl, the analysis
(parsing, text hashes, events) runs inside :func:`raising`, where the first signal
raises :class:`Interrupted` at once. The alerts of a run that is already
recorded run inside :func:`deferred`: the first signal is noted and the block is
finished (it is bounded), a second one raises.

An exception raised by a signal handler can be swallowed: Python only prints
"Exception ignored in …" when the signal lands inside an at-fork hook (a pool forking
its workers), a ``__del__`` or a weakref callback. So :func:`raising` also remembers
the signal: long loops call :func:`raise_if_stopped`, and the block raises on its way
out, so a signal is never lost and a run it stopped is never recorded complete.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

logger = logging.getLogger(__name__)
SIGNALS = (signal.SIGINT, signal.SIGTERM)
NAMES = {signal.SIGINT: "SIGINT (Ctrl-C)", signal.SIGTERM: "SIGTERM"}


def signal_name(signum: int) -> str:
    """``SIGINT (Ctrl-C)``, ``SIGTERM`` or the signal's own name."""
    try:
        return NAMES.get(signal.Signals(signum), signal.Signals(signum).name)
    except ValueError:
        return f"signal {signum}"


class Interrupted(BaseException):
    """A run stopped by a signal. A BaseException, like KeyboardInterrupt: no
    ``except Exception`` on the way may swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal_name(signum)}")
        self.signum = signum


@contextlib.contextmanager
def _handlers(handler: signal.Handlers | object) -> Iterator[None]:
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig in SIGNALS:
        signal.signal(sig, handler)  # type: ignore[arg-type] # a callable handler
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


_stopped: list[int] = []  # the signals a `raising` block received


def raise_if_stopped() -> None:
    """Raise :class:`Interrupted` if a signal came inside a :func:`raising` block
    (for loops that must stop even when the handler's own exception was swallowed)."""
    if _stopped:
        raise Interrupted(_stopped[0])


@contextlib.contextmanager
def raising(stage: str) -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM raise :class:`Interrupted` at once (and
    again on leaving the block, should the first exception have been swallowed)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        logger.warning("%s during %s: stopping now", signal_name(signum), stage)
        _stopped.append(signum)
        raise Interrupted(signum)

    _stopped.clear()
    try:
        with _handlers(handler):
            yield
            raise_if_stopped()
    finally:
        _stopped.clear()


@contextlib.contextmanager
def deferred(stage: str) -> Iterator[list[int]]:
    """Inside the block, a first signal is noted (and logged) and the block goes on;
    a second one raises :class:`Interrupted`. Yields the signals noted."""
    noted: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if noted:
            raise Interrupted(signum)
        noted.append(signum)
        logger.warning(
            "%s: finishing %s first (send it again to stop at once)",
            signal_name(signum),
            stage,
        )

    with _handlers(handler):
        yield noted
