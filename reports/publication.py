"""What staff decide of the public pages: publishing a year's per-unit figures (/public/figures/),
and holding a reply back from /public/replies/ (or letting it out again).

The figures are `reports.figures.unit_rows` of the year and stream, the same the dashboard's
units' table shows, kept as they were on the day of publishing (`PublishedFigures`). A hold
(`DisclosureHold`, a condition of `handling.rules.public_replies`) covers a merged group's
reply with its copies, and is on each suggestion's trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.audit import record_security_event
from deputies.models import AuditRecord, User
from deputies.public import forget_public_pages
from deputies.streams import words_of
from handling.models import Reply
from proposals.workflow import record_event
from reports.figures import Figure, Scope, unit_rows
from reports.models import DisclosureHold, PublishedFigures


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
            kind=AuditRecord.Kind.PUBLISHED,
            request=request,
            user=by,
            detail=_("units' figures of %(what)s") % {"what": _what(year, stream)},
        )
    forget_public_pages()
    return published


def unpublish_figures(*, published: PublishedFigures, by: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        record_security_event(
            kind=AuditRecord.Kind.UNPUBLISHED,
            request=request,
            user=by,
            detail=_("units' figures of %(what)s") % {"what": _what(published.year, published.stream)},
        )
        published.delete()
    forget_public_pages()


def _one_answer(reply: Reply) -> list[Reply]:
    """A merged group's reply and its copies on the group's other suggestions: one text, held
    back or let out together."""
    original = reply.copied_from or reply
    return [original, *Reply.objects.filter(copied_from=original).order_by("pk")]


def hold_reply(*, reply: Reply, by: User, reason: str) -> None:
    """Keep a reply (and its merged group's copies) from the public pages, saying why."""
    with transaction.atomic():
        for one in _one_answer(reply):
            _, made = DisclosureHold.objects.get_or_create(reply=one, defaults={"reason": reason, "held_by": by})
            if made:
                record_event(one.assignment.proposal, "disclosure_held", by=by, note=reason, data={"reply": one.pk})
    forget_public_pages()


def release_reply(*, reply: Reply, by: User) -> None:
    """Let a held reply (and its copies) back on the public pages, if its unit allowed it."""
    with transaction.atomic():
        for one in _one_answer(reply):
            if DisclosureHold.objects.filter(reply=one).delete()[0]:
                record_event(one.assignment.proposal, "disclosure_released", by=by, data={"reply": one.pk})
    forget_public_pages()
