"""Pure functions from a report file's bytes to text, identity, tables and checks.

Owns: the per-format readers (``html``, ``pdf``, ``docx``, ``legacy``, ``plain``
into ``document.Document``; ``grids`` caps the tables they build, ``package`` checks
a Word zip before it is unpacked), ``identity``, ``schema`` + ``tables`` (the
standard tables and their canonical keys), ``checks`` (the identities a report
satisfies), ``deadlines`` (when a report is due), ``text`` (sniffing, normalised
text, the content hash; ``scans`` fingerprints scanned PDF pages for it) and
``parse`` (the front door: ``parse(data, media_type)``, which raises nothing but
``document.ReadError`` for bad input).

May import: libraries only. No database, no network, no clock, no global state:
every other package builds on it.
"""
