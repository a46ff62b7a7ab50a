"""Site families: one module per CMS the replica imitates."""
