"""Small C loops for the parse's hottest spots, built on first use; Python without them.

``charloop.c`` asks PDFium about every char of a text page in one call from Python
(``char_origins``). It is compiled with the machine's C compiler (``cc``; Debian's
``gcc``, which scripts/bootstrap.sh installs) into ``_native/`` beside it or,
where that cannot be written (an installed package), the user's cache
(``~/.cache/nianbao``), named by the source's hash and the machine: built once, then
only loaded. Where no compiler or no writable folder is found, ``LOOP`` is None and
the callers keep their Python loop, which gives the same answers (tested) more slowly.
``python -m processors.native`` builds it and says where (scripts/bootstrap.sh).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).with_name("charloop.c")
COMPILE_SECONDS = 60


def _places() -> list[Path]:
    return [Path(__file__).with_name("_native"), Path.home() / ".cache" / "nianbao"]


def _name() -> str:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    return f"charloop-{platform.machine()}-{digest}.so"


def _compile(target: Path) -> str | None:
    """Build the loop into ``target`` (atomically: a loaded library is never half
    written, and processes building at once each rename a whole one); why not, or None."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return "no C compiler (cc) on PATH"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=target.parent, suffix=".so.tmp")
        os.close(handle)
    except OSError as exc:
        return f"{target.parent} cannot be written: {exc}"
    try:
        done = subprocess.run(  # noqa: S603 -- the compiler found above, our own source
            [compiler, "-O2", "-shared", "-fPIC", "-o", name, str(SOURCE)],
            capture_output=True,
            text=True,
            timeout=COMPILE_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            return f"{compiler} failed: {(done.stderr or done.stdout).strip()[:500]}"
        Path(name).replace(target)
        return None
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{compiler} failed: {exc}"
    finally:
        with contextlib.suppress(OSError):
            Path(name).unlink()


def build() -> tuple[Path | None, str]:
    """The built library (built now if need be) and what happened, in words."""
    reasons = []
    for place in _places():
        target = place / _name()
        if target.exists():
            return target, f"loaded {target}"
        why = _compile(target)
        if why is None:
            return target, f"built {target}"
        reasons.append(why)
    return None, "; ".join(reasons)


def _load() -> tuple[Any, str]:
    path, how = build()
    if path is None:
        return None, how
    try:
        library = ctypes.CDLL(str(path))
    except OSError as exc:
        return None, f"{path} cannot be loaded: {exc}"
    loop = library.nianbao_char_origins
    loop.restype = ctypes.c_int
    loop.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    return loop, how


LOOP, HOW = _load()
"""``nianbao_char_origins`` (charloop.c) through ctypes, or None; HOW says why."""


if __name__ == "__main__":
    sys.stdout.write(f"processors.native: {HOW}\n")
    sys.exit(0 if LOOP is not None else 1)
