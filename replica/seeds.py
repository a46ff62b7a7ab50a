"""Turn the five seed texts (real reports, extracted to text) back into reports.

The seeds' prose is kept; their tables come from ``data/seeds/seeds.yaml`` (the
figures read off the text by hand), so the replica can re-publish a seed as HTML,
PDF or DOCX with proper tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from replica.model import Figures, Section
from replica.templates import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPEAL_BLOCKS,
    APPEAL_COLUMNS,
    APPLICANT_COLUMNS,
    application_row_keys,
)

SEED_DIR = Path(__file__).parent / "data" / "seeds"
HEADING = re.compile(r"^[一二三四五六七八九十]、")
BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
TABLE_SECTIONS = {"二": "active", "三": "applications", "四": "appeals"}


@dataclass(frozen=True, slots=True)
class SeedText:
    """A seed report's words: heading lines, intro paragraphs and sections."""

    template: str
    heading: tuple[str, ...]
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    figures: Figures

    @property
    def title(self) -> str:
        return _tidy_title("".join(self.heading))


def _tidy_title(text: str) -> str:
    """Drop the extraction's spaces around numbers: '人民政府 2021 年' → '人民政府2021年'."""
    return re.sub(r"\s+", "", text)


@cache
def _meta() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (SEED_DIR / "seeds.yaml").read_text(encoding="utf-8")
    )
    return loaded


def seed_ids() -> tuple[str, ...]:
    """The seed files the replica knows."""
    return tuple(_meta())


def _clean_lines(text: str, fixes: dict[str, str]) -> list[str]:
    for wrong, right in fixes.items():
        text = text.replace(wrong, right)
    lines = []
    for raw in text.splitlines():
        if "\t" in raw:  # a table row of the extraction; tables come from seeds.yaml
            continue
        line = BOOKMARK.sub("", raw).strip()
        line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
        if line:
            lines.append(line)
    return lines


def _sections(lines: list[str]) -> tuple[list[str], list[Section]]:
    """Split lines into intro paragraphs and numbered sections."""
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        if HEADING.match(line):
            sections.append((line, []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    out = []
    for heading, body in sections:
        table = TABLE_SECTIONS.get(heading[0])
        if table:
            # Inside table sections the extraction left only cell fragments; a
            # short line right after a heading cut at "…情" is the heading's own tail ("况").
            if body and heading.endswith("情") and len(body[0]) <= 2:
                heading += body[0]
            out.append(Section(heading, (), table))  # type: ignore[arg-type]
        else:
            out.append(Section(heading, tuple(body)))
    return intro, out


def _zero_filled(template: str, given: dict[str, Any]) -> Figures:
    blocks = ACTIVE_2021 if template == "2021" else ACTIVE_2019
    active = {
        row: {col: 0 for col, _ in block.columns}
        for block in blocks
        for row, _ in block.rows
    }
    applications = {
        row: {col: 0 for col, _ in APPLICANT_COLUMNS}
        for row in application_row_keys(template)
    }
    appeals = {
        block: {col: 0 for col, _ in APPEAL_COLUMNS} for block, _ in APPEAL_BLOCKS
    }
    for name, table in (
        ("active", active),
        ("applications", applications),
        ("appeals", appeals),
    ):
        for row, cells in (given.get(name) or {}).items():
            if row not in table:
                raise ValueError(
                    f"seeds.yaml: {name} has no row {row!r} in the {template} template"
                )
            table[row].update(cells)
    return Figures(active=active, applications=applications, appeals=appeals)


@cache
def load_seed(seed_id: str) -> SeedText:
    """Read one seed: its text from ``<id>.txt`` and its figures from seeds.yaml."""
    meta = _meta()[seed_id]
    lines = _clean_lines(
        (SEED_DIR / f"{seed_id}.txt").read_text(encoding="utf-8"), meta["fix_names"]
    )
    heading: list[str] = []
    while (
        lines
        and not lines[0].startswith(("根据", "为进一步", "本报告"))
        and not HEADING.match(lines[0])
    ):
        heading.append(lines.pop(0))
    intro, sections = _sections(lines)
    template = str(meta["template"])
    return SeedText(
        template=template,
        heading=tuple(heading),
        intro=tuple(intro),
        sections=tuple(sections),
        figures=_zero_filled(template, meta.get("figures") or {}),
    )
