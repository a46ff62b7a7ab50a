"""The ``copied`` alert (雷同): a new report that is, nearly word for word, another
body's report.

Opt-in (``alerts.config.OPT_IN_KINDS``): only channels whose ``kinds`` list
``copied`` get it. Raised for a report that is new in the run (not on a source's
first crawl, whose reports are its baseline) whose most similar report of another
body (``similar_reports``, kept by ``archive/similarity.py``) is at least
``[alerts] copied_similarity`` similar. The message names both reports, says how
similar their own texts are and quotes the first passage they share; its key
(``copied:{report}:{twin}``, the smaller id first) tells a pair once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alerts.messages import report_link, short_name
from alerts.outbox import Message
from archive.similarity import compare_reports
from processors.similarity import first_passage

if TYPE_CHECKING:
    from sqlite_utils import Database

    from alerts.config import Alerts
    from processors.similarity import Passage

QUOTE = 80  # characters of each side of the passage quoted


def copied_messages(db: Database, run_id: int, settings: Alerts) -> list[Message]:
    """The ``copied`` messages of run ``run_id``'s new reports."""
    rows = db.execute(
        """SELECT e.id, e.report_id, e.source_id, r.body, r.year, r.region,
                  s.twin_id, t.body, t.year, s.similarity
           FROM events e
           JOIN reports r ON r.id = e.report_id
           JOIN similar_reports s ON s.report_id = e.report_id AND s.scope = 'other_body'
           JOIN reports t ON t.id = s.twin_id
           WHERE e.run_id = ? AND e.kind = 'new_report' AND e.baseline = 0
             AND s.similarity >= ?
           ORDER BY e.id""",
        [run_id, settings.copied_similarity],
    ).fetchall()
    messages = []
    for (
        event,
        report,
        source,
        body,
        year,
        region,
        twin,
        twin_body,
        twin_year,
        value,
    ) in rows:
        compared = compare_reports(db, report, twin)
        passage = first_passage(compared.passages) if compared else None
        title = f"{short_name(body)} {year}年报与{short_name(twin_body)} {twin_year}年报雷同"
        detail = f"去掉模板和套话后，两份年报的文字{value:.0%}相同"
        if passage is not None:
            detail += f"。相同段落：{_quote(passage, 'a')}／{_quote(passage, 'b')}"
        links = (report_link(settings, report), report_link(settings, twin))
        messages.append(
            Message(
                kind="copied",
                key=f"copied:{min(report, twin)}:{max(report, twin)}",
                title=title,
                message=f"{title}：{detail}\n查看：{links[0]}\n对方：{links[1]}",
                region=region,
                body=body,
                source_id=source,
                report_id=report,
                event_id=event,
                links=links,
            )
        )
    return messages


def _quote(passage: Passage, side: str) -> str:
    text = "".join(passage.a if side == "a" else passage.b)
    return f"「{text[:QUOTE]}{'…' if len(text) > QUOTE else ''}」"
