"""Storage and history: the SQLite archive, the content-addressed blob store, events."""
