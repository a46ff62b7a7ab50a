"""A real ``redis-server`` (bench/redis_server.py) for the distributed-mode tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bench.redis_server import RedisServer, start_redis

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["RedisServer", "redis_server", "start_redis"]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()
