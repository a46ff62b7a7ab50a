"""The replica as a child process: what ``nianbao crawl --replica`` and the demo crawl.

The replica stands in for the real sites and is not part of the installed product,
so the product never imports it: it starts ``python -m replica serve --port 0``
(from a clone of the repository) and uses it as an HTTP proxy, exactly as
``--proxy URL`` would. The child runs in its own session (a Ctrl-C at the terminal
reaches only the crawl, which then finishes its requests against a replica that is
still up) and receives SIGTERM if its parent dies.
"""

from __future__ import annotations

import collections
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.children import die_with_parent

if TYPE_CHECKING:
    from collections.abc import Sequence

LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")
NO_REPLICA = "No module named replica"
logger = logging.getLogger("replica")
KEPT_LINES = 200  # of the replica's output, for error messages and tests


class ReplicaUnavailable(RuntimeError):
    """The replica could not be started (the message says why)."""


@dataclass(slots=True)
class StandIn:
    """A running replica child process and its proxy URL."""

    process: subprocess.Popen[str]
    proxy: str
    lines: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=KEPT_LINES)
    )
    _reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        """What the replica printed after its listening line (the last lines of it)."""
        return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Stop the replica (SIGTERM ends it cleanly); return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            self._reader.join(5)
        return self.process.returncode


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    die_with_parent(signal.SIGTERM)  # SIGTERM: the replica stops cleanly


def start_replica(
    options: Sequence[str] = (),
    *,
    python: str = sys.executable,
    prefix: Sequence[str] = (),
    verbose: bool = False,
) -> StandIn:
    """Start ``python -m replica serve --port 0 OPTIONS``; return it once it listens.

    ``prefix`` goes before the command (the benchmarks pin it with ``taskset -c 0``).
    ``verbose``: the replica logs every request, and its lines go to this process's
    log (logger ``replica``, DEBUG). Call it from the thread that will outlive the
    replica (the main thread): the child is sent SIGTERM when that thread ends.

    :raises ReplicaUnavailable: when there is no replica (an installed nianbao, not
        a clone) or it exits before listening.
    """
    process = subprocess.Popen(  # noqa: S603 -- our own command, our own arguments
        [
            *prefix,
            python,
            "-m",
            "replica",
            *(["--verbose"] if verbose else []),
            "serve",
            "--port",
            "0",
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    said: list[str] = []
    assert process.stdout is not None  # noqa: S101 (stdout=PIPE above)
    for line in process.stdout:
        found = LISTENING.search(line)
        if found:
            standin = StandIn(process, found.group(1))
            standin._reader = threading.Thread(
                target=_drain, args=(process, standin.lines, verbose), daemon=True
            )
            standin._reader.start()
            return standin
        said.append(line)
    process.wait()
    text = "".join(said).strip()
    if NO_REPLICA in text:
        raise ReplicaUnavailable(
            "the replica ships only with a clone of the nianbao repository "
            "(it is not part of the installed package); crawl the real sites, "
            "or give --proxy URL"
        )
    last = text.splitlines()[-1] if text else f"exit status {process.returncode}"
    raise ReplicaUnavailable(f"the replica did not start: {last}")


def _drain(
    process: subprocess.Popen[str], lines: collections.deque[str], verbose: bool
) -> None:
    """Keep reading the replica's output so that it never blocks on a full pipe."""
    if process.stdout is None:
        return
    for line in process.stdout:
        lines.append(line)
        if verbose:
            logger.debug("%s", line.rstrip())
