"""Configuration, read in one place: environment variables and their defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

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
