"""Read an HTML report page: decode it, find the article body, its text, tables and metadata."""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

import lxml.etree
import lxml.html

from processors.document import Document, Grid, ReadError
from processors.grids import MAX_COLUMNS, MAX_ROWS, GridLimits

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

# Where CMS templates put the article body, most specific first.
CONTENT_XPATHS = (
    '//div[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//div[contains(@class, "trs_editor_view")]',
    '//div[@id="zoom"]',
    "//ucapcontent",
    '//div[@id="vsb_content"]',
    '//div[contains(@class, "article_content")]',
    '//div[contains(@class, "annual-report")]',
    '//div[@class="content"]',
    '//div[contains(@class, "doc-content") or contains(@class, "article-content")]',
    '//div[contains(@class, "news_cont_d_wrap")]',
)
NOISE_XPATH = "//script|//style|//noscript"
ARTICLE_META = (
    '//meta[@name="ArticleTitle" or @name="ContentSource" or @name="PubDate"]'
)
BREADCRUMB_BLOCKS = (
    '//div[contains(@class, "position") or contains(@class, "crumb")'
    ' or contains(@class, "breadcrumb")]'
)
BREADCRUMB = f"{BREADCRUMB_BLOCKS}//a/text()"
BREADCRUMB_LABEL = '//*[text()[contains(., "当前位置") or contains(., "所在位置")]]'
TITLE_XPATHS = (
    "//h1",
    '//*[contains(@class, "article_title") or contains(@class, "xl-title")]',
)

BLOCK_TAGS = frozenset(
    {"p", "div", "br", "tr", "li", "table", "ul", "ol", "dl", "dt", "dd", "hr", "pre"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "center", "caption"}
    | {"section", "article", "header", "footer", "td", "th"}
)
# huge_tree: past 256 levels of nesting libxml2 otherwise drops the rest of the page
PARSER = lxml.html.HTMLParser(huge_tree=True)
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
SPACES = re.compile(r"\s+")
XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ANY_SPACE = re.compile(r"[\s\u200b\ufeff]+")
CHINESE_CODECS = frozenset({"gb2312", "gbk", "gb18030"})
DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
PUBLISHED = re.compile(r"发布(?:时间|日期)\s*[:：]?\s*" + DATE.pattern)
PUBLISHER = re.compile(
    r"(?:发布机构|发布单位|信息来源|来源)\s*[：:]\s*([^\s|｜]{2,40})"
)
CRUMB_SEPARATORS = re.compile(r"\s*(?:>|＞|»|›|→)\s*")


# ---------------------------------------------------------------- decoding


def _codec(name: str) -> str | None:
    """The Python codec for a declared charset (GB2312/GBK read as their superset)."""
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    return "gb18030" if codec in CHINESE_CODECS else codec


def decode_html(
    data: bytes, encoding: str | None = None
) -> tuple[str, tuple[str, ...]]:
    """The page as text, and warnings about how it was decoded.

    Tries the given encoding, else the ``<meta>`` charset, then UTF-8, then GB18030;
    when none decodes cleanly the first is used with replacement characters.
    """
    warnings: list[str] = []
    declared = encoding
    if data.startswith(codecs.BOM_UTF8):  # a byte-order mark outranks any declaration
        data, declared = data[len(codecs.BOM_UTF8) :], "utf-8"
    if declared is None:
        found = CHARSET.search(data[:4096])
        declared = found.group(1).decode("ascii") if found else None
    tries: list[str] = []
    if declared is not None:
        codec = _codec(declared)
        if codec is None:
            warnings.append(f"unknown charset {declared!r}; tried UTF-8 and GB18030")
        else:
            tries.append(codec)
    tries += [c for c in ("utf-8", "gb18030") if c not in tries]
    for codec in tries:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if declared is not None and codec != tries[0]:
            warnings.append(f"bytes are not {declared}; decoded as {codec}")
        return text, tuple(warnings)
    warnings.append(f"bytes are not valid {tries[0]}; bad bytes replaced")
    return data.decode(tries[0], "replace"), tuple(warnings)


def parse_page(text: str) -> HtmlElement:
    """The page's element tree, without scripts, styles and noscript blocks.

    :raises ReadError: if lxml finds no document in the text.
    """
    try:
        root = lxml.html.document_fromstring(
            XML_DECLARATION.sub("", text, count=1), parser=PARSER
        )
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ReadError(f"not readable as HTML: {exc}") from exc
    drop_noise(root)
    return root


def drop_noise(root: HtmlElement) -> None:
    """Remove script, style and noscript elements (their text is never the report's)."""
    for bad in root.xpath(NOISE_XPATH):
        _make_joinable(bad)
        bad.drop_tree()


def xml_safe(text: str) -> str:
    """``text`` without the control characters lxml reads but refuses to set."""
    return XML_INCOMPATIBLE.sub("", text)


def _make_joinable(element: HtmlElement) -> None:
    """Drop XML-incompatible characters from the texts ``drop_tree`` will join.

    libxml2's HTML parser keeps a stray U+0001 or U+000B in the text it reads, but
    lxml will not set a string holding one (ValueError, after it has already removed
    the old text), and dropping an element joins its tail to the text before it.
    Only texts that are about to be joined and hold such a character are touched.
    """
    if not element.tail:
        return  # nothing is joined
    previous, parent = element.getprevious(), element.getparent()
    before = previous.tail if previous is not None else parent.text
    if not XML_INCOMPATIBLE.search(element.tail + (before or "")):
        return
    element.tail = xml_safe(element.tail)
    if previous is not None and previous.tail:
        previous.tail = xml_safe(previous.tail)
    elif previous is None and parent.text:
        parent.text = xml_safe(parent.text)


def article_nodes(root: HtmlElement) -> list[HtmlElement]:
    """The article containers of the first CMS pattern that matches, or ``[]``."""
    for xpath in CONTENT_XPATHS:
        found = root.xpath(xpath)
        if found:
            return list(found)
    return []


def _outermost(nodes: list[HtmlElement]) -> list[HtmlElement]:
    """Drop the nodes that lie inside another node of the list (read each text once)."""
    inside = {id(d) for n in nodes for d in n.iterdescendants()}
    return [n for n in nodes if id(n) not in inside]


# ---------------------------------------------------------------- tables


def cell_text(cell: HtmlElement) -> str:
    """A cell's text with every inner space and line break removed."""
    return ANY_SPACE.sub("", cell.text_content())


def table_rows(table: HtmlElement) -> list[HtmlElement]:
    """The ``<tr>`` of this table (not of tables nested in it), in order."""
    return list(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"))


def is_grid_table(table: HtmlElement) -> bool:
    """A table of figures: no table inside it, and more than one cell."""
    if table.xpath(".//table"):
        return False
    return len(table.xpath(".//td | .//th")) > 1


def table_to_grid(table: HtmlElement, limits: GridLimits | None = None) -> Grid | None:
    """A table as rows of cell texts, ``rowspan``/``colspan`` expanded, blank rows dropped.

    Spans, rows and columns are kept within ``limits`` (see ``processors/grids.py``)
    while the table is expanded; None when the document's cell budget is spent.
    """
    limits = limits if limits is not None else GridLimits()
    if limits.spent:
        return None
    rows = table_rows(table)
    placed: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        if not limits.row_allowed(r) or not limits.cells_allowed(len(placed)):
            rows = rows[:r]
            break
        _place_row(row, r, len(rows), placed, limits)
    width = max((c + 1 for _, c in placed), default=0)
    grid = (
        tuple(placed.get((r, c), "") for c in range(width)) for r in range(len(rows))
    )
    return limits.grid([row for row in grid if any(row)])


def _place_row(
    row: HtmlElement,
    r: int,
    height: int,
    placed: dict[tuple[int, int], str],
    limits: GridLimits,
) -> None:
    """Put one ``<tr>``'s cells where they go, each in every place it spans."""
    c = 0
    for cell in row.xpath("./td | ./th"):
        while (r, c) in placed:
            c += 1
        if c >= MAX_COLUMNS:
            limits.columns(c + 1)
            return
        text = cell_text(cell)
        down = min(
            limits.span(cell.get("rowspan"), "rowspan"), height - r, MAX_ROWS - r
        )
        across = min(limits.span(cell.get("colspan"), "colspan"), MAX_COLUMNS - c)
        for dr in range(down):
            for dc in range(across):
                placed[(r + dr, c + dc)] = text
        c += across


def page_grids(
    body: list[HtmlElement], limits: GridLimits | None = None
) -> tuple[Grid, ...]:
    """Every table of figures in the body, in reading order, within ``limits``."""
    limits = limits if limits is not None else GridLimits()
    grids = (
        table_to_grid(table, limits)
        for node in body
        for table in node.iter("table")
        if is_grid_table(table)
    )
    return tuple(grid for grid in grids if grid is not None and grid.rows)


# ---------------------------------------------------------------- text


def _pieces(root: HtmlElement) -> Iterator[str]:
    """Text pieces in reading order; ``\\n`` around blocks, one line per table row.

    A walk, not a recursion: Word debris nests inline tags thousands deep.
    """
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event == "start":
            if element.tag == "table" and is_grid_table(element):
                walker.skip_subtree()
                yield "\n"
                for row in table_rows(element):
                    yield "\t".join(cell_text(c) for c in row.xpath("./td | ./th"))
                    yield "\n"
                continue
            if element.tag in BLOCK_TAGS:
                yield "\n"
            if element.text:
                yield SPACES.sub(" ", element.text)
            continue
        if event == "end" and element.tag in BLOCK_TAGS:
            yield "\n"
        if element.tail and element is not root:
            yield SPACES.sub(" ", element.tail)


def block_text(nodes: list[HtmlElement]) -> str:
    """The nodes' text: a line per block element, table cells split by tabs, no blank lines."""
    raw = "".join(piece for node in nodes for piece in _pieces(node))
    lines = (re.sub(" {2,}", " ", line).strip(" ") for line in raw.split("\n"))
    return "\n".join(line for line in lines if line.strip())


# ---------------------------------------------------------------- metadata


def _first_text(root: HtmlElement, xpaths: tuple[str, ...]) -> str:
    for xpath in xpaths:
        for node in root.xpath(xpath):
            text = SPACES.sub(" ", node.text_content()).strip()
            if text:
                return text
    return ""


def _title_element(root: HtmlElement) -> str:
    """``<title>`` without the ``_column_site`` / `` - site`` tail CMSs append."""
    title = _first_text(root, ("//title",))
    head = re.split(r"\s+-\s+|_|\|", title, maxsplit=1)[0].strip()
    return head if len(head) >= 4 else title


def _date(text: str) -> str:
    found = DATE.search(text)
    if not found:
        return ""
    year, month, day = found.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _crumbs(block: HtmlElement) -> list[str]:
    """A breadcrumb block's crumbs: its links' texts, else its text split at ``>``."""
    crumbs = [SPACES.sub(" ", a.text_content()).strip() for a in block.iter("a")]
    if any(crumbs):
        return [c for c in crumbs if c]
    text = re.split(r"位置\s*[:：]", SPACES.sub(" ", block.text_content()))[-1]
    crumbs = [c for c in CRUMB_SEPARATORS.split(text.strip()) if c]
    return crumbs if len(crumbs) > 1 else []


def breadcrumb(root: HtmlElement) -> str:
    """The page's crumbs joined by ``" > "`` (from the breadcrumb / 当前位置 block)."""
    blocks = list(root.xpath(BREADCRUMB_BLOCKS))
    for label in root.xpath(BREADCRUMB_LABEL):
        # the label often sits in a <span> beside the list of links
        blocks += [label, *list(label.iterancestors())[:2]]
    for block in blocks:
        crumbs = _crumbs(block)
        if crumbs:
            return " > ".join(crumbs)
    return ""


def page_meta(root: HtmlElement, page_text: str) -> dict[str, str]:
    """Title, publication date, publisher and breadcrumb, as the page states them."""
    tags = {
        m.get("name"): (m.get("content") or "").strip()
        for m in root.xpath(ARTICLE_META)
    }
    title = (
        tags.get("ArticleTitle")
        or _first_text(root, TITLE_XPATHS)
        or _title_element(root)
    )
    published = _date(tags.get("PubDate", ""))
    if not published:
        found = PUBLISHED.search(page_text)
        published = _date(found.group(0)) if found else ""
    publisher = tags.get("ContentSource", "")
    if not publisher:
        found = PUBLISHER.search(page_text)
        publisher = found.group(1) if found else ""
    meta = {
        "title": title,
        "published": published,
        "publisher": publisher,
        "breadcrumb": breadcrumb(root),
    }
    return {key: value for key, value in meta.items() if value}


# ---------------------------------------------------------------- the reader


def read_html(data: bytes, encoding: str | None = None) -> Document:
    """Read an HTML report page into its article's text, tables and metadata.

    :param encoding: the charset the HTTP headers declared, if any; it wins over
        ``<meta charset>``.
    :raises ReadError: if the bytes hold no HTML document at all.
    """
    text, warnings = decode_html(data, encoding)
    root = parse_page(text)
    body = _outermost(article_nodes(root))
    if not body:
        body = list(root.xpath("//body")) or [root]
        warnings += ("no known article container; read the whole <body>",)
    page_text = block_text(list(root.xpath("//body")) or [root])
    limits = GridLimits()
    grids = page_grids(body, limits)
    return Document(
        kind="html",
        text=block_text(body),
        grids=grids,
        meta=page_meta(root, page_text),
        warnings=(*warnings, *limits.warnings),
    )
