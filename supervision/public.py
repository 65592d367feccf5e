"""What supervision adds to the public progress page of one item (proposals/public.py): the
promises its public replies made (计划落实事项), each with its unit, the date it was promised by
and whether it is kept; a reply the public may not read keeps its promise to itself. The units'
progress reports and the supervision records stay inside."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from handling.rules import public_replies
from proposals.models import Proposal
from proposals.public import PublicPart, public_part
from supervision.models import Promise


def _promises(proposal: Proposal) -> dict[str, Any] | None:
    promises = list(
        Promise.objects.filter(Promise.FOLLOWED, proposal=proposal, reply__in=public_replies())
        .select_related("unit")
        .order_by("promised_by", "pk")
    )
    return {"promises": promises} if promises else None


class PublicPromiseSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="unit.name")
    promised_by = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=Promise.State.choices)
    state_label = serializers.CharField(source="get_state_display")


def _api_fields() -> dict[str, Any]:
    return {"promises": PublicPromiseSerializer(many=True)}


def _api_data(context: dict[str, Any] | None) -> dict[str, Any]:
    return {"promises": PublicPromiseSerializer((context or {}).get("promises", []), many=True).data}


public_part(PublicPart("supervision/public/_promises.html", _promises, order=20, fields=_api_fields, data=_api_data))
