"""The handling app's endpoints of the HTTP API (/api/v1/).

For the deputy: the replies to one of their suggestions, and rating a reply, with the page's
semantics (handling/deputy_views.py): a rating waits, changeable within its window
(`RATING_CHANGE_WORKDAYS`), until it takes effect by itself or the deputy settles it at once.

For a unit (handling/views.py): what its assignments are and what waits for it, signing for
one (签收), its contacts with the deputy, the reply letter's draft and its steps (to the head,
the head's approval or return, issuing). For staff: assigning (交办) a registered suggestion.

Each loads its object as the page does (`get_own_assignment`, `get_reply_for_user` with the
step's rule: what the caller may not see or do answers 404 and is audited), validates with
the page's form and makes one call to `handling.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.access import allowed, refuse
from deputies.api.filters import page_form
from deputies.models import User
from handling import forms as hf
from handling import services
from handling.access import get_own_assignment, get_reply_for_user
from handling.deputy_forms import RatingForm
from handling.models import Assignment, ContactRecord, Rating, Reply
from handling.rules import is_assignable, is_changeable, is_rater_of_reply, unit_id_of
from handling.selectors import TODO_CHOICES, handling_of, todo_condition
from proposals.access import get_proposal_for_user
from proposals.models import Proposal, ProposalState
from proposals.workflow import ProposalError


class RatingSerializer(serializers.ModelSerializer[Rating]):
    pending = serializers.BooleanField(source="is_pending")

    class Meta:
        model = Rating
        fields = ["attitude", "result", "comment", "rated_at", "pending", "changeable_until"]


class ReplySerializer(serializers.ModelSerializer[Reply]):
    unit = serializers.CharField(source="assignment.unit.name")
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Reply
        fields = [
            "id",
            "round",
            "unit",
            "state",
            "reference_number",
            "signer",
            "contact_person",
            "contact_phone",
            "body",
            "done_items",
            "promised_items",
            "promised_by",
            "not_adopted_reason",
        ]
        fields += ["rating"]

    @extend_schema_field(RatingSerializer(allow_null=True))
    def get_rating(self, reply: Any) -> dict[str, Any] | None:
        rating = getattr(reply, "the_rating", None)
        return RatingSerializer(rating).data if rating is not None else None


class RateSerializer(serializers.Serializer[Any]):
    attitude = serializers.CharField()
    result = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class Replies(GenericAPIView[Any]):
    """The replies to one of my suggestions that I may read (issued ones), with my rating."""

    serializer_class = ReplySerializer
    pagination_class = None

    @extend_schema(responses={200: ReplySerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        proposal = get_proposal_for_user(request._request, pk, rule="follow_proposal")
        replies = handling_of(proposal, request.user, papers=False)["replies"]
        return Response(self.get_serializer(replies, many=True).data)


def _rater_reply(request: Request, pk: int) -> Reply:
    reply = get_reply_for_user(request._request, pk)
    if not is_rater_of_reply(request.user, reply):
        raise refuse(request._request, f"reply {pk} (rate)")
    return reply


def _answer(rating: Rating, code: int = status.HTTP_200_OK) -> Response:
    return Response(RatingSerializer(rating).data, status=code)


def _conflict(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_409_CONFLICT)


class Rate(GenericAPIView[Any]):
    """Rate a reply (or change a waiting rating within its window). The rating waits until
    `changeable_until`, then takes effect; `settle/` makes it take effect now."""

    serializer_class = RatingSerializer

    @extend_schema(request=RateSerializer, responses={200: RatingSerializer, 201: RatingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        reply = _rater_reply(request, pk)
        existing = Rating.objects.filter(reply=reply).first()
        if existing is not None and not (existing.is_pending and is_changeable(existing)):
            if existing.is_pending:
                return _conflict(_("Your rating can no longer be changed: it takes effect shortly."))
            return _conflict(_("You have already rated this reply; a rating cannot be changed."))
        form = page_form(RatingForm, request.data, RateSerializer)
        data = form.cleaned_data
        try:
            if existing is None:
                rating = services.rate_reply(
                    reply=reply,
                    by=_user(request),
                    attitude=data["attitude"],
                    result=data["result"],
                    comment=data["comment"],
                )
                return _answer(rating, status.HTTP_201_CREATED)
            rating = services.change_rating(
                rating=existing,
                by=_user(request),
                attitude=data["attitude"],
                result=data["result"],
                comment=data["comment"],
            )
        except ProposalError as exc:
            return _conflict(str(exc))
        return _answer(rating)


class Settle(GenericAPIView[Any]):
    """确认，不再修改: my waiting rating takes effect now."""

    serializer_class = RatingSerializer

    @extend_schema(request=None, responses={200: RatingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        reply = _rater_reply(request, pk)
        existing = Rating.objects.filter(reply=reply).first()
        if existing is None:
            return _conflict(_("Rate the reply first."))
        if not existing.is_pending:
            return _conflict(_("This rating has already taken effect."))
        try:
            rating = services.confirm_rating(rating=existing, by=_user(request))
        except ProposalError as exc:
            return _conflict(str(exc))
        return _answer(rating)


# --- a unit: its assignments, signing, contacts ------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    unit = serializers.CharField(source="unit.name")
    suggestion = serializers.IntegerField(source="proposal_id")
    number = serializers.IntegerField(source="proposal.number", allow_null=True)
    title = serializers.CharField(source="proposal.title")
    suggestion_state = serializers.CharField(source="proposal.state")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "suggestion",
            "number",
            "title",
            "suggestion_state",
            "unit",
            "role",
            "is_complex",
            "assigned_on",
            "deadline",
            "co_opinion_due",
            "rehandling_deadline",
            "signed_at",
        ]


def _unit_or_404(request: Request) -> int:
    unit_id = unit_id_of(request.user)
    if unit_id is None:
        raise refuse(request._request, "unit API (not in a unit)")
    return unit_id


class Assignments(ListAPIView[Assignment]):
    """My unit's current assignments, the earliest deadline first. `?todo=` keeps those where
    something waits for me (the workbench's counts: `handling.selectors.todo_condition`),
    `?signed=` (true/false) and `?role=` (lead/co/separate) narrow them."""

    serializer_class = AssignmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("todo", str, enum=[value for value, _label in TODO_CHOICES], description="what waits"),
            OpenApiParameter("signed", bool, description="signed for (true) or not yet (false)"),
            OpenApiParameter("role", str, enum=Assignment.Role.values, description="the unit's role"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Assignment]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generator looking
            return Assignment.objects.none()
        unit_id = _unit_or_404(self.request)
        params = self.request.query_params
        mine = Assignment.objects.filter(unit_id=unit_id, is_active=True)
        todo, signed, role = params.get("todo"), params.get("signed"), params.get("role")
        errors: dict[str, list[str]] = {}
        if todo:
            if todo not in dict(TODO_CHOICES):
                errors["todo"] = [_("Choose one of: %s.") % ", ".join(dict(TODO_CHOICES))]
            else:
                waiting = Proposal.objects.filter(todo_condition(self.request.user, todo))
                mine = mine.filter(proposal__in=waiting)
        if signed:
            if signed not in ("true", "false"):
                errors["signed"] = [_("Choose one of: %s.") % "true, false"]
            else:
                mine = mine.filter(signed_at__isnull=signed == "false")
        if role:
            if role not in Assignment.Role.values:
                errors["role"] = [_("Choose one of: %s.") % ", ".join(Assignment.Role.values)]
            else:
                mine = mine.filter(role=role)
        if errors:
            raise ValidationError(errors)
        return mine.select_related("unit", "proposal").order_by("deadline", "pk")


class Sign(GenericAPIView[Any]):
    """签收: my unit signs for the assignment (handling starts once every answering unit has)."""

    serializer_class = AssignmentSerializer

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assignment = get_own_assignment(request._request, pk)
        try:
            services.sign_assignment(assignment=assignment, by=_user(request))
        except ProposalError as exc:
            return _conflict(str(exc))
        signed = Assignment.objects.select_related("unit", "proposal").get(pk=pk)
        return Response(self.get_serializer(signed).data)


class ContactSerializer(serializers.ModelSerializer[ContactRecord]):
    unit = serializers.CharField(source="assignment.unit.name")

    class Meta:
        model = ContactRecord
        fields = [
            "id",
            "unit",
            "kind",
            "stage",
            "contact_date",
            "people",
            "summary",
            "created_at",
            "deputy_response",
            "deputy_comment",
        ]


class NewContactSerializer(serializers.Serializer[Any]):
    """What a contact record takes; validated by the page's form (`ContactForm`)."""

    kind = serializers.ChoiceField(choices=ContactRecord.Kind.choices)
    stage = serializers.ChoiceField(choices=ContactRecord.Stage.choices)
    contact_date = serializers.DateField()
    people = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=5000)


class Contacts(GenericAPIView[Any]):
    """The contacts with the deputy on the assignment's suggestion (every unit's, as the
    page shows them); a POST records one of my unit's, and the deputy is asked to confirm it."""

    serializer_class = ContactSerializer
    pagination_class = None

    @extend_schema(responses={200: ContactSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        assignment = get_own_assignment(request._request, pk)
        contacts = assignment.proposal.contacts.select_related("assignment__unit").order_by("contact_date", "pk")
        return Response(self.get_serializer(contacts, many=True).data)

    @extend_schema(request=NewContactSerializer, responses={201: ContactSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assignment = get_own_assignment(request._request, pk)
        form = page_form(hf.ContactForm, request.data, NewContactSerializer)
        try:
            contact = services.record_contact(assignment=assignment, by=_user(request), **form.cleaned_data)
        except ProposalError as exc:
            return _conflict(str(exc))
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)


# --- a unit: the reply letter -------------------------------------------------------------------------


class LetterSerializer(serializers.ModelSerializer[Reply]):
    """The reply letter as its unit and those who approve or issue it see it."""

    assignment = serializers.IntegerField(source="assignment_id")
    unit = serializers.CharField(source="assignment.unit.name")
    result_category = serializers.IntegerField(source="result_category_id", allow_null=True)

    class Meta:
        model = Reply
        fields = ["id", "assignment", "unit", "round", "state", "version", *Reply.LETTER_FIELDS, "updated_at"]


class LetterInputSerializer(serializers.Serializer[Any]):
    """The letter's fields (all optional: a field left out keeps its value); validated by the
    page's form (`ReplyForm`). Nothing is required to save a draft; `submit/` checks the rest."""

    reference_number = serializers.CharField(required=False, allow_blank=True, max_length=50)
    signer = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_person = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    result_category = serializers.IntegerField(required=False, allow_null=True)
    body = serializers.CharField(required=False, allow_blank=True)
    done_items = serializers.CharField(required=False, allow_blank=True)
    promised_items = serializers.CharField(required=False, allow_blank=True)
    promised_by = serializers.DateField(required=False, allow_null=True)
    not_adopted_reason = serializers.CharField(required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False)


def _letter(pk: int) -> Response:
    reply = Reply.objects.select_related("assignment__unit").get(pk=pk)
    return Response(LetterSerializer(reply).data)


class ReplyDraft(GenericAPIView[Any]):
    """Save my unit's reply letter for the current round as sent (a new one the first time;
    a field left out keeps its value). Only an answering unit writes one; co-handlers send an
    opinion instead. A wrong field answers 400 and nothing is saved."""

    serializer_class = LetterSerializer

    @extend_schema(request=LetterInputSerializer, responses={200: LetterSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assignment = get_own_assignment(request._request, pk, Assignment.ANSWERING_ROLES)
        current = Reply.objects.filter(assignment=assignment, round=assignment.current_round(assignment.proposal))
        reply = current.first()
        kept: dict[str, Any] = {"is_public": True}
        if reply is not None:
            kept = {name: getattr(reply, name) for name in Reply.LETTER_FIELDS}
            kept["result_category"] = reply.result_category_id
        form = page_form(hf.ReplyForm, request.data, LetterInputSerializer, kept=kept)
        try:
            saved = services.save_reply_draft(assignment=assignment, by=_user(request), **form.valid_fields())
        except ProposalError as exc:
            return _conflict(str(exc))
        return _letter(saved.pk)


class ReplyStep(GenericAPIView[Any]):
    """One step of the reply letter, as its page's button: `submit` (the handler sends it to
    the unit head), `approve` (the head approves and signs it), `issue` (staff issue it when
    they review replies), `return` (the head returns it with a note)."""

    serializer_class = LetterSerializer
    step = "submit"
    STEPS = ("request-countersign", "countersign", "submit", "approve", "return", "issue")
    RULES = {
        "request-countersign": "draft_reply",
        "countersign": "countersign_reply",
        "submit": "draft_reply",
        "approve": "approve_reply",
        "return": "approve_reply",
    }
    BODIES: dict[str, type[serializers.Serializer[Any]]] = {}  # the steps that take a body, filled below

    def post(self, request: Request, pk: int) -> Response:
        reply = get_reply_for_user(request._request, pk, rule=self.RULES.get(self.step, "view_reply"))
        user = _user(request)
        if self.step == "issue" and not allowed(user, "issue_reply", reply.assignment.proposal):
            raise refuse(request._request, f"reply {pk} (issue_reply)")
        try:
            if self.step == "request-countersign":
                services.request_countersign(reply=reply, by=user)
            elif self.step == "countersign":
                decision = page_form(hf.CountersignForm, request.data, CountersignSerializer)
                agrees = decision.cleaned_data["decision"] == "agree"
                services.countersign_reply(
                    reply=reply, by=user, agrees=agrees, comment=decision.cleaned_data["comment"]
                )
            elif self.step == "submit":
                services.submit_reply(reply=reply, by=user)
            elif self.step == "approve":
                services.approve_reply(reply=reply, by=user)
            elif self.step == "issue":
                services.issue_reply(reply=reply, by=user)
            else:
                form = page_form(hf.NoteForm, request.data, NoteSerializer)
                services.return_reply(reply=reply, by=user, note=form.cleaned_data["note"])
        except ProposalError as exc:
            return _conflict(str(exc))
        return _letter(pk)


class NoteSerializer(serializers.Serializer[Any]):
    """What returning a reply takes; validated by the page's form (`NoteForm`)."""

    note = serializers.CharField(max_length=2000)


class CountersignSerializer(serializers.Serializer[Any]):
    """What countersigning takes; validated by the page's form (`CountersignForm`)."""

    decision = serializers.ChoiceField(choices=["agree", "object"])
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="needed when the unit does not agree"
    )


ReplyStep.BODIES = {"return": NoteSerializer, "countersign": CountersignSerializer}


def _step(step: str) -> Any:
    """The step's view, with its own schema: returning takes a note, countersigning a decision."""

    class Step(ReplyStep):
        @extend_schema(
            operation_id=f"replies_{step.replace('-', '_')}",
            request=ReplyStep.BODIES.get(step),
            responses={200: LetterSerializer},
        )
        def post(self, request: Request, pk: int) -> Response:
            return super().post(request, pk)

    Step.__name__ = Step.__qualname__ = "Reply" + step.title().replace("-", "")
    return Step.as_view(step=step)


class CoOpinionSerializer(serializers.Serializer[Any]):
    """A co-handling unit's opinion to the lead unit; validated by the page's form (`CoOpinionForm`)."""

    body = serializers.CharField(max_length=10000)


class SendCoOpinion(GenericAPIView[Any]):
    """My co-handling unit's opinion to the lead unit for the current round (协办意见): sent,
    or revised while the lead has not yet asked for countersigning, as on the page."""

    serializer_class = CoOpinionSerializer

    @extend_schema(request=CoOpinionSerializer, responses={200: CoOpinionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        assignment = get_own_assignment(request._request, pk, (Assignment.Role.CO,))
        form = page_form(hf.CoOpinionForm, request.data, CoOpinionSerializer)
        try:
            opinion = services.submit_co_opinion(
                assignment=assignment, by=_user(request), body=form.cleaned_data["body"]
            )
        except ProposalError as exc:
            return _conflict(str(exc))
        return Response(self.get_serializer(opinion).data)


# --- staff: assigning (交办) -----------------------------------------------------------------------------


class AssignInputSerializer(serializers.Serializer[Any]):
    """What assigning takes, as the assignment page: one lead unit with any co-handling units
    (`mode` lead), or two or more units answering separately (`mode` separate); validated by
    the page's form (`AssignForm`)."""

    mode = serializers.ChoiceField(choices=["lead", "separate"])
    lead_unit = serializers.IntegerField(required=False, allow_null=True)
    co_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    separate_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    is_complex = serializers.BooleanField(required=False, default=False)
    assigned_on = serializers.DateField(help_text="the reply deadline counts from this day")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class Assign(GenericAPIView[Any]):
    """Assign a registered suggestion to units; answers the assignments made, with their
    deadlines (the page's confirmation step is the client's to show)."""

    serializer_class = AssignmentSerializer
    pagination_class = None

    @extend_schema(request=AssignInputSerializer, responses={201: AssignmentSerializer(many=True)})
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_proposal_for_user(request._request, pk)
        if not allowed(request.user, "assign_proposal", proposal):
            raise refuse(request._request, f"assign {pk}")
        form = page_form(hf.AssignForm, request.data, AssignInputSerializer)
        if not is_assignable(proposal):
            return _conflict(_("Only a registered suggestion that is not merged into another can be assigned."))
        try:
            made = services.assign_proposal(
                proposal=proposal, by=_user(request), expected_state=ProposalState.REGISTERED, **form.plan()
            )
        except ProposalError as exc:
            return _conflict(str(exc))
        rows = Assignment.objects.filter(pk__in=[a.pk for a in made]).select_related("unit", "proposal")
        return Response(self.get_serializer(rows.order_by("pk"), many=True).data, status=status.HTTP_201_CREATED)


def register() -> None:
    from deputies.api.router import register as add

    add(
        path("suggestions/<int:pk>/replies/", Replies.as_view(), name="suggestion_replies"),
        path("replies/<int:pk>/rating/", Rate.as_view(), name="reply_rating"),
        path("replies/<int:pk>/rating/settle/", Settle.as_view(), name="reply_rating_settle"),
        path("assignments/", Assignments.as_view(), name="assignments"),
        path("assignments/<int:pk>/sign/", Sign.as_view(), name="assignment_sign"),
        path("assignments/<int:pk>/contacts/", Contacts.as_view(), name="assignment_contacts"),
        path("assignments/<int:pk>/reply/", ReplyDraft.as_view(), name="assignment_reply"),
        path("assignments/<int:pk>/co-opinion/", SendCoOpinion.as_view(), name="assignment_co_opinion"),
        *(
            path(f"replies/<int:pk>/{step}/", _step(step), name=f"reply_{step.replace('-', '_')}")
            for step in ReplyStep.STEPS
        ),
        path("proposals/<int:pk>/assign/", Assign.as_view(), name="proposal_assign"),
    )
