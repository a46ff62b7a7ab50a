"""The replica's command group: ``python -m replica …``, and ``nianbao replica …`` from a clone.

The ``nianbao`` command line finds this group through the ``nianbao.commands`` entry
point (``pyproject.toml``); the installed product never imports the replica.
Start-up output is a protocol: the first line of ``serve`` says
``listening on http://127.0.0.1:PORT`` (``app/standin.py`` waits for it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from replica.catalog import MAX_EPOCH

if TYPE_CHECKING:
    from replica.fleet import Fleet

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_PORT = 8765
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EPOCH = click.option(
    "--epoch",
    type=click.IntRange(1, MAX_EPOCH),
    default=1,
    show_default=True,
    help="Which night to serve: 1 is the baseline; from 2 on, one report is new, one edited, "
    "one PDF re-saved and one removed.",
)


CASEBOOK = click.option(
    "--casebook",
    is_flag=True,
    help="Also the casebook's hosts (www.linqu.gov.cn, www.zhucheng.gov.cn): scanned "
    "reports and planted copies (replica/casebook.py).",
)


FLEET_HOSTS = click.option(
    "--fleet",
    type=click.IntRange(0, 99_999),
    default=0,
    show_default=True,
    metavar="N",
    help="Also serve N county portals www.fleet0001.gov.cn … (replica/fleet.py), "
    "for crawls of many sources on many hosts.",
)
FLEET_COLUMNS = click.option(
    "--fleet-columns",
    type=click.IntRange(1, 12),
    default=10,
    show_default=True,
    help="Report columns (sources) per fleet host.",
)
FLEET_YEARS = click.option(
    "--fleet-years",
    type=click.IntRange(1, 7),
    default=2,
    show_default=True,
    help="Reports per fleet column (the years up to 2025).",
)


@click.group(context_settings=CONTEXT)
@click.option(
    "-v", "--verbose", is_flag=True, help="Log every request the replica answers."
)
def replica(verbose: bool) -> None:
    """The local replica of the real government sites (tests, benchmarks, demo)."""
    if verbose:
        logging.getLogger("replica").setLevel(logging.DEBUG)
        if not logging.root.handlers:
            logging.basicConfig(format=LOG_FORMAT)


@replica.command("serve", context_settings=CONTEXT)
@click.option(
    "--port",
    type=int,
    default=DEFAULT_PORT,
    show_default=True,
    help="Loopback port to listen on (0 picks a free one).",
)
@EPOCH
@click.option(
    "--scale",
    type=click.IntRange(1, 50),
    default=1,
    show_default=True,
    help="Serve this many times as many bodies (for benchmarks).",
)
@click.option(
    "--bench",
    is_flag=True,
    help="The benchmark mix: mostly PDFs of 10–60 pages, then DOCX, then HTML.",
)
@CASEBOOK
@FLEET_HOSTS
@FLEET_COLUMNS
@FLEET_YEARS
@click.option(
    "--latency",
    type=click.IntRange(0, 60_000),
    default=0,
    show_default=True,
    metavar="MS",
    help="Wait this long before each answer to a site, as a distant server would.",
)
def serve(
    port: int,
    epoch: int,
    scale: int,
    bench: bool,
    casebook: bool,
    fleet: int,
    fleet_columns: int,
    fleet_years: int,
    latency: int,
) -> None:
    """Serve the replica sites on 127.0.0.1 as an HTTP proxy until Ctrl-C.

    \b
    Example:
      nianbao replica serve --port 8765 --epoch 1
      curl -x http://127.0.0.1:8765 http://www.wip.gov.cn/col/col151610/index.html
      nianbao replica serve --fleet 1000 --latency 300   # 10,000 more sources
      nianbao replica serve --casebook                    # + scans and planted copies
    """
    from replica.catalog import catalog
    from replica.corpus import Profile, set_profile
    from replica.server import ReplicaServer

    started = time.monotonic()
    set_profile(Profile(scale=scale, bench=bench, casebook=casebook))
    server = ReplicaServer(
        epoch,
        port=port,
        fleet=_fleet(fleet, fleet_columns, fleet_years) if fleet else None,
        latency=latency / 1000,
    )

    async def run() -> None:
        try:
            await server.start()
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on 127.0.0.1:{port}: {exc.strerror}"
            ) from exc
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        sites = catalog(epoch).sites
        more = f" + a fleet of {fleet} hosts" if fleet else ""
        slow = f", answering after {latency} ms" if latency else ""
        click.echo(
            f"replica: night {epoch}, {len(sites)} sites{more}, listening on "
            f"http://127.0.0.1:{server.port}{slow} "
            f"(ready in {time.monotonic() - started:.1f} s)"
        )
        click.echo(
            f"  use it as a proxy: curl -x http://127.0.0.1:{server.port} http://www.wip.gov.cn/"
        )
        click.echo(
            f"  manifest:          http://127.0.0.1:{server.port}/_replica/manifest"
        )
        serving = asyncio.create_task(server.serve_forever())
        await stop.wait()
        serving.cancel()
        click.echo("replica: stopped")

    asyncio.run(run())


@replica.command("fleet-sources", context_settings=CONTEXT)
@click.option(
    "--fleet",
    type=click.IntRange(1, 99_999),
    required=True,
    metavar="N",
    help="The fleet's hosts (as given to `serve --fleet`).",
)
@FLEET_COLUMNS
@FLEET_YEARS
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the registry here (e.g. DATA/sources.toml) instead of printing it.",
)
def fleet_sources(
    fleet: int, fleet_columns: int, fleet_years: int, output: str | None
) -> None:
    """Print the registry of a fleet: one source per report column (TRS, HTML reports).

    \b
    Example: 10,000 sources on 1,000 hosts, 300 ms away
      nianbao replica serve --port 8765 --fleet 1000 --latency 300 &
      nianbao replica fleet-sources --fleet 1000 -o ./fleet-data/sources.toml
      nianbao crawl --proxy http://127.0.0.1:8765 --data ./fleet-data --source 'fleet*'
    """
    text = _fleet(fleet, fleet_columns, fleet_years).sources_toml()
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{fleet * fleet_columns} sources written to {output}")
    else:
        click.echo(text, nl=False)


def _fleet(hosts: int, columns: int, years: int) -> Fleet:
    from replica.fleet import Fleet

    return Fleet(hosts, columns, years)


@replica.command("manifest", context_settings=CONTEXT)
@EPOCH
@click.option(
    "--tables", is_flag=True, help="Include each synthetic report's table figures."
)
@CASEBOOK
def manifest(epoch: int, tables: bool, casebook: bool) -> None:
    """Print every report the replica publishes on a night, one JSON object per line.

    Each line gives the site, body, year, template, defects and every file
    (URL, role, format, SHA-256). It is the ground truth for recall/precision tests.
    With --casebook, the casebook's reports say too whether they are ``scanned``
    (defects, dpi, format, what the scanner did), a planted copy (``copy_of``: the
    source, neighbour or last_year, what changed) or a control pair
    (``template_only_with``).

    \b
    Example:
      nianbao replica manifest --epoch 2 > manifest-2.jsonl
      nianbao replica manifest --casebook --tables | grep '"casebook": true'
    """
    from replica.catalog import catalog

    _casebook_profile(casebook)
    for entry in catalog(epoch).manifest(tables=tables):
        click.echo(json.dumps(entry, ensure_ascii=False))


@replica.command("check", context_settings=CONTEXT)
@EPOCH
@CASEBOOK
def check(epoch: int, casebook: bool) -> None:
    """Start the replica and fetch every manifest file through it, checking status and hash.

    \b
    Example:
      nianbao replica check --epoch 2
    """
    from replica.check import check_replica
    from replica.server import ReplicaThread

    _casebook_profile(casebook)
    server = ReplicaThread(epoch).start()
    try:
        result = check_replica(server.proxy, epoch)
    finally:
        server.stop()
    click.echo(result.summary())
    if not result.ok:
        raise click.ClickException(
            "the replica does not serve its own manifest correctly"
        )


@replica.command("casebook-sources", context_settings=CONTEXT)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the registry here (e.g. DATA/sources.toml) instead of printing it.",
)
def casebook_sources(output: str | None) -> None:
    """Print the registry of the casebook's hosts: one TRS source per host.

    \b
    Example: crawl the scans and the planted copies
      nianbao replica serve --port 8765 --casebook &
      nianbao replica casebook-sources -o ./casebook-data/sources.toml
      nianbao crawl --proxy http://127.0.0.1:8765 --data ./casebook-data --source 'casebook-*'
    """
    from replica.casebook import sources_toml

    text = sources_toml()
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{text.count('[[source]]')} sources written to {output}")
    else:
        click.echo(text, nl=False)


def _casebook_profile(casebook: bool) -> None:
    if casebook:
        from replica.corpus import Profile, set_profile

        set_profile(Profile(casebook=True))


def main() -> None:
    """``python -m replica``: the group on its own, logging to stderr."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    replica(prog_name="python -m replica")
