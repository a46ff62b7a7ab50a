"""Legacy Word 97–2003 (.doc) and WPS (.wps) reports, read through wvWare.

The converter is ``wvWare`` from the Debian package ``wv`` (``apt-get install wv``;
``scripts/bootstrap.sh`` installs it). It runs as a subprocess, without a shell, on
a temporary copy of the file, with a time limit, and prints the document as HTML:
paragraphs in order and tables with every cell of every row, so merged cells can be
expanded exactly. When ``wvWare`` is not installed, :func:`read_doc` raises
:class:`ReadError` naming the package; nothing else in ``processors`` needs it.

Why not antiword: it reads the Chinese text well, but on a Word 97 file saved by
LibreOffice it printed the 收到和处理 table (22 vertically merged rows) as its header
alone, losing every figure below it, and wrapped the 15-column 复议诉讼 table into
prose; wvWare kept both tables whole. WPS Office saves ``.wps`` files in the same
OLE2/Word 97 binary format, so they are read the same way; older WPS formats (not
OLE2) are refused. wvWare does not give the document's stated title (it reports
"Untitled"), so ``meta`` stays empty.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.etree
import lxml.html

from processors.document import Document, Grid, ReadError
from processors.grids import MAX_COLUMNS, GridLimits
from processors.html import xml_safe

if TYPE_CHECKING:
    from lxml.html import HtmlElement

CONVERTER = "wvWare"
PACKAGE = "wv"
TIMEOUT = 60.0  # seconds; a report converts in well under one
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_STREAM = "WordDocument".encode("utf-16-le")  # its name in the OLE2 directory
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre"})
WHITESPACE = re.compile(r"\s+")


def read_doc(data: bytes, *, timeout: float = TIMEOUT) -> Document:
    """Read a Word 97–2003 or WPS file into text and grids (merged cells expanded).

    :param timeout: seconds the converter may take before the file is given up.
    :raises ReadError: for bytes that are not a Word binary file, a file the
        converter fails on (damaged, encrypted), or a machine without ``wvWare``.
    """
    check_word_binary(data)
    return html_to_document(convert(data, timeout))


def check_word_binary(data: bytes) -> None:
    """Refuse, with the reason, what is not an OLE2 file holding a Word document."""
    if not data:
        raise ReadError("not a Word 97–2003 file: the file is empty")
    if data.startswith(OLE_MAGIC):
        if WORD_STREAM not in data:
            raise ReadError(
                "an OLE2 file with no WordDocument stream: truncated, "
                "or not a Word file (Excel, PowerPoint?)"
            )
        return
    head = data[:64].lstrip()
    if head.startswith(b"{\\rtf"):
        reason = "RTF saved under a .doc name"
    elif head.startswith(b"PK\x03\x04"):
        reason = "a zip package (.docx saved under a .doc name?)"
    elif head[:1] == b"<" or head.upper().startswith(b"MIME-VERSION"):
        reason = "HTML/MHTML saved under a .doc name"
    else:
        reason = f"no OLE2 signature (starts with {data[:40].decode('latin-1')!r})"
    raise ReadError(f"not a Word 97–2003 file: {reason}")


def converter() -> tuple[str, Path]:
    """The wvWare executable and its HTML configuration file."""
    exe = shutil.which(CONVERTER)
    if exe is None:
        raise ReadError(
            f"{CONVERTER} is not installed: install the Debian package '{PACKAGE}' "
            f"(apt-get install {PACKAGE}) to read .doc/.wps files"
        )
    config = Path(exe).resolve().parent.parent / "share" / "wv" / "wvHtml.xml"
    if not config.is_file():
        raise ReadError(
            f"{CONVERTER} is installed without {config}: reinstall '{PACKAGE}'"
        )
    return exe, config


def convert(data: bytes, timeout: float) -> str:
    """The document as wvWare's HTML (UTF-8); images it extracts are thrown away."""
    exe, config = converter()
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        source = Path(tmp) / "report.doc"
        source.write_bytes(data)
        command = [
            exe,
            "--charset=utf-8",
            "-x",
            str(config),
            "-d",
            tmp,
            "-b",
            "img",
            str(source),
        ]
        try:
            done = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                command,
                cwd=tmp,
                stdin=subprocess.DEVNULL,  # an encrypted file must not wait for a password
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReadError(f"{CONVERTER} took longer than {timeout:g} s") from exc
    if done.returncode < 0:
        raise ReadError(
            f"{CONVERTER} crashed ({_signal_name(-done.returncode)}) on the file: damaged?"
        )
    if done.returncode != 0 or not done.stdout.strip():
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = said[-1] if said else "no message: damaged, or not a Word document"
        raise ReadError(
            f"{CONVERTER} could not read the file (exit {done.returncode}): {detail}"
        )
    return done.stdout.decode("utf-8", "replace")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def html_to_document(html: str) -> Document:
    """wvWare's HTML as a document: block texts as lines, tables as grids."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReadError(f"{CONVERTER} printed no readable HTML: {exc}") from exc
    for br in root.iter("br"):
        br.tail = "\n" + xml_safe(br.tail or "")  # lxml refuses to set control chars
    lines: list[str] = []
    grids: list[Grid] = []
    limits = GridLimits()
    read_blocks(root.body, lines, grids, limits)
    return Document(
        kind="doc",
        text="\n".join(lines),
        grids=tuple(grids),
        warnings=limits.warnings,
    )


def read_blocks(
    element: HtmlElement,
    lines: list[str],
    grids: list[Grid],
    limits: GridLimits | None = None,
) -> None:
    """Append the text lines and grids under ``element``, in document order."""
    limits = limits if limits is not None else GridLimits()
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments
        if child.tag == "table":
            grid, rows = table_grid(child, limits)
            if grid is not None:
                grids.append(grid)
            lines.extend(rows)
        elif child.tag in BLOCK_TAGS and child.find(".//table") is None:
            lines.extend(
                ln.strip() for ln in child.text_content().splitlines() if ln.strip()
            )
        else:
            read_blocks(child, lines, grids, limits)


def table_grid(
    table: HtmlElement, limits: GridLimits | None = None
) -> tuple[Grid | None, list[str]]:
    """A wvWare table as a grid, and its rows as tab-separated text lines.

    wvWare writes every cell of every row: the lower parts of a vertically merged
    cell come as empty cells with ``rowspan="0"``, and they take the text of the
    cell above. Its ``rowspan`` counts are not needed, and not always right (a
    label that starts a new merge can come with ``rowspan="0"`` too: its own text
    wins). The grid keeps within ``limits`` (``processors/grids.py``); it is None
    when the document's cell budget is spent.
    """
    limits = limits if limits is not None else GridLimits()
    rows: list[list[str]] = []
    lines: list[str] = []
    for r, tr in enumerate(table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")):
        out, printed = _row(tr, rows[-1] if rows else [], limits)
        if limits.row_allowed(r) and not limits.spent:
            rows.append(out)
        if any(printed):
            lines.append("\t".join(printed))
    return (None if limits.spent else limits.grid(rows)), lines


def _row(
    tr: HtmlElement, above: list[str], limits: GridLimits
) -> tuple[list[str], list[str]]:
    """One row's places (merged cells filled in, at most MAX_COLUMNS) and the texts
    it prints."""
    out: list[str] = []
    printed: list[str] = []
    for cell in tr.xpath("./td|./th"):
        text = WHITESPACE.sub("", cell.text_content())
        if cell.get("rowspan") == "0" and not text:
            text = above[len(out)] if len(out) < len(above) else ""
        else:
            printed.append(text)
        if len(out) >= MAX_COLUMNS:
            limits.columns(len(out) + 1)  # says the rest is left out
            continue
        span = limits.span(cell.get("colspan"), "colspan")
        out.extend([text] * min(span, MAX_COLUMNS - len(out)))
    return out, printed
