"""Text hashes that archives already hold: they must never change.

Every archive compares a new version's ``text_sha256`` with the one stored for the
version before it; a different hash for the same text is a false "changed" alert.
These values were computed by ``processors/text.py`` as of commit 14faa34, before
the hash learned about scanned pages (issue 11), and must stay exactly as they are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.text import text_sha256

ROOT = Path(__file__).resolve().parents[2]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PINNED = [
    (
        "tests/fixtures/reports/whctp-gw-2021.pdf",
        "application/pdf",
        "92ab70c99c045e458207e5b1b54f62aa3201de984abd4175a6f27d3f6f50268e",
    ),
    (
        "tests/fixtures/reports/penglai-beigou-2022.pdf",
        "application/pdf",
        "e6e28e986e49ed8ff9add5f2114614936feabdf843d4806177e4555a1c4240ef",
    ),
    (
        "tests/fixtures/crawler/fujian/pingtan/P020260310330256529259.pdf",
        "application/pdf",
        "9928f324aa5a1e6f3ca9c78f14d0044c6042d8e586898b6d38de28d613a5195f",
    ),
    (
        "tests/fixtures/reports/whctp-gw-2021.docx",
        DOCX,
        "4586a73e254d8df23e724522e2f13c8f6e781d140d98b9ed40c41e7014f06a59",
    ),
    (
        "replica/data/pingtan/80576.html",
        "text/html",
        "8511404682077b51a9836f3772b7ab6d93d51733117761f1463a0c68a7fd606a",
    ),
    (
        "replica/data/pingtan/80595.html",
        "text/html",
        "9a3e681c47b672da406986eca5ba6f9441f1f3deab28ea3a869993dffbee5db8",
    ),
    (
        "replica/data/seeds/000_731837a222905f1b.txt",
        "text/plain",
        "1efe716eff455a4aa5174de878917b0692b798a029acf16abc4f54d1dfa2d927",
    ),
]


@pytest.mark.parametrize(
    ("path", "media_type", "expected"), PINNED, ids=[Path(p).name for p, _, _ in PINNED]
)
def test_the_hash_of_a_document_with_text_never_changes(
    path: str, media_type: str, expected: str
) -> None:
    assert text_sha256((ROOT / path).read_bytes(), media_type) == expected
