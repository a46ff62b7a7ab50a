"""The local replica of real government sites: deterministic, loopback only.

A stand-in for the internet, used by the tests, the benchmarks and ``nianbao demo``.
It lives in the repository, not in the installed product: the product reaches it
only over HTTP (as a proxy), started as its own process (``python -m replica serve``).
``nianbao replica …`` is this package's command group, plugged into the ``nianbao``
command line through the ``nianbao.commands`` entry point.

May import: libraries only (never the product: it must behave like a real site).
"""
