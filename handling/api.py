"""The deputy's handling endpoints of the HTTP API (/api/v1/): the replies to one of their
suggestions, and rating a reply, with the page's semantics (handling/deputy_views.py): a
rating waits, changeable within its window (`RATING_CHANGE_WORKDAYS`), until it takes effect
by itself or the deputy settles it at once."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.access import refuse
from deputies.models import User
from handling import services
from handling.access import get_reply_for_user
from handling.deputy_forms import RatingForm
from handling.models import Rating, Reply
from handling.rules import is_changeable, is_rater_of_reply
from handling.selectors import handling_of
from proposals.access import get_proposal_for_user
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
        form = RatingForm(request.data)
        if not form.is_valid():
            return Response(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()},
                status=status.HTTP_400_BAD_REQUEST,
            )
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


def register() -> None:
    from deputies.api.router import register as add

    add(
        path("suggestions/<int:pk>/replies/", Replies.as_view(), name="suggestion_replies"),
        path("replies/<int:pk>/rating/", Rate.as_view(), name="reply_rating"),
        path("replies/<int:pk>/rating/settle/", Settle.as_view(), name="reply_rating_settle"),
    )
