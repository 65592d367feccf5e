"""What the units' work adds to the public progress pages (proposals/public.py): the answering
units named in each row, the list's unit filter, and on one item's page its units and the
replies that are public by `handling.rules.public_replies()` (the unit allowed it, staff did not
hold it back). Of a reply the public reads the unit, the date, the result and the letter's text
(what is done, what is promised and by when); never who signed it, its contact person or phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from handling.models import Assignment, Reply, Unit
from handling.rules import public_replies
from proposals.models import Proposal
from proposals.public import PublicFilter, PublicPart, public_filter, public_part, public_units


def _answering_units(ids: Sequence[int]) -> dict[int, str]:
    names: dict[int, list[str]] = {}
    rows = (
        Assignment.objects.filter(proposal_id__in=list(ids), is_active=True, role__in=Assignment.ANSWERING_ROLES)
        .order_by("unit__order", "unit__name", "pk")
        .values_list("proposal_id", "unit__name")
    )
    for proposal_id, name in rows:
        names.setdefault(proposal_id, []).append(name)
    return {pk: "、".join(found) for pk, found in names.items()}


def _unit_field() -> forms.Field:
    return forms.ModelChoiceField(
        Unit.objects.order_by("order", "name"), label=_("Unit"), required=False, empty_label=_("All units")
    )


def _of_unit(queryset: QuerySet[Proposal], unit: Unit) -> QuerySet[Proposal]:
    answering = Assignment.objects.filter(
        proposal=OuterRef("pk"), unit=unit, is_active=True, role__in=Assignment.ANSWERING_ROLES
    )
    return queryset.filter(Exists(answering))


def _units_and_replies(proposal: Proposal) -> dict[str, Any] | None:
    assignments = list(
        Assignment.objects.filter(proposal=proposal, is_active=True)
        .select_related("unit")
        .order_by("unit__order", "unit__name", "pk")
    )
    if not assignments:
        return None
    replies = list(
        public_replies(Reply.objects.filter(assignment__proposal=proposal))
        .select_related("assignment__unit", "result_category")
        .order_by("issued_at", "pk")
    )
    return {
        "lead": [a.unit.name for a in assignments if a.answers],
        "co": [a.unit.name for a in assignments if a.role == Assignment.Role.CO],
        "replies": replies,
    }


class PublicUnitsSerializer(serializers.Serializer[Any]):
    lead = serializers.ListField(child=serializers.CharField(), help_text="the lead (or separately answering) units")
    co = serializers.ListField(child=serializers.CharField(), help_text="the co-handling units")


class PublicReplySummarySerializer(serializers.Serializer[Any]):
    """A public reply as the item's page heads it; its text is /api/v1/public/replies/<id>/."""

    id = serializers.IntegerField()
    unit = serializers.CharField(source="assignment.unit.name")
    issued_at = serializers.DateTimeField(allow_null=True)
    round = serializers.IntegerField(help_text="2: after re-handling")
    result_category = serializers.CharField(source="result_category.name", allow_null=True, default=None)


def _api_fields() -> dict[str, Any]:
    return {"units": PublicUnitsSerializer(), "replies": PublicReplySummarySerializer(many=True)}


def _api_data(context: dict[str, Any] | None) -> dict[str, Any]:
    context = context or {"lead": [], "co": [], "replies": []}
    return {
        "units": {"lead": context["lead"], "co": context["co"]},
        "replies": PublicReplySummarySerializer(context["replies"], many=True).data,
    }


public_units(_answering_units)
public_filter(PublicFilter("unit", _unit_field, _of_unit, order=10))
public_part(
    PublicPart(
        "handling/public/_units_and_replies.html", _units_and_replies, order=10, fields=_api_fields, data=_api_data
    )
)
