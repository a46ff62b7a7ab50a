"""The ``nianbao`` command line: one click group, thin commands."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from importlib.metadata import version

import click

from app.config import DEFAULT_REPLICA_PORT
from replica.catalog import MAX_EPOCH, catalog
from replica.check import check_replica
from replica.server import ReplicaServer, ReplicaThread

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EPOCH = click.option(
    "--epoch",
    type=click.IntRange(1, MAX_EPOCH),
    default=1,
    show_default=True,
    help="Which night to serve: 1 is the baseline; from 2 on, one report is new, one edited, "
    "one PDF re-saved and one removed.",
)


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.group(context_settings=CONTEXT)
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


@cli.group(context_settings=CONTEXT)
def replica() -> None:
    """The local replica of the real government sites (tests, benchmarks, demo)."""


@replica.command("serve", context_settings=CONTEXT)
@click.option(
    "--port",
    type=int,
    default=DEFAULT_REPLICA_PORT,
    show_default=True,
    help="Loopback port to listen on (0 picks a free one).",
)
@EPOCH
def replica_serve(port: int, epoch: int) -> None:
    """Serve the replica sites on 127.0.0.1 as an HTTP proxy until Ctrl-C.

    \b
    Example:
      nianbao replica serve --port 8765 --epoch 1
      curl -x http://127.0.0.1:8765 http://www.wip.gov.cn/col/col151610/index.html
    """
    started = time.monotonic()
    server = ReplicaServer(epoch, port=port)

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
        click.echo(
            f"replica: night {epoch}, {len(sites)} sites, listening on http://127.0.0.1:{server.port} "
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


@replica.command("manifest", context_settings=CONTEXT)
@EPOCH
@click.option(
    "--tables", is_flag=True, help="Include each synthetic report's table figures."
)
def replica_manifest(epoch: int, tables: bool) -> None:
    """Print every report the replica publishes on a night, one JSON object per line.

    Each line gives the site, body, year, template, defects and every file
    (URL, role, format, SHA-256). It is the ground truth for recall/precision tests.

    \b
    Example:
      nianbao replica manifest --epoch 2 > manifest-2.jsonl
    """
    for entry in catalog(epoch).manifest(tables=tables):
        click.echo(json.dumps(entry, ensure_ascii=False))


@replica.command("check", context_settings=CONTEXT)
@EPOCH
def replica_check(epoch: int) -> None:
    """Start the replica and fetch every manifest file through it, checking status and hash.

    \b
    Example:
      nianbao replica check --epoch 2
    """
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


@cli.command(context_settings=CONTEXT)
def demo() -> None:
    """Run nianbao end to end against the local replica (no network needed).

    \b
    Example:
      nianbao demo
    """
    started = time.monotonic()
    server = ReplicaThread(1).start()
    click.echo(
        f"replica: {len(catalog(1).sites)} government sites served locally at {server.proxy}"
    )
    try:
        result = check_replica(server.proxy, 1)
    finally:
        server.stop()
    click.echo(result.summary())
    if not result.ok:
        raise click.ClickException("the replica is broken; see the lines above")
    click.echo(f"demo finished in {time.monotonic() - started:.1f} s.")
    click.echo(
        "Next: the crawler (`nianbao crawl --replica`) is not built yet; "
        "until it is, the demo checks the replica it will crawl."
    )
