"""Scrapy settings: polite by default (robots.txt, AutoThrottle, per-host limits, a delay).

These are the defaults for crawling real sites. ``nianbao crawl`` adds the run's own
settings on top (archive, run id, proxy, and — against the loopback replica only —
no politeness delay); ``app/config.py`` is where the environment is read.
"""

from typing import Any

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
USER_AGENT = (
    "Mozilla/5.0 (compatible; nianbao/0.1; yearly open-government-information reports)"
)

# Politeness (docs/reliability.md, "Recommended defaults").
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A polite crawl of many hosts raises CONCURRENT_REQUESTS to PER_DOMAIN × its hosts,
# up to this (app/fetch.py): the per-host limits, not a global one, should bound a
# night, so hosts proceed in parallel (README, Scaling out).
NIANBAO_CONCURRENT_REQUESTS_MAX = 256
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounded work per response and per run.
DOWNLOAD_TIMEOUT = 45
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024  # documents; list and article pages ask for less
DOWNLOAD_WARNSIZE = 32 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is a failed fetch, never a version
RETRY_ENABLED = True
RETRY_TIMES = 3
REDIRECT_MAX_TIMES = 5
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 2048

# Items are written one at a time by one pipeline; Scrapy's default of 100 parallel
# item workers only adds asyncio tasks (measured: ~1/4 of an unchanged night's CPU).
CONCURRENT_ITEMS = 4
TELNETCONSOLE_ENABLED = False
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = True
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's downloader, with one random delay per gap between a host's requests
# (Scrapy's own draws again each time it looks: 1.2 s on average for 1 s ± 50 %).
DOWNLOADER = "crawler.downloader.SteadyDownloader"

SPIDER_MIDDLEWARES = {
    # a spider's exception on a page becomes a failed fetch of it (never silent)
    "crawler.middlewares.SpiderErrorMiddleware": 10,
    # a polite night's list pages carried forward from their last reading (last in
    # the output chain: after a spider's error became a failed fetch)
    "crawler.middlewares.CarryListsMiddleware": 5,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ProxyMiddleware": 90,
    # Dropped requests get their own outcome (crawler/guards.py).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.guards.RobotsRfcMiddleware": 100,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.guards.RedirectGuardMiddleware": 600,
    "crawler.middlewares.CharsetMiddleware": 580,  # after decompression (590)
    "crawler.middlewares.FetchTimingMiddleware": 900,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
    "scrapy.extensions.logstats.LogStats": None,
}
STATS_DUMP = False
LOG_LEVEL = "INFO"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Merged into the custom_settings of families whose list pages need JavaScript.
# Only list pages go through the browser; documents are always plain HTTP.
# The handler (crawler/browser.py) starts Playwright at the first page it renders, one
# per scheme it handles: the JavaScript lists we know (Fujian portals) are all HTTPS,
# so only https goes through it.
PLAYWRIGHT_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_HANDLERS": {
        "https": "crawler.browser.LazyPlaywrightHandler",
    },
    "PLAYWRIGHT_ABORT_REQUEST": "crawler.middlewares.skip_decoration",
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_LAUNCH_OPTIONS": {
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": CHROMIUM_ARGS,
    },
    # Many real government hosts have bad certificates; so does the replica.
    "PLAYWRIGHT_CONTEXTS": {"default": {"ignore_https_errors": True}},
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 45_000,
}
