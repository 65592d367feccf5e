"""Publishing a year's per-unit figures on the public pages (/public/figures/): staff choose
when. The figures are `reports.figures.unit_rows` of the year and stream, the same the
dashboard's units' table shows, kept as they were on the day of publishing (`PublishedFigures`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from deputies.audit import record_security_event
from deputies.models import AuditRecord, User
from deputies.public import forget_public_pages
from deputies.streams import words_of
from reports.figures import Figure, Scope, unit_rows
from reports.models import PublishedFigures


def _pct(figure: Figure) -> str:
    pct = figure.pct
    return "" if pct is None else str(pct)


def public_unit_rows(year: int, stream: str) -> list[dict[str, Any]]:
    """The units' figures the public reads: counts, on-time and satisfaction; nothing else of
    the dashboard's table (scores, deductions, contacts) and nothing of any person."""
    return [
        {
            "unit": row.name,
            "count": row.count,
            "due": row.due,
            "on_time": row.on_time,
            "on_time_pct": _pct(row.on_time_rate),
            "rated": row.rated,
            "satisfied": row.satisfied,
            "satisfied_pct": _pct(row.satisfied_rate),
            "positive_pct": _pct(row.positive_rate),
        }
        for row in unit_rows(Scope(year=year, stream=stream))
    ]


def _what(year: int, stream: str) -> str:
    return f"{year} {words_of(stream).report_title}"


def publish_figures(*, year: int, stream: str, by: User, request: HttpRequest | None = None) -> PublishedFigures:
    """Publish (or publish afresh) the year's per-unit figures of one stream."""
    rows = public_unit_rows(year, stream)
    with transaction.atomic():
        published, _created = PublishedFigures.objects.update_or_create(
            year=year,
            stream=stream,
            defaults={"units": rows, "as_of": timezone.localdate(), "published_at": timezone.now(), "published_by": by},
        )
        record_security_event(
            kind=AuditRecord.Kind.PUBLISHED, request=request, user=by, detail=f"units' figures {_what(year, stream)}"
        )
    forget_public_pages()
    return published


def unpublish_figures(*, published: PublishedFigures, by: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        record_security_event(
            kind=AuditRecord.Kind.UNPUBLISHED,
            request=request,
            user=by,
            detail=f"units' figures {_what(published.year, published.stream)}",
        )
        published.delete()
    forget_public_pages()
