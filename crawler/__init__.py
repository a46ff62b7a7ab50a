"""The Scrapy project: spiders find and fetch report files and hand records to the archive.

Owns: ``settings.py`` (Scrapy's settings, polite by default), ``registry.py`` and
``sites/*.toml`` (the sources), ``spiders/`` (one module per site family, found by
Scrapy's SpiderLoader), ``pages.py`` and ``recognize.py`` (reading list pages and
deciding which items are reports), ``pipelines.py`` (the one pipeline: records
into the archive), ``middlewares.py`` and ``extensions.py``. Spiders never parse
report contents.

May import: ``archive`` (its record types and writer) and ``processors`` (charset
sniffing, titles and identity rules). Never ``app``, ``alerts`` or ``web``.
"""
