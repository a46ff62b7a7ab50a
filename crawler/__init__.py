"""The Scrapy project: spiders find and fetch report files and hand records to the archive.

Owns: ``settings.py`` (Scrapy's settings, polite by default), ``registry.py`` and
``sites/*.toml`` (the sources), ``spiders/`` (one module per site family, found by
Scrapy's SpiderLoader), ``pages.py`` and ``recognize.py`` (reading list pages and
deciding which items are reports), ``pipelines.py`` (the one pipeline: records
into the archive), ``middlewares.py``, ``guards.py`` and ``extensions.py``. Spiders
never parse report contents.

May import: ``archive`` (its record types and writer) and ``processors`` (charset
sniffing, titles and identity rules). Never ``app``, ``alerts`` or ``web``.
"""

import os

# Nothing leaves the machine but requests to the sources: Scrapy's cookie middleware
# builds a tldextract splitter when it is imported, which would download the public
# suffix list; an empty URL list makes it use the snapshot bundled with tldextract
# (tldextract's documented switch, read when the splitter is built).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
