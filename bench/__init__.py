"""Benchmarks (docs/benchmarks.md B1, B3, B4): ratios measured in one run. `python -m bench`."""
