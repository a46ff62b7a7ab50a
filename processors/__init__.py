"""Pure functions from a report file's bytes to text, identity, tables and checks."""
