"""Parsing while the crawl runs (issue 16, item 6).

A first night used to parse only once the whole crawl had ended: at real sites,
where politeness makes a crawl take hours, the parse then came on top. Here the
versions the crawl archives are parsed as they arrive: a thread looks for versions
to parse every :data:`POLL_SECONDS` (``archive.derived.pending_parses``, on its own
connection: the crawl's pipeline keeps writing), parses them in the sandbox
(``app/sandbox.py``: the same time and memory limits, the same workers as after a
crawl) and stores them a chunk at a time (``app.process.parse_tasks``). What it has
not parsed when the crawl ends, the run's analysis parses, as before
(``app.process.analyse``); so stopping it early loses nothing.

The workers are forked before the crawl starts (a process with the reactor's and
the blob writers' threads running is not one to fork) and are niced, so the crawl
keeps its pace. They are never replaced during the crawl: where the sandbox would
need new workers (a file hung or killed one, one grew too big), parsing waits for
the crawl's end (:class:`~app.sandbox.PoolSpent`), and the analysis forks afresh.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from app.interrupts import Interrupted
from app.process import ProcessSummary, parse_tasks
from app.sandbox import PoolSpent, Sandbox
from archive.db import open_archive
from archive.derived import pending_parses
from processors.parse import PROCESSOR_VERSION, load_readers

if TYPE_CHECKING:
    from pathlib import Path

    from app.config import ParseLimits

logger = logging.getLogger(__name__)
POLL_SECONDS = 1.0  # how often the thread looks for new versions
NICE = 10  # the parse workers' niceness while the crawl runs


class LiveParse:
    """Parse the archive's new versions in a thread until the crawl ends.

    :meth:`start` before the crawl, :meth:`finish` after it (the round under way is
    completed), :meth:`stop` when it was interrupted (the workers are killed at once).
    """

    def __init__(self, root: Path, limits: ParseLimits) -> None:
        self.root = root
        self.limits = limits
        self.summary = ProcessSummary()  # what was parsed while the crawl ran
        self.ended_early = ""  # why parsing stopped before the crawl's end, if it did
        self._sandbox = Sandbox(
            timeout=limits.timeout,
            memory_mb=limits.memory_mb,
            workers=limits.workers,
            refork=False,
            nice=NICE,
        )
        self._ended = threading.Event()  # the crawl ended: no round after this one
        self._stopped = threading.Event()  # interrupted: not even this one
        self._thread = threading.Thread(
            target=self._run, name="live-parse", daemon=True
        )

    def start(self) -> LiveParse:
        load_readers()  # before the workers fork: they share them
        self._sandbox.start()
        self._thread.start()
        return self

    def finish(self) -> ProcessSummary:
        """After the crawl: let the round under way end, then stop; what was parsed.
        A signal meanwhile (Ctrl-C during the analysis) stops it at once."""
        self._ended.set()
        try:
            self._thread.join()
        except BaseException:
            self.stop()
            raise
        self._sandbox.close()
        return self.summary

    def stop(self) -> None:
        """After an interrupted crawl (or a failure): kill the workers, stop now."""
        self._stopped.set()
        self._ended.set()
        self._sandbox.kill()
        self._thread.join()

    def _run(self) -> None:
        archive = open_archive(self.root)
        try:
            while not self._stopped.is_set():
                tasks = pending_parses(archive.db, PROCESSOR_VERSION)
                if tasks:
                    parse_tasks(
                        archive,
                        self._sandbox,
                        tasks,
                        self.limits.ocr,
                        self.summary,
                        stop=self._stopped.is_set,
                        progress="parsed during the crawl: %d of %d versions",
                    )
                if self._ended.wait(POLL_SECONDS):
                    return  # what is left, the analysis parses
        except Interrupted:  # a signal during the analysis: the main thread raises it
            return
        except PoolSpent as exc:
            if not self._stopped.is_set():
                self.ended_early = f"{exc}: the rest is parsed after the crawl"
                logger.info("parsing during the crawl stopped: %s", self.ended_early)
        except Exception as exc:  # never the crawl's failure: the analysis parses it
            if not self._stopped.is_set():
                self.ended_early = f"{type(exc).__name__}: {exc}"
                logger.warning("parsing during the crawl stopped: %s", exc)
        finally:
            archive.close()
