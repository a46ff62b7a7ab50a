"""What ``scrapy`` sees from the project root (``scrapy.cfg`` points here).

The crawler's own settings (``crawler/settings.py``), plus nianbao's ``scrapy crawl``:
a spider of this project needs a run of the archive around it (a lock, a run row, the
documents it already knows, and afterwards events, processing and alerts), which is
what ``nianbao crawl`` does; ``app/scrapy_commands/crawl.py`` does the same for
``scrapy crawl <family> -a source=ID``.
"""

from crawler.settings import *  # noqa: F403 (a Scrapy settings module: every name counts)

COMMANDS_MODULE = "app.scrapy_commands"
