"""The first-night bench's arithmetic and line (bench/first_night.py; the bench itself
checks an older commit out and takes minutes: it is run by hand, not here)."""

from __future__ import annotations

from bench.first_night import FirstNight, first_night_lines


def test_the_speedup_is_the_ratio_of_the_medians() -> None:
    found = FirstNight(
        "1a52fa4", [126.0, 133.0, 125.0], [31.0, 32.0, 30.0], [5.1, 5.8, 5.0], 537
    )
    assert found.speedup == 126.0 / 31.0
    record = found.as_record()
    assert (record["against"], record["documents"], record["speedup"]) == (
        "1a52fa4",
        537,
        126.0 / 31.0,
    )
    assert first_night_lines(found) == [
        "First night, bench mix (537 documents), end to end:  31.0 s (crawl  5.1 s) · "
        "1a52fa4: 126.0 s · 4.06× faster (goal ≥ 4)"
    ]
