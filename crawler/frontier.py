"""The shared frontier of a distributed run: a scrapy-redis queue, one line per host.

Politeness is per host, not per worker: however many workers pop, a host gets at
most ``concurrency`` requests at a time and one new request per ``delay`` (with the
single-process crawl's ±50 % jitter). Each family's queue keeps a list of requests
per host and a sorted set of the hosts with requests, each scored by when it may be
asked next; a pop (one Lua script, so atomic across workers) takes a request of a
host that is due and not busy. Hosts proceed in parallel, so a night is as long as
its slowest host, not the sum of them. The hosts' state (when next, requests under
way as leases) is the run's, shared by every family.

A popped request is **held** (its bytes kept under the worker's name) until the
worker has finished with it (``crawler/distributed.py`` tells, from its heartbeat);
the coordinator puts back what a dead worker held. A request under way is a lease
that ends when its download does (:class:`HostTurns`), or after ``lease`` seconds if
its worker died.

Plain Redis only (no cluster: the scripts touch keys they compute).
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from scrapy_redis.queue import Base  # type: ignore[import-untyped]

from crawler.distributed import (
    TURN,
    RunKeys,
    as_bytes,
    as_text,
    server_from,
    worker_name,
)

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

BUSY_RETRY_S = 0.1  # a host at its concurrency is looked at again this much later
JITTER = 0.5  # delays vary by ±50 %, as Scrapy's RANDOMIZE_DOWNLOAD_DELAY does

# KEYS: hosts (zset), count; ARGV: queue key, run prefix, host, request.
_PUSH = """
local list = ARGV[1] .. ':host:' .. ARGV[3]
if ARGV[5] == '1' then
  redis.call('LPUSH', list, ARGV[4])
else
  redis.call('RPUSH', list, ARGV[4])
end
redis.call('INCR', KEYS[2])
local nextat = tonumber(redis.call('GET', ARGV[2] .. ':host:' .. ARGV[3] .. ':next') or '0')
redis.call('ZADD', KEYS[1], 'NX', nextat, ARGV[3])
return 1
"""

# KEYS: hosts, count, held; ARGV: queue key, run prefix, delay, concurrency, lease,
# token, holder. Returns {host, request}; or, when no host is due, the seconds until
# the first one is (a string), or false when no host has requests.
_POP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i = 1, 64 do
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #due == 0 then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    if #first == 0 then return false end
    return tostring(tonumber(first[2]) - now)
  end
  local host = due[1]
  local state = ARGV[2] .. ':host:' .. host
  redis.call('ZREMRANGEBYSCORE', state .. ':active', '-inf', now)
  local nextat = tonumber(redis.call('GET', state .. ':next') or '0')
  if redis.call('ZCARD', state .. ':active') >= tonumber(ARGV[4]) then
    redis.call('ZADD', KEYS[1], now + %(busy)s, host)
  elseif nextat > now then
    redis.call('ZADD', KEYS[1], nextat, host)
  else
    local list = ARGV[1] .. ':host:' .. host
    local request = redis.call('LPOP', list)
    if not request then
      redis.call('ZREM', KEYS[1], host)
    else
      redis.call('DECR', KEYS[2])
      redis.call('ZADD', state .. ':active', now + tonumber(ARGV[5]), ARGV[6])
      local after = now + tonumber(ARGV[3])
      redis.call('SET', state .. ':next', tostring(after))
      if redis.call('LLEN', list) > 0 then
        redis.call('ZADD', KEYS[1], after, host)
      else
        redis.call('ZREM', KEYS[1], host)
      end
      redis.call('HSET', KEYS[3], ARGV[7] .. ' ' .. ARGV[6], host .. '\\n' .. request)
      return {host, request}
    end
  end
end
return false
""" % {"busy": BUSY_RETRY_S}  # noqa: UP031 - Lua's own braces

# KEYS: hosts, count, held, the holder's pending claims; ARGV: queue key, run prefix,
# holder. Puts back every request the holder held (first in its host's line) and
# withdraws its pending claims; returns how many requests.
_PUT_BACK = """
local fields = redis.call('HKEYS', KEYS[3])
local back = 0
local prefix = ARGV[3] .. ' '
for _, field in ipairs(fields) do
  if string.sub(field, 1, string.len(prefix)) == prefix then
    local held = redis.call('HGET', KEYS[3], field)
    local cut = string.find(held, '\\n', 1, true)
    local host = string.sub(held, 1, cut - 1)
    local request = string.sub(held, cut + 1)
    redis.call('LPUSH', ARGV[1] .. ':host:' .. host, request)
    redis.call('INCR', KEYS[2])
    redis.call('ZADD', KEYS[1], 'NX', 0, host)
    local token = string.sub(field, string.len(prefix) + 1)
    redis.call('ZREM', ARGV[2] .. ':host:' .. host .. ':active', token)
    redis.call('HDEL', KEYS[3], field)
    back = back + 1
  end
end
-- the claims it made that were not yet sure: withdrawn, to be made again
for _, claim in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  local cut = string.find(claim, '\\n', 1, true)
  redis.call('SREM', string.sub(claim, 1, cut - 1), string.sub(claim, cut + 1))
end
redis.call('DEL', KEYS[4])
return back
"""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostFrontier(Base):  # type: ignore[misc]
    """scrapy-redis's queue interface (``push``, ``pop``, ``__len__``, ``clear``) over
    per-host lines with the run's politeness (``SCHEDULER_QUEUE_CLASS``)."""

    def __init__(
        self, server: Redis, spider: Spider, key: str, serializer: Any = None
    ) -> None:
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings
        self.run = RunKeys(settings.getint("NIANBAO_RUN_ID"))
        self.delay = settings.getfloat("NIANBAO_HOST_DELAY", 0.0)
        self.concurrency = settings.getint("NIANBAO_HOST_CONCURRENCY", 2)
        self.lease = settings.getfloat("NIANBAO_HOST_LEASE", 120.0)
        self.holder = settings.get("NIANBAO_WORKER") or worker_name()
        self.hosts = f"{self.key}:hosts"
        self.count = f"{self.key}:count"
        self.held = f"{self.key}:held"
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)
        self._put_back = server.register_script(_PUT_BACK)
        # After a pop found no host due: seconds until the first one is (None: no
        # host has requests). The scheduler asks the engine again then.
        self.due_in: float | None = None

    def __len__(self) -> int:
        value = self.server.get(self.count)
        return int(as_text(value)) if value else 0

    def push(self, request: Request) -> None:
        host = host_of(request.url)
        data = self._encode_request(request)
        self._push(
            keys=[self.hosts, self.count],
            args=[self.key, self.run.prefix, host, data, "0"],
        )

    def pop(self, timeout: int = 0) -> Request | None:
        token = uuid.uuid4().hex
        delay = self.delay * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311
        found = self._pop(
            keys=[self.hosts, self.count, self.held],
            args=[
                self.key,
                self.run.prefix,
                f"{delay:.3f}",
                self.concurrency,
                f"{self.lease:.1f}",
                token,
                self.holder,
            ],
        )
        if not isinstance(found, list):  # nothing due: when the first host will be
            self.due_in = float(as_text(found)) if found else None
            return None
        self.due_in = None
        host, data = as_text(found[0]), as_bytes(found[1])
        request: Request = self._decode_request(data)
        request.meta[TURN] = (host, token, time.time())
        return request

    def finished(self, tokens: set[str]) -> int:
        """Forget the held requests of this worker whose tokens are ``tokens``."""
        fields = [f"{self.holder} {token}" for token in tokens]
        return int(self.server.hdel(self.held, *fields)) if fields else 0

    def held_tokens(self) -> set[str]:
        """The tokens of the requests this worker holds."""
        prefix = f"{self.holder} "
        return {
            name[len(prefix) :]
            for name in map(as_text, self.server.hkeys(self.held))
            if name.startswith(prefix)
        }

    def clear(self) -> None:
        for key in self.server.scan_iter(f"{self.key}:*", count=1000):
            self.server.delete(key)


def put_back(server: Redis, run: RunKeys, family: str, holder: str) -> int:
    """Put back every request ``holder`` (a dead worker) held in ``family``'s queue;
    how many."""
    key = run.queue(family)
    script = server.register_script(_PUT_BACK)
    return int(
        script(
            keys=[
                f"{key}:hosts",
                f"{key}:count",
                f"{key}:held",
                run.pending(holder, family),
            ],
            args=[key, run.prefix, holder],
        )
    )


def queued(server: Redis, run: RunKeys, family: str) -> int:
    """How many requests ``family``'s queue holds."""
    value = server.get(f"{run.queue(family)}:count")
    return int(as_text(value)) if value else 0


class HostTurns:
    """Ends a request's turn at its host when its download ends, however it ends
    (downloader middleware next to the downloader, so it sees every outcome first)."""

    def __init__(self, server: Redis, run: RunKeys) -> None:
        self.server = server
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostTurns:
        return cls(
            server_from(crawler), RunKeys(crawler.settings.getint("NIANBAO_RUN_ID"))
        )

    def _end(self, request: Request) -> None:
        turn = request.meta.get(TURN)
        if not turn:
            return
        host, token = turn[0], turn[1]
        with contextlib.suppress(RedisError):  # else the lease ends by itself
            self.server.zrem(f"{self.run.prefix}:host:{host}:active", token)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        self._end(request)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        self._end(request)
