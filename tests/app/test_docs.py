"""Every command has help with an example and is in the README; CI runs the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from app.cli import cli

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(
    group: click.Group, prefix: str = "nianbao"
) -> list[tuple[str, click.Command]]:
    out = []
    context = click.Context(group)
    for name in group.list_commands(context):  # plug-in commands (the replica) too
        command = group.get_command(context, name)
        assert command is not None, name
        path = f"{prefix} {name}"
        out.append((path, command))
        if isinstance(command, click.Group):
            out += _commands(command, path)
    return out


COMMANDS = _commands(cli)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_answers_dash_h_and_shows_an_example(
    path: str, command: click.Command
) -> None:
    result = CliRunner().invoke(cli, [*path.split()[1:], "-h"], prog_name="nianbao")
    assert result.exit_code == 0, result.output
    assert "Usage: nianbao" in result.output
    if not isinstance(command, click.Group):
        assert "Example:" in result.output
        assert path in result.output


@pytest.mark.parametrize(
    "path", [p for p, c in COMMANDS if not isinstance(c, click.Group)]
)
def test_every_command_is_in_the_readme(path: str) -> None:
    assert f"`{path}" in README


def test_ci_runs_exactly_the_readmes_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    setup_and_run, setup_and_test = blocks[0], blocks[1]
    assert (
        setup_and_run == "bash scripts/bootstrap.sh && python3 -m uv run nianbao demo"
    )
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == setup_and_test


def test_version_option() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"nianbao, version \d+\.\d+\.\d+\n", result.output)
