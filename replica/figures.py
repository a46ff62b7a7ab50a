"""Deterministic, internally consistent table figures for synthetic reports.

A body's years are drawn in order so that the cross-year identities hold too:
year N's 上年结转 equals year N−1's 结转下年度, and the 2021 template's 现行有效件数
moves by 制发 − 废止. Every identity of ``docs/report-format.md`` holds unless a
defect breaks it on purpose (:func:`unbalance`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from replica.model import Figures
from replica.templates import (
    APPEAL_BLOCKS,
    APPEAL_COLUMNS,
    APPLICANT_KEYS,
    application_row_keys,
    outcome_keys,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from replica.templates import Table, Value

# Yearly applications received, by level (min, max).
APPLICATIONS = {"county": (40, 260), "department": (0, 24), "town": (0, 6)}
# How results are usually distributed (relative weights).
OUTCOME_WEIGHTS = {
    "granted": 40,
    "partly_granted": 9,
    "withheld_state_secret": 1,
    "withheld_third_party": 2,
    "withheld_internal_affairs": 3,
    "withheld_process_info": 3,
    "withheld_query_matter": 1,
    "unavailable_not_held": 26,
    "unavailable_needs_creation": 3,
    "unavailable_unclear": 2,
    "not_processed_petition": 3,
    "not_processed_repeat": 3,
    "not_processed_publication": 1,
    "not_processed_confirmation": 1,
    "other_no_correction": 2,
    "other_misc": 2,
    "other": 4,
}


@dataclass(slots=True)
class BodyState:
    """What one year hands to the next for the same body."""

    carried: dict[str, int] = field(default_factory=dict)
    in_force: int = 0
    items: dict[str, int] = field(default_factory=dict)


def figure_series(
    body_level: str, years: Iterable[tuple[int, str]], seed: str
) -> dict[int, Figures]:
    """Figures for each (year, template) of one body, in year order.

    Free-form years get figures too (their prose quotes them) but no tables.
    """
    rng = random.Random(seed)
    state = BodyState(in_force=_initial_in_force(rng, body_level))
    out: dict[int, Figures] = {}
    for year, template in sorted(years):
        table_template = "2019" if template == "free" else template
        applications = _applications(rng, body_level, table_template, state)
        active = (
            _active_2021(rng, body_level, state)
            if table_template == "2021"
            else _active_2019(rng, body_level, state)
        )
        out[year] = Figures(
            active=active, applications=applications, appeals=_appeals(rng, body_level)
        )
    return out


def _initial_in_force(rng: random.Random, level: str) -> int:
    return {"county": rng.randint(30, 90), "department": rng.randint(2, 12), "town": 0}[
        level
    ]


def _split(rng: random.Random, total: int, weights: dict[str, int]) -> dict[str, int]:
    """Spread ``total`` units over the keys of ``weights``, one unit at a time."""
    keys = list(weights)
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=[weights[k] for k in keys], k=total):
        counts[key] += 1
    return counts


def _applications(
    rng: random.Random, level: str, template: str, state: BodyState
) -> dict[str, dict[str, int | float | None]]:
    lo, hi = APPLICATIONS[level]
    received = _split(
        rng,
        rng.randint(lo, hi),
        {
            "natural_person": 88,
            "commercial": 7,
            "research": 1,
            "nonprofit": 1,
            "legal_service": 2,
            "other_org": 1,
        },
    )
    outcomes = outcome_keys(template)
    weights = {k: OUTCOME_WEIGHTS.get(k, 1) for k in outcomes}
    table: dict[str, dict[str, int | float | None]] = {
        k: {} for k in application_row_keys(template)
    }
    for column in APPLICANT_KEYS:
        new = received[column]
        old = state.carried.get(column, 0)
        forward = rng.randint(0, (new + old) // 12) if level == "county" else 0
        handled = _split(rng, new + old - forward, weights)
        table["new_received"][column] = new
        table["carried_over"][column] = old
        for key in outcomes:
            table[key][column] = handled[key]
        table["total_handled"][column] = sum(handled.values())
        table["carried_forward"][column] = forward
        state.carried[column] = forward
    for row in table.values():
        row["total"] = sum(int(row[c] or 0) for c in APPLICANT_KEYS)
    return table


def _scaled(
    rng: random.Random, level: str, county: tuple[int, int], other: tuple[int, int]
) -> int:
    lo, hi = county if level == "county" else other
    return (
        rng.randint(lo, hi)
        if level != "town"
        else rng.randint(0, max(0, other[1] // 10))
    )


def _fees(rng: random.Random, level: str) -> float:
    if level == "town":
        return 0.0
    top = 20000 if level == "county" else 600
    return round(rng.uniform(0, top), 2)


def _active_2021(
    rng: random.Random, level: str, state: BodyState
) -> dict[str, dict[str, int | float | None]]:
    issued = _scaled(rng, level, (3, 25), (0, 5))
    repealed = min(state.in_force, _scaled(rng, level, (0, 8), (0, 2)))
    state.in_force += issued - repealed
    return {
        "regulations": {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {
            "issued": issued,
            "repealed": repealed,
            "in_force": state.in_force,
        },
        "licensing": {"decisions": _scaled(rng, level, (800, 30000), (0, 600))},
        "penalty": {"decisions": _scaled(rng, level, (100, 2000), (0, 80))},
        "coercion": {"decisions": _scaled(rng, level, (0, 60), (0, 3))},
        "fees": {"amount_10k_yuan": _fees(rng, level)},
    }


def _items(
    rng: random.Random, level: str, state: BodyState, key: str, span: tuple[int, int]
) -> dict[str, int | float | None]:
    """上一年项目数量 and 本年增/减 for one 2019-template row."""
    previous = state.items.setdefault(key, _scaled(rng, level, span, (0, span[1] // 8)))
    change = rng.randint(-min(3, previous), 4) if previous else rng.randint(0, 2)
    state.items[key] = previous + change
    return {"prev_items": previous, "change": change}


def _active_2019(
    rng: random.Random, level: str, state: BodyState
) -> dict[str, dict[str, int | float | None]]:
    made = _scaled(rng, level, (3, 25), (0, 5))
    state.in_force += made
    return {
        "regulations": {"new_made": 0, "new_published": 0, "total_published": 0},
        "normative_documents": {
            "new_made": made,
            "new_published": made,
            "total_published": state.in_force,
        },
        "licensing": {
            **_items(rng, level, state, "licensing", (60, 400)),
            "decisions": _scaled(rng, level, (800, 30000), (0, 600)),
        },
        "other_services": {
            **_items(rng, level, state, "other_services", (20, 120)),
            "decisions": _scaled(rng, level, (100, 5000), (0, 200)),
        },
        "penalty": {
            **_items(rng, level, state, "penalty", (200, 1500)),
            "decisions": _scaled(rng, level, (100, 2000), (0, 80)),
        },
        "coercion": {
            **_items(rng, level, state, "coercion", (10, 60)),
            "decisions": _scaled(rng, level, (0, 60), (0, 3)),
        },
        "fees": _items(rng, level, state, "fees", (5, 40)),
        "procurement": {
            "projects": _scaled(rng, level, (10, 200), (0, 12)),
            "amount": round(rng.uniform(0, 90000), 2) if level == "county" else 0.0,
        },
    }


def _appeals(
    rng: random.Random, level: str
) -> dict[str, dict[str, int | float | None]]:
    top = {"county": (6, 4, 2), "department": (1, 1, 0), "town": (0, 0, 0)}[level]
    table: dict[str, dict[str, int | float | None]] = {}
    for (block, _), most in zip(APPEAL_BLOCKS, top, strict=True):
        parts = _split(
            rng,
            rng.randint(0, most),
            {"upheld": 5, "corrected": 1, "other": 2, "pending": 2},
        )
        table[block] = {key: parts[key] for key, _ in APPEAL_COLUMNS if key != "total"}
        table[block]["total"] = sum(parts.values())
    return table


def unbalance(figures: Figures, extra: int = 6) -> Figures:
    """Break the balance the way the real Pingtan 2020 report does: a 总计 that does
    not equal its result rows (so balance and the handled sum both fail)."""
    applications = {
        row: dict(cells) for row, cells in (figures.applications or {}).items()
    }
    for column in ("natural_person", "total"):
        applications["total_handled"][column] = (
            int(applications["total_handled"][column] or 0) + extra
        )
    return Figures(
        active=figures.active, applications=applications, appeals=figures.appeals
    )


def blank_zeros(figures: Figures) -> Figures:
    """Print every 0 as an empty cell (a blank means null, not 0, to a reader)."""

    def blank(table: Table | None) -> dict[str, dict[str, Value]] | None:
        if table is None:
            return None
        return {
            r: {c: (None if v == 0 else v) for c, v in cells.items()}
            for r, cells in table.items()
        }

    return Figures(
        active=blank(figures.active),
        applications=blank(figures.applications),
        appeals=blank(figures.appeals),
    )
