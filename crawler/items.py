"""What spiders yield: the archive's own plain records (no Scrapy objects reach it).

* ``FetchRecord`` — one fetch with its provenance (and its bytes when it succeeded);
* ``ListingBatch`` — a list page's items (``ListingEntry``), each taken for a report or
  skipped, and why;
* ``Identity`` — the report (body, year) a document belongs to.

What a spider gets from the archive before it starts: ``KnownDocument`` (validators,
identity and files of an archived document) and ``KnownList`` (a list page's
validators and items as last read).
"""

from archive.recorder import (
    Carried,
    FetchRecord,
    Identity,
    KnownDocument,
    KnownList,
    ListedItem,
    ListingBatch,
    ListingEntry,
)

__all__ = [
    "Carried",
    "FetchRecord",
    "Identity",
    "KnownDocument",
    "KnownList",
    "ListedItem",
    "ListingBatch",
    "ListingEntry",
]
