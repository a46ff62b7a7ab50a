"""Many hosts for the scale benchmark: ``serve --fleet N`` adds N county portals.

A real night follows thousands of sources on about a thousand hosts; the replica's
hand-written sites are a few dozen. Fleet host *k* (``www.fleet0001.gov.cn`` …) is
a county's TRS portal (``replica/families/trs.py`` builds its pages) whose report
column ``/xxgk/zfxxgknb/`` has one sub-column per body — the county government, its
offices, its towns — each listing that body's HTML reports for the last ``years``
years. A column is built when it is asked for (about 3 ms) and the last 2,048 are
kept, so a fleet of 10,000 columns costs nothing until it is crawled. Nothing changes between nights: the
fleet measures scale, not change.

Its registry, one source per column, is :meth:`Fleet.sources_toml`
(``nianbao replica fleet-sources``); :meth:`Fleet.expected_reports` is how many
reports a complete crawl of it finds.
"""

from __future__ import annotations

import random
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from replica.families import trs
from replica.figures import figure_series
from replica.model import Body, Posting, Report
from replica.prose import intro, templated_sections
from replica.spec import SiteSpec

if TYPE_CHECKING:
    from replica.site import Request, Resource, Site

HOST = "www.fleet{index:04d}.gov.cn"
HOST_PATTERN = re.compile(r"^www\.fleet(\d{4,})\.gov\.cn$")
ROOT = "/xxgk/zfxxgknb/"
PROVINCE = "云南省"
LAST_YEAR = 2025  # the newest report year a fleet body publishes
MAX_YEARS = 7  # 2019–2025: the 2019 template onwards
# (column key, body name after the county's, level): the county first, then offices, towns.
BODIES: tuple[tuple[str, str, str], ...] = (
    ("xzf", "人民政府", "county"),
    ("xzfb", "人民政府办公室", "department"),
    ("fgj", "发展和改革局", "department"),
    ("jyj", "教育体育局", "department"),
    ("czj", "财政局", "department"),
    ("zrzyj", "自然资源局", "department"),
    ("cgz", "城关镇人民政府", "town"),
    ("dgjd", "东关街道办事处", "town"),
    ("xhz", "新华镇人民政府", "town"),
    ("hpz", "和平镇人民政府", "town"),
    ("qsx", "青山乡人民政府", "town"),
    ("bsz", "白沙镇人民政府", "town"),
)
MAX_COLUMNS = len(BODIES)
KEPT = 2048  # columns kept built (~200 KB each)


def county(index: int) -> str:
    """Fleet host ``index``'s county: 云1县, 云2县 …"""
    return f"云{index}县"


@dataclass(frozen=True, slots=True)
class FleetBody:
    """One body of a fleet host, and the column its reports are listed in."""

    host_index: int
    column: str
    name: str
    level: str

    @property
    def host(self) -> str:
        return HOST.format(index=self.host_index)

    @property
    def start_url(self) -> str:
        return f"http://{self.host}{ROOT}{self.column}/index.html"

    @property
    def region(self) -> str:
        return f"{PROVINCE}{county(self.host_index)}"

    def as_body(self) -> Body:
        short = self.name.removeprefix(county(self.host_index)) or self.name
        return Body(
            id=f"fleet{self.host_index:04d}-{self.column}",
            name=self.name,
            short=short,
            level=self.level,
            site=self.host,
            column=self.column,
            region=self.region,
        )


@dataclass
class Fleet:
    """``hosts`` county portals of ``columns`` report columns, ``years`` reports each."""

    hosts: int
    columns: int = 10
    years: int = 2
    _built: OrderedDict[tuple[int, str], Site] = field(
        default_factory=OrderedDict, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.hosts < 1:
            raise ValueError(f"a fleet needs at least 1 host, got {self.hosts}")
        if not 1 <= self.columns <= MAX_COLUMNS:
            raise ValueError(
                f"fleet columns must be between 1 and {MAX_COLUMNS}, got {self.columns}"
            )
        if not 1 <= self.years <= MAX_YEARS:
            raise ValueError(
                f"fleet years must be between 1 and {MAX_YEARS}, got {self.years}"
            )

    # ------------------------------------------------------------------ what it holds
    def bodies(self) -> list[FleetBody]:
        """Every body of the fleet, host by host: one source each."""
        return [
            body for index in range(1, self.hosts + 1) for body in self._host(index)
        ]

    def _host(self, index: int) -> list[FleetBody]:
        name = county(index)
        return [
            FleetBody(index, key, f"{name}{suffix}", level)
            for key, suffix, level in BODIES[: self.columns]
        ]

    @cached_property
    def report_years(self) -> tuple[int, ...]:
        return tuple(range(LAST_YEAR - self.years + 1, LAST_YEAR + 1))

    def expected_reports(self) -> int:
        """The reports a complete crawl of the whole fleet finds."""
        return self.hosts * self.columns * self.years

    def sources_toml(self) -> str:
        """The fleet as a registry (``DATA/sources.toml``): one source per column."""
        out = [
            "# The replica's fleet (replica/fleet.py): one source per report column.\n"
        ]
        for body in self.bodies():
            out.append(
                "\n[[source]]\n"
                f'id = "{body.as_body().id}"\n'
                f'name = "{body.name} 政府信息公开年报"\n'
                f'body = "{body.name}"\n'
                f'region = "{body.region}"\n'
                f'level = "{body.level}"\n'
                'family = "trs"\n'
                f'start_urls = ["{body.start_url}"]\n'
                'evidence = "inferred"\n'
            )
        return "".join(out)

    # ------------------------------------------------------------------ serving
    def respond(self, request: Request) -> Resource | None:
        """The answer for a fleet host, or None when the host is not one of the fleet."""
        matched = HOST_PATTERN.match(request.host)
        if matched is None or not 1 <= int(matched.group(1)) <= self.hosts:
            return None
        index = int(matched.group(1))
        column = request.path.removeprefix(ROOT).split("/", 1)[0]
        if not request.path.startswith(ROOT) or column not in self._keys:
            column = ""  # the host's own pages: home, robots.txt, the column index
        return self._site(index, column).respond(request)

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(key for key, _, _ in BODIES[: self.columns])

    def _site(self, index: int, column: str) -> Site:
        with self._lock:  # the server answers from one thread; tests may use several
            key = (index, column)
            site = self._built.get(key)
            if site is None:
                site = self._build(index, column)
                self._built[key] = site
                if len(self._built) > KEPT:  # a column costs ~3 ms to rebuild
                    self._built.popitem(last=False)
            else:
                self._built.move_to_end(key)
            return site

    def _build(self, index: int, column: str) -> Site:
        bodies = self._host(index)
        columns = {
            b.column: {"name": b.name.removeprefix(county(index))} for b in bodies
        }
        chosen = [b for b in bodies if b.column == column]
        spec = SiteSpec(
            host=HOST.format(index=index),
            family="trs",
            scheme="http",
            site_name=f"{county(index)}人民政府",
            region=f"{PROVINCE}{county(index)}",
            bodies=tuple(b.as_body() for b in bodies),
            years={},
            overrides={},
            noise=(),
            options={
                "root": {"path": ROOT, "name": "政府信息公开年报"},
                "columns": columns if not chosen else {column: columns[column]},
                "perpage": 10,
                "site_code": f"53{index:08d}",
            },
        )
        postings = [
            self._posting(body, year) for body in chosen for year in self.report_years
        ]
        postings.sort(key=lambda p: (p.published, p.docid), reverse=True)
        return trs.build(spec, postings, 1)

    def _posting(self, fleet_body: FleetBody, year: int) -> Posting:
        report = fleet_report(fleet_body.as_body(), year, self.report_years)
        docid = (
            7_000_000
            + fleet_body.host_index * 1_000
            + BODY_ORDER[fleet_body.column] * 10
        )
        return Posting(
            item=report,
            site=fleet_body.host,
            column=fleet_body.column,
            form="html",
            docid=docid + year - 2015,
            published=report.published,
            list_title=report.title,
        )


BODY_ORDER = {key: n for n, (key, _, _) in enumerate(BODIES)}


def fleet_report(body: Body, year: int, years: tuple[int, ...]) -> Report:
    """A body's report for ``year`` on the 2021 template, as the replica's own are written."""
    rng = random.Random(f"fleet|report|{body.id}|{year}")
    kind = "county" if body.level == "county" else body.level
    series = figure_series(
        kind, [(y, "2021") for y in years], f"fleet|figures|{body.id}"
    )
    figures = series[year]
    title = f"{body.name}{year}年政府信息公开工作年度报告"
    published = datetime(year + 1, 1, 8, rng.randint(8, 17)) + timedelta(
        days=rng.randint(0, 50), minutes=rng.randint(0, 59)
    )
    return Report(
        key=f"{body.id}/{year}",
        body=body,
        year=year,
        template="2021",
        title=title,
        heading=(title,),
        intro=intro(body, year, "2021", rng),
        sections=templated_sections(body, year, figures, rng),
        figures=figures,
        published=published,
        publisher=body.name,
        list_title=title,
    )
