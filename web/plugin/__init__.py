"""nianbao's Datasette plugin: the hooks, and the feed; originals and the chart have
their own modules.

Routes: ``/-/original/<sha256>`` (an archived file, always as a download; see
``originals.py``), ``/-/chart?body=…`` or ``?region=…`` (applications and their
outcomes per year; see ``chart.py``) and ``/-/feed.atom``. Settings come from the
``plugins: {"nianbao": {"database": …, "datasette_url": …}}`` metadata; the blobs are
found next to the database file (``DATA/archive.db`` → ``DATA/blobs``). What one request
may take (value, heap and result sizes; GET only) is ``limits.py``'s.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from alerts.config import Alerts
from alerts.feed import feed_xml
from web.chart import chart
from web.common import NAME, _database_name, _run, _settings
from web.compare import compare
from web.excel import excel_csv
from web.limits import limit_connection, read_only, too_big_message
from web.metadata import metadata
from web.originals import evidence, original
from web.queries import COLUMN_LABELS, VALUE_LABELS
from web.report import report_page
from web.search import search_page
from web.similar import similar_section

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Awaitable

    from datasette.app import Datasette
    from datasette.utils.asgi import Request

ORIGINAL_CELL = re.compile(r"/-/original/[0-9a-f]{64}")
CHART_CELL = re.compile(r"/-/chart\?(body|region)=([^\s\"'<>&]+)")


# ---------------------------------------------------------------- feed and hooks


async def feed(request: Request, datasette: Datasette) -> Response:
    """The Atom feed of new and changed reports (the same bytes as ``DATA/feed.atom``)."""
    settings = _settings(datasette)
    alerts = Alerts(
        datasette_url=str(settings.get("datasette_url") or Alerts().datasette_url),
        database=_database_name(datasette),
    )
    data = await _run(datasette, lambda db: feed_xml(db, alerts))
    return Response(data, content_type="application/atom+xml; charset=utf-8")


async def old_search(request: Request, datasette: Datasette) -> Response:
    """``/archive/search?q=…`` (the canned query of earlier versions, in bookmarks and
    old alerts) now lives at ``/-/search``."""
    if request.url_vars["database"] != _database_name(datasette):
        return Response.text("Not found", status=404)
    target = "/-/search" + (request.url_vars.get("format") or "")
    query = f"?{request.query_string}" if request.query_string else ""
    return Response.redirect(datasette.urls.path(target) + query)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/original/(?P<sha256>[^/]*)$", original),
        (r"^/-/evidence/(?P<report>[^/]*)\.zip$", evidence),
        (r"^/-/chart$", chart),
        (r"^/-/search(\.(?P<format>json|csv))?$", search_page),
        (r"^/(?P<database>[^/]+)/search(?P<format>\.json|\.csv)?$", old_search),
        (r"^/-/compare$", compare),
        (r"^/-/feed\.atom$", feed),
    ]


@hookimpl
def render_cell(value: Any, column: str, datasette: Datasette) -> Markup | str | None:
    """``/-/original/…``, ``/-/chart?…`` and ``/archive/reports/<id>`` values become links;
    keys a journalist would read (level, status, template…) are shown in Chinese."""
    if not isinstance(value, str):
        return None
    label = VALUE_LABELS.get(column, {}).get(value)
    if label is not None:
        return label
    if ORIGINAL_CELL.fullmatch(value):
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(value), value)
    report = f"/{_database_name(datasette)}/reports/"
    if value.startswith(report) and value[len(report) :].isdigit():
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(value), value)
    chart_link = CHART_CELL.fullmatch(value)
    if chart_link:  # a query may give the name as it is: encode it ("+" or "#" in it)
        key, subject = chart_link.group(1), unquote(chart_link.group(2))
        href = datasette.urls.path(f"/-/chart?{urlencode({key: subject})}")
        return Markup('<a href="{}">图表：{}</a>').format(href, subject)
    if re.fullmatch(r"/-/compare\?(version_)?a=[0-9]+&(version_)?b=[0-9]+", value):
        return Markup('<a href="{}">逐项对比</a>').format(datasette.urls.path(value))
    return None


@hookimpl
def extra_template_vars(
    view_name: str,
    database: str | None,
    table: str | None,
    request: Request | None,
    datasette: Datasette,
) -> Any:
    """The report page's data, for ``templates/row.html`` (its 雷同 section from
    ``web/similar.py``), on a report's row page; the columns' and values' Chinese
    labels for ``query.html`` and ``_facet_results.html``."""
    if view_name != "row" or table != "reports" or request is None:
        # a canned query's page is a "table" view too; facets are on table views
        return {"nianbao_labels": COLUMN_LABELS, "nianbao_values": VALUE_LABELS}
    if database != _database_name(datasette):
        return None
    key = str(request.url_vars.get("pks", ""))

    async def inner() -> dict[str, Any]:
        if not key.isdigit() or len(key) > 18:
            return {}
        page = await _run(datasette, lambda db: report_page(db, int(key)))
        if page is None:
            return {}
        similar = await _run(datasette, lambda db: similar_section(db, int(key)))
        return {"nianbao_report": page, "nianbao_similar": similar}

    return inner


@hookimpl
def get_metadata(datasette: Datasette) -> dict[str, Any]:
    """The archive's descriptions and canned queries when Datasette runs without
    ``nianbao serve`` (``datasette DATA/archive.db``, the plugin found through its
    entry point); ``nianbao serve`` passes them itself, with its configuration."""
    local = getattr(datasette, "_metadata_local", None) or {}
    if NAME in (local.get("plugins") or {}) or "archive" not in datasette.databases:
        return {}
    cached = getattr(datasette, "_nianbao_metadata", None)
    if cached is None:
        cached = metadata(Alerts())
        datasette._nianbao_metadata = cached
    return cached


@hookimpl
def menu_links(datasette: Datasette) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path("/-/search"), "label": "搜索年报"},
        {"href": datasette.urls.path("/-/chart"), "label": "申请与办理结果图表"},
        {"href": datasette.urls.path("/-/feed.atom"), "label": "订阅新年报（Atom）"},
    ]


@hookimpl
def prepare_connection(
    conn: sqlite3.Connection, database: str, datasette: Datasette
) -> None:
    """Every connection gets the value, heap and result limits (``web/limits.py``);
    every connection to the archive is query-only, even one Datasette opens to write."""
    limit_connection(conn)
    if database == _database_name(datasette):
        conn.execute("PRAGMA query_only = 1")


@hookimpl
def asgi_wrapper() -> Any:
    """Nothing but GET and HEAD reaches Datasette (a POST got a 500 from 0.65); a CSV
    asked for with ``_bom=1`` gets the BOM Excel needs (``web/excel.py``)."""
    return lambda app: read_only(excel_csv(app))


@hookimpl
def handle_exception(
    datasette: Datasette, request: Request, exception: BaseException
) -> Awaitable[Response] | None:
    """A query stopped by a limit is the user's to change: 400 and what to do, not 500."""
    message = too_big_message(exception)
    return None if message is None else _error_page(datasette, request, message)


async def _error_page(datasette: Datasette, request: Request, message: str) -> Response:
    info = {
        "ok": False,
        "error": message,
        "status": 400,
        "title": "查询太大 Query too large",
    }
    if request.path.endswith(".json"):
        return Response.json(info, status=400)
    template = datasette.jinja_env.select_template(["400.html", "error.html"])
    context = {
        **info,
        "urls": datasette.urls,
        "app_css_hash": datasette.app_css_hash(),
        "menu_links": list,
    }
    return Response.html(await template.render_async(context), status=400)
