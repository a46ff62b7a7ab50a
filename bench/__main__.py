"""`python -m bench`: B1, B3 and B4 of docs/benchmarks.md, as ratios measured in this run.

Starts the replica in its benchmark mix (PDF-heavy, 10–60 page PDFs, 4× the bodies)
pinned to CPU 0, crawls it from CPU 1, and prints one table. Results also go to
bench/results/latest.json. Takes a few minutes; `--repetitions 1` for a quick look.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from dataclasses import asdict

from bench.crawl_bench import b1_throughput, b3_incremental
from bench.measure import PYTHON, ROOT, pinned
from bench.store_bench import b4_store

RESULTS = ROOT / "bench" / "results"


def start_replica(scale: int) -> tuple[subprocess.Popen[str], str]:
    command = pinned(
        0,
        [
            PYTHON,
            "-m",
            "app",
            "replica",
            "serve",
            "--port",
            "0",
            "--bench",
            "--scale",
            str(scale),
        ],
    )
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(
        r"listening on (http://127\.0\.0\.1:\d+) \(ready in ([\d.]+) s\)", line
    )
    if not found:
        process.kill()
        raise RuntimeError(f"the replica did not start: {line}")
    return process, found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--repetitions",
        type=int,
        default=5,
        help="runs per measurement (median is reported)",
    )
    parser.add_argument(
        "--scale", type=int, default=4, help="replica bodies × this (benchmark mix)"
    )
    args = parser.parse_args()
    started = time.monotonic()
    replica, proxy = start_replica(args.scale)
    try:
        b1 = b1_throughput(proxy, args.repetitions)
        b3 = b3_incremental(proxy, args.repetitions)
    finally:
        replica.terminate()
        replica.wait(30)
    b4 = b4_store(args.repetitions)
    print(
        f"nianbao benchmarks — medians of {args.repetitions} runs, ratios measured in this run"
    )
    lines = [
        f"B1 crawl throughput    ours {b1.ours_pages_per_s:7.1f} pages/s · "
        f"bare Scrapy {b1.bare_pages_per_s:7.1f} pages/s · ratio {b1.ratio:.2f} (goal ≥ 0.75, "
        f"±{b1.spread:.0%}) · CPU-s/page {b1.cpu_per_page_ratio:.2f}× bare · {b1.pages} pages",
        f"B3 unchanged night     night 1 {b3.first_s:6.1f} s · night 2 {b3.second_s:6.1f} s · "
        f"time ratio {b3.time_ratio:.2f} (goal ≤ 0.2, ±{b3.spread:.0%}) · bytes ratio "
        f"{b3.bytes_ratio:.3f} · night 2: {b3.second_versions} versions, {b3.second_events} events"
        f" · {b3.documents} documents",
    ]
    lines += [
        f"B4 blob store {r.label:<11} {r.store_mb_s:7.1f} MB/s · limit {r.limit_mb_s:7.1f} MB/s · "
        f"ratio {r.ratio:.2f} (±{r.spread:.0%}) · {r.ms_per_file:.2f} ms/file"
        for r in b4
    ]
    print("\n".join(lines))
    print(f"({time.monotonic() - started:.0f} s)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(
        json.dumps(
            {"b1": asdict(b1), "b3": asdict(b3), "b4": [asdict(r) for r in b4]},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
