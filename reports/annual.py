"""The annual handling report (年度建议办理工作情况报告): its content from `reports.figures`
and the two chapters staff write, rendered by WeasyPrint as a print-ready A4 PDF (cover, table
of contents, page numbers, charts), in a background job that reports its progress
(reports/jobs.py).

The same template renders the HTML preview.

A report is of one stream (deputies' suggestions, or CPPCC members' proposals) or of both (the
government's 人大代表建议和政协委员提案办理情况, with each stream's own numbers beside the
combined ones). The template is written in the congress's words; a proposal report or a
combined one is told in its words by `deputies.streams.told_for`, with what people wrote
(titles, names, chapters, reply texts: the `keep` filter) left as written.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from deputies.access import ALL_STREAMS, streams_of
from deputies.models import UserOrAnonymous
from deputies.streams import Stream, told_for, words_of
from handling.models import Assignment, Reply, ResultCategory
from handling.selectors import standing_replies
from proposals.models import Meeting, Proposal, ProposalState
from reports import charts
from reports import figures as fg
from reports.models import AnnualReport
from reports.pdf import render_document
from reports.templatetags.reports_tags import pct
from supervision.selectors import resurvey_counts

logger = logging.getLogger(__name__)
S = ProposalState
# The combined report of both streams (AnnualReport.stream, ReportJob.stream).
BOTH = ""

TEMPLATE = "reports/annual_report.html"
HEADING = re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")
EXCERPT = 300


def paragraphs(text: str) -> list[tuple[str, str]]:
    """Staff text as ("h"|"p", text): blank lines separate paragraphs; a paragraph that starts
    with （一）… and is one short line is a heading."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n|\r\n\s*\r\n", text or "") if b.strip()]
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for line in lines:
            kind = "h" if HEADING.match(line) and len(line) <= 40 else "p"
            out.append((kind, line))
    return out


@dataclass
class KeySuggestion:
    proposal: Proposal
    units: str
    co_units: str
    replies: list[dict[str, Any]] = field(default_factory=list)


def key_item_summaries(scope: fg.Scope) -> list[dict[str, Any]]:
    """Each key item of the year, each suggestion with its handling summary: the units, then
    each answering unit's standing reply (result, date, what was done or promised, the rating)."""
    replies = Reply.objects.filter(state=Reply.State.ISSUED).select_related("result_category", "rating")
    assignments = (
        Assignment.objects.filter(is_active=True)
        .select_related("unit")
        .prefetch_related(Prefetch("replies", queryset=replies.order_by("round")))
    )
    proposals = (
        scope.proposals()
        .select_related("lead_deputy", "meeting")
        .prefetch_related(Prefetch("assignments", queryset=assignments))
        .order_by("meeting", "number", "pk")
    )
    items = []
    for item in fg.key_suggestions(scope, proposals):
        rows = []
        for p in item.proposals.all():
            active = list(p.assignments.all())
            answering = [a for a in active if a.role in fg.ANSWERING]
            entry = KeySuggestion(
                proposal=p,
                units="、".join(a.unit.name for a in answering),
                co_units="、".join(a.unit.name for a in active if a.role == Assignment.Role.CO),
            )
            for a in answering:
                standing = standing_replies(a.replies.all()).get(a.pk)
                if standing is None:
                    continue
                text = standing.done_items or standing.body
                entry.replies.append(
                    {
                        "unit": a.unit.name,
                        "round": standing.round,
                        "result": standing.result_category.name if standing.result_category else "",
                        "issued_on": timezone.localtime(standing.issued_at).date() if standing.issued_at else None,
                        "text": text[:EXCERPT] + ("……" if len(text) > EXCERPT else ""),
                        "promised": standing.promised_items,
                        "promised_by": standing.promised_by,
                        "rating": getattr(standing, "rating", None),
                    }
                )
            rows.append(entry)
        items.append({"item": item, "suggestions": rows})
    return items


def received_parts(counts: dict[str, int]) -> list[dict[str, Any]]:
    """How the suggestions received add up, from the figures' own counts: received = registered
    + not accepted + withdrawn + still under review (a merged member is registered and counts
    once, as itself). Parts with nothing in them are left out; should the states ever not add
    up, the rest is stated as "其他" rather than a sum that does not hold."""
    parts = [
        ("立案", counts.get("registered", 0)),
        ("不作为建议、转其他渠道处理", counts.get("not_accepted", 0)),
        ("代表撤回", counts.get("withdrawn", 0)),
        ("审查中", counts.get("under_review", 0)),
    ]
    received = counts.get("received", 0)
    rest = received - sum(n for _label, n in parts)
    if rest:
        parts.append(("其他", rest))
    shown = [{"label": label, "n": n} for label, n in parts if n or label == "立案"]
    return [{"label": "收到建议", "n": received}, *shown]


def streams_of_year(year: int) -> list[str]:
    """The streams with items (past their draft) in `year`."""
    found = Proposal.objects.filter(meeting__year=year).exclude(state=S.DRAFT).values_list("stream", flat=True)
    return [stream for stream in Stream.values if stream in set(found.distinct())]


def report_stream(year: int, user: UserOrAnonymous | None = None) -> str:
    """Whose report of `year` a person makes: the staff of one body their own stream's; anyone
    else both streams' (BOTH) when the year has both, else the one it has."""
    streams = streams_of(user) if user is not None else ALL_STREAMS
    if streams != ALL_STREAMS:
        return streams[0]
    present = streams_of_year(year)
    if len(present) == len(Stream.values):
        return BOTH
    return present[0] if present else Stream.SUGGESTION


def stream_rows(scope: fg.Scope) -> list[dict[str, Any]]:
    """Each stream's own numbers for the combined report: total, during and between meetings,
    contact and face-to-face rates, result classes, satisfaction."""
    rows = []
    for stream in Stream.values:
        figures = fg.compute(scope.of_stream(stream))
        words = words_of(stream)
        rows.append(
            {
                "stream": stream,
                "subject": f"{words.people}{words.item}",
                "person": words.person,
                "figures": figures,
                "counts": figures.counts,
                "rates": figures.rates,
                "result": figures.satisfaction["result"],
                "result_classes": figures.result_classes,
                "resurvey": resurvey_counts(scope.report_year, stream),
            }
        )
    return rows


def stream_table(streams: list[dict[str, Any]], combined: fg.Figures) -> list[dict[str, Any]]:
    """The combined report's table: each stream's numbers in a column, then both together."""
    if not streams:
        return []
    columns = [row["figures"] for row in streams] + [combined]

    def line(label: str, cell: Callable[[fg.Figures], str]) -> dict[str, Any]:
        return {"label": label, "cells": [cell(f) for f in columns]}

    def count(name: str) -> Callable[[fg.Figures], str]:
        return lambda f: str(f.counts[name])

    def rate(name: str) -> Callable[[fg.Figures], str]:
        return lambda f: pct(f.rates[name])

    lines = [
        line("收到", count("received")),
        line("立案", count("registered")),
        line("　其中大会期间", count("meeting")),
        line("　其中闭会期间", count("between")),
        line("已答复", count("replied")),
        line("见面率", rate("contact")),
        line("面商率", rate("face_to_face")),
    ]

    def result_class(i: int) -> Callable[[fg.Figures], str]:
        return lambda f: f"{f.result_classes[i].figure.n}（{pct(f.result_classes[i].figure)}）"

    lines += [line(row.label, result_class(i)) for i, row in enumerate(combined.result_classes)]
    lines.append(line("满意率（办理结果）", lambda f: pct(f.satisfaction["result"]["satisfied"])))
    lines.append(line("满意或基本满意率", lambda f: pct(f.satisfaction["result"]["positive"])))
    return lines


def report_context(year: int, *, as_of: dt.date | None = None, stream: str = Stream.SUGGESTION) -> dict[str, Any]:
    """What the report of `year` says, of one stream or of both (`stream` BOTH)."""
    scope = fg.Scope(year=year, as_of=as_of or timezone.localdate(), stream=stream or None)
    figures = fg.compute(scope)
    report = AnnualReport.objects.filter(year=year, stream=stream).first() or AnnualReport(year=year, stream=stream)
    result, attitude = figures.satisfaction["result"], figures.satisfaction["attitude"]
    category_chart = charts.bar_chart(
        [(row.label, row.figure.n, f"{row.figure.n}件 {pct(row.figure)}") for row in figures.categories]
    )
    result_chart = charts.bar_chart(
        [(row.label, row.figure.n, f"{row.figure.n}件 {pct(row.figure)}") for row in figures.result_categories],
        color=charts.PALETTE[1],
    )
    satisfaction_chart = charts.stacked_bars(
        [
            (
                "办理态度",
                [attitude["satisfied"].n, attitude["basic"].n, attitude["unsatisfied"].n, attitude["unrated"].n],
            ),
            ("办理结果", [result["satisfied"].n, result["basic"].n, result["unsatisfied"].n, result["unrated"].n]),
        ],
        ["满意", "基本满意", "不满意", "未评价"],
    )
    meetings = list(
        Meeting.objects.filter(year=year, **({"term__stream": stream} if stream else {})).order_by("opens_on")
    )
    counts = figures.counts
    merged_members = scope.proposals().filter(state__in=fg.REGISTERED_STATES, merged_into__isnull=False).count()
    class_of: dict[int | str | None, str] = dict(ResultCategory.objects.values_list("pk", "result_class"))
    result_classes = [(row, row.label.split("：", 1)[-1]) for row in figures.result_classes]
    result_categories = [(row, class_of.get(row.key, "")) for row in figures.result_categories]
    streams = stream_rows(scope) if not stream else []
    return {
        "year": year,
        "report": report,
        "title": report.display_title,
        "congress": settings.CONGRESS_NAME,
        "as_of": scope.as_of,
        "generated_on": timezone.localdate(),
        "meetings": meetings,
        "figures": figures,
        "counts": counts,
        "received_parts": received_parts(counts),
        "merged_members": merged_members,
        "not_yet_assigned": counts.get("registered", 0) - counts.get("assigned", 0),
        "rates": figures.rates,
        "result": result,
        "attitude": attitude,
        "result_classes": result_classes,
        "result_categories": result_categories,
        "units_count": figures.units_involved,
        "key_items": key_item_summaries(scope),
        "practices": paragraphs(report.practices),
        "plans": paragraphs(report.plans),
        "category_chart": category_chart,
        "result_chart": result_chart,
        "satisfaction_chart": satisfaction_chart,
        "resurvey": resurvey_counts(year, stream or None),
        "matters": fg.matter_figures(year, stream or None, as_of=scope.as_of),
        "stream": stream,
        "streams": streams,
        "stream_table": stream_table(streams, figures),
    }


def render_html(context: dict[str, Any], *, for_print: bool) -> str:
    """The report's HTML, told in its stream's words (or both streams')."""
    html = render_to_string(TEMPLATE, {**context, "for_print": for_print})
    return told_for(context["stream"] or None)(html)


def _no_progress(percent: int, stage: str) -> None:
    pass


def build_pdf(
    year: int,
    *,
    as_of: dt.date | None = None,
    progress: Callable[[int, str], object] | None = None,
    stream: str = Stream.SUGGESTION,
) -> tuple[bytes, int]:
    """The report's PDF and its page count."""
    if progress is None:
        progress = _no_progress
    progress(10, "统计数据")
    context = report_context(year, as_of=as_of, stream=stream)
    progress(35, "生成版面")
    html = render_html(context, for_print=True)
    progress(50, "排版")
    document = render_document(html)
    progress(85, "写入 PDF")
    return document.write_pdf(), len(document.pages)
