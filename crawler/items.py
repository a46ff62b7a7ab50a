"""What spiders yield: the archive's own plain records (no Scrapy objects reach it).

* ``FetchRecord`` — one fetch with its provenance (and its bytes when it succeeded);
* ``ListingRecord`` — one list item and whether it was taken for a report, and why;
* ``Identity`` — the report (body, year) a document belongs to.
"""

from archive.recorder import FetchRecord, Identity, ListingRecord

__all__ = ["FetchRecord", "Identity", "ListingRecord"]
