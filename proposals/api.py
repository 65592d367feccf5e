"""The proposals app's endpoints of the HTTP API (/api/v1/): for the deputy "my suggestions",
one suggestion with its timeline as the deputy sees it, writing a draft and submitting it,
answering invitations to co-sign, and notifications; for staff the suggestion list with the
list page's filters, and registering (立案) a submitted suggestion.

The same lists, rules and services as the pages (proposals/deputy_views.py, views.py): the
order and groups of `following.my_order`, `get_proposal_for_user` with its rule (404 + audit),
`DraftForm` for what a draft and a submission need, `selectors.filter_proposals` and its form
for the list, `RegisterForm` for registering, `proposals.services` for every change."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.access import allowed, deputy_id_of, refuse
from deputies.api.filters import FormFilterSchema, invalid, page_form
from deputies.models import Deputy, User
from proposals import selectors, services
from proposals.access import get_proposal_for_user
from proposals.deputy_forms import DraftForm
from proposals.following import build_row, current_meeting, my_order, plain_timeline, rows_of, with_follow_facts
from proposals.forms import NUMBER_MAX, ProposalFilterForm, RegisterForm
from proposals.models import CoSignature, Notification, Proposal, ProposalState
from proposals.rules import visible_proposals


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # TokenScope lets only active logins through
    return user


def deputy_or_404(request: Request) -> Deputy:
    """The caller's deputy record; anyone else is refused (404 + audit), as on the pages."""
    if not allowed(request.user, "draft_proposal"):
        raise refuse(request._request, "deputy API (not a deputy)")
    return _user(request).deputy


class SuggestionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="proposal.pk")
    number = serializers.IntegerField(source="proposal.number", allow_null=True)
    title = serializers.CharField(source="proposal.title")
    state = serializers.CharField(source="proposal.state")
    state_text = serializers.CharField()
    group = serializers.ChoiceField(choices=["todo", "ongoing", "done"])
    is_lead = serializers.BooleanField()
    units = serializers.CharField()
    asks = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(source="proposal.updated_at")

    def get_asks(self, row: Any) -> list[str]:
        asks = row["asks"] if isinstance(row, dict) else row.asks
        return [str(ask.text) for ask in asks]


class StepSerializer(serializers.Serializer[Any]):
    when = serializers.DateTimeField()
    text = serializers.CharField()
    note = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()


class SuggestionDetailSerializer(SuggestionSerializer):
    body = serializers.CharField(source="proposal.body")
    category = serializers.IntegerField(source="proposal.category_id", allow_null=True)
    source = serializers.IntegerField(source="proposal.source_id", allow_null=True)
    channel = serializers.CharField(source="proposal.channel")
    return_reason = serializers.CharField()
    timeline = StepSerializer(many=True)


class DraftSerializer(serializers.Serializer[Any]):
    """What a draft takes; validated by the page's form (`DraftForm`), not again here."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    body = serializers.CharField(required=False, allow_blank=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    source = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Proposal.Channel.choices, required=False)


def _detail(request: Request, proposal: Proposal) -> dict[str, Any]:
    user = _user(request)
    deputy_id = deputy_id_of(user) or 0
    row = build_row(proposal, deputy_id=deputy_id, today=timezone.localdate())
    return {
        **{name: getattr(row, name) for name in ("proposal", "state_text", "group", "is_lead", "units", "asks")},
        "return_reason": row.return_reason,
        "timeline": plain_timeline(proposal, user, is_lead=row.is_lead),
    }


def _followed(request: Request, pk: int, rule: str = "follow_proposal") -> Proposal:
    base = Proposal.objects.select_related("lead_deputy__delegation", "source", "meeting")
    return get_proposal_for_user(
        request._request, pk, queryset=with_follow_facts(base, deputy_id_of(request.user) or 0), rule=rule
    )


def _form(data: Any, stream: str, proposal: Proposal | None, *, for_submission: bool = False) -> DraftForm:
    """The page's form over the body's fields (a field left out keeps the draft's value)."""
    kept = {
        "title": proposal.title if proposal else "",
        "body": proposal.body if proposal else "",
        "category": proposal.category_id if proposal else None,
        "source": proposal.source_id if proposal else None,
        "channel": proposal.channel if proposal else Proposal.Channel.MEETING,
    }
    return page_form(
        DraftForm, data, DraftSerializer, kept=kept, stream=stream, for_submission=for_submission, proposal=proposal
    )


def _refused(exc: services.ProposalError) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


class MySuggestions(ListAPIView[Any]):
    """My suggestions, in the page's order: what needs me, then under way, then finished."""

    serializer_class = SuggestionSerializer

    @extend_schema(operation_id="suggestions_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        deputy = deputy_or_404(request)
        today = timezone.localdate()
        order = my_order(deputy.pk, today)
        page = self.paginate_queryset(order)  # a list pages as well as a queryset
        assert page is not None
        rows = rows_of([pk for pk, _group in page], deputy_id=deputy.pk, today=today)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=DraftSerializer, responses={201: SuggestionDetailSerializer})
    def post(self, request: Request) -> Response:
        """Start a draft (of the current meeting)."""
        deputy = deputy_or_404(request)
        meeting = current_meeting(stream=deputy.stream)
        if meeting is None:
            return _refused(
                services.ProposalError(_("No congress meeting is set up yet, so suggestions cannot be written."))
            )
        fields = _form(request.data, deputy.stream, None).draft_fields()
        if not ((fields["title"] or "").strip() or (fields["body"] or "").strip()):
            # As on the page: an empty draft is not kept.
            message = _("Write a title or some of the text first: an empty draft is not saved.")
            return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
        try:
            proposal = services.create_draft(
                lead_deputy=deputy,
                meeting=meeting,
                by=_user(request),
                title=fields["title"] or "",
                body=fields["body"] or "",
                channel=fields["channel"],
                category=fields["category"],
                source=fields["source"],
            )
        except services.ProposalError as exc:
            return _refused(exc)
        data = SuggestionDetailSerializer(_detail(request, _followed(request, proposal.pk))).data
        return Response(data, status=status.HTTP_201_CREATED)


class OneSuggestion(GenericAPIView[Any]):
    """One of my suggestions with its timeline as I see it; a draft of mine is edited here."""

    serializer_class = SuggestionDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        proposal = _followed(request, pk)
        _user(request).notifications.filter(proposal=proposal, read_at__isnull=True).update(read_at=timezone.now())
        return Response(self.get_serializer(_detail(request, proposal)).data)

    @extend_schema(request=DraftSerializer, responses={200: SuggestionDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        proposal = get_proposal_for_user(request._request, pk, rule="edit_proposal")
        fields = _form(request.data, proposal.stream, proposal).draft_fields()
        fields["title"] = fields["title"] or ""
        fields["body"] = fields["body"] or ""
        try:
            services.update_draft(proposal=proposal, by=_user(request), **fields)
        except services.ProposalError as exc:
            return _refused(exc)
        return Response(self.get_serializer(_detail(request, _followed(request, pk))).data)


class Submit(GenericAPIView[Any]):
    """Submit my draft: it must have everything staff need (as on the page)."""

    serializer_class = SuggestionDetailSerializer

    @extend_schema(request=None, responses={200: SuggestionDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_proposal_for_user(request._request, pk, rule="edit_proposal")
        _form({}, proposal.stream, proposal, for_submission=True)
        try:
            services.submit_proposal(proposal=proposal, by=_user(request))
        except services.ProposalError as exc:
            return _refused(exc)
        return Response(self.get_serializer(_detail(request, _followed(request, pk))).data)


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    suggestion = serializers.IntegerField(source="proposal_id", allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "suggestion", "created_at", "read_at"]


class Notifications(ListAPIView[Notification]):
    """My notifications, newest first (`?unread=1`: only the unread)."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="1: only the unread")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Notification]:
        mine = _user(self.request).notifications.order_by("-created_at", "-pk")
        if self.request.query_params.get("unread") == "1":
            mine = mine.filter(read_at__isnull=True)
        return mine


class NotificationRead(GenericAPIView[Any]):
    """Mark one of my notifications read; another's answers 404."""

    serializer_class = NotificationSerializer

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
        if notification is None:
            raise refuse(request._request, f"notification {pk} (not the user's)")
        if notification.read_at is None:
            Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=timezone.now())
            notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)


# --- co-signing (附议): the invitations to co-sign another deputy's suggestion -------------------


class InvitationSerializer(serializers.ModelSerializer[CoSignature]):
    suggestion = serializers.IntegerField(source="proposal_id")
    title = serializers.CharField(source="proposal.title")
    lead_deputy = serializers.CharField(source="proposal.lead_deputy.name")

    class Meta:
        model = CoSignature
        fields = ["id", "suggestion", "title", "lead_deputy", "status", "invited_at", "responded_at"]


class Invitations(ListAPIView[CoSignature]):
    """The invitations to co-sign that I received, newest first (`?status=invited`: those
    still waiting for my answer)."""

    serializer_class = InvitationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=CoSignature.Status.values, description="only this status")]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CoSignature]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator looking
            return CoSignature.objects.none()
        deputy = deputy_or_404(self.request)
        # Of the suggestions the deputy may still see: a declined one is no longer theirs to read.
        mine = CoSignature.objects.filter(deputy=deputy, proposal__in=visible_proposals(self.request.user))
        mine = mine.select_related("proposal__lead_deputy")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in CoSignature.Status.values:
                raise ValidationError({"status": [_("Choose one of: %s.") % ", ".join(CoSignature.Status.values)]})
            mine = mine.filter(status=wanted)
        return mine.order_by("-invited_at", "-pk")


class AnswerInvitation(GenericAPIView[Any]):
    """Accept or decline an invitation to co-sign (the lead deputy is told), as on the page."""

    serializer_class = InvitationSerializer
    accept = True

    @extend_schema(request=None, responses={200: InvitationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        signature = get_object_or_404(CoSignature.objects.select_related("proposal__lead_deputy", "deputy"), pk=pk)
        if not allowed(request.user, "answer_cosign_invitation", signature):
            raise refuse(request._request, f"co-signature {pk}")
        try:
            answered = services.respond_to_cosign_invitation(signature=signature, accept=self.accept, by=_user(request))
        except services.ProposalError as exc:
            return _refused(exc)
        answered = CoSignature.objects.select_related("proposal__lead_deputy").get(pk=answered.pk)
        return Response(self.get_serializer(answered).data)


# --- staff: the suggestion list and registering ------------------------------------------------------


class ListedSerializer(serializers.ModelSerializer[Proposal]):
    year = serializers.IntegerField(source="meeting.year")
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    lead_deputy = serializers.CharField(source="lead_deputy.name", allow_null=True, default=None)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "stream",
            "meeting",
            "year",
            "number",
            "title",
            "state",
            "category",
            "lead_deputy",
            "due_on",
            "submitted_at",
            "registered_at",
            "updated_at",
        ]


class ProposalList(ListAPIView[Proposal]):
    """Every suggestion the caller may see (staff: of their stream), with the list page's
    filters (the same names and checks: `proposals.forms.ProposalFilterForm` and those later
    apps add), in the page's order. A filter with a wrong value answers 400."""

    serializer_class = ListedSerializer
    schema = FormFilterSchema()
    filter_form = ProposalFilterForm

    def get_queryset(self) -> QuerySet[Proposal]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator looking
            return Proposal.objects.none()
        queryset, form = selectors.filter_proposals(self.request.user, self.request.query_params)
        if form.errors:
            raise invalid(form)
        return queryset.select_related("meeting", "lead_deputy", "category")


class RegisterSerializer(serializers.Serializer[Any]):
    """What registering takes; validated by the page's form (`RegisterForm`)."""

    number = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=NUMBER_MAX, help_text="empty: the next free number"
    )
    category = serializers.IntegerField()


class Register(GenericAPIView[Any]):
    """Register (立案) a submitted suggestion: a number (the next free one when left out) and
    its category, as congress staff do on the review page."""

    serializer_class = ListedSerializer

    @extend_schema(request=RegisterSerializer, responses={200: ListedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_proposal_for_user(request._request, pk)
        if not allowed(request.user, "review_proposal"):
            raise refuse(request._request, f"review {pk}")
        form = page_form(RegisterForm, request.data, RegisterSerializer, stream=proposal.stream)
        try:
            services.register_proposal(
                proposal=proposal,
                by=_user(request),
                category=form.cleaned_data["category"],
                number=form.cleaned_data["number"],
                expected_state=ProposalState.SUBMITTED,
            )
        except services.ProposalError as exc:
            return _refused(exc)
        listed = Proposal.objects.select_related("meeting", "lead_deputy", "category").get(pk=pk)
        return Response(self.get_serializer(listed).data)


def register() -> None:
    from deputies.api.router import register as add
    from proposals import public_api

    public_api.register()
    add(
        path("suggestions/", MySuggestions.as_view(), name="suggestions"),
        path("suggestions/<int:pk>/", OneSuggestion.as_view(), name="suggestion"),
        path("suggestions/<int:pk>/submit/", Submit.as_view(), name="suggestion_submit"),
        path("cosign-invitations/", Invitations.as_view(), name="cosign_invitations"),
        path("cosign-invitations/<int:pk>/accept/", AnswerInvitation.as_view(accept=True), name="cosign_accept"),
        path("cosign-invitations/<int:pk>/decline/", AnswerInvitation.as_view(accept=False), name="cosign_decline"),
        path("notifications/", Notifications.as_view(), name="notifications"),
        path("notifications/<int:pk>/read/", NotificationRead.as_view(), name="notification_read"),
        path("proposals/", ProposalList.as_view(), name="proposals"),
        path("proposals/<int:pk>/register/", Register.as_view(), name="proposal_register"),
    )
