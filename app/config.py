"""Configuration, read in one place: environment variables and their defaults."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "NIANBAO_DATA"
DEFAULT_DATA = Path("nianbao-data")
DEFAULT_REPLICA_PORT = 8765


def data_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """Where the archive lives: the option, else ``$NIANBAO_DATA``, else ``./nianbao-data``."""
    if given:
        return Path(given)
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)


# Debian's Chromium: Playwright cannot download its own browser on these machines.
CHROMIUM_ENV = "NIANBAO_CHROMIUM"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
)


def chromium_path() -> str:
    """The Chromium binary: ``$NIANBAO_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return os.environ.get(CHROMIUM_ENV) or "/usr/bin/chromium"
