"""A replica of each test's own: the faults a test puts on it touch no other test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from replica.server import ReplicaThread

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def own() -> Iterator[ReplicaThread]:
    """A replica on night 2 for this test alone."""
    server = ReplicaThread(2).start()
    yield server
    server.stop()
