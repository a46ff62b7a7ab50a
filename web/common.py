"""What the plugin's modules share: its name, its settings, the archive's database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datasette.utils import sqlite_timelimit
from sqlite_utils import Database

if TYPE_CHECKING:
    import sqlite3

    from datasette.app import Datasette

NAME = "nianbao"
CHART_LIMIT_MS = 5000  # one chart may read many reports' figures


def _settings(datasette: Datasette) -> dict[str, Any]:
    return datasette.plugin_config(NAME) or {}


def _database_name(datasette: Datasette) -> str:
    return str(_settings(datasette).get("database") or "archive")


async def _run(datasette: Datasette, fn: Any) -> Any:
    """``fn(Database)`` on a read connection of the archive, under a time limit."""

    def call(conn: sqlite3.Connection) -> Any:
        with sqlite_timelimit(conn, CHART_LIMIT_MS):
            return fn(Database(conn, recursive_triggers=False))

    return await datasette.get_database(_database_name(datasette)).execute_fn(call)
