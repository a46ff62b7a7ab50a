"""Copy detection (雷同) at scale: sign, index and match N synthetic reports with
planted copies by nianbao's own code, ``archive.similarity.update_similarity``.

The reports are built from the five real seed reports (``replica/data/seeds``): each
has the template's parts (title, legal basis, headings, tables as tab rows), stock
sentences drawn from the seeds' own (what many bodies print: learned as boilerplate)
and sentences of its own (two of the seeds' clauses with a third of their characters
replaced, a figure in it: unique, but in the seeds' words). Bodies have four years
each. About 2 % of the reports are planted copies: a body's report pasted from its
previous year, or another body's report under its own name, with every figure changed
and up to a tenth of the sentences rewritten (similarity 0.8–1.0).

Measured: the time of a rebuild (the sentences every body prints, signatures and band
keys, each report's twins) and of a night's update (``--similar-new`` new reports,
some of them copies, into the archive); how many planted copies were found (the
copy's twin is its original), reported pairs from 0.8 that were not planted, LSH
candidates per report, and the rebuild against comparing all pairs exactly (the time
of one exact comparison × N(N−1)/2, from a sample). The archive is the real schema
(migrations applied); only the trigram search index, which copy detection does not
read, is not kept, so the N texts go in quickly.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from archive.db import insert_row, open_archive, write
from archive.similarity import (
    SIMILAR_MIN,
    held_by,
    pair_similarity,
    read_reports,
    update_similarity,
)
from replica.seeds import SEED_DIR, seed_ids

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

YEARS = (2020, 2021, 2022, 2023)
ALERT = 0.8  # the `copied` alert's default threshold
PLANTED_SHARE = 0.02
PLACE = "".join(
    dict.fromkeys(
        "安丘临朐昌乐寿光诸城高密青州平度莱西即墨黄岛崂山城阳历章长清济桓台沂源博周村淄川"
    )
)
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]")
CLAUSE = re.compile(r"[^，、：；。\n]{6,}")


@dataclass(frozen=True, slots=True)
class Corpus:
    """What synthetic reports are made of, from the real seeds."""

    stock: tuple[str, ...]  # whole sentences (many bodies print them)
    clauses: tuple[str, ...]
    characters: str  # the seeds' Chinese characters, for rewriting clauses
    tables: tuple[str, ...]  # tab-separated rows


def corpus() -> Corpus:
    texts = [
        (SEED_DIR / f"{seed}.txt").read_text(encoding="utf-8") for seed in seed_ids()
    ]
    prose = [line for text in texts for line in text.splitlines() if "\t" not in line]
    stock = tuple(
        dict.fromkeys(
            s.strip()
            for line in prose
            for s in SENTENCE.findall(line)
            if len(s.strip()) >= 15
        )
    )
    clauses = tuple(dict.fromkeys(c for s in stock for c in CLAUSE.findall(s)))
    characters = "".join(
        sorted({c for text in texts for c in text if "\u4e00" <= c <= "\u9fff"})
    )
    tables = tuple(line for text in texts for line in text.splitlines() if "\t" in line)
    return Corpus(stock, clauses, characters, tables)


def body_name(index: int) -> str:
    """A distinct town name per index (two place characters and a number in words)."""
    first = PLACE[index % len(PLACE)]
    second = PLACE[(index // len(PLACE)) % len(PLACE)]
    digits = "零一二三四五六七八九"
    number = "".join(digits[int(d)] for d in str(index // len(PLACE) ** 2))
    return f"{first}{second}{number}镇人民政府"


@dataclass(slots=True)
class Synthetic:
    body: str
    year: int
    sentences: list[str]  # own and stock, in order
    tables: list[str]
    copy_of: int | None = None  # index of the original, for a planted copy

    def text(self) -> str:
        short = self.body.removesuffix("人民政府")
        head = [
            f"{self.body}{self.year}年政府信息公开工作年度报告",
            "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求，"
            f"结合{self.year}年{self.body}政府信息公开工作实际，编制本报告。",
            "一、总体情况",
        ]
        paragraphs = [
            "".join(self.sentences[i : i + 4]) for i in range(0, len(self.sentences), 4)
        ]
        middle = len(paragraphs) // 2
        return "\n".join(
            [
                *head,
                *paragraphs[:middle],
                "二、主动公开政府信息情况",
                *self.tables,
                *paragraphs[middle:],
                f"六、其他需要报告的事项\n{self.year}年，{short}未收取信息处理费。",
            ]
        )


def own_sentence(rng: random.Random, words: Corpus) -> str:
    """Two of the seeds' clauses, a third of their characters replaced, a figure."""
    parts = []
    for clause in rng.sample(words.clauses, 2):
        parts.append(
            "".join(
                rng.choice(words.characters)
                if "\u4e00" <= c <= "\u9fff" and rng.random() < 0.35
                else c
                for c in clause
            )
        )
    return f"{parts[0]}{rng.randint(1, 500)}件，{parts[1]}。"


def synthetic(index: int, words: Corpus, seed: int) -> Synthetic:
    rng = random.Random(seed * 1_000_003 + index)
    body, year = body_name(index // len(YEARS)), YEARS[index % len(YEARS)]
    own = [own_sentence(rng, words) for _ in range(rng.randint(25, 40))]
    stock = rng.sample(words.stock, rng.randint(8, 15))
    mixed = own + stock
    rng.shuffle(mixed)
    return Synthetic(body, year, mixed, list(rng.sample(words.tables, 12)))


def renumber(text: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), text)


def planted(
    copy: Synthetic, original: Synthetic, index: int, words: Corpus, seed: int
) -> Synthetic:
    """``copy``'s body and year, ``original``'s words: figures changed, name
    replaced, up to a tenth of the sentences rewritten."""
    rng = random.Random(seed * 7_000_003 + index)
    name, own_name = (
        original.body.removesuffix("人民政府"),
        copy.body.removesuffix("人民政府"),
    )
    sentences = [renumber(s.replace(name, own_name), rng) for s in original.sentences]
    for i in rng.sample(range(len(sentences)), rng.randint(0, len(sentences) // 10)):
        sentences[i] = own_sentence(rng, words)
    tables = [renumber(row, rng) for row in original.tables]
    return Synthetic(copy.body, copy.year, sentences, tables, copy_of=index)


def reports(count: int, words: Corpus, seed: int = 1) -> list[Synthetic]:
    """``count`` reports, about PLANTED_SHARE of them planted copies (of originals
    that are no copies themselves): half of the same body's previous year, half of
    another body's report."""
    made = [synthetic(i, words, seed) for i in range(count)]
    rng = random.Random(seed)
    originals: set[int] = set()
    for index in rng.sample(range(count), int(count * PLANTED_SHARE)):
        if index in originals or made[index].copy_of is not None:
            continue
        same_body = index % len(YEARS) > 0 and rng.random() < 0.5
        source = index - 1 if same_body else rng.randrange(count)
        if (
            source in originals
            or made[source].copy_of is not None
            or (not same_body and made[source].body == made[index].body)
        ):
            continue
        originals.add(source)
        made[index] = planted(made[index], made[source], source, words, seed)
    return made


def _fill(db: Database, made: list[Synthetic]) -> list[int]:
    """Insert reports and their texts (report_texts: what copy detection reads)."""
    ids = []
    with write(db):
        for item in made:
            report_id = insert_row(
                db,
                "reports",
                {
                    "body": item.body,
                    "year": item.year,
                    "title": f"{item.body}{item.year}年政府信息公开工作年度报告",
                    "region": "山东省",
                    "level": "town",
                    "source_id": "s",
                    "status": "present",
                    "first_seen_run": 1,
                    "last_seen_run": 1,
                },
            )
            db.execute(
                "INSERT INTO report_texts (report_id, title, text) VALUES (?, NULL, ?)",
                [report_id, item.text()],
            )
            ids.append(report_id)
    return ids


def new_archive(root: Path) -> Database:
    archive = open_archive(root)
    db = archive.db
    for trigger in ("report_texts_ai", "report_texts_ad", "report_texts_au"):
        db.execute(f"DROP TRIGGER {trigger}")  # the search index: not read here
    with write(db):
        insert_row(
            db,
            "runs",
            {
                "id": 1,
                "started": "2026-12-01T02:00:00.000Z",
                "status": "complete",
                "target": "bench",
                "sources": '["s"]',
                "crawler_version": "bench",
            },
        )
        insert_row(
            db,
            "sources",
            {
                "id": "s",
                "name": "bench",
                "body": "bench",
                "region": "山东省",
                "level": "county",
                "family": "trs",
                "start_urls": "[]",
                "evidence": "inferred",
            },
        )
    return db


@dataclass(slots=True)
class SimilarResult:
    reports: int
    planted: int = 0
    found: int = 0  # planted copies whose twin (in the right scope) is the original
    found_alerted: int = 0  # …at a similarity of ALERT or more
    not_planted: int = 0  # other-body twins from ALERT up that were not planted
    too_short: int = 0
    candidates_per_report: float = 0.0  # band mates of a signed report
    compared_per_report: float = 0.0  # candidates compared exactly
    stages: dict[str, float] = field(default_factory=dict)  # seconds
    rebuild_s: float = 0.0
    pair_ms: float = 0.0  # one exact comparison, mean of a sample
    random_pairs: tuple[float, float, float] = (0.0, 0.0, 0.0)  # p50, p99, max
    night_reports: int = 0
    night_planted: int = 0
    night_found: int = 0
    night_s: float = 0.0

    @property
    def all_pairs_s(self) -> float:
        return self.pair_ms / 1000 * self.reports * (self.reports - 1) / 2

    def as_record(self) -> dict[str, Any]:
        return asdict(self) | {"all_pairs_s": self.all_pairs_s}


def _twins(db: Database) -> dict[tuple[int, str], tuple[int, float]]:
    return {
        (report, scope): (twin, value)
        for report, scope, twin, value in db.execute(
            "SELECT report_id, scope, twin_id, similarity FROM similar_reports"
        )
    }


@dataclass(frozen=True, slots=True)
class Built:
    """The reports of the rebuild, in index order, and their ids in the archive."""

    made: list[Synthetic]
    ids: list[int]


def _score(
    db: Database, built: Built, made: list[Synthetic], ids: list[int]
) -> tuple[int, int, int]:
    """Planted copies among ``made`` (ids ``ids``): how many, found, found ≥ ALERT."""
    twins = _twins(db)
    planted = found = alerted = 0
    for item, report_id in zip(made, ids, strict=True):
        if item.copy_of is None:
            continue
        planted += 1
        original = built.made[item.copy_of]
        scope = "same_body" if original.body == item.body else "other_body"
        twin = twins.get((report_id, scope))
        if twin is not None and twin[0] == built.ids[item.copy_of]:
            found += 1
            alerted += twin[1] >= ALERT
    return planted, found, alerted


def _not_planted(db: Database, built: Built) -> int:
    pairs = {
        frozenset((built.ids[i], built.ids[item.copy_of]))
        for i, item in enumerate(built.made)
        if item.copy_of is not None
    }
    return sum(
        frozenset((report, twin)) not in pairs
        for (report, scope), (twin, value) in _twins(db).items()
        if scope == "other_body" and value >= ALERT
    )


def _sample_pairs(db: Database, ids: list[int], result: SimilarResult) -> None:
    """The time of one exact comparison, and the similarity of unrelated pairs."""
    rng = random.Random(7)
    values, seconds = [], []
    for _ in range(300):
        a, b = rng.sample(ids, 2)
        started = time.perf_counter()
        first, second = read_reports(db, [a, b])
        values.append(pair_similarity(first, second, lambda h: held_by(db, h)))
        seconds.append(time.perf_counter() - started)
    values.sort()
    result.pair_ms = statistics.mean(seconds) * 1000
    result.random_pairs = (values[len(values) // 2], values[-3], values[-1])


def similar_bench(count: int, new: int, scratch: Path) -> SimilarResult:
    """Rebuild over ``count`` synthetic reports, then a night of ``new`` more."""
    words = corpus()
    made = reports(count, words)
    db = new_archive(scratch / "similar")
    built = Built(made, _fill(db, made))
    result = SimilarResult(reports=count)
    marks: dict[str, float] = {}
    started = time.monotonic()

    def progress(stage: str, done: int, total: int) -> None:
        marks[stage] = time.monotonic()

    done = update_similarity(db, rebuild=True, progress=progress)
    result.rebuild_s = time.monotonic() - started
    previous = started
    for stage in ("sentences", "signatures", "twins"):
        result.stages[stage] = marks.get(stage, previous) - previous
        previous = marks.get(stage, previous)
    result.too_short = done.too_short
    signed = done.signed - done.too_short
    result.compared_per_report = done.compared / max(signed, 1)
    (mates,) = db.execute(
        """SELECT count(*) FROM (SELECT DISTINCT a.report_id, b.report_id
           FROM similarity_bands a JOIN similarity_bands b ON b.band_key = a.band_key
           WHERE b.report_id <> a.report_id)"""
    ).fetchone()
    result.candidates_per_report = mates / max(signed, 1)
    result.planted, result.found, result.found_alerted = _score(
        db, built, built.made, built.ids
    )
    result.not_planted = _not_planted(db, built)
    _sample_pairs(db, built.ids, result)
    _night(db, built, words, new, result)
    return result


def _night(
    db: Database, built: Built, words: Corpus, new: int, result: SimilarResult
) -> None:
    """``new`` reports of a later year (a tenth of them copies) and the update."""
    rng = random.Random(11)
    made: list[Synthetic] = []
    # originals of no other copy, so that the copy's twin can only be its original
    taken = {m.copy_of for m in built.made if m.copy_of is not None}
    for n in range(new):
        index = rng.randrange(len(built.made) // len(YEARS)) * len(YEARS)
        fresh = synthetic(10**7 + n, words, 3)
        fresh.body, fresh.year = built.made[index].body, 2024
        source = rng.randrange(len(built.made))
        original = built.made[source]
        usable = original.copy_of is None and source not in taken
        if n % 10 == 0 and usable and original.body != fresh.body:
            fresh = planted(fresh, original, source, words, 5)
            taken.add(source)
        made.append(fresh)
    made = list({(m.body, m.year): m for m in made}.values())  # one per body, year
    ids = _fill(db, made)
    started = time.monotonic()
    update_similarity(db)
    result.night_s = time.monotonic() - started
    result.night_reports = len(made)
    result.night_planted, result.night_found, _ = _score(db, built, made, ids)


def similar_lines(r: SimilarResult) -> list[str]:
    recall = r.found / max(r.planted, 1)
    night_recall = r.night_found / max(r.night_planted, 1)
    return [
        f"similar: {r.reports:,} reports · rebuild {r.rebuild_s:.1f} s "
        f"(sentences {r.stages.get('sentences', 0):.1f} s, signatures "
        f"{r.stages.get('signatures', 0):.1f} s, twins {r.stages.get('twins', 0):.1f} s; "
        f"{r.rebuild_s / r.reports * 1000:.2f} ms/report) · all pairs exactly would take "
        f"{r.all_pairs_s / 3600:,.0f} h ({r.pair_ms:.2f} ms/pair): ratio "
        f"{r.rebuild_s / max(r.all_pairs_s, 1e-9):.1e}",
        f"similar: planted copies found {r.found}/{r.planted} (recall {recall:.3f}; "
        f"{r.found_alerted} at ≥ {ALERT}) · pairs ≥ {ALERT} not planted: "
        f"{r.not_planted} · LSH candidates per report {r.candidates_per_report:.2f} "
        f"(÷ all other reports {r.candidates_per_report / max(r.reports - 1, 1):.1e}), "
        f"compared exactly {r.compared_per_report:.3f} · unrelated pairs' similarity "
        f"p50 {r.random_pairs[0]:.3f}, p99 {r.random_pairs[1]:.3f}, max "
        f"{r.random_pairs[2]:.3f} (twins recorded from {SIMILAR_MIN}) · "
        f"{r.too_short} with too little own text",
        f"similar: a night of {r.night_reports} new reports into the archive: "
        f"{r.night_s:.2f} s ({r.night_s / max(r.night_reports, 1) * 1000:.1f} ms/report); "
        f"planted copies found {r.night_found}/{r.night_planted} (recall {night_recall:.3f})",
    ]
