"""Pieces every site family uses: document bytes, attachment names, dates, shells."""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from replica.cache import stored
from replica.corpus import casebook_on, changed_keys, profile_name, report_at
from replica.model import ATTACHMENT_FORMAT as ATTACHMENT_FORMAT  # the families' import
from replica.model import Noise, Posting, Report
from replica.render_docx import report_docx
from replica.render_html import paragraphs_html as paragraphs_html  # re-exported
from replica.render_html import report_body_html
from replica.render_pdf import report_pdf
from replica.site import MEDIA_TYPES, Resource, utc

if TYPE_CHECKING:
    from datetime import datetime

HAS_ARTICLE = {"html", "html_pdf", "stub_pdf", "stub_docx"}
FULL_BODY = {"html", "html_pdf"}


@cache
def _pdf(key: str, epoch_variant: int) -> bytes:
    return stored(
        profile_name(),
        _entry_name("pdf", key, epoch_variant),
        lambda: report_pdf(report_at(key, epoch_variant)),
    )


@cache
def _docx(key: str, epoch_variant: int) -> bytes:
    return stored(
        profile_name(),
        _entry_name("docx", key, epoch_variant),
        lambda: report_docx(report_at(key, epoch_variant)),
    )


def _entry_name(fmt: str, key: str, epoch_variant: int) -> str:
    """The document's name in the cache (``replica/cache.py``): ``pdf-wip-gw%2F2022-v1``."""
    return f"{fmt}-{quote(key, safe='')}-v{epoch_variant}"


def attachment_bytes(report: Report, fmt: str, epoch: int) -> bytes:
    """The report rendered as ``fmt``; cached, so unchanged reports render once.

    Cached in the process and on disk (``replica/cache.py``): a replica that
    started before with the same code, data and profile renders nothing.
    """
    if casebook_on():
        from replica import casebook  # numpy and PDFium: only when asked for

        if casebook.is_case(report.key):  # its scans; the same on every night
            return casebook.document(report.key, fmt)
    variant = 2 if epoch >= 2 and report.key in changed_keys() else 1
    return _pdf(report.key, variant) if fmt == "pdf" else _docx(report.key, variant)


def file_resource(
    data: bytes,
    fmt: str,
    published: datetime,
    *,
    disposition: str | None = None,
    content_type: str | None = None,
) -> Resource:
    """A downloadable file as a static server sends it."""
    return Resource(
        data, content_type or MEDIA_TYPES[fmt], utc(published), disposition=disposition
    )


def article_html(posting: Posting) -> str:
    """What goes inside the article container: the full report, a stub, or noise prose."""
    item = posting.item
    if isinstance(item, Noise):
        return paragraphs_html(item.paragraphs)
    if posting.form in FULL_BODY:
        return report_body_html(item)
    return paragraphs_html((f"{item.title}详见附件。",))


def attachment_name(posting: Posting) -> str:
    """The human file name an editor uploads (shown as link text, sent as filename*)."""
    fmt = ATTACHMENT_FORMAT[posting.form]
    return f"{posting.item.title}.{fmt}"


def article_meta(posting: Posting, close: str = ">") -> str:
    """The ArticleTitle / PubDate / ContentSource meta tags every gov CMS writes.

    :param close: ``">"`` (TRS) or ``"/>"`` (Hanweb's XHTML templates).
    """
    item = posting.item
    stamp = posting.published.strftime("%Y-%m-%d %H:%M")
    return (
        f'<meta name="ArticleTitle" content="{e(item.title)}"{close}\n'
        f'<meta name="PubDate" content="{stamp}"{close}\n'
        f'<meta name="ContentSource" content="{e(item.publisher)}"{close}\n'
    )


def hex_name(*parts: object, length: int = 32) -> str:
    """A stable hex id for generated file names."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:length]


def date_text(moment: datetime, style: str, seconds: int = 0) -> str:
    """Publication dates in each real site's format."""
    if style == "cn_minutes":
        return moment.strftime("发布时间:%Y年%m月%d日 %H:%M")
    if style == "iso_seconds":
        return moment.replace(second=seconds).strftime("发布时间:%Y-%m-%d %H:%M:%S")
    if style == "bracket":
        return moment.strftime("[%Y-%m-%d]")
    return moment.strftime("%Y-%m-%d")


def truncate(title: str, limit: int = 28) -> str:
    """List pages cut long titles; the full one stays in the ``title`` attribute."""
    return title if len(title) <= limit else title[:limit] + "..."


def path_of(url: str) -> str:
    """The path and query of a URL, as a same-site link writes it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def e(text: object) -> str:
    return escape(str(text))
