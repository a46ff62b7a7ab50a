"""One spider per site family (``name`` = the family in ``sites/*.toml``), found by Scrapy.

``base.ReportSpider`` has no ``name``, so ``scrapy list`` shows only the families.
"""
