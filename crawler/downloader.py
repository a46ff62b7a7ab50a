"""Scrapy's downloader with one random delay per request (``DOWNLOADER`` setting).

Scrapy spaces a host's requests by ``DOWNLOAD_DELAY`` ± ``DOWNLOAD_DELAY_JITTER``, but
it draws a new random delay each time it looks at the host's queue: after a request
is sent it draws *d1* and waits; when *d1* is up it draws *d2* and waits again if
*d2* > *d1*, and so on. A request goes out only at the peak of a rising run of
draws, so with the polite default (1 s ± 50 %) the mean gap was 1.2 s, not 1 s
(measured on one host: bench B2 0.87). Here the delay is drawn once per gap — when
the host's last request went out, or when AutoThrottle changed the delay — so the
gaps are spread over 0.5–1.5 s around 1 s, as the settings say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader import Downloader, Slot

if TYPE_CHECKING:
    from scrapy import Request, Spider


class SteadySlot(Slot):
    """A downloader slot whose random delay is drawn once per gap between requests."""

    __slots__ = ("_drawn",)

    def __init__(self, concurrency: int, delay: float, jitter: float) -> None:
        super().__init__(concurrency, delay, jitter)
        self._drawn: tuple[float, float, float] | None = None  # lastseen, delay, draw

    def download_delay(self) -> float:
        drawn = self._drawn
        if drawn is None or drawn[0] != self.lastseen or drawn[1] != self.delay:
            drawn = (self.lastseen, self.delay, super().download_delay())
            self._drawn = drawn
        return drawn[2]


class SteadyDownloader(Downloader):
    """Scrapy's downloader, its slots :class:`SteadySlot`."""

    def _get_slot(
        self, request: Request, spider: Spider | None = None
    ) -> tuple[str, Slot]:
        key = self.get_slot_key(request)
        if key not in self.slots:
            key, made = super()._get_slot(request)
            self.slots[key] = SteadySlot(made.concurrency, made.delay, made.jitter)
        return key, self.slots[key]
