"""Fuzz the processors: mutated real reports through the crawl's own sandbox (issue 11).

Each case takes one real fixture (PDF, DOCX or HTML), mutates it with a seeded RNG
(byte flips, truncation, chunk duplication, chunk deletion; for a DOCX also the
same mutations inside one of its zip members, re-packed) and runs, in a worker of
``app.sandbox.map_isolated`` with a time and memory limit, what the archive runs on
every file: ``processors.parse.parse`` and ``processors.text.text_sha256``.

A worker reports a documented failure (``ReadError`` and its subclasses) by its
class name; anything else propagates and is counted as *unexpected* (a traceback
in production), as are timeouts and dead workers (a hang or a memory blow-up).

``python -m bench --only fuzz [--fuzz-count 10000]`` prints the counts by outcome;
``tests/processors/test_fuzz.py`` runs 300 cases in the suite. A case is three
numbers' worth of state (kind, fixture, seed), so :func:`mutated` rebuilds its
bytes anywhere: ``mutated(Case("pdf", 0, 1234))``.
"""

from __future__ import annotations

import io
import logging
import random
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from app.sandbox import map_isolated
from processors.document import ReadError
from processors.parse import DOCX, parse
from processors.text import text_sha256

if TYPE_CHECKING:
    from collections.abc import Iterator

    from app.sandbox import Outcome

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "tests" / "fixtures" / "reports"
PINGTAN = ROOT / "replica" / "data" / "pingtan"
# The real fixtures the golden files and reader tests use (SOURCE.md files say where
# each comes from).
SEEDS: dict[str, tuple[Path, ...]] = {
    "pdf": (
        REPORTS / "whctp-gw-2021.pdf",
        REPORTS / "penglai-beigou-2022.pdf",
        ROOT / "tests/fixtures/crawler/fujian/pingtan/P020260310330256529259.pdf",
    ),
    "docx": (REPORTS / "whctp-gw-2021.docx", REPORTS / "penglai-beigou-2022.docx"),
    "html": tuple(
        PINGTAN / f"{docid}.html"
        for docid in (80576, 80595, 80613, 80629, 87885, 97791, 105587)
    ),
}
MEDIA_TYPES = {"pdf": "application/pdf", "docx": DOCX, "html": "text/html"}
BYTE_MUTATIONS = ("flip", "truncate", "duplicate", "delete")
MAX_FLIPS = 16
MAX_CHUNK = 8192  # bytes duplicated or deleted at once
MUTATIONS_PER_CASE = (1, 1, 1, 2, 3)  # drawn from: mostly one, sometimes more
MEMBER_SHARE = 0.5  # of DOCX cases, those that mutate a member inside the zip
# What the crawl gives a parse (app/config.py ParseLimits defaults are 120 s, 1536 MB);
# a report parses in well under a second, so 30 s is a hang, not a slow file.
TIMEOUT = 30.0
MEMORY_MB = 1536
WORKERS = 2
CHUNK = 250  # cases per sandbox call: one hang sends only its chunk to a single worker
SEED = 20260311
OK = "ok"
TIMEOUT_LABEL = "timeout"
DIED_LABEL = "worker died"
UNEXPECTED = "unexpected"
STEPS = ("parse", "text_sha256")
PDFMINER_LOGGER = "pdfminer"


@dataclass(frozen=True, slots=True)
class Case:
    """One fuzz case: which fixture of which kind, mutated with which seed."""

    kind: str
    fixture: int
    seed: int

    def __str__(self) -> str:
        return f"{self.kind}:{SEEDS[self.kind][self.fixture].name}:{self.seed}"


def cases(count: int, seed: int = SEED) -> list[Case]:
    """``count`` cases, the kinds in turn, fixtures and mutation seeds from ``seed``."""
    rng = random.Random(seed)
    kinds = sorted(SEEDS)
    out = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        out.append(Case(kind, rng.randrange(len(SEEDS[kind])), rng.randrange(2**32)))
    return out


@cache
def _original(kind: str, fixture: int) -> bytes:
    return SEEDS[kind][fixture].read_bytes()


# ---------------------------------------------------------------- mutations


def mutate_bytes(data: bytes, rng: random.Random, how: str) -> bytes:
    """One byte-level mutation of ``data`` (one of :data:`BYTE_MUTATIONS`)."""
    if not data:
        return data
    if how == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, MAX_FLIPS)):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        return bytes(out)
    if how == "truncate":
        return data[: rng.randrange(len(data))]
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, MAX_CHUNK)]
    if how == "duplicate":
        at = rng.randrange(len(data) + 1)
        return data[:at] + chunk + data[at:]
    if how == "delete":
        return data[:start] + data[start + len(chunk) :]
    raise ValueError(f"unknown mutation {how!r}, expected one of {BYTE_MUTATIONS}")


def mutate_member(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Mutate one member of a zip package and pack it again (a well-formed zip).

    :returns: the new package and the mutated member's name.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        members = [(info, package.read(info)) for info in package.infolist()]
    # The XML parts the reader parses are the interesting ones; media is not read.
    parsed = [i for i, (info, _) in enumerate(members) if _is_xml(info.filename)]
    target = rng.choice(parsed or list(range(len(members))))
    how = rng.choice(BYTE_MUTATIONS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for i, (info, content) in enumerate(members):
            if i == target:
                content = mutate_bytes(content, rng, how)
            package.writestr(info.filename, content)
    return buffer.getvalue(), f"{how} in {members[target][0].filename}"


def _is_xml(name: str) -> bool:
    return name.endswith((".xml", ".rels"))


def mutated(case: Case) -> tuple[bytes, tuple[str, ...]]:
    """The case's bytes, and the mutations made (rebuilt from the case alone).

    A DOCX case mutates one member of the intact package first, half of the time;
    the other mutations work on the bytes as they stand.
    """
    rng = random.Random(case.seed)
    data = _original(case.kind, case.fixture)
    done: list[str] = []
    steps = rng.choice(MUTATIONS_PER_CASE)
    if case.kind == "docx" and rng.random() < MEMBER_SHARE:
        data, what = mutate_member(data, rng)
        done.append(what)
        steps -= 1
    for _ in range(steps):
        how = rng.choice(BYTE_MUTATIONS)
        data = mutate_bytes(data, rng, how)
        done.append(how)
    return data, tuple(done)


# ---------------------------------------------------------------- the worker


def fuzz_one(case: Case) -> tuple[str, str]:
    """Worker task: parse the mutated file and hash its text.

    :returns: per step, ``"ok"`` or the class name of the documented error raised;
        any other exception propagates (the sandbox reports it as the case's error).
    """
    data, _ = mutated(case)
    media_type = MEDIA_TYPES[case.kind]
    try:
        parse(data, media_type)
    except ReadError as exc:
        parsed = type(exc).__name__
    else:
        parsed = OK
    try:
        text_sha256(data, media_type)
    except ReadError as exc:
        hashed = type(exc).__name__
    else:
        hashed = OK
    return parsed, hashed


def label(outcome: Outcome[tuple[str, str]]) -> tuple[str, str]:
    """The outcome per step: ok, an error class, timeout, worker died or unexpected."""
    if outcome.ok and outcome.value is not None:
        return outcome.value
    error = outcome.error
    if error.startswith("timeout"):
        both = TIMEOUT_LABEL
    elif error.startswith("worker died"):
        both = DIED_LABEL
    else:
        both = f"{UNEXPECTED} ({error.split(':', 1)[0]})"
    return both, both


# ---------------------------------------------------------------- a run


@dataclass(slots=True)
class FuzzRun:
    """Counts by outcome for each step, the failures worth a look, and the time."""

    count: int
    seconds: float = 0.0
    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {step: Counter() for step in STEPS}
    )
    failures: list[str] = field(default_factory=list)  # "case: error", unexpected/hangs

    @property
    def bad(self) -> int:
        """Cases that hung, killed their worker or raised an undocumented error."""
        return len(self.failures)

    def as_record(self) -> dict[str, object]:
        return {
            "cases": self.count,
            "seconds": round(self.seconds, 1),
            **{step: dict(self.counts[step].most_common()) for step in STEPS},
            "failures": self.failures[:50],
        }


def run_fuzz(
    count: int,
    *,
    seed: int = SEED,
    timeout: float = TIMEOUT,
    memory_mb: int = MEMORY_MB,
    workers: int = WORKERS,
) -> FuzzRun:
    """Run ``count`` cases in the sandbox, :data:`CHUNK` at a time."""
    todo = cases(count, seed)
    run = FuzzRun(count)
    started = time.monotonic()
    with _quiet(PDFMINER_LOGGER):
        _run_chunks(todo, run, timeout=timeout, memory_mb=memory_mb, workers=workers)
    run.seconds = time.monotonic() - started
    return run


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """pdfminer warns on every damaged object; the workers inherit this level."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run_chunks(
    todo: list[Case], run: FuzzRun, *, timeout: float, memory_mb: int, workers: int
) -> None:
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start : start + CHUNK]
        outcomes = map_isolated(
            fuzz_one, chunk, timeout=timeout, memory_mb=memory_mb, workers=workers
        )
        for case, outcome in zip(chunk, outcomes, strict=True):
            labels = label(outcome)
            for step, found in zip(STEPS, labels, strict=True):
                run.counts[step][found] += 1
            if not outcome.ok:
                run.failures.append(
                    f"{case} ({', '.join(mutated(case)[1])}): {outcome.error[:300]}"
                )


def fuzz_lines(run: FuzzRun) -> list[str]:
    """The run as lines for the bench's table."""
    lines = [
        f"fuzz {run.count} mutated files (PDF, DOCX, HTML) in {run.seconds:.0f} s · "
        f"{run.bad} unexpected, timed out or killed"
    ]
    for step in STEPS:
        shown = " · ".join(f"{name} {n}" for name, n in run.counts[step].most_common())
        lines.append(f"  {step:<12} {shown}")
    lines += [f"  ! {failure}" for failure in run.failures[:20]]
    return lines
