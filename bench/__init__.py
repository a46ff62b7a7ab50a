"""Benchmarks (docs/benchmarks.md): ratios against baselines measured in the same run.

``python -m bench``. Not part of the installed product; it may import anything, and
nothing in the product imports it.
"""
