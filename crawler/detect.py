"""Which site family a page belongs to, from its fingerprints, with how sure and why.

Each family spider says how much a page looks like its own (``detect``: URL shapes,
meta tags, scripts, markup); the family with the highest confidence wins, and below
:data:`THRESHOLD` no family is claimed (the generic spider takes the source).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from crawler.registry import FAMILIES
from crawler.spiders.base import ReportSpider

THRESHOLD = 0.5  # below: no family claims the page


@dataclass(frozen=True, slots=True)
class Detection:
    """A family's claim on a page: how sure (0–1) and the evidence it saw."""

    family: str
    confidence: float
    evidence: tuple[str, ...] = field(default=())

    def line(self) -> str:
        return f"{self.family} ({self.confidence:.2f}: {'; '.join(self.evidence)})"


@dataclass(frozen=True, slots=True)
class Page:
    """What detection looks at: the page's URL and its decoded HTML."""

    url: str
    html: str


def spider_class(family: str) -> type[ReportSpider]:
    """The spider of ``family`` (``crawler/spiders/<family>.py``, named after it)."""
    module = importlib.import_module(f"crawler.spiders.{family}")
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, ReportSpider)
            and getattr(value, "name", None) == family
        ):
            return value
    raise LookupError(f"crawler/spiders/{family}.py has no spider named {family!r}")


def claims(page: Page) -> list[Detection]:
    """Every family's claim on ``page``, surest first."""
    found = []
    for family in FAMILIES:
        claim = spider_class(family).detect(page)
        if claim is not None and claim.confidence > 0:
            found.append(claim)
    return sorted(found, key=lambda d: (-d.confidence, d.family))


def detect_family(page: Page) -> Detection | None:
    """The surest family claim on ``page`` at or above :data:`THRESHOLD`, else None."""
    found = claims(page)
    return found[0] if found and found[0].confidence >= THRESHOLD else None
