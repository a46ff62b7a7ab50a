"""Copy detection (雷同): a report's own sentences, their MinHash signature and LSH band
keys, the exact similarity of two reports and the passages they share.

Pure functions over strings and numpy arrays. A report's text is cut into sentences
(on 。！？； and line breaks, lines a PDF wrapped joined again); table rows (lines
with tabs), headings and captions (short lines without punctuation) and the phrases
every report prints by law or by template (:data:`TEMPLATE_WORDS`,
:data:`TEMPLATE_PHRASES`, the tables' labels of ``processors/schema.py``) are
dropped. Each sentence gets a *key*: NFKC, no white space, every number ``#`` and
the report's own body's names ``※`` (in a comparison, both bodies' names), so a copy
with new figures, years or name is still the same sentence. What is left is
compared as sets of 5-character shingles taken inside sentences.

Sentences that many bodies print are boilerplate too, learned from the archive: the
caller passes, per sentence hash, how many bodies print it (``bodies``). In a
comparison of two reports a sentence is boilerplate when at least
:data:`BOILERPLATE_OTHERS` bodies *besides the two compared* print it — counting the
compared bodies too would make a copy shared by three towns vanish as "template".
A signature leaves out what is boilerplate for every possible comparison.

The signature is a MinHash of :data:`PERMUTATIONS` multiply-shift hashes (seeded
from fixed strings, so the same text gives the same signature on every machine and
numpy); :data:`BANDS` band keys of :data:`ROWS` values each make two reports
candidates when any band agrees (LSH): a pair of Jaccard similarity 0.8 is a
candidate but for a chance of 5·10⁻⁸, 0.7 with probability 0.9998, 0.6 with 0.99,
0.5 with 0.87, 0.2 with 0.05 and 0.03 (two unrelated real reports) with 3·10⁻⁵.
:data:`SCHEME` names all of this: change it when any of it changes, so archives
sign everything again.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from processors import normal
from processors.schema import (
    ACTIVE_COLUMNS,
    ACTIVE_ROWS,
    APPEAL_BLOCKS,
    APPEAL_COLUMNS,
    APPLICANT_COLUMNS,
    APPLICATION_TOP,
    OUTCOME_GROUPS,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

SCHEME = "minhash1"  # the sentence rules, shingles, permutations and bands below
SHINGLE = 5  # characters per shingle
PERMUTATIONS = 128
BANDS = 32
ROWS = 4  # BANDS × ROWS ≤ PERMUTATIONS
MIN_SENTENCE = 8  # characters of a key: shorter sentences say nothing of a copy
HEADING = 25  # a line this short without sentence punctuation is a heading or label
WRAPPED = 28  # a longer line that ends mid-sentence was wrapped (PDF text)
MIN_OWN_CHARS = 150  # less own text than this: nothing to compare
BOILERPLATE_OTHERS = 3  # printed by this many bodies besides the compared ones
PASSAGE_MATCH = 0.5  # share of the longer sentence's shingles two sentences share
NAME_MARK = "※"
NUMBER_MARK = "#"

NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
LINE_END = "。！？；：!?;:」』”’）)"
PUNCTUATION = re.compile(r"[，。！？；：,.!?;:、]")
NUMBERED = re.compile(r"^(\(?[一二三四五六七八九十]+[)、]|#[.、])")
# What every report prints because the regulations or the template say so (keys:
# NFKC, no white space, numbers "#"): the legal basis, what the report contains, the
# statistics period, where to get it and whom to ask, the template's notes and its
# six section headings. Words first (a substring test is cheap), then patterns.
TEMPLATE_WORDS = (
    "政府信息公开工作年度报告格式",
    "总体情况、主动公开政府信息情况",
    "勾稽关系",
    "只计这一情形",
    "政府信息公开信息处理费管理办法",
    "邮政编码",
    "电子邮箱",
    "联系电话",
    "联系地址",
    "咨询电话",
    "传真:",
    "如对本报告",
    "对本报告如有",
    "如需进一步",
)
TEMPLATE_PHRASES = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            r"(根据|依据|按照|依照)《中华人民共和国政府信息公开条例》",
            r"^(本(年度)?报告)?的?(主要)?内容(主要)?(包括|分为|由|共分)",
            r"请与.{0,40}联系",
            r"^[^,。;]*信息公开[^,。;]*(年度报告|年报|工作报告)$",  # the title
            r"(统计|所列数据的?)(期限|期间|时限|区间)|统计时间(自|从|为)",
            r"电子版(可|可以)?(在|从|于)",
            r"如需(进一步)?(咨询|了解)",
            # the null statements of the fees and appeals sections
            r"(未|没有|无)(收取|发生|产生|出现).{0,30}(费|复议|诉讼)",
            r"^[一二三四五六七八九十]+、(总体情况|主动公开政府信息情况|收到和处理政府信息公开申请情况"
            r"|政府信息公开行政复议、?行政诉讼情况|存在的主要问题及改进情况|其他需要报告的事项)",
        )
    )
)
# The tables' labels (processors/schema.py): a short line naming one is a table's.
TABLE_LABELS = re.compile(
    "|".join(
        f"(?:{label.pattern.pattern})"
        for labels in (
            ACTIVE_ROWS,
            ACTIVE_COLUMNS,
            APPLICANT_COLUMNS,
            APPLICATION_TOP,
            APPEAL_BLOCKS,
            APPEAL_COLUMNS,
            *(group.rows for group in OUTCOME_GROUPS),
        )
        for label in labels
    )
    + "".join(f"|(?:{group.pattern.pattern})" for group in OUTCOME_GROUPS)
)
TABLE_LABEL_MAX = 40  # characters: longer lines are prose that mentions a label

# Administrative units a body's name is made of (a name of two characters or more
# and its unit: 城市管理局 is no 城市), and the suffixes of the body itself.
NAME_PARTS = re.compile(
    r".{2,}?(?:自治区|特别行政区|省|自治州|地区|盟|市|新区|开发区|实验区|示范区|园区|区|县|旗|街道|镇|乡)"
)
BODY_SUFFIXES = ("人民政府", "管理委员会", "管委会", "办事处")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a report: as printed, its key (what is compared), its hash."""

    text: str
    key: str
    hash: int  # signed 64-bit, of the key (stored as SQLite INTEGER)


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of sentences two reports share, each side as it prints them."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    chars: int  # characters of A's side (keys)


def name_forms(body: str) -> tuple[str, ...]:
    """The forms of a body's name its own report uses, longest first: the full name,
    the name without 人民政府/管理委员会, and each place in it down to the body's own
    (``安丘市景芝镇人民政府`` → ``安丘市景芝镇``, ``景芝镇人民政府``, ``景芝镇``, ``安丘市``)."""
    name = normalise(body)
    forms = {name}
    core = name
    for suffix in BODY_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            core = core[: -len(suffix)]
            break
    forms.add(core)
    parts = NAME_PARTS.findall(core)
    for i, part in enumerate(parts):
        forms.add(part)
        forms.add("".join(parts[i:]) + name[len(core) :])
    rest = core[sum(map(len, parts)) :]
    if rest:  # a department: 安丘市发展和改革局 → 发展和改革局
        forms.add(rest)
    return tuple(sorted((f for f in forms if len(f) >= 2), key=lambda f: (-len(f), f)))


def normalise(text: str) -> str:
    """NFKC without white space."""
    return normal.normalise(text)


def sentence_key(text: str, names: Sequence[str] = ()) -> str:
    """What a sentence is compared by: NFKC, no white space, the body's own names
    ``※`` (``names`` longest first, as :func:`name_forms` gives them), numbers ``#``."""
    key = normalise(text)
    for name in names:
        key = key.replace(name, NAME_MARK)
    return NUMBER.sub(NUMBER_MARK, key)


def _length(line: str) -> int:
    """Characters of a line but spaces (about what its key will have)."""
    return len(line) - line.count(" ") - line.count("\u3000")


def sentence_hash(key: str) -> int:
    """A sentence key's signed 64-bit hash (stable across runs and machines)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lines(text: str) -> list[str]:
    """The text's prose lines: table rows dropped, lines a PDF wrapped joined again."""
    lines: list[str] = []
    carry = ""
    for raw in text.splitlines():
        if "\t" in raw:  # a table row
            if carry:
                lines.append(carry)
            carry = ""
            continue
        line = raw.strip()
        if not line:
            if carry:
                lines.append(carry)
            carry = ""
            continue
        carry += line
        if _length(line) < WRAPPED or carry[-1] in LINE_END:
            lines.append(carry)
            carry = ""
    if carry:
        lines.append(carry)
    return lines


@lru_cache(maxsize=65536)  # stock sentences come back in report after report
def _template(key: str) -> bool:
    """Whether a sentence (key) is the template's or the law's, not the body's own."""
    if len(key) <= HEADING and NUMBERED.match(key):  # a heading: "(一)主动公开。"
        return True
    if any(word in key for word in TEMPLATE_WORDS) or TEMPLATE_PHRASES.search(key):
        return True
    label = len(key) <= TABLE_LABEL_MAX and key[-1] not in LINE_END
    return label and bool(TABLE_LABELS.search(key))


def sentences(text: str, names: Sequence[str] = ()) -> tuple[Sentence, ...]:
    """The sentences of a report's text that can tell a copy, each once, in order.

    Dropped: table rows, headings and captions (a line under :data:`HEADING`
    characters without punctuation), sentences under :data:`MIN_SENTENCE`
    characters, and the template's and the law's phrases. ``names`` are the forms of
    the report's own body's name (:func:`name_forms`), masked in the keys.
    """
    found: dict[str, Sentence] = {}
    for line in _lines(text):
        if _length(line) < HEADING and not PUNCTUATION.search(line):
            continue
        for piece in SENTENCE_END.split(line):
            printed = piece.strip()
            key = sentence_key(printed, names)
            if len(key) < MIN_SENTENCE or key in found or _template(key):
                continue
            found[key] = Sentence(printed, key, sentence_hash(key))
    return tuple(found.values())


# ---------------------------------------------------------------- own text


def signed_sentences(
    found: Sequence[Sentence], bodies: Mapping[int, int]
) -> tuple[Sentence, ...]:
    """The sentences a signature covers: all but those boilerplate in any comparison
    (printed by :data:`BOILERPLATE_OTHERS` bodies besides this one and another).

    :param bodies: sentence hash → how many bodies print it (this one included); a
        sentence missing from it counts as this body's alone.
    """
    limit = BOILERPLATE_OTHERS + 2
    return tuple(s for s in found if bodies.get(s.hash, 1) < limit)


def compared_sentences(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    bodies: Mapping[int, int],
    *,
    same_body: bool = False,
) -> tuple[tuple[Sentence, ...], tuple[Sentence, ...]]:
    """The own sentences of A and of B when A is compared with B: those fewer than
    :data:`BOILERPLATE_OTHERS` bodies besides the two print (one body, if the two
    reports are the same body's)."""
    held_a = {s.hash for s in a}
    held_b = {s.hash for s in b}

    def own(side: Sequence[Sentence], other: set[int]) -> tuple[Sentence, ...]:
        kept = []
        for s in side:
            compared = 1 if same_body else 1 + (s.hash in other)
            if bodies.get(s.hash, compared) - compared < BOILERPLATE_OTHERS:
                kept.append(s)
        return tuple(kept)

    return own(a, held_b), own(b, held_a)


def both_names(a: str, b: str) -> tuple[str, ...]:
    """The name forms of two bodies, longest first: what a comparison of their
    reports masks in both (a copier who kept the source's name copied all the same)."""
    forms = set(name_forms(a)) | set(name_forms(b))
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def rekeyed(found: Sequence[Sentence], names: Sequence[str]) -> tuple[Sentence, ...]:
    """The sentences keyed again with ``names`` masked (their hashes, which say which
    bodies print them, stay those of their own keys)."""
    return tuple(Sentence(s.text, sentence_key(s.text, names), s.hash) for s in found)


def own_chars(found: Iterable[Sentence]) -> int:
    """Characters of the sentences' keys: how much own text a report has."""
    return sum(len(s.key) for s in found)


# ---------------------------------------------------------------- shingles, MinHash


def _seeds(label: str) -> np.ndarray:
    """PERMUTATIONS fixed 64-bit numbers derived from ``label`` (not numpy's RNG, whose
    streams may change between versions)."""
    values = [
        int.from_bytes(hashlib.blake2b(f"{label}:{i}".encode(), digest_size=8).digest())
        for i in range(PERMUTATIONS)
    ]
    return np.array(values, dtype=np.uint64)


_MULTIPLIERS = _seeds("nianbao-minhash-a") | np.uint64(1)  # odd
_OFFSETS = _seeds("nianbao-minhash-b")
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)
_ROLL = np.uint64(0x100000001B3)  # the shingles' rolling polynomial
_EMPTY = np.zeros(0, dtype=np.uint64)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every bit of the input moves every bit of the output."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    mixed: np.ndarray = values ^ (values >> np.uint64(31))
    return mixed


def shingles(keys: Iterable[str]) -> np.ndarray:
    """The sorted distinct 64-bit hashes of every :data:`SHINGLE`-character window
    inside each key (never across two sentences)."""
    joined = "\0".join(keys)
    if not joined:
        return _EMPTY
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    count = len(codes) - SHINGLE + 1
    if count <= 0:
        return _EMPTY
    wide = codes.astype(np.uint64)
    rolled = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE):
        rolled = rolled * _ROLL + wide[offset : offset + count]
    breaks = np.concatenate(([0], np.cumsum(codes == 0)))
    inside = breaks[SHINGLE : SHINGLE + count] == breaks[:count]
    return np.unique(_mix(rolled[inside]))


def signature(hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature (``uint32[PERMUTATIONS]``) of a set of shingle hashes.

    :raises ValueError: for an empty set (it has no signature).
    """
    if not len(hashes):
        raise ValueError("an empty set of shingles has no signature")
    lowest = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), 4096):  # bounded memory for long reports
        chunk = hashes[start : start + 4096]
        permuted = _MULTIPLIERS[:, None] * chunk[None, :] + _OFFSETS[:, None]
        lowest = np.minimum(lowest, permuted.min(axis=1))
    return (lowest >> np.uint64(32)).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """The signature's :data:`BANDS` LSH keys (signed 64-bit, the band's number mixed
    in): two reports are candidates when a key of one is a key of the other."""
    rows = sig[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    keys = np.arange(BANDS, dtype=np.uint64) * _BAND_MIX
    for column in range(ROWS):
        keys = _mix(keys ^ rows[:, column])
    return [int(k) for k in keys.view(np.int64)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity of two sets of shingle hashes (sorted, distinct)."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def estimate(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity two signatures estimate."""
    return float(np.mean(a == b))


# ---------------------------------------------------------------- shared passages


def _sentence_shingles(found: Sequence[Sentence]) -> list[set[int]]:
    return [set(shingles([s.key]).tolist()) for s in found]


def _matches(a: Sequence[Sentence], b: Sequence[Sentence]) -> list[int | None]:
    """For each sentence of A, the sentence of B it repeats (None for none): the one
    sharing the most shingles, if they share :data:`PASSAGE_MATCH` of the longer's."""
    b_sets = _sentence_shingles(b)
    holders: dict[int, list[int]] = {}
    for j, grams in enumerate(b_sets):
        for gram in grams:
            holders.setdefault(gram, []).append(j)
    found: list[int | None] = []
    for grams in _sentence_shingles(a):
        counts = Counter(j for gram in grams for j in holders.get(gram, ()))
        best = None
        if counts:
            j, shared = max(counts.items(), key=lambda item: (item[1], -item[0]))
            if shared >= PASSAGE_MATCH * max(len(grams), len(b_sets[j])):
                best = j
        found.append(best)
    return found


def shared_passages(a: Sequence[Sentence], b: Sequence[Sentence]) -> list[Passage]:
    """The passages A and B share, in A's order: maximal runs of A's sentences that
    repeat consecutive sentences of B (numbers and names may differ). Pass the
    compared own sentences (:func:`compared_sentences`)."""
    passages: list[Passage] = []
    run: list[tuple[int, int]] = []

    def close() -> None:
        if run:
            passages.append(
                Passage(
                    tuple(a[i].text for i, _ in run),
                    tuple(b[j].text for _, j in run),
                    sum(len(a[i].key) for i, _ in run),
                )
            )
        run.clear()

    for i, j in enumerate(_matches(a, b)):
        if j is None:
            close()
            continue
        if run and j != run[-1][1] + 1:
            close()
        run.append((i, j))
    close()
    return passages


def first_passage(passages: Sequence[Passage], chars: int = 30) -> Passage | None:
    """The first passage of at least ``chars`` characters, else the longest."""
    for passage in passages:
        if passage.chars >= chars:
            return passage
    return max(passages, key=lambda p: p.chars, default=None)
