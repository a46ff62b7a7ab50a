"""A signal inside `raising` is never lost, even when its exception is swallowed.

CI saw it: SIGTERM landed while the parse pool forked its workers, the handler's
exception was raised inside filelock's at-fork hook, Python printed "Exception
ignored in …" and the run went on to be recorded complete (exit 0). A ``__del__``
swallows exceptions the same way, so it stands in for the fork hook here.
"""

from __future__ import annotations

import os
import signal

import pytest

from app.interrupts import Interrupted, raise_if_stopped, raising
from app.sandbox import map_isolated

# the swallowed exception is the point of these tests
pytestmark = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning"
)


class _SignalOnDelete:
    """Sends SIGTERM from inside ``__del__``: the handler runs there, and what it
    raises is printed and dropped by Python."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # let the handler run here, inside __del__
            pass


def _swallowed_sigterm() -> None:
    holder = _SignalOnDelete()
    del holder


def _double(n: int) -> int:
    return 2 * n


def _block_with_swallowed_signal(reached: list[str]) -> None:
    with raising("a test"):
        _swallowed_sigterm()
        reached.append("end of block")  # the exception was swallowed in __del__


def _sandbox_after_swallowed_signal(ran: list[int]) -> None:
    with raising("a test"):
        _swallowed_sigterm()
        ran.extend(o.value or 0 for o in map_isolated(_double, [1, 2], workers=1))


def _block_with_signal() -> None:
    with raising("a test"):
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):
            pass


def test_a_swallowed_signal_still_stops_the_block_on_its_way_out() -> None:
    reached: list[str] = []
    with pytest.raises(Interrupted, match="stopped by SIGTERM"):
        _block_with_swallowed_signal(reached)
    assert reached == ["end of block"]


def test_a_swallowed_signal_stops_the_sandbox_before_its_next_task() -> None:
    ran: list[int] = []
    with pytest.raises(Interrupted):
        _sandbox_after_swallowed_signal(ran)
    assert ran == []


def test_after_the_block_its_signal_is_forgotten() -> None:
    with pytest.raises(Interrupted):
        _block_with_signal()
    raise_if_stopped()  # does not raise: the block forgot its signal when it ended
    assert [o.value for o in map_isolated(_double, [1, 2], workers=1)] == [2, 4]
