"""The ``nianbao`` command line: one click group, thin commands."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
from importlib.metadata import EntryPoint, entry_points, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from app.config import (
    Config,
    ConfigError,
    data_dir,
    load_config,
)
from archive.db import ArchiveLocked, CrawlLock, open_archive
from archive.runs import latest_events
from crawler.registry import (
    FAMILIES,
    LEVELS,
    RegistryError,
    load_registry,
    select,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.add import Scouted
    from archive.db import Archive

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
REPLICA_EPOCHS = 99  # the replica serves nights 1–99 (replica.catalog.MAX_EPOCH)
EPOCH = click.option(
    "--epoch",
    type=click.IntRange(1, REPLICA_EPOCHS),
    default=1,
    show_default=True,
    help="Which night to serve: 1 is the baseline; from 2 on, one report is new, one edited, "
    "one PDF re-saved and one removed.",
)

DATA = click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False),
    default=None,
    help="Archive directory [default: $NIANBAO_DATA or ./nianbao-data].",
)

CONFIG = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file [default: $NIANBAO_CONFIG, else DATA/nianbao.toml if present].",
)


@contextlib.contextmanager
def _crawl_lock(root: Path, note: str) -> Iterator[None]:
    """The archive's crawl lock, without opening (or migrating) the archive."""
    if not (root / "archive.db").exists():
        raise click.ClickException(f"no archive in {root} (run `nianbao crawl` first)")
    lock = CrawlLock(root)
    try:
        lock.acquire(note)
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def locked_archive(root: Path, note: str) -> Iterator[Archive]:
    """The archive in ``root``, opened under its crawl lock (one writer at a time)."""
    with _crawl_lock(root, note):
        archive = open_archive(root)
        try:
            yield archive
        finally:
            archive.close()


QUIET_LOGGERS = (
    "scrapy",
    "scrapy-playwright",
    "scrapy_playwright",
    "asyncio",
    "playwright",
    "twisted",
    "py.warnings",
)


class _Quiet(logging.Filter):
    """Libraries speak only from WARNING up; nianbao's own loggers from INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        noisy = record.name.split(".")[0] in QUIET_LOGGERS
        return record.levelno >= (logging.WARNING if noisy else logging.INFO)


def configure_logging(verbose: bool) -> None:
    """One handler on stderr; Scrapy is told not to install its own."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    if not verbose:
        handler.addFilter(_Quiet())
    logging.root.handlers[:] = [handler]
    logging.root.setLevel(logging.DEBUG if verbose else logging.INFO)


PLUGINS = "nianbao.commands"  # entry point group: commands a clone adds (the replica)


def _plugins() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=PLUGINS)}


def _unavailable(name: str, exc: ImportError) -> click.Command:
    """Stands for a plug-in command whose code is not installed (the replica: a clone only)."""

    def fail() -> None:
        raise click.ClickException(
            f"`nianbao {name}` is not available in this installation ({exc}); "
            "it comes with a clone of the nianbao repository"
        )

    return click.Command(
        name,
        callback=fail,
        help=f"Not installed: {exc}. It comes with a clone of the nianbao repository.",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


class NianbaoGroup(click.Group):
    """The top group: its own commands, plus those of the ``nianbao.commands`` entry points.

    A plug-in is imported only when it is used (or help lists it), so the product
    never imports the replica on its own.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        plugin = _plugins().get(cmd_name)
        if command is not None or plugin is None:
            return command
        try:
            loaded = plugin.load()
        except ImportError as exc:
            return _unavailable(cmd_name, exc)
        return loaded if isinstance(loaded, click.Command) else None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a wrong setting (a ``NIANBAO_*`` variable) is said in one
        line, not as a traceback."""
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=NianbaoGroup, context_settings=CONTEXT)
@click.version_option(version("nianbao"), "-V", "--version", prog_name="nianbao")
@click.option(
    "-v", "--verbose", is_flag=True, help="Log debug messages (every replica request)."
)
def cli(verbose: bool) -> None:
    """nianbao (年报) watches Chinese government sites for their yearly
    open-government-information reports (政府信息公开工作年度报告).

    Start with `nianbao demo`; `nianbao COMMAND -h` explains each command.
    """
    configure_logging(verbose)


@cli.command(context_settings=CONTEXT)
@click.option(
    "--source",
    "source_ids",
    multiple=True,
    metavar="ID",
    help="Crawl only this source (repeatable); default: every source of the registry.",
)
@DATA
@click.option(
    "--replica", is_flag=True, help="Crawl the local replica instead of the real sites."
)
@EPOCH
@click.option(
    "--proxy",
    metavar="URL",
    help="Send every request through this HTTP proxy "
    "(e.g. a replica started with `nianbao replica serve`).",
)
@CONFIG
@click.option(
    "--polite/--no-polite",
    default=None,
    help="Delay and throttle per host [default: on for real sites, off for the replica].",
)
@click.option(
    "--verify-days",
    type=click.IntRange(0, 365),
    default=None,
    metavar="N",
    help="Ask again for a report still listed at least once in N days (its turn, "
    "or sooner: a recent report, a changed list entry); 0: every night "
    "[default: 7 when polite, else 0].",
)
@click.option(
    "--family",
    type=click.Choice(FAMILIES),
    default=None,
    help="Read every source with this family's spider instead of its own "
    "(e.g. generic: the reader for sites no family knows).",
)
@click.option(
    "--redis",
    metavar="URL",
    help="Crawl with workers sharing this Redis (redis://HOST:PORT/DB) as their "
    "frontier; this process ingests. See README, Scaling out.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=2,
    show_default=True,
    help="With --redis: workers to start on this machine (more may join with "
    "`nianbao worker`).",
)
def crawl(
    source_ids: tuple[str, ...],
    data: str | None,
    replica: bool,
    epoch: int,
    proxy: str | None,
    config: str | None,
    polite: bool | None,
    verify_days: int | None,
    family: str | None,
    redis: str | None,
    workers: int,
) -> None:
    """Crawl the sources' report columns into the archive, and record what changed.

    Exit status: 0 complete, 3 partial (some fetches failed, or the crawl stopped
    early), 4 failed (no source could be listed), 5 interrupted (Ctrl-C, SIGTERM),
    6 disk full, 7 Redis unavailable (with --redis), 1 on an error (e.g. another
    crawl holds the archive).

    \b
    Example:
      nianbao crawl --replica --epoch 1 --data ./nianbao-data
      nianbao crawl --source wip --source anqiu
      nianbao crawl --replica --family generic     # the generic reader on every site
      nianbao crawl --redis redis://127.0.0.1:6379/0 --workers 4
    """
    from app.crawl import (
        EXIT_DISK_FULL,
        crawl_plan,
        replica_proxy,
        run_crawl,
        summary_table,
    )
    from app.diskspace import DiskFull
    from app.distributed import EXIT_REDIS, RedisUnavailable
    from app.standin import ReplicaUnavailable
    from archive.integrity import ArchiveCorrupt

    if replica and proxy:
        raise click.UsageError("use either --replica or --proxy, not both")
    try:
        settings = load_config(data_dir(data), config)
        registry = load_registry(user=settings.user_registry(data_dir(data)))
        sources = select(registry, source_ids)
        if family:
            sources = [dataclasses.replace(s, family=family) for s in sources]
    except (ConfigError, RegistryError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        with replica_proxy(epoch if replica else None) as standin:
            plan = crawl_plan(
                data_dir(data),
                sources,
                settings,
                proxy=proxy,
                replica=standin,
                epoch=epoch,
                polite=polite,
                redis=redis,
                workers=workers,
                verify_days=verify_days,
            )
            click.echo(
                f"crawling {len(sources)} sources ({plan.target}) into {plan.data}"
            )
            result = run_crawl(plan)
    except (ArchiveLocked, ArchiveCorrupt, ReplicaUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except RedisUnavailable as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_REDIS)
    except DiskFull as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_DISK_FULL)
    click.echo(summary_table(result))
    sys.exit(result.exit_code)


@cli.command(context_settings=CONTEXT)
@click.option("--redis", metavar="URL", required=True, help="The run's Redis.")
@click.option(
    "--run", "run_id", type=int, required=True, help="The run to work for (its id)."
)
@DATA
@click.option(
    "--seed",
    is_flag=True,
    help="Ask for the sources' first pages (one worker of a run does; "
    "`nianbao crawl --redis` tells its first local worker to).",
)
def worker(redis: str, run_id: int, data: str | None, seed: bool) -> None:
    """Crawl for a distributed run until its coordinator says it is done.

    `nianbao crawl --redis URL` is the coordinator: it starts its own workers and
    ingests what every worker fetched. Start more on other machines with the same
    Redis and the same data directory (the blob store is shared; only the
    coordinator writes the archive's database).

    Exit status: 0 done, 3 a spider stopped early, 5 interrupted, 7 Redis
    unavailable, 1 no such run.

    \b
    Example:
      nianbao worker --redis redis://10.0.0.5:6379/0 --run 42 --data /mnt/nianbao
    """
    from app.distributed import EXIT_REDIS, RedisUnavailable, run_worker

    try:
        sys.exit(run_worker(redis, run_id, data_dir(data), seed=seed))
    except RedisUnavailable as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_REDIS)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command(context_settings=CONTEXT)
@DATA
@click.option(
    "--check",
    is_flag=True,
    help="Also say, per source, its last complete listing, the items it listed and "
    "its health (from the archive).",
)
@CONFIG
def sources(data: str | None, check: bool, config: str | None) -> None:
    """List the sources: the shipped registry (crawler/sites/*.toml) and yours
    (DATA/sources.toml, or the config's [sources] file; `nianbao add` writes it).

    \b
    Example:
      nianbao sources
      nianbao sources --check --data ./nianbao-data
    """
    root = data_dir(data)
    try:
        registry = load_registry(user=load_config(root, config).user_registry(root))
    except (ConfigError, RegistryError) as exc:
        raise click.ClickException(str(exc)) from exc
    if check:
        from app.show import source_health

        click.echo(source_health(root, registry))
        return
    click.echo(
        f"{'id':<9} {'family':<9} {'level':<10} {'evidence':<10} body / start URL"
    )
    for s in registry:
        click.echo(f"{s.id:<9} {s.family:<9} {s.level:<10} {s.evidence:<10} {s.body}")
        for url in s.start_urls:
            click.echo(f"{'':<41} {url}")


@cli.command(context_settings=CONTEXT)
@click.argument("url")
@DATA
@click.option(
    "--id",
    "source_id",
    help="The source's id [default: from the host, e.g. www.abc.gov.cn → abc].",
)
@click.option(
    "--name", help="The body whose reports these are [default: the site's name]."
)
@click.option("--region", default="", help="Its region, e.g. 山东省威海市.")
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="county",
    show_default=True,
    help="Its level.",
)
@click.option(
    "--family",
    type=click.Choice(FAMILIES),
    help="Its site family [default: detected from the page; generic if none fits].",
)
@click.option("--proxy", metavar="URL", help="Fetch through this HTTP proxy.")
@click.option("--dry-run", is_flag=True, help="Only show what it would crawl.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object per report found: title, url, year, body.",
)
@CONFIG
def add(
    url: str,
    data: str | None,
    source_id: str | None,
    name: str | None,
    region: str,
    level: str,
    family: str | None,
    proxy: str | None,
    dry_run: bool,
    as_json: bool,
    config: str | None,
) -> None:
    """Follow a district: detect its site, find its report column, list what it
    would crawl, and (unless --dry-run) add it to your sources (DATA/sources.toml,
    or the config's [sources] file).

    URL is the report column, or the site's home or 政府信息公开 page (the column is
    looked for up to four clicks deep). No report is downloaded: the reports are listed
    from the column as a crawl reads it. Exit status 1 when no report is found.

    \b
    Example:
      nianbao add http://www.example.gov.cn/zwgk/xxgknb/ --name 某某县人民政府
      nianbao add http://www.example.gov.cn/ --dry-run --json
    """
    from app.add import AddError, add_source, scout

    root = data_dir(data)
    try:
        settings = load_config(root, config)
        found = scout(
            url,
            settings,
            proxy=proxy,
            family=family,
            name=name,
            region=region,
            level=level,
            source_id=source_id,
        )
    except (AddError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        for report in found.reports:
            click.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _show_scouting(found)
    if not found.reports:
        raise click.ClickException(
            f"no report found from {url} ({len(found.pages)} list pages read): "
            "give the report column's URL, or another --family"
        )
    if dry_run:
        return
    try:
        path = add_source(settings.user_registry(root), found.source)
    except AddError as exc:
        raise click.ClickException(str(exc)) from exc
    if not as_json:
        click.echo(
            f"added source {found.source.id} to {path}: nianbao crawl --source {found.source.id}"
        )


def _show_scouting(found: Scouted) -> None:
    how = found.detection.line() if found.detection else "none recognised"
    click.echo(f"family: {found.source.family} (detected: {how})")
    click.echo(f"body: {found.source.body}; list pages read: {len(found.pages)}")
    for page in found.pages[:10]:
        click.echo(f"  {page}")
    click.echo(f"reports found: {len(found.reports)}")
    for report in found.reports:
        click.echo(
            f"  {report.year or '????'}  {report.body}  {report.title}  {report.url}"
        )


@cli.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def parse(file: Path, as_json: bool) -> None:
    """Parse one report file (HTML, PDF, DOCX, DOC/WPS or text; the format is sniffed).

    Prints the report's title, body, year, template, its three standard tables and
    the consistency checks. With --json: the shape documented in the README. The file
    is read in a worker process with the crawl's limits (NIANBAO_PARSE_TIMEOUT,
    NIANBAO_PARSE_MEMORY_MB): a hostile file ends with an error, not a hang.

    \b
    Example:
      nianbao parse report.pdf
      nianbao parse report.html --json
    """
    from app.process import ParseFailed, parse_isolated

    try:
        parsed = parse_isolated(file)
    except ParseFailed as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    if as_json:
        click.echo(json.dumps(parsed.as_json(), ensure_ascii=False, indent=2))
        return
    from app.show import parsed_summary

    click.echo(parsed_summary(parsed))


@cli.command(context_settings=CONTEXT)
@DATA
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Re-derive every version, not only those never parsed or parsed by an older processor.",
)
def process(data: str | None, everything: bool) -> None:
    """Derive identity, tables, checks and searchable text from the archived files.

    Crawls do this for their new versions; run it after upgrading nianbao (versions
    parsed by an older processor are redone) or with --all to redo everything.

    \b
    Example:
      nianbao process --data ./nianbao-data
      nianbao process --all
    """
    from app.process import process_versions

    root = data_dir(data)
    with locked_archive(root, "process") as archive:
        summary = process_versions(archive, everything=everything)
    click.echo(summary.line())


class _StageProgress:
    """``similar: signatures 1200 of 5000`` on stderr, at most every 2 seconds."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.last = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if done == total or time.monotonic() - self.last >= 2:
            self.last = time.monotonic()
            click.echo(f"{self.command}: {stage} {done} of {total}", err=True)


@cli.command(context_settings=CONTEXT)
@DATA
@CONFIG
@click.option(
    "--rebuild",
    is_flag=True,
    help="Recompute everything, not only the reports whose text changed.",
)
def similar(data: str | None, config: str | None, rebuild: bool) -> None:
    """Find reports that copy each other (雷同): a body's report pasted from its
    earlier year, or another body's report under a new name, with the figures changed.

    Compares each report's own text (without the template's and the law's phrases
    and the sentences many bodies print) with the reports that LSH makes its
    candidates, and records its most similar earlier report of the same body and
    report of another body (the `similar` query and the report page show them; a
    channel that lists the `copied` kind is told of a new copy). Crawls and
    `nianbao process` do this for the reports whose text changed; --rebuild
    recomputes everything (minutes per 100,000 reports; progress on stderr).

    \b
    Example:
      nianbao similar --data ./nianbao-data
      nianbao similar --rebuild
    """
    from archive.similarity import copied_pairs, update_similarity

    root = data_dir(data)
    settings = _alert_settings(root, config)
    with locked_archive(root, "similar") as archive:
        done = update_similarity(
            archive.db, rebuild=rebuild, progress=_StageProgress("similar")
        )
        pairs = copied_pairs(archive.db, settings.alerts.copied_similarity)
    click.echo(done.line())
    threshold = settings.alerts.copied_similarity
    click.echo(
        f"{len(pairs)} pairs of reports of different bodies at least {threshold:.0%}"
        f" similar (alerts.copied_similarity){':' if pairs else ''}"
    )
    for pair in pairs[:20]:
        click.echo(f"  {pair.line()}")
    if len(pairs) > 20:
        click.echo(f"  … and {len(pairs) - 20} more (the `similar` query lists them)")


@cli.command(context_settings=CONTEXT)
@DATA
@CONFIG
@click.option(
    "--once", is_flag=True, help="Run one cycle now and exit with the crawl's status."
)
def schedule(data: str | None, config: str | None, once: bool) -> None:
    """Run the crawl on the cron schedule of the configuration, one subprocess per cycle.

    [schedule] in the config gives cron (5 fields, or 6 with seconds first), timezone,
    misfire_grace_hours and crawl_args. The job is kept in DATA/scheduler.db, so a run
    missed while the scheduler was down happens once when it comes back. A cycle is
    skipped, with the reason logged, while another crawl holds the archive. Ctrl-C or
    SIGTERM stops it and lets a running crawl finish (a second one kills the crawl).

    \b
    Example:
      nianbao schedule --data ./nianbao-data
      nianbao schedule --once
    """
    from app.schedule import SchedulerRunning, run_once, serve

    root = data_dir(data).resolve()
    try:
        settings = load_config(root, config)
        if once:
            sys.exit(run_once(root, settings))
        serve(root, settings)
    except (ConfigError, SchedulerRunning) as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command(context_settings=CONTEXT)
@DATA
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8001,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every interface).",
)
@CONFIG
def serve(data: str | None, port: int, host: str, config: str | None) -> None:
    """Open the archive to journalists in Datasette, read-only, until Ctrl-C.

    Search every report (/-/search?q=复议), compare a body's figures over the
    years, download the original files; heavy SQL is cut off after 1.5 s. Safe while
    a crawl writes the archive.

    \b
    Example:
      nianbao serve --data ./nianbao-data --port 8001
    """
    from web.serve import ServeError
    from web.serve import serve as run_datasette

    root = data_dir(data)
    try:
        settings = load_config(root, config)
        run_datasette(root, settings.alerts, settings.deadlines, host, port)
    except (ConfigError, ServeError) as exc:
        raise click.ClickException(str(exc)) from exc


def _failing_checks(root: Path) -> list[str]:
    from archive.db import DB_NAME, connect
    from archive.derived import failing_checks

    db = connect(root / DB_NAME, readonly=True)
    try:
        return failing_checks(db) or ["(none)"]
    finally:
        db.conn.close()


def fresh_demo_archive(data: Path) -> None:
    """Start the demo from an empty archive, but never wipe one that crawled real sites."""
    db = data / "archive.db"
    if not db.exists():
        return
    with sqlite3.connect(db) as conn:
        real = conn.execute(
            "SELECT COUNT(*) FROM runs WHERE target NOT LIKE 'replica%'"
        ).fetchone()[0]
    if real:
        raise click.ClickException(
            f"{data} holds an archive of real crawls; give the demo another --data"
        )
    shutil.rmtree(data)


@cli.command(context_settings=CONTEXT)
@click.option(
    "--data",
    "data",
    type=click.Path(file_okay=False),
    default="nianbao-demo",
    show_default=True,
    help="Where the demo's archive goes (kept apart from your real archive).",
)
def demo(data: str) -> None:
    """Run nianbao end to end against the local replica (no network needed).

    Crawls night 1 of the replica (every report is new), then night 2 (one new
    report, one silently edited, one PDF re-saved), and shows what was found.

    \b
    Example:
      nianbao demo
    """
    started = time.monotonic()
    fresh_demo_archive(Path(data))
    for night in (1, 2):
        click.echo(
            f"\n== night {night}: nianbao crawl --replica --epoch {night} --data {data}"
        )
        done = subprocess.run(  # noqa: S603 -- a fresh process per crawl: the reactor cannot restart
            [
                sys.executable,
                "-m",
                "app",
                "crawl",
                "--replica",
                "--epoch",
                str(night),
                "--data",
                data,
            ],
            check=False,
        )
        if done.returncode not in (0, 3):
            raise click.ClickException(
                f"the night {night} crawl failed (exit status {done.returncode})"
            )
    click.echo("\n== what night 2 found")
    for line in latest_events(data_dir(data)):
        click.echo(f"  {line}")
    click.echo("\n== reports whose figures do not add up (勾稽关系)")
    for line in _failing_checks(data_dir(data)):
        click.echo(f"  {line}")
    click.echo(
        f"\ndemo finished in {time.monotonic() - started:.0f} s; the archive is in {data}/archive.db"
    )
    click.echo(
        f"Next, in the nianbao folder: python3 -m uv run nianbao serve --data {data}, then open"
        " http://127.0.0.1:8001/-/search?q=复议 (search, open a report, compare its"
        " years, download its evidence);"
        f" python3 -m uv run nianbao alerts list --data {data} (the outbox);"
        f" {data}/feed.atom (the feed)."
        " After `source .venv/bin/activate`, plain `nianbao …` works too."
    )


@cli.group(context_settings=CONTEXT)
def alerts() -> None:
    """Alerts: deliver the outbox, test the channels, list what was queued and sent."""


def _alert_settings(root: Path, given: str | None) -> Config:
    try:
        return load_config(root, given)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


NO_CHANNELS = (
    "no alert channels configured: add [[alerts.channels]] to the config file "
    "or set NIANBAO_ALERTS (apprise URLs separated by spaces)"
)


@alerts.command("send", context_settings=CONTEXT)
@DATA
@CONFIG
def alerts_send(data: str | None, config: str | None) -> None:
    """Deliver every alert that is due; failed deliveries are retried with backoff.

    Every crawl run delivers its alerts by itself; this retries what failed then.
    Exit status 1 if a channel failed.

    \b
    Example:
      nianbao alerts send --data ./nianbao-data
    """
    from alerts.delivery import deliver

    root = data_dir(data)
    settings = _alert_settings(root, config)
    if not settings.alerts.channels:
        click.echo(NO_CHANNELS)
    with locked_archive(root, "alerts send") as archive:
        summary = deliver(archive.db, settings.alerts)
    click.echo(summary.line())
    if not summary.ok:
        sys.exit(1)


@alerts.command("test", context_settings=CONTEXT)
@DATA
@CONFIG
def alerts_test(data: str | None, config: str | None) -> None:
    """Send a sample message to every configured channel and say which got it.

    Exit status 1 if a channel did not take it.

    \b
    Example:
      nianbao alerts test
      NIANBAO_ALERTS="json://127.0.0.1:9000/hook" nianbao alerts test
    """
    from alerts.delivery import send_test

    results = send_test(_alert_settings(data_dir(data), config).alerts)
    if not results:
        raise click.ClickException(NO_CHANNELS)
    for name, sent in results.items():
        click.echo(f"{name}: {'sent' if sent.ok else f'FAILED: {sent.error}'}")
    if not all(sent.ok for sent in results.values()):
        sys.exit(1)


@alerts.command("list", context_settings=CONTEXT)
@DATA
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Show this many of the newest messages.",
)
def alerts_list(data: str | None, limit: int) -> None:
    """Show the outbox, newest first: each message and where it stands per channel.

    \b
    Example:
      nianbao alerts list --limit 50
    """
    from alerts.outbox import outbox_rows
    from archive.db import DB_NAME, connect

    root = data_dir(data)
    if not (root / DB_NAME).exists():
        raise click.ClickException(f"no archive in {root} (run `nianbao crawl` first)")
    db = connect(root / DB_NAME, readonly=True)
    try:
        rows = outbox_rows(db, limit) if db["outbox"].exists() else []
    finally:
        db.conn.close()
    if not rows:
        click.echo("the outbox is empty")
    for row in rows:
        click.echo(f"{row.id:>6}  {row.created[:19]}  {row.kind:<12} {row.title}")
        if not row.deliveries:
            click.echo(f"{'':>8}(no channel subscribed)")
        for d in row.deliveries:
            detail = f"{d.status}, {d.attempts} attempt{'s' if d.attempts != 1 else ''}"
            if d.status == "pending" and d.next_attempt:
                detail += f", next {d.next_attempt[:19]}"
            if d.status != "sent" and d.error:
                detail += f": {d.error}"
            click.echo(f"{'':>8}{d.channel}: {detail}")


# ---------------------------------------------------------------- backups (issue 11)


def _report_missing(missing: tuple[str, ...] | None) -> None:
    """Name the blobs a database references but DATA/blobs lacks; exit status 1."""
    if not missing:
        return
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    click.echo(
        f"{len(missing)} referenced blob(s) missing from the blob store: {shown}"
    )
    sys.exit(1)


@cli.command(context_settings=CONTEXT)
@DATA
def backup(data: str | None) -> None:
    """Back up the archive database now, into DATA/backups (the newest 7 are kept).

    Crawls back up by themselves after each complete run. A backup is one SQLite file,
    copied online (nianbao serve may go on reading) and checked with quick_check;
    with DATA/blobs, where files are never deleted, it is the whole archive. Refused
    while a crawl runs. Exit status 1 if a file the archive references is missing.

    \b
    Example:
      nianbao backup --data ./nianbao-data
    """
    from archive.backup import BackupError, backup_archive, newest_run
    from archive.integrity import ArchiveCorrupt

    root = data_dir(data)
    started = time.monotonic()
    with _crawl_lock(root, "backup"):
        try:
            made = backup_archive(root, newest_run(root))
        except (ArchiveCorrupt, BackupError) as exc:
            raise click.ClickException(str(exc)) from exc
    size = made.path.stat().st_size / 1e6
    click.echo(
        f"backed up {root / 'archive.db'} to {made.path} ({size:.1f} MB, "
        f"{time.monotonic() - started:.1f} s): {made.line()}"
    )
    _report_missing(made.missing_blobs)


@cli.command(context_settings=CONTEXT)
@DATA
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The backup to restore [default: the newest in DATA/backups].",
)
@click.option(
    "--list",
    "listing",
    is_flag=True,
    help="List the backups, newest first; restore nothing.",
)
def restore(data: str | None, source: Path | None, listing: bool) -> None:
    """Replace the archive database by a backup: the newest, or the one --from names.

    For a damaged archive (a crawl stops on one and says so). Refused while a crawl
    runs. The backup is checked before and after; the database it replaces is kept as
    DATA/archive.db.corrupt-<time> (.replaced-<time> if it was sound). Runs after the
    backup are gone from the database (their files stay in DATA/blobs): the next crawl
    finds their reports and changes again. Restart a running nianbao serve afterwards.

    \b
    Example:
      nianbao restore --list --data ./nianbao-data
      nianbao restore --data ./nianbao-data
      nianbao restore --from ./nianbao-data/backups/archive-20250203T020512Z-run41.db
    """
    from archive.backup import BackupError, restore_archive
    from archive.integrity import ArchiveCorrupt

    root = data_dir(data)
    if listing:
        _list_backups(root)
        return
    try:
        done = restore_archive(root, source)
    except (ArchiveLocked, ArchiveCorrupt, BackupError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {root / 'archive.db'} from {done.source}: {done.snapshot.line()}"
    )
    if done.aside is not None:
        why = (
            f"quick_check: {done.replaced_problem}"
            if done.replaced_problem
            else "sound"
        )
        click.echo(f"the database it replaced is kept as {done.aside} ({why})")
    click.echo("restart `nianbao serve` if it is running: it still reads the old file")
    _report_missing(done.snapshot.missing_blobs)


def _list_backups(root: Path) -> None:
    from archive.backup import BackupError, snapshot
    from archive.integrity import backups

    found = backups(root)
    if not found:
        click.echo(f"no backup in {root / 'backups'} (`nianbao backup` makes one)")
    for path in found:
        try:
            line = snapshot(path, root, check_blobs=False).line()
        except BackupError as exc:
            line = f"UNREADABLE: {exc}"
        click.echo(f"{path.name}  {path.stat().st_size / 1e6:.1f} MB  {line}")


# ---------------------------------------------------------------- evidence, exports (issue 13)


class NotInArchive(click.ClickException):
    """A report, URL or run the archive does not have: one line, exit status 2."""

    exit_code = 2


OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (replaced if it exists; written whole or not at all).",
)


@contextlib.contextmanager
def _reading(root: Path) -> Iterator[sqlite3.Connection]:
    """The archive's database, read-only (a crawl may go on writing it)."""
    from archive.db import DB_NAME, connect

    if not (root / DB_NAME).exists():
        raise click.ClickException(f"no archive in {root} (run `nianbao crawl` first)")
    conn = connect(root / DB_NAME, readonly=True).conn
    try:
        yield conn
    finally:
        conn.close()


def _writable(target: Path) -> Path:
    if not target.parent.is_dir():
        raise click.ClickException(f"{target.parent} is not a directory")
    return target


@cli.command(context_settings=CONTEXT)
@click.argument("report", metavar="REPORT_ID|URL")
@DATA
@OUTPUT
def evidence(report: str, data: str | None, output: Path | None) -> None:
    """Write one report's evidence to cite, as a zip: every version of its files as
    archived, provenance.json (every capture: URLs, redirects, status, headers, times,
    run, SHA-256), captures.warc.gz (the same captures as WARC records), SHA256SUMS
    and a README.txt in Chinese saying how to check the hashes.

    REPORT_ID is the report's id (reports.id, as in /archive/reports/<id>); a URL is
    that of one of its files or of its page, as captured. The zip is named for the
    report, in the current directory, unless -o says otherwise. Exit status 2 for an
    unknown id or URL.

    \b
    Example:
      nianbao evidence 92 --data ./nianbao-data
      nianbao evidence http://www.anqiu.gov.cn/xxgk/XXGK/XXGKNB/zjnb/202301/P020230124201769781002.pdf
    """
    from archive.db import BLOB_DIR
    from archive.evidence import (
        AmbiguousURL,
        EvidenceError,
        ReportNotFound,
        evidence_file_name,
        find_report,
        write_evidence,
    )
    from archive.export import atomic_output

    root = data_dir(data)
    with _reading(root) as conn:
        try:
            report_id = find_report(conn, report)
            body, year = conn.execute(
                "SELECT body, year FROM reports WHERE id = ?", (report_id,)
            ).fetchone()
            target = _writable(output or Path(evidence_file_name(body, year)))
            with atomic_output(target) as out:
                summary = write_evidence(conn, root / BLOB_DIR, report_id, out)
        except (ReportNotFound, AmbiguousURL) as exc:
            raise NotInArchive(str(exc)) from exc
        except (EvidenceError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {target}: {summary.line()}")


class _Progress:
    """``export: 1200 of 5000 captures`` on stderr, at most every 2 seconds."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if done == total or time.monotonic() - self.last >= 2:
            self.last = time.monotonic()
            click.echo(f"export: {done} of {total} captures", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("fmt", metavar="warc|wacz", type=click.Choice(["warc", "wacz"]))
@click.option(
    "--run",
    type=click.IntRange(1),
    default=None,
    help="Only the captures of this run [default: every run].",
)
@DATA
@OUTPUT
def export(fmt: str, run: int | None, data: str | None, output: Path | None) -> None:
    """Write the archive's captures for replay tools (ReplayWeb.page, pywb): a gzipped
    WARC, or a WACZ (the WARC with its index, page list and hashes).

    Every capture becomes a request, a response (with the archived bytes) and a
    metadata record. Default file: nianbao-captures.warc.gz / .wacz (nianbao-runN…
    with --run) in the current directory. Progress goes to stderr; Ctrl-C leaves no
    half-written file.

    \b
    Example:
      nianbao export wacz --data ./nianbao-data
      nianbao export warc --run 41 -o run41.warc.gz
    """
    from archive.db import BLOB_DIR
    from archive.export import atomic_output, write_wacz, write_warc
    from archive.warc import WarcError

    root = data_dir(data)
    stem = f"nianbao-run{run}" if run is not None else "nianbao-captures"
    target = _writable(
        output or Path(f"{stem}.{'warc.gz' if fmt == 'warc' else 'wacz'}")
    )
    with _reading(root) as conn:
        if (
            run is not None
            and not conn.execute("SELECT 1 FROM runs WHERE id = ?", (run,)).fetchone()
        ):
            raise NotInArchive(f"no run {run} in the archive")
        try:
            with atomic_output(target) as out:
                if fmt == "warc":
                    summary = write_warc(
                        conn, root / BLOB_DIR, out, run=run, progress=_Progress()
                    )
                else:
                    summary = write_wacz(
                        conn,
                        root / BLOB_DIR,
                        out,
                        run=run,
                        progress=_Progress(),
                        scratch=target.parent,
                    )
        except (WarcError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {target}: {summary.line()}")
