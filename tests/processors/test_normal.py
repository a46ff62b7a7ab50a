"""``processors.normal.nfkc`` is ``unicodedata.normalize("NFKC", …)`` exactly: every
text hash, label, title and sentence key depends on it."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

from processors.normal import WIDE, nfkc, normalise

ROOT = Path(__file__).resolve().parents[2]
# What Chinese reports print, and what NFKC changes or composes around it.
POOL = (
    "政府信息公开工作年度报告二〇二一",  # ideographs, 〇
    "，。：；！？（）【】《》“”、",  # fullwidth and CJK punctuation
    "０１２３ＡＢＣａｂｃ％＋－＝",  # fullwidth digits and letters
    "\u3000 \u00a0\t\n",  # ideographic space, space, no-break space, tab, newline
    "\u0301\u0308\u3099\u309a",  # combining marks (acute, diaeresis, kana voicing)
    "ｶﾞｷﾟﾞﾟ",  # halfwidth kana and voicing marks (they compose)
    "\uf900\uf9dc\ufa10",  # CJK compatibility ideographs
    "①⑩㈠㊀㍿ﬁ²½™",  # circled, parenthesised, squared, ligature, super, fraction
    "\u1100\u1161\u11a8",  # Hangul jamo (compose into a syllable)
)


def test_every_character_alone() -> None:
    differing = [
        cp
        for cp in range(0x30000)
        if not 0xD800 <= cp <= 0xDFFF
        and nfkc(chr(cp)) != unicodedata.normalize("NFKC", chr(cp))
    ]
    assert differing == []


def test_the_mapped_characters_are_what_nfkc_makes_of_them() -> None:
    assert len(WIDE) == 95
    assert all(unicodedata.normalize("NFKC", chr(cp)) == c for cp, c in WIDE.items())


def test_random_mixes_of_what_reports_print() -> None:
    chars = "".join(POOL)
    rng = random.Random(16)
    for _ in range(20_000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(1, 40)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_the_seed_reports_whole_and_line_by_line() -> None:
    seeds = sorted((ROOT / "replica" / "data" / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
        for line in text.splitlines():
            assert nfkc(line) == unicodedata.normalize("NFKC", line)


def test_normalise_drops_every_white_space() -> None:
    assert normalise("（一）\u3000主动 公开\t情况\n") == "(一)主动公开情况"
