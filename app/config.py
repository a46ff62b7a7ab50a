"""Configuration, read in one place: environment variables, the config file, and their defaults.

The config file is TOML: ``--config PATH``, else ``$NIANBAO_CONFIG``, else
``DATA/nianbao.toml`` when it exists; every key is optional (see the README's
"Configuration" section for a full example).
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_ENV = "NIANBAO_DATA"
DEFAULT_DATA = Path("nianbao-data")
DEFAULT_REPLICA_PORT = 8765
CHROMIUM_ENV = "NIANBAO_CHROMIUM"


def data_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """Where the archive lives: the option, else ``$NIANBAO_DATA``, else ``./nianbao-data``."""
    if given:
        return Path(given)
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


def chromium_path() -> str:
    """The Chromium binary: ``$NIANBAO_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"


@dataclass(frozen=True, slots=True)
class CrawlTuning:
    """Per-fetch limits; the environment can tighten them (tests do)."""

    timeout: float
    retries: int

    @classmethod
    def from_env(cls) -> CrawlTuning:
        return cls(
            timeout=float(os.environ.get("NIANBAO_DOWNLOAD_TIMEOUT", "45")),
            retries=int(os.environ.get("NIANBAO_RETRY_TIMES", "3")),
        )


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one document's parse may take before its worker is killed (see app/sandbox.py)."""

    timeout: float
    memory_mb: int
    workers: int

    @classmethod
    def from_env(cls) -> ParseLimits:
        return cls(
            timeout=float(os.environ.get("NIANBAO_PARSE_TIMEOUT", "120")),
            memory_mb=int(os.environ.get("NIANBAO_PARSE_MEMORY_MB", "1536")),
            workers=int(
                os.environ.get("NIANBAO_PARSE_WORKERS", str(os.cpu_count() or 2))
            ),
        )


CONFIG_ENV = "NIANBAO_CONFIG"
ALERTS_ENV = "NIANBAO_ALERTS"
CONFIG_NAME = "nianbao.toml"
EVENT_KINDS = (
    "baseline",  # a source's first crawl: one summary, not one alert per report
    "new_report",
    "changed",
    "removed",
    "restored",
    "inconsistent",  # a report's figures fail a consistency check
    "late",  # no report by the legal deadline
    "source",  # a source yielded nothing, no longer matches, or is blocked by a WAF
    "health",  # no successful run for too long
)


class ConfigError(ValueError):
    """The config file is malformed (the message names the file, the key and what was expected)."""


@dataclass(frozen=True, slots=True)
class Channel:
    """One place alerts go: an apprise URL, optionally narrowed to regions, bodies, kinds."""

    url: str
    name: str
    regions: tuple[str, ...] = ()  # prefixes: "山东省" takes every region in Shandong
    bodies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def wants(self, kind: str, region: str | None, body: str | None) -> bool:
        """Does this channel subscribe to a message of ``kind`` about ``body`` in ``region``?"""
        if self.kinds and kind not in self.kinds:
            return False
        if self.regions and not any((region or "").startswith(r) for r in self.regions):
            return False
        return not self.bodies or (body or "") in self.bodies


def channel_name(url: str) -> str:
    """A stable name for a channel given only as a URL (its scheme and a hash, no secrets)."""
    scheme = url.split("://", 1)[0] if "://" in url else "url"
    return f"{scheme}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class Schedule:
    cron: str = "0 2 * * *"  # minute hour day month weekday; 6 fields: second first
    timezone: str = "Asia/Shanghai"
    misfire_grace_hours: float = 6.0
    crawl_args: tuple[
        str, ...
    ] = ()  # extra `nianbao crawl` arguments, e.g. ("--source", "wip")


@dataclass(frozen=True, slots=True)
class Alerts:
    channels: tuple[Channel, ...] = ()
    datasette_url: str = "http://127.0.0.1:8001"  # links in messages point here
    database: str = "archive"  # the archive's name in Datasette
    retry_seconds: float = 60.0  # first retry after this; doubles each time
    max_attempts: int = 8
    stale_hours: float = 26.0  # no successful run for this long raises a health alert
    send_timeout: float = 60.0  # one send to one channel may take this long (seconds)


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Month-day by which a year's report is due in the following year."""

    department: str = "01-31"  # departments and towns
    government: str = "03-31"  # the government-wide (本级人民政府) report

    def due(self, level: str, year: int) -> str:
        """``YYYY-MM-DD`` by which the report of ``year`` is due for a body of ``level``."""
        day = self.department if level in ("department", "town") else self.government
        return f"{year + 1}-{day}"


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None  # the file it came from, if any
    schedule: Schedule = field(default_factory=Schedule)
    alerts: Alerts = field(default_factory=Alerts)
    deadlines: Deadlines = field(default_factory=Deadlines)


def config_path(data: Path, given: str | os.PathLike[str] | None = None) -> Path | None:
    if given:
        return Path(given)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = data / CONFIG_NAME
    return default if default.exists() else None


def load_config(data: Path, given: str | os.PathLike[str] | None = None) -> Config:
    """The configuration for the archive in ``data`` (defaults when there is no file).

    Channels come from the file's ``[[alerts.channels]]`` and from ``$NIANBAO_ALERTS``
    (apprise URLs separated by spaces; they take every message).

    :raises ConfigError: for a file that is missing, not TOML, or has a wrong key.
    """
    path = config_path(data, given)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    where = str(path or "defaults")
    schedule = _section(raw, "schedule", Schedule, where)
    deadlines = _section(raw, "deadlines", Deadlines, where)
    for key in ("department", "government"):
        if not re.fullmatch(r"\d\d-\d\d", getattr(deadlines, key)):
            raise ConfigError(f"{where}: deadlines.{key} must be MM-DD")
    alerts_raw = dict(raw.get("alerts", {}))
    channels = [
        _channel(c, where, i) for i, c in enumerate(alerts_raw.pop("channels", []))
    ]
    channels += [
        Channel(url=url, name=channel_name(url))
        for url in os.environ.get(ALERTS_ENV, "").split()
    ]
    alerts = _section({"alerts": alerts_raw}, "alerts", Alerts, where)
    alerts = Alerts(**{**_fields(alerts), "channels": tuple(channels)})
    return Config(path, schedule, alerts, deadlines)


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _section(raw: dict[str, Any], name: str, kind: type, where: str) -> Any:
    given = raw.get(name, {})
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    defaults = kind()
    values = {}
    for key, value in given.items():
        if key not in kind.__slots__ or key == "channels":
            raise ConfigError(
                f"{where}: unknown key {name}.{key} (expected one of "
                f"{', '.join(k for k in kind.__slots__ if k != 'channels')})"
            )
        expected = type(getattr(defaults, key))
        if expected is tuple and isinstance(value, list):
            value = tuple(str(v) for v in value)
        elif expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected):
            raise ConfigError(
                f"{where}: {name}.{key} must be {expected.__name__}, got {value!r}"
            )
        values[key] = value
    return kind(**{**_fields(defaults), **values})


def _channel(raw: Any, where: str, index: int) -> Channel:
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise ConfigError(
            f"{where}: alerts.channels[{index}] needs a url (an apprise URL)"
        )
    unknown = set(raw) - {"url", "name", "regions", "bodies", "kinds"}
    if unknown:
        raise ConfigError(
            f"{where}: alerts.channels[{index}]: unknown key {sorted(unknown)[0]}"
        )
    kinds = tuple(raw.get("kinds", ()))
    wrong = [k for k in kinds if k not in EVENT_KINDS]
    if wrong:
        raise ConfigError(
            f"{where}: alerts.channels[{index}].kinds: unknown kind {wrong[0]!r} "
            f"(expected {', '.join(EVENT_KINDS)})"
        )
    return Channel(
        url=raw["url"],
        name=str(raw.get("name") or channel_name(raw["url"])),
        regions=tuple(raw.get("regions", ())),
        bodies=tuple(raw.get("bodies", ())),
        kinds=kinds,
    )
