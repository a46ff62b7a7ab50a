"""nianbao's own Scrapy commands (``COMMANDS_MODULE`` of ``app/scrapy_project.py``).

Scrapy names a command after its module: ``crawl.py`` replaces ``scrapy crawl``.
"""
