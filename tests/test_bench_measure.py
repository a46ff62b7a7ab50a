"""The bench's process sampler (bench/measure.py): roles and peaks of a process tree."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

from bench.measure import TreeSampler

# Allocates about 80 MB after its exec, says so, and waits to be killed.
CHILD = (
    "b = bytearray(80 * 2**20); print('ready', flush=True); import time; time.sleep(60)"
)


def named(pid: int, cmdline: str) -> str:
    return "child" if "bytearray(80" in cmdline else "other"


def test_a_child_seen_before_its_exec_gets_its_role_and_its_own_peak() -> None:
    # The CI failure of 2026-12-05: a look between the fork and the exec saw the
    # parent's command line, named the crawl "other" for good, and B10 read 0 MB.
    sampler = TreeSampler(os.getpid(), named)
    started: list[subprocess.Popen[str]] = []

    def start() -> None:  # Popen returns only once the child has exec'd
        started.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD],
                stdout=subprocess.PIPE,
                text=True,
                preexec_fn=lambda: time.sleep(1.5),  # between fork and exec
            )
        )

    starter = threading.Thread(target=start)
    starter.start()
    time.sleep(0.5)
    sampler.look()
    forked = set(sampler.seen) - {os.getpid()}
    starter.join()
    (child,) = started
    try:
        assert child.pid in forked
        assert sampler.seen[child.pid].role == "other"
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
        sampler.look()
        assert sampler.seen[child.pid].role == "child"
        assert 80 < sampler.peaks()["child"] < 200, sampler.peaks()
    finally:
        child.kill()
        child.wait()
