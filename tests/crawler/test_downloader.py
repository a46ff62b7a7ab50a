"""crawler/downloader.py: one random delay per gap between a host's requests."""

from __future__ import annotations

import statistics

from scrapy.core.downloader import Slot

from crawler.downloader import SteadySlot


def test_the_delay_is_drawn_once_per_gap() -> None:
    slot = SteadySlot(2, 1.0, 0.5)
    first = slot.download_delay()
    assert 0.5 <= first <= 1.5
    assert {slot.download_delay() for _ in range(50)} == {first}  # looked at again
    gaps = []
    for sent in range(1, 2001):
        slot.lastseen = float(sent)  # a request went out: the next gap is drawn anew
        gaps.append(slot.download_delay())
    assert len(set(gaps)) > 1900
    assert min(gaps) >= 0.5
    assert max(gaps) <= 1.5
    assert 0.97 < statistics.mean(gaps) < 1.03  # as configured, not 1.2
    slot.delay = 2.0  # AutoThrottle changed it: drawn again, around the new delay
    assert 1.0 <= slot.download_delay() <= 3.0


def test_scrapys_own_slot_redraws_each_look() -> None:
    """Why this module exists: the stock slot's mean gap, as its queue sees it."""
    slot = Slot(2, 1.0, 0.5)
    waits = []
    for _ in range(2000):  # the downloader's loop: wait while a new draw says so
        waited = slot.download_delay()
        while (drawn := slot.download_delay()) > waited:
            waited = drawn
        waits.append(waited)
    assert statistics.mean(waits) > 1.15
