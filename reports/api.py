"""The reports app's endpoints of the HTTP API (/api/v1/): the figures for a year, a meeting
or a unit, for those who see the dashboard (`reports.figures` through `reports.stored`, of
their own stream as on the dashboard), and the public's read-only data: the disclosed
replies (`handling.rules.public_replies`, the public pages' rule), without a token,
rate-limited by address; the units' figures staff published (`reports.models.PublishedFigures`,
as /public/figures/ shows them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.access import allowed, refuse
from deputies.api.filters import invalid
from deputies.api.public import Public
from deputies.streams import Stream
from handling.models import Reply
from handling.rules import public_replies
from proposals.models import Meeting
from reports import stored
from reports.forms import PublicSearchForm, ScopeForm
from reports.models import PublishedFigures
from reports.views import PUBLIC_ORDER, chosen_replies, public_year, scope_from


class FigureSerializer(serializers.Serializer[Any]):
    """A count with the base its share is taken of, and the share in percent (two decimals,
    half up), as text."""

    n = serializers.IntegerField()
    of = serializers.IntegerField(allow_null=True)
    pct = serializers.CharField(allow_null=True)


class RowSerializer(FigureSerializer):
    key = serializers.JSONField(help_text="the category, source, meeting… (an id or a code)")
    label = serializers.CharField()


class ScopeSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(allow_null=True)
    meeting = serializers.IntegerField(allow_null=True)
    unit = serializers.IntegerField(allow_null=True)
    stream = serializers.CharField(allow_null=True)
    as_of = serializers.DateField()


class ExtensionSerializer(serializers.Serializer[Any]):
    proposal_id = serializers.IntegerField()
    proposal = serializers.CharField()
    unit_id = serializers.IntegerField()
    unit = serializers.CharField()
    round = serializers.IntegerField()
    to = serializers.DateField()

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()  # a keyword in Python
        return fields


class FiguresSerializer(serializers.Serializer[Any]):
    """`reports.figures.Figures.as_dict()`: what the schema says of it."""

    scope = ScopeSerializer()
    rounding = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rates = serializers.DictField(child=FigureSerializer())
    categories = RowSerializer(many=True)
    top_categories = RowSerializer(many=True)
    sources = RowSerializer(many=True)
    meetings = RowSerializer(many=True)
    result_classes = RowSerializer(many=True)
    result_categories = RowSerializer(many=True)
    satisfaction = serializers.DictField(child=serializers.DictField(child=FigureSerializer()))
    units_involved = serializers.IntegerField()
    units = serializers.ListField(child=serializers.DictField(), help_text="each unit's counts, rates and score")
    key_states = RowSerializer(many=True)
    extensions = ExtensionSerializer(many=True)
    scoring_scheme = serializers.CharField()


class Figures(GenericAPIView[Any]):
    """Every figure of the dashboard for a scope (`year`, or one `meeting`, optionally one
    `unit`; `stream` for one body's items): counts, rates with their base and percent, the
    breakdowns and the units' rows, as `reports.figures.Figures.as_dict()` gives them. Without
    a year, the latest year with a meeting. Staff of one body get their own stream's."""

    pagination_class = None

    # The dashboard's scope form (`ScopeForm`) by name: its choices are read from the database.
    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="the year (default: the latest with a meeting)"),
            OpenApiParameter("meeting", int, description="one meeting (id)"),
            OpenApiParameter("unit", int, description="one unit's suggestions (id)"),
            OpenApiParameter("stream", str, enum=Stream.values, description="one stream (both when left out)"),
        ],
        responses={200: FiguresSerializer},
    )
    def get(self, request: Request) -> Response:
        if not allowed(request.user, "view_dashboard"):
            raise refuse(request._request, "reports view_dashboard")
        data = request.query_params
        with stored.reading():
            if data:
                form = ScopeForm(data)
                if not form.is_valid():
                    raise invalid(form)
            scope, _form = scope_from(data, request.user)
            if scope is None:
                return Response({"detail": _("No figures yet: no meeting is set up.")}, status=409)
            return Response(stored.figures(scope).as_dict())


class PublicReplySerializer(serializers.ModelSerializer[Reply]):
    """What the public disclosure page shows of a reply: never a deputy's or the unit's
    contact data."""

    year = serializers.IntegerField(source="assignment.proposal.meeting.year")
    meeting = serializers.CharField(source="assignment.proposal.meeting.name")
    # Suggestions and proposals are numbered apart: the stream and the number as it is read.
    stream = serializers.CharField(source="assignment.proposal.stream")
    number = serializers.IntegerField(source="assignment.proposal.number")
    number_label = serializers.CharField(source="assignment.proposal.number_label")
    title = serializers.CharField(source="assignment.proposal.title")
    category = serializers.CharField(source="assignment.proposal.category.name", allow_null=True, default=None)
    unit = serializers.CharField(source="assignment.unit.name")
    result_category = serializers.CharField(source="result_category.name", allow_null=True, default=None)

    class Meta:
        model = Reply
        fields = [
            "id",
            "year",
            "meeting",
            "stream",
            "number",
            "number_label",
            "title",
            "category",
            "unit",
            "reference_number",
            "result_category",
            "body",
            "done_items",
            "promised_items",
            "promised_by",
            "issued_at",
        ]


def _public_replies() -> QuerySet[Reply]:
    return public_replies().select_related(
        "assignment__unit", "assignment__proposal__meeting", "assignment__proposal__category", "result_category"
    )


class PublicReplies(Public, ListAPIView[Reply]):
    """The disclosed replies of one year (`?year=`; by default the latest with a public reply,
    as on the public page), in number order; `?category=` keeps one category. One year at a
    time, as the page, so that a page costs the same however many years there are."""

    serializer_class = PublicReplySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="the year (default: the latest with a public reply)"),
            OpenApiParameter("category", int, description="one category (id)"),
            OpenApiParameter("stream", str, enum=Stream.values, description="suggestions or proposals only"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Reply]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator looking
            return Reply.objects.none()
        params = self.request.query_params
        form = PublicSearchForm({k: params[k] for k in ("year", "category", "stream") if k in params} or None)
        if form.is_bound and not form.is_valid():
            raise invalid(form)
        year = public_year(form)
        replies = _public_replies().filter(assignment__proposal__meeting__in=Meeting.ids_of_year(year))
        return chosen_replies(replies, form.cleaned_data if form.is_bound else {}).order_by(*PUBLIC_ORDER)


class PublicReply(Public, RetrieveAPIView[Reply]):
    """One disclosed reply; any other answers 404."""

    serializer_class = PublicReplySerializer

    def get_queryset(self) -> QuerySet[Reply]:
        return _public_replies()


class PublishedUnitSerializer(serializers.Serializer[Any]):
    """One unit's row of published figures, as stored on the day of publishing
    (`reports.publication.public_unit_rows`): the percentages as text, "" for no base."""

    unit = serializers.CharField()
    count = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_pct = serializers.CharField(allow_blank=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfied_pct = serializers.CharField(allow_blank=True)
    positive_pct = serializers.CharField(allow_blank=True)


class PublishedSerializer(serializers.ModelSerializer[PublishedFigures]):
    """A published year and stream (never who published it)."""

    stream_label = serializers.CharField(source="get_stream_display")

    class Meta:
        model = PublishedFigures
        fields = ["year", "stream", "stream_label", "as_of", "published_at"]


class PublishedTableSerializer(PublishedSerializer):
    units = PublishedUnitSerializer(many=True)

    class Meta(PublishedSerializer.Meta):
        fields = [*PublishedSerializer.Meta.fields, "units"]


class PublicFiguresYears(Public, ListAPIView[PublishedFigures]):
    """The published years and streams of the units' figures (/public/figures/), latest first.
    Nothing is here until staff publish a year."""

    serializer_class = PublishedSerializer
    pagination_class = None

    @extend_schema(operation_id="public_figures_years_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PublishedFigures]:
        return PublishedFigures.objects.defer("units").order_by("-year", "stream")


class PublicStreamForm(forms.Form):
    stream = forms.ChoiceField(label=gettext_lazy("Type"), required=False, choices=[("", "—"), *Stream.choices])


class PublicFiguresYear(Public, ListAPIView[PublishedFigures]):
    """A year's published units' figures, one table per stream (`?stream=` keeps one), as
    /public/figures/<year>/ shows them; 404 when nothing of it is published."""

    serializer_class = PublishedTableSerializer
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("stream", str, enum=Stream.values, description="one stream (both when left out)")],
        responses={200: PublishedTableSerializer(many=True), 404: None},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PublishedFigures]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator looking
            return PublishedFigures.objects.none()
        form = PublicStreamForm(self.request.query_params)
        if not form.is_valid():
            raise invalid(form)
        tables = PublishedFigures.objects.filter(year=self.kwargs["year"]).order_by("stream")
        if form.cleaned_data["stream"]:
            tables = tables.filter(stream=form.cleaned_data["stream"])
        return tables

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tables = list(self.get_queryset())
        if not tables:
            raise Http404
        return Response(self.get_serializer(tables, many=True).data)


def register() -> None:
    from deputies.api.router import register as add

    add(
        path("figures/", Figures.as_view(), name="figures"),
        path("public/replies/", PublicReplies.as_view(), name="public_replies"),
        path("public/replies/<int:pk>/", PublicReply.as_view(), name="public_reply"),
        path("public/figures/", PublicFiguresYears.as_view(), name="public_figures"),
        path("public/figures/<int:year>/", PublicFiguresYear.as_view(), name="public_figures_year"),
    )
