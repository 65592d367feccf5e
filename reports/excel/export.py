"""Exporting suggestions: any list as a workbook in the import's columns, so it re-imports
cleanly. Rows are read in chunks of `EXPORT_CHUNK`, each in a few flat queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import QuerySet
from django.utils import timezone

from deputies.spreadsheet import write_workbook
from deputies.streams import Stream
from handling.models import Assignment, ContactRecord, Reply, Unit
from proposals.models import CoSignature, Proposal
from reports.excel.columns import (
    CHANNEL_NAMES,
    PER_UNIT_FIELDS,
    SATISFACTION_NAMES,
    STATE_NAMES,
    SUGGESTION_COLUMNS,
    SUGGESTION_HEADERS,
    columns_of,
)
from supervision.models import KeyItem

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

A = Assignment.Role


class _Exported(TypedDict):
    """What load_for_export() gives each suggestion, read as plain values (the assignments and
    their replies are namespaces of the columns read, not model instances)."""

    export_assignments: list[SimpleNamespace]
    export_cosigners: list[str]
    export_key_items: list[tuple[str, str]]


if TYPE_CHECKING:
    ExportedProposal = WithAnnotations[Proposal, _Exported]


def export_suggestions(queryset: QuerySet[Proposal]) -> bytes:
    """The list as a workbook; a list of proposals only has the proposal stream's headers
    (提案编号, 领衔委员…), so it re-imports as proposals (the columns are the same, in order)."""
    streams = set(queryset.order_by().values_list("stream", flat=True).distinct())
    if streams == {Stream.PROPOSAL}:
        return write_workbook([("提案", columns_of(Stream.PROPOSAL).headers, export_rows(queryset))])
    return write_workbook([("建议", SUGGESTION_HEADERS, export_rows(queryset))])


def export_rows(queryset: QuerySet[Proposal]) -> Iterable[list[Any]]:
    """One row per suggestion, in the import's columns (the import reads them back)."""
    ids = list(queryset.order_by("meeting__year", "meeting_id", "number", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        for proposal in load_for_export(chunk):
            yield export_row(proposal)


EXPORT_CHUNK = 1000


def load_for_export(ids: list[int]) -> list[ExportedProposal]:
    """The suggestions `ids` with what their rows need, in a few flat queries (plain values,
    not model instances: prefetching models costs more than writing the workbook)."""
    proposals = {
        p.pk: cast("ExportedProposal", p)  # given its three attributes at the end
        for p in Proposal.objects.filter(pk__in=ids).select_related(
            "meeting", "lead_deputy__delegation", "category", "source"
        )
    }
    assignments: dict[int, list[SimpleNamespace]] = defaultdict(list)
    by_id: dict[int, SimpleNamespace] = {}
    rows = (
        Assignment.objects.filter(proposal_id__in=ids, is_active=True)
        .order_by("pk")
        .values("id", "proposal_id", "role", "unit__name", "assigned_on", "is_complex")
    )
    for row in rows:
        a = SimpleNamespace(
            role=row["role"],
            unit=SimpleNamespace(name=row["unit__name"]),
            assigned_on=row["assigned_on"],
            is_complex=row["is_complex"],
            replies=[],
            contacts=[],
        )
        assignments[row["proposal_id"]].append(a)
        by_id[row["id"]] = a
    replies = Reply.objects.filter(assignment_id__in=list(by_id), state=Reply.State.ISSUED).values(
        "assignment_id", "round", "issued_at", "result_category__name", "body", "is_public",
        "rating__attitude", "rating__result", "rating__rated_at",
    )  # fmt: skip
    for row in replies.order_by("round"):
        rating = None
        if row["rating__result"]:
            rating = SimpleNamespace(
                attitude=row["rating__attitude"], result=row["rating__result"], rated_at=row["rating__rated_at"]
            )
        by_id[row["assignment_id"]].replies.append(
            SimpleNamespace(
                round=row["round"],
                issued_at=row["issued_at"],
                result_category=SimpleNamespace(name=row["result_category__name"])
                if row["result_category__name"]
                else None,
                body=row["body"],
                is_public=row["is_public"],
                rating=rating,
            )
        )
    contacts = (
        ContactRecord.objects.filter(assignment_id__in=list(by_id))
        .exclude(deputy_response=ContactRecord.DeputyResponse.DISPUTED)
        .values_list("assignment_id", "kind")
    )
    for assignment_id, kind in contacts:
        by_id[assignment_id].contacts.append(kind)
    cosigners: dict[int, list[str]] = defaultdict(list)
    for proposal_id, name in (
        CoSignature.objects.filter(proposal_id__in=ids, status=CoSignature.Status.CONFIRMED)
        .order_by("invited_at", "pk")
        .values_list("proposal_id", "deputy__name")
    ):
        cosigners[proposal_id].append(name)
    keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for proposal_id, title, full_name, username in (
        KeyItem.proposals.through.objects.filter(proposal_id__in=ids)
        .order_by("keyitem_id")
        .values_list("proposal_id", "keyitem__title", "keyitem__leader__full_name", "keyitem__leader__username")
    ):
        keys[proposal_id].append((title, full_name or username))
    out = []
    for pk in ids:
        p = proposals[pk]
        p.export_assignments = assignments.get(pk, [])
        p.export_cosigners = cosigners.get(pk, [])
        p.export_key_items = keys.get(pk, [])
        out.append(p)
    return out


def _join_per_unit(values: list[tuple[Unit, Any]], render: Callable[[Any], str]) -> str:
    """One value when every answering unit has the same, else "单位：值；单位：值"."""
    texts = [(unit, render(value)) for unit, value in values]
    distinct = {text for _u, text in texts}
    if len(distinct) <= 1:
        return texts[0][1] if texts else ""
    return "；".join(f"{unit.name}：{text}" for unit, text in texts)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def export_row(p: ExportedProposal) -> list[Any]:  # noqa: C901 - one line per column
    assignments = p.export_assignments
    lead = next((a for a in assignments if a.role == A.LEAD), None)
    answering = [lead] if lead else [a for a in assignments if a.role == A.SEPARATE]
    per: dict[str, list[tuple[Unit, Any]]] = defaultdict(list)
    for a in answering:
        replies = {r.round: r for r in a.replies}
        first, second = replies.get(1), replies.get(2)
        first_rating = first.rating if first else None
        second_rating = second.rating if second else None
        facts = {
            "assigned_on": a.assigned_on,
            "replied_on": _local_date(first.issued_at) if first else None,
            "result": first.result_category.name if first and first.result_category else "",
            "attitude": first_rating.attitude if first_rating else None,
            "rating": first_rating.result if first_rating else None,
            "reply_text": (first.body if first else ""),
            "is_public": first.is_public if first else None,
            "rated_on": _local_date(first_rating.rated_at) if first_rating else None,
            "replied_again_on": _local_date(second.issued_at) if second else None,
            "result_again": second.result_category.name if second and second.result_category else "",
            "attitude_again": second_rating.attitude if second_rating else None,
            "rating_again": second_rating.result if second_rating else None,
            "rated_again_on": _local_date(second_rating.rated_at) if second_rating else None,
            "contacted": bool(a.contacts),
            "face_to_face": ContactRecord.Kind.FACE_TO_FACE in a.contacts,
        }
        if second:
            facts["reply_text"] = second.body
        for name, value in facts.items():
            per[name].append((a.unit, value))

    def date_text(value: Any) -> str:
        return value.isoformat() if value else ""

    def satisfaction(value: Any) -> str:
        return SATISFACTION_NAMES.get(value, "") if value else ""

    def yes_no(value: Any) -> str:
        return "" if value is None else ("是" if value else "否")

    def text(value: Any) -> str:
        return value or ""

    renderers = {
        "assigned_on": date_text,
        "replied_on": date_text,
        "rated_on": date_text,
        "replied_again_on": date_text,
        "rated_again_on": date_text,
        "attitude": satisfaction,
        "rating": satisfaction,
        "attitude_again": satisfaction,
        "rating_again": satisfaction,
        "is_public": yes_no,
        "contacted": yes_no,
        "face_to_face": yes_no,
    }
    key_items = p.export_key_items
    values = {
        "meeting": p.meeting.name,
        "number": p.number if p.number is not None else "",
        "title": p.title,
        "lead_deputy": p.lead_deputy.name,
        "cosigners": "、".join(p.export_cosigners),
        "delegation": p.lead_deputy.delegation.name if p.lead_deputy.delegation else "",
        "submitted_on": date_text(_local_date(p.submitted_at)),
        "channel": CHANNEL_NAMES.get(p.channel, ""),
        "category": p.category.name if p.category else "",
        "source": p.source.name if p.source else "",
        "body": p.body,
        "lead_unit": lead.unit.name if lead else "",
        "co_units": "、".join(a.unit.name for a in assignments if a.role == A.CO),
        "is_complex": ("复杂" if any(a.is_complex for a in answering) else "一般") if answering else "",
        "is_key": "是" if key_items else "否",
        "state_name": STATE_NAMES.get(p.state, p.state),
        "separate_units": "、".join(a.unit.name for a in answering) if not lead else "",
        "key_theme": key_items[0][0] if key_items else "",
        "key_leader": key_items[0][1] if key_items else "",
    }
    for name in PER_UNIT_FIELDS:
        if name == "reply_text":  # free text is never split by unit: the first answering unit's
            values[name] = per[name][0][1] if per.get(name) else ""
            continue
        values[name] = _join_per_unit(per.get(name, []), renderers.get(name, text))
    return [values[attribute] for attribute, _h, _w, _r in SUGGESTION_COLUMNS]
