"""``scrapy crawl <family> -a source=ID``: one family's spider, run as ``nianbao crawl`` runs it.

Scrapy's own ``crawl`` would construct the spider with only the ``-a`` arguments; a
nianbao spider also needs its run (the run id, the documents the archive already
knows, the list pages read before), and a run needs its ending (text hashes,
processing, events, alerts). So this command builds the same plan as
``nianbao crawl --source ID`` and runs it through the same code (``app.crawl``), into
the default archive (``$NIANBAO_DATA`` or ``./nianbao-data``) unless ``-a data=DIR``.

Arguments (``-a NAME=VALUE``): ``source`` (required; several separated by commas),
``replica=1`` and ``epoch=N`` (the local replica on night N), ``proxy=URL``,
``polite=1|0``, ``data=DIR``, ``config=FILE``. A missing or wrong one gets one line
saying what is missing, and exit status 2.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click
from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.settings import SETTINGS_PRIORITIES

from app.cli import REPLICA_EPOCHS, configure_logging
from app.config import ConfigError, data_dir, load_config
from app.crawl import (
    EXIT_DISK_FULL,
    crawl_plan,
    replica_proxy,
    run_crawl,
    summary_table,
)
from app.diskspace import DiskFull
from app.standin import ReplicaUnavailable
from archive.db import ArchiveLocked
from archive.integrity import ArchiveCorrupt
from crawler.registry import RegistryError, Source, load_registry

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from scrapy.settings import BaseSettings

ARGUMENTS = ("source", "replica", "epoch", "proxy", "polite", "data", "config")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
USAGE_ERROR = 2


class Missing(ValueError):
    """What the command line lacks, in one line."""


class Command(ScrapyCrawl):
    """Scrapy's ``crawl`` with nianbao's run around the spider."""

    requires_crawler_process = False  # the run makes its own CrawlerProcess

    def short_desc(self) -> str:
        return "Crawl one source with its family's spider into the archive (as `nianbao crawl`)"

    def long_desc(self) -> str:
        return (
            "Run a family's spider on sources of the registry into the archive, with the "
            "same run as `nianbao crawl --source ID`. Arguments: -a source=ID[,ID…] "
            "(required), -a replica=1 -a epoch=N (the local replica), -a proxy=URL, "
            "-a polite=1|0, -a data=DIR, -a config=FILE."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        configure_logging(verbose=False)
        try:
            plan_args = self._plan_args(args, opts)
        except Missing as exc:
            click.echo(f"scrapy crawl: {exc}", err=True)
            self.exitcode = USAGE_ERROR
            return
        self.exitcode = self._crawl(*plan_args)

    def _plan_args(
        self, args: list[str], opts: argparse.Namespace
    ) -> tuple[list[Source], dict[str, Any]]:
        if len(args) != 1:
            raise Missing("give one spider: scrapy crawl <family> -a source=ID")
        if opts.output or opts.overwrite_output:
            raise Missing("-o/-O are not supported: the crawl writes the archive")
        family, spargs = args[0], dict(opts.spargs)
        unknown = sorted(set(spargs) - set(ARGUMENTS))
        if unknown:
            raise Missing(
                f"unknown argument -a {unknown[0]}=…; expected {', '.join(ARGUMENTS)}"
            )
        options = {
            "data": spargs.get("data"),
            "config": spargs.get("config"),
            "proxy": spargs.get("proxy"),
            "replica": _flag(spargs, "replica") or False,
            "epoch": _epoch(spargs.get("epoch", "1")),
            "polite": _flag(spargs, "polite"),
        }
        if options["replica"] and options["proxy"]:
            raise Missing("use either -a replica=1 or -a proxy=URL, not both")
        data = data_dir(spargs.get("data"))
        try:
            user = load_config(data, spargs.get("config")).user_registry(data)
        except ConfigError as exc:
            raise Missing(str(exc)) from exc
        return _sources(family, spargs.get("source", ""), user), options

    def _crawl(self, sources: list[Source], options: dict[str, Any]) -> int:
        data = data_dir(options["data"])
        try:
            config = load_config(data, options["config"])
            with replica_proxy(options["epoch"] if options["replica"] else None) as at:
                plan = crawl_plan(
                    data,
                    sources,
                    config,
                    proxy=options["proxy"],
                    replica=at,
                    epoch=options["epoch"],
                    polite=options["polite"],
                    overrides=_overrides(self.settings),
                )
                click.echo(
                    f"crawling {len(sources)} sources ({plan.target}) into {plan.data}"
                )
                result = run_crawl(plan)
        except (ConfigError, ArchiveLocked, ArchiveCorrupt, ReplicaUnavailable) as exc:
            click.echo(f"scrapy crawl: {exc}", err=True)
            return 1
        except DiskFull as exc:
            click.echo(f"scrapy crawl: {exc}", err=True)
            return EXIT_DISK_FULL
        click.echo(summary_table(result))
        sys.stdout.flush()
        return result.exit_code


def _sources(family: str, given: str, user: Path) -> list[Source]:
    try:
        registry = load_registry(user=user)
    except RegistryError as exc:
        raise Missing(str(exc)) from exc
    families = sorted({s.family for s in registry})
    if family not in families:
        raise Missing(
            f"no spider named {family!r}; `scrapy list` shows them: {', '.join(families)}"
        )
    mine = sorted(s.id for s in registry if s.family == family)
    ids = [i.strip() for i in given.split(",") if i.strip()]
    if not ids:
        raise Missing(f"{family} needs -a source=ID, one of: {', '.join(mine)}")
    known = {s.id: s for s in registry}
    for source_id in ids:
        if source_id not in known:
            raise Missing(
                f"unknown source {source_id!r}; sources of {family}: {', '.join(mine)}"
            )
        other = known[source_id].family
        if other != family:
            raise Missing(
                f"source {source_id!r} is crawled by the {other} spider: "
                f"scrapy crawl {other} -a source={source_id}"
            )
    return [known[i] for i in ids]


def _flag(spargs: dict[str, str], name: str) -> bool | None:
    value = spargs.get(name)
    if value is None:
        return None
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise Missing(f"-a {name} must be 1 or 0, got {value!r}")


def _epoch(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= REPLICA_EPOCHS:
        raise Missing(
            f"-a epoch must be a night from 1 to {REPLICA_EPOCHS}, got {value!r}"
        )
    return int(value)


def _overrides(settings: BaseSettings | None) -> dict[str, Any]:
    """The ``-s NAME=VALUE`` settings given on the command line."""
    if settings is None:
        return {}
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    return {
        name: settings[name]
        for name in settings
        if settings.getpriority(name) == cmdline
    }
