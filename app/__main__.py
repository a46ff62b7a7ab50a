"""``python -m app`` runs the nianbao command line."""

from app.cli import cli

cli()
