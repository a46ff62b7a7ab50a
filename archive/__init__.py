"""Storage and history: the SQLite archive, the blob store, captures, versions, runs, events.

Owns: ``db.py`` (opening, pragmas, the crawl lock), ``migrations.py`` (the schema),
``blobs.py`` (content-addressed files), ``recorder.py`` (fetches and listings as
they arrive), ``history.py`` (a run's events), ``runs.py`` (runs and sources),
``derived.py`` (what the processors derived from each version), ``evidence.py`` (one
report's evidence zip), ``warc.py`` + ``export.py`` (captures as WARC records; the
WARC and WACZ exports) and ``names.py`` (file names for a reader's folder).

May import: ``processors`` (the names of the standard tables and rows) and
libraries. Never ``app``, ``crawler``, ``alerts`` or ``web``: they build on it.
"""
