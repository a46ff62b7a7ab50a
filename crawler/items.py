"""What spiders yield: the archive's own plain records (no Scrapy objects reach it).

* ``FetchRecord`` — one fetch with its provenance (and its bytes when it succeeded);
* ``ListingBatch`` — a list page's items, each taken for a report or skipped, and why;
* ``Identity`` — the report (body, year) a document belongs to.
"""

from archive.recorder import FetchRecord, Identity, ListingBatch

__all__ = ["FetchRecord", "Identity", "ListingBatch"]
