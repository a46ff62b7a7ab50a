"""Which site family a page belongs to, from its fingerprints, with how sure and why.

Each family spider says how much a page looks like its own (``detect``: URL shapes,
meta tags, scripts, markup); the family with the highest confidence wins, and below
:data:`THRESHOLD` no family is claimed (the generic spider takes the source).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
