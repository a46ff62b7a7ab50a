"""Pure functions from a report file's bytes to text, identity, tables and checks.

Owns: the per-format readers (``html``, ``pdf``, ``docx``, ``legacy``, ``plain``
into ``document.Document``), ``identity``, ``schema`` + ``tables`` (the standard
tables and their canonical keys), ``checks`` (the identities a report satisfies),
``deadlines`` (when a report is due), ``text`` (sniffing, normalised text) and
``parse`` (the front door: ``parse(data, media_type)``).

May import: libraries only. No database, no network, no clock, no global state:
every other package builds on it.
"""
