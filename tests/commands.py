"""Running the project's commands as a user would: a real process, its output captured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]  # the repository: where `scrapy.cfg` is
BIN = Path(sys.executable).parent  # the virtualenv's commands (nianbao, scrapy, mypy…)


def run(
    *command: str | Path,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """``command`` in ``cwd`` (``env`` replaces the environment when given)."""
    return subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
