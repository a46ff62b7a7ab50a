"""Bar charts as inline SVG drawn on the server: the frame (axis, ticks, legend) and bars.

Every text goes through ``escape()``, so the markup is safe to embed as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:
    from collections.abc import Sequence

WIDTH, PLOT_HEIGHT = 760, 272
LEFT, RIGHT, TOP = 56, 16, 64
Part = tuple[str, str, int]  # a bar's segment: label, colour, value


def _step(peak: int) -> int:
    """A round tick step giving about five ticks up to ``peak``."""
    raw = max(peak / 5, 1)
    magnitude: int = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


@dataclass(frozen=True, slots=True)
class Frame:
    """The geometry of a chart: ``groups`` groups of bars side by side, an axis up to
    ``top`` in steps of ``step``, ``bottom`` pixels under the axis for the labels."""

    top: int
    step: int
    groups: int
    bottom: int = 44

    @classmethod
    def fitting(cls, peak: int, groups: int, bottom: int = 44) -> Frame:
        step = _step(max(peak, 1))
        return cls(step * math.ceil(max(peak, 1) / step), step, groups, bottom)

    @property
    def height(self) -> int:
        return TOP + PLOT_HEIGHT + self.bottom

    @property
    def base(self) -> float:
        return self.y(0)

    @property
    def group_w(self) -> float:
        return (WIDTH - LEFT - RIGHT) / max(self.groups, 1)

    @property
    def bar_w(self) -> float:
        return min(40.0, self.group_w * 0.32)

    @property
    def font_size(self) -> int:
        # many groups: smaller numbers, so that neighbours do not run into each other
        return 10 if self.group_w < 60 else 12

    def y(self, value: float) -> float:
        return TOP + PLOT_HEIGHT - value / self.top * PLOT_HEIGHT

    def centre(self, index: int) -> float:
        return LEFT + self.group_w * (index + 0.5)


def bar(x: float, y: float, width: float, height: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"'
        f' fill="{colour}"><title>{escape(tip)}</title></rect>'
    )


def label(x: float, y: float, text: object, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(str(text))}</text>'


def open_svg(
    frame: Frame,
    title: str,
    legend: Sequence[tuple[str, str]],
    *,
    css_class: str = "nianbao-chart",
    title_id: str = "chart-title",
) -> list[str]:
    """The ``<svg>`` element up to the bars: its title, the axis in 件, the legend."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {frame.height}"'
        f' class="{css_class}" role="img" aria-labelledby="{title_id}"'
        ' font-size="12" font-family="sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        label(LEFT - 6, TOP - 12, "件", text_anchor="end", fill="#555"),
    ]
    for value in range(0, frame.top + 1, frame.step):
        y = frame.y(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{"#888" if value == 0 else "#e3e3e3"}"/>'
        )
        out.append(label(LEFT - 6, y + 4, value, text_anchor="end", fill="#555"))
    x = float(LEFT)
    for text, colour in legend:
        out.append(f'<rect x="{x:.1f}" y="14" width="12" height="12" fill="{colour}"/>')
        out.append(label(x + 16, 25, text))
        x += 16 + 12 * len(text) + 16
    return out


def stack(
    frame: Frame, x: float, parts: Sequence[Part], tip: str
) -> tuple[list[str], int]:
    """``parts`` stacked from the axis up at ``x`` (empty ones left out), each with a
    tooltip ``{tip} {label}：{value}``; the elements and the height reached."""
    out, stacked = [], 0
    for text, colour, value in parts:
        if value:
            y = frame.y(stacked + value)
            height = frame.y(stacked) - y
            out.append(bar(x, y, frame.bar_w, height, colour, f"{tip} {text}：{value}"))
            stacked += value
    return out, stacked


def on_top(frame: Frame, x: float, value: float, text: object) -> str:
    """``text`` centred over a bar at ``x`` reaching ``value``."""
    return label(x + frame.bar_w / 2, frame.y(value) - 4, text, text_anchor="middle")


def note(frame: Frame, centre: float, text: str) -> str:
    """A grey word standing in for bars that cannot be drawn (无表格, 未填)."""
    return label(centre, frame.base - 6, text, text_anchor="middle", fill="#888")


def under_axis(
    frame: Frame, centre: float, year: int, reports: int | None, below: float = 0
) -> list[str]:
    """A group's year under the axis and, when given, how many reports its bars sum."""
    out = [label(centre, frame.base + below + 18, f"{year}年", text_anchor="middle")]
    if reports is not None:
        y = frame.base + below + 32
        out.append(label(centre, y, f"{reports} 份", text_anchor="middle", fill="#555"))
    return out
