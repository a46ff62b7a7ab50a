"""Requests Scrapy would drop silently or under the wrong name get their own outcome.

Scrapy drops a request that redirects in a loop (its duplicate filter discards the
second visit, with a DEBUG line and no errback), gives up after too many redirects,
follows redirects anywhere, and reads a robots.txt that answers 5xx as "everything
allowed". Here:

* a redirect back to a URL of its own chain fails as ``redirect_loop``;
* a redirect off the source's hosts, to a non-HTTP scheme or to a loopback or
  private address fails as ``offsite_redirect`` (and is never fetched);
* too many redirects fail as ``too_many_redirects``;
* a redirected request is exempt from the duplicate filter (loops are caught above),
  so it never disappears without a record;
* a robots.txt answering 5xx disallows the whole host (RFC 9309 §2.3.1.4), logged
  once per host; 4xx allows everything, as Scrapy does.

Each failure reaches the spider's errback, which records it with its reason.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Dropped(IgnoreRequest):
    """A request not fetched, for a reason with a name (``reason``) and details."""

    reason = "dropped"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class RedirectLoop(Dropped):
    reason = "redirect_loop"


class OffsiteRedirect(Dropped):
    reason = "offsite_redirect"


class TooManyRedirects(Dropped):
    reason = "too_many_redirects"


def _private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host == "localhost"
    return address.is_loopback or address.is_private or address.is_link_local


class RedirectGuardMiddleware(RedirectMiddleware):
    """Scrapy's redirects, with loops, off-site targets and too many hops named."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in chain:
            raise RedirectLoop(" → ".join([*chain, redirected.url]))
        if not self._allowed(redirected.url, request):
            raise OffsiteRedirect(f"{request.url} → {redirected.url}")
        try:
            followed = super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            raise TooManyRedirects(
                f"more than {self.max_redirect_times} redirects: {' → '.join(chain)}"
            ) from None
        followed.dont_filter = True  # loops are caught above; never dropped unseen
        return followed

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        """Scrapy's, but a redirect Scrapy will not follow (``file:``, ``ftp:``…) fails
        as ``offsite_redirect`` instead of reaching the spider as an empty 302."""
        result = super().process_response(request, response)
        location = response.headers.get("Location")
        if result is response and response.status in REDIRECTS and location:
            target = urljoin(request.url, location.decode("latin-1"))
            if urlsplit(target).scheme not in ("http", "https"):
                raise OffsiteRedirect(f"{request.url} → {target}")
        return result

    def _allowed(self, url: str, request: Request) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or _private(parts.hostname or ""):
            return False
        spider = self.crawler.spider
        allowed = getattr(spider, "allowed", None)
        source = getattr(spider, "sources", {}).get(request.meta.get("source"))
        return source is None or allowed is None or bool(allowed(url, source))


class RobotsRfcMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, but a 5xx robots.txt disallows the host."""

    async def _parse_robots(
        self, response: Response, netloc: str, request: Request
    ) -> None:
        if response.status >= 500:
            logger.warning(
                "%s/robots.txt answered %d: the whole host is treated as disallowed "
                "tonight (RFC 9309); its requests are recorded as robots_blocked",
                netloc,
                response.status,
            )
            response = response.replace(body=DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)
