"""Child processes never outlive the process that started them.

``prctl(PR_SET_PDEATHSIG)`` (Linux) has the kernel signal a child when the thread
that forked it ends, even by SIGKILL. Used by the parse workers (app/sandbox.py) and
the replica child (app/standin.py). Call it in the child, before its work starts.
"""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent dies."""
    if sys.platform != "linux":  # pragma: no cover - Linux only, as the project
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(sig))
