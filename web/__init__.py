"""The journalists' window: Datasette over the archive, read-only.

Owns: ``serve.py`` (``nianbao serve``: Datasette with nianbao's settings),
``plugin.py`` (the hooks and routes), ``metadata.py`` (Chinese-first descriptions
and facets), ``queries.py`` (the canned queries), ``chart.py`` (its charts in
``applications.py`` and ``appeals.py``, drawn with ``svg.py``), ``originals.py``
(archived files as downloads) and ``common.py``.

May import: ``alerts`` (the feed and the settings links use), ``archive`` and
``processors``. Never ``app`` or ``crawler``; it never writes the archive.
"""
