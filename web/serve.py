"""`nianbao serve`: Datasette on the archive, read-only, with nianbao's metadata and plugin.

The archive file is opened as a *mutable* database, which Datasette reads through
``mode=ro`` connections: never ``immutable`` (``-i``), because a crawl may be writing
it (SQLite would then read pages it does not know are stale). The plugin makes every
connection to it ``query_only`` too, and the settings cut heavy SQL off by time and size.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import signal
import sqlite3
from typing import TYPE_CHECKING, Any

import click
import uvicorn
from datasette.app import Datasette
from datasette.plugins import pm

from archive.db import DB_NAME, connect
from archive.integrity import corrupt_message, is_corruption
from archive.migrations import migrations
from processors.deadlines import Deadlines
from web import plugin
from web.common import NAME
from web.metadata import metadata

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from types import FrameType

    from alerts.config import Alerts

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Datasette settings (https://docs.datasette.io/en/0.65.x/settings.html): a query that
# runs longer than 1.5 s is cut off; no page returns more than 1000 rows; the .db file
# itself cannot be downloaded (it holds the outbox and the runs' bookkeeping).
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 1500,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 400,
    "facet_suggest_time_limit_ms": 100,
    "num_sql_threads": 3,
    "max_csv_mb": 50,
    "allow_download": False,
    "default_allow_sql": True,  # read-only SQL, time-limited: journalists may ask anything
}


class ServeError(RuntimeError):
    """The archive cannot be served (the message says why)."""


def register_plugin() -> None:
    """Load nianbao's plugin into Datasette's plugin manager (once per process).

    Datasette 0.65 prints every error, a 400 too, as a rich traceback with locals when
    rich is installed (a clone has it: import-linter needs it): about a second on the
    event loop per error, during which no one else is answered. Without rich it prints
    only the traceback of a 500.
    """
    # imported here: importing it before datasette.plugins would register it half-made
    from datasette import handle_exception as datasette_errors

    datasette_errors.rich = None
    if not pm.is_registered(plugin):
        pm.register(plugin, name=NAME)


def site_metadata(alerts: Alerts, deadlines: Deadlines) -> dict[str, Any]:
    """The archive's metadata plus the plugin's settings (nothing secret: no channels)."""
    meta = copy.deepcopy(metadata(alerts, deadlines))
    meta.setdefault("plugins", {})[NAME] = {
        "database": alerts.database,
        "datasette_url": alerts.datasette_url,
    }
    return meta


def build(root: Path, alerts: Alerts, deadlines: Deadlines | None = None) -> Datasette:
    """A Datasette serving the archive in ``root`` as ``alerts.database``.

    ``alerts`` gives the database's name and the links' base (no channel is read);
    ``deadlines`` when reports are due (the ``coverage`` query).

    :raises ServeError: when ``root`` holds no archive, a damaged one (saying how to
        restore it), or one whose schema is older.
    """
    path = root / DB_NAME
    if not path.is_file():
        raise ServeError(f"no archive in {root} (run `nianbao crawl` first)")
    db = connect(path, readonly=True)
    try:
        pending = [m.name for m in migrations.pending(db)]
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise ServeError(corrupt_message(path, str(exc), "reading it")) from exc
        raise
    finally:
        db.conn.close()
    if (
        pending
    ):  # serving never writes: the views of the canned queries would be missing
        raise ServeError(
            f"the archive in {root} needs upgrading ({', '.join(pending)}): "
            f"run `nianbao process --data {root}` once"
        )
    register_plugin()
    datasette = Datasette(
        [str(path)],
        metadata=site_metadata(alerts, deadlines or Deadlines()),
        settings=SETTINGS,
    )
    name = alerts.database
    if name != path.stem:  # links in alerts point at /{database}/reports/{id}
        database = datasette.databases[path.stem]
        datasette.remove_database(path.stem)
        datasette.add_database(database, name=name)
    return datasette


async def _check(datasette: Datasette, name: str) -> int:
    await datasette.invoke_startup()
    result = await datasette.get_database(name).execute("SELECT count(*) FROM reports")
    return int(result.first()[0])


def serve(
    root: Path, alerts: Alerts, deadlines: Deadlines, host: str, port: int
) -> None:
    """Serve the archive until Ctrl-C or SIGTERM (uvicorn stops gracefully on both)."""
    datasette = build(root, alerts, deadlines)
    name = alerts.database
    try:
        reports = asyncio.run(_check(datasette, name))
    except Exception as exc:  # the boundary: a broken or foreign file
        damaged = isinstance(exc, sqlite3.Error) and is_corruption(exc)
        raise ServeError(
            corrupt_message(root / DB_NAME, str(exc), "reading it")
            if damaged
            else f"cannot read {root / DB_NAME}: {exc}"
        ) from exc
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"nianbao serve: http://{shown}:{port}/{name} ({reports} reports, read-only); "
        "Ctrl-C to stop"
    )
    server = uvicorn.Config(
        datasette.app(),
        host=host,
        port=port,
        log_level="info",
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    _Server(server).run()
    click.echo("nianbao serve: stopped")


class _Server(uvicorn.Server):
    """uvicorn, stopped by Ctrl-C or SIGTERM with exit status 0.

    uvicorn itself re-raises the signal once it has shut down, which ends the process
    "killed by SIGTERM" (or with a KeyboardInterrupt) instead of finishing the command.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._stop) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:  # a second Ctrl-C: do not wait for open connections
            self.force_exit = True
        self.should_exit = True
