"""Everything that tells people: messages, health, the outbox and its delivery, the feed.

Owns: ``config.py`` (the settings types: channels, links, retries), ``messages.py``
(messages from a run's events and checks), ``health.py`` (sources that broke, late
reports, stale runs), ``outbox.py`` (messages stored once, one delivery per
channel), ``delivery.py`` (apprise, a thread per channel, backoff), ``feed.py`` (the
Atom feed) and ``notify.py`` (all of it at the end of a run).

May import: ``archive`` and ``processors``. Never ``app``, ``crawler`` or ``web``;
it reads the archive and writes only its outbox; it never crawls.
"""
