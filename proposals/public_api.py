"""The public progress of suggestions on the HTTP API (/api/v1/public/suggestions/), without a
token: the list and one item, exactly what the public pages show (proposals/public_views.py).

The same rule and selectors as the pages: `public.public_proposals()` for which items, the
page's filter form (`PublicProgressForm`, with the filters later apps register, e.g. the unit),
`year_of`/`filtered` for the year and its items, `page_of`/`Cursor` for keyset pages,
`progress_label`, `milestones` and what later apps add to the item's page (`part_fields` /
`part_data`, the same contexts as their page parts). Unlike the page, a filter or cursor that
cannot be read answers 400 rather than being left out."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.api.filters import field_parameters, invalid
from deputies.api.public import Public
from deputies.streams import Stream
from proposals import public
from proposals.models import Proposal
from proposals.public_views import PublicProgressForm, filtered, year_of


class PublicItemSerializer(serializers.Serializer[Any]):
    """A public item as a row of the public list."""

    id = serializers.IntegerField(source="pk")
    year = serializers.IntegerField(source="meeting.year")
    meeting = serializers.CharField(source="meeting.name")
    number = serializers.IntegerField()
    number_label = serializers.CharField()
    title = serializers.CharField()
    stream = serializers.ChoiceField(choices=Stream.choices)
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    progress = serializers.SerializerMethodField()
    progress_label = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=public.Progress.choices))
    def get_progress(self, proposal: Proposal) -> str:
        return str(public.progress_of(proposal).value)

    def get_progress_label(self, proposal: Proposal) -> str:
        return public.progress_label(proposal)


class PublicRowSerializer(PublicItemSerializer):
    units = serializers.CharField(help_text="the answering units, as the list names them")


class PublicPageSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(allow_null=True, help_text="the year listed; pass it on when turning pages")
    next = serializers.CharField(allow_null=True, help_text="`?after=` this for the next page")
    previous = serializers.CharField(allow_null=True, help_text="`?before=` this for the previous page")
    results = PublicRowSerializer(many=True)


class MilestoneSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(source="on")
    text = serializers.CharField()


class PublicItemProgressSerializer(PublicItemSerializer):
    milestones = MilestoneSerializer(many=True)


class PublicDetailSerializer(PublicItemProgressSerializer):
    """One public item: its facts, progress, milestones and what later apps add to its page
    (its units, public replies, promises: `public.part_fields`, their values `public.part_data`),
    nothing of any person."""

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        for name, field in public.part_fields().items():
            fields[name] = field
        return fields


class _ListSchema(AutoSchema):
    """The page's filter form's fields (read when the schema is generated, once every app has
    registered its filters), the year as a number and the cursors."""

    def get_override_parameters(self) -> list[Any]:
        parameters = [p for p in field_parameters(PublicProgressForm.filter_fields()) if p.name != "year"]
        return [
            OpenApiParameter("year", int, description="the year (default: the latest with a public item)"),
            *parameters,
            OpenApiParameter("after", str, description="the page after this cursor (`next`)"),
            OpenApiParameter("before", str, description="the page before this cursor (`previous`)"),
        ]


def _cursor(params: Any, name: str) -> public.Cursor | None:
    if not params.get(name):
        return None
    cursor = public.Cursor.parse(params[name])
    if cursor is None:
        raise ValidationError({name: [_("This page marker cannot be read.")]})
    return cursor


class PublicSuggestions(Public, GenericAPIView[Proposal]):
    """The public items of one year (`?year=`, by default the latest with a public item), 20 a
    page in (meeting, number) order, with the public list's filters; pages turn by cursor
    (`?after=next`, `?before=previous`), never by offset or count."""

    schema = _ListSchema()
    pagination_class = None

    @extend_schema(operation_id="public_suggestions_list", responses={200: PublicPageSerializer})
    def get(self, request: Request) -> Response:
        params = request.query_params
        form = PublicProgressForm({k: v for k, v in params.items() if k not in ("after", "before")} or None)
        values: dict[str, Any] = {}
        if form.is_bound:
            if not form.is_valid():
                raise invalid(form)
            values = form.cleaned_data
        after, before = _cursor(params, "after"), _cursor(params, "before")
        year = year_of(form, values)
        items = filtered(values, year).select_related("meeting", "category")
        page = public.page_of(items, after=after, before=before)
        units = public.units_of([p.pk for p in page.rows])
        for proposal in page.rows:
            proposal.units = units.get(proposal.pk, "")  # type: ignore[attr-defined]
        return Response(
            PublicPageSerializer(
                {
                    "year": year,
                    "next": str(page.next) if page.next else None,
                    "previous": str(page.previous) if page.previous else None,
                    "results": page.rows,
                }
            ).data
        )


class PublicSuggestion(Public, GenericAPIView[Proposal]):
    """One public item's progress, as its public page shows it; any other answers 404."""

    pagination_class = None

    @extend_schema(responses={200: PublicDetailSerializer, 404: None})
    def get(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(public.public_proposals().select_related("meeting", "category"), pk=pk)
        proposal.milestones = public.milestones(proposal)  # type: ignore[attr-defined]
        data = dict(PublicItemProgressSerializer(proposal).data)
        data.update(public.part_data(proposal))
        return Response(data)


def register() -> None:
    from deputies.api.router import register as add

    add(
        path("public/suggestions/", PublicSuggestions.as_view(), name="public_suggestions"),
        path("public/suggestions/<int:pk>/", PublicSuggestion.as_view(), name="public_suggestion"),
    )
