"""Which URLs a family's spider has already taken up this run: its own set, or one
shared by every worker of a distributed run (a Redis set scoped to the run).

``claim(url)`` is the only way to take a URL: it says True once per URL and run,
whichever worker asks first (a check followed by an add would let two workers both
take it).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from redis import Redis


class Claims(Protocol):
    def claim(self, url: str) -> bool:
        """Take ``url``: True the first time it is taken this run, False after."""
        ...

    def __contains__(self, url: object) -> bool: ...


class LocalClaims:
    """The URLs one process has taken."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, url: str) -> bool:
        if url in self._taken:
            return False
        self._taken.add(url)
        return True

    def __contains__(self, url: object) -> bool:
        return url in self._taken


class RedisClaims:
    """The URLs every worker of a run has taken, in the Redis set ``key``.

    A claim is *pending* (logged in ``pending``, the sorted set of this worker's
    spider, with the time it was made) until every request the spider had under way
    when it was made has finished: the request that made it has then queued what it
    claimed (crawler/distributed.py calls :meth:`make_sure` from its heartbeat). If
    the worker dies first, the coordinator puts its requests back and withdraws its
    pending claims, so the request done again can claim the same URLs again. The log
    is the spider's own, not the worker's: a worker runs one spider per family, and
    one spider's requests say nothing of when another's claims are sure.
    """

    _CLAIM = """
    if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
      redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1] .. '\\n' .. ARGV[1])
      return 1
    end
    return 0
    """

    def __init__(self, server: Redis, key: str, pending: str) -> None:
        self.server = server
        self.key = key
        self.pending = pending
        self._claim = server.register_script(self._CLAIM)

    def claim(self, url: str) -> bool:
        try:
            return bool(
                self._claim(keys=[self.key, self.pending], args=[url, time.time()])
            )
        except RedisError as exc:
            self._lost(exc)
            raise

    def make_sure(self, before: float) -> None:
        """The pending claims made before ``before`` (a time) are sure: the requests
        that made them have finished, so what they claimed is queued."""
        self.server.zremrangebyscore(self.pending, "-inf", f"({before}")

    def __contains__(self, url: object) -> bool:
        try:
            return isinstance(url, str) and bool(self.server.sismember(self.key, url))
        except RedisError as exc:
            self._lost(exc)
            raise

    @staticmethod
    def _lost(exc: Exception) -> None:
        from crawler.distributed import lose_redis  # the worker's way to stop

        lose_redis(f"Redis unavailable: {exc}")
