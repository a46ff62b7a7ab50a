"""`nianbao parse` reads a file in the crawl's sandbox (issue 11, point 11): within the
limits a hostile file ends with one clean line, never a hang or a traceback."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from tests.commands import run

REPORT = Path(__file__).parents[1] / "fixtures" / "reports" / "whctp-gw-2021.pdf"
# A rowspan bomb: 100 KB of table whose cells each claim a billion rows.
BOMB = (
    "<html><body><h1>某某镇2023年政府信息公开工作年度报告</h1><table>"
    + "<tr>"
    + '<td rowspan="1000000000" colspan="1000">x</td>' * 2000
    + "</tr></table></body></html>"
)


def _parse(path: Path, **limits: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = run(sys.executable, "-m", "app", "parse", path, env={**os.environ, **limits})
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def test_a_file_over_the_memory_limit_ends_with_one_line(tmp_path: Path) -> None:
    # 4 MB beyond what the worker inherits: read by PDFium, the 4-page report needs
    # some 8 (by pdfminer alone it needed more than 24, this test's limit before).
    code, _, err, _ = _parse(REPORT, NIANBAO_PARSE_MEMORY_MB="4")
    assert code == 1, err
    (line,) = err.strip().splitlines()
    assert line.startswith(f"Error: {REPORT}: ")
    assert "out of memory" in line or "MemoryError" in line or "worker died" in line


def test_the_same_file_within_the_limits_parses(tmp_path: Path) -> None:
    code, out, err, _ = _parse(REPORT)
    assert code == 0, err
    assert "威海火炬高技术产业开发区管理委员会" in out


def test_a_rowspan_bomb_is_read_within_bounds_with_warnings(tmp_path: Path) -> None:
    hostile = tmp_path / "bomb.html"
    hostile.write_text(BOMB, encoding="utf-8")
    code, out, err, _ = _parse(
        hostile, NIANBAO_PARSE_TIMEOUT="20", NIANBAO_PARSE_MEMORY_MB="400"
    )
    assert "Traceback" not in err
    assert code == 0, err
    assert "rowspan=1000000000 read as" in out  # capped, and said so
