"""Configuration, read in one place: environment variables, the config file, and their defaults.

The config file is TOML: ``--config PATH``, else ``$NIANBAO_CONFIG``, else
``DATA/nianbao.toml`` when it exists; every key is optional (see the README's
"Configuration" section for a full example).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from alerts.config import EVENT_KINDS, Alerts, Channel, channel_name
from processors.deadlines import Deadlines
from processors.ocr import PAGE_SECONDS, OcrLimits

DATA_ENV = "NIANBAO_DATA"
DEFAULT_DATA = Path("nianbao-data")
DEFAULT_REPLICA_PORT = 8765
CHROMIUM_ENV = "NIANBAO_CHROMIUM"
USER_REGISTRY = "sources.toml"  # in the data directory: the sources a user added


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
    """Per-fetch limits and the disk's floor; the environment can change them."""

    timeout: float
    retries: int
    min_free_mb: float = 256.0  # a crawl refuses to start with less free space
    # A distributed run waits this long for its Redis to come back before giving up.
    redis_patience: float = 300.0
    # A Redis call that takes longer has failed: Redis stalled (workers and coordinator).
    redis_timeout: float = 10.0

    @classmethod
    def from_env(cls) -> CrawlTuning:
        return cls(
            timeout=_number("NIANBAO_DOWNLOAD_TIMEOUT", 45.0),
            retries=int(_number("NIANBAO_RETRY_TIMES", 3, whole=True, zero=True)),
            min_free_mb=_number("NIANBAO_MIN_FREE_MB", 256.0, zero=True),
            redis_patience=_number("NIANBAO_REDIS_PATIENCE", 300.0, zero=True),
            redis_timeout=_number("NIANBAO_REDIS_TIMEOUT", 10.0),
        )


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one document's parse may take before its worker is killed (see app/sandbox.py)."""

    timeout: float
    memory_mb: int
    workers: int
    during_crawl: bool = True  # a crawl parses while it runs (app/live.py)

    @property
    def ocr(self) -> OcrLimits:
        """OCR's share of the time limit: a scanned page 30 s at most, all of a
        document's scanned pages 3/4 of ``timeout`` (the rest is for the parse)."""
        return OcrLimits(
            page_seconds=min(PAGE_SECONDS, self.timeout / 4),
            document_seconds=self.timeout * 0.75,
        )

    @classmethod
    def from_env(cls) -> ParseLimits:
        return cls(
            timeout=_number("NIANBAO_PARSE_TIMEOUT", 120.0),
            memory_mb=int(_number("NIANBAO_PARSE_MEMORY_MB", 1536, whole=True)),
            workers=int(_number("NIANBAO_PARSE_WORKERS", usable_cpus(), whole=True)),
            during_crawl=_switch("NIANBAO_PARSE_DURING_CRAWL", default=True),
        )


def _number(
    name: str, default: float, *, whole: bool = False, zero: bool = False
) -> float:
    """A number above 0 (or 0 too, with ``zero``) from the environment variable
    ``name``; ``default`` when it is unset.

    :raises ConfigError: naming the variable, its value and what was expected.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = -1
    if not number >= 0 or (number == 0 and not zero):  # NaN too
        kind = "a whole number" if whole else "a number"
        expected = f"{kind} of 0 or more" if zero else f"{kind} above 0"
        raise ConfigError(f"{name}={value!r}: expected {expected}")
    return number


def _switch(name: str, *, default: bool) -> bool:
    """An on/off environment variable: 1/0, yes/no, true/false, on/off.

    :raises ConfigError: for any other value.
    """
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off"):
        return False
    raise ConfigError(f"{name}={value!r}: expected 1 or 0 (yes/no, true/false, on/off)")


def usable_cpus() -> int:
    """The CPUs this process may run on (``taskset``, a container's cpuset), not the
    machine's: two parse workers of a crawl pinned to one core would share it."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


CONFIG_ENV = "NIANBAO_CONFIG"
ALERTS_ENV = "NIANBAO_ALERTS"
CONFIG_NAME = "nianbao.toml"


class ConfigError(ValueError):
    """The config file is malformed (the message names the file, the key and what was expected)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    cron: str = "0 2 * * *"  # minute hour day month weekday; 6 fields: second first
    timezone: str = "Asia/Shanghai"
    misfire_grace_hours: float = 6.0
    crawl_args: tuple[
        str, ...
    ] = ()  # extra `nianbao crawl` arguments, e.g. ("--source", "wip")
    health_minutes: float = 60.0  # between runs: the stale check and delivery retries


@dataclass(frozen=True, slots=True)
class Sources:
    # the user's registry (`nianbao add` writes it, every crawl reads it): empty means
    # DATA/sources.toml; a relative path is relative to the config file's folder
    file: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None  # the file it came from, if any
    schedule: Schedule = field(default_factory=Schedule)
    alerts: Alerts = field(default_factory=Alerts)
    deadlines: Deadlines = field(default_factory=Deadlines)
    sources: Sources = field(default_factory=Sources)

    def user_registry(self, data: Path) -> Path:
        """The user's own registry: ``[sources] file``, else ``DATA/sources.toml``."""
        if not self.sources.file:
            return data / USER_REGISTRY
        given = Path(self.sources.file).expanduser()
        if given.is_absolute() or self.path is None:
            return given
        return self.path.parent / given


SECTIONS = ("schedule", "alerts", "deadlines", "sources")


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
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown section [{unknown[0]}] (expected {', '.join(SECTIONS)})"
        )
    schedule = _section(raw, "schedule", Schedule, where)
    deadlines = _section(raw, "deadlines", Deadlines, where)
    sources = _section(raw, "sources", Sources, where)
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
    if not 0 < alerts.copied_similarity <= 1:
        raise ConfigError(
            f"{where}: alerts.copied_similarity must be above 0 and at most 1 "
            f"(a share: 0.8 is 80 %), got {alerts.copied_similarity!r}"
        )
    alerts = Alerts(**{**_fields(alerts), "channels": tuple(channels)})
    return Config(path, schedule, alerts, deadlines, sources)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def _section(raw: dict[str, Any], name: str, kind: type[Any], where: str) -> Any:
    given = raw.get(name, {})
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    defaults = kind()
    values = {}
    for key, value in given.items():
        known = [f.name for f in fields(kind) if f.name != "channels"]
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {name}.{key} (expected one of {', '.join(known)})"
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
