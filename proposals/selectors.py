"""Reads for suggestions: what a user sees, with what lists and pages need in few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from proposals import rules as access
from proposals.forms import SORTS, ProposalFilterForm
from proposals.models import REPLY_DUE_STATES, CoSignature, Proposal, ProposalEvent


def proposals_for(user: Any) -> QuerySet[Proposal]:
    return access.visible_proposals(user).select_related("meeting", "lead_deputy", "category")


def state_counts(user: Any) -> dict[str, int]:
    rows = access.visible_proposals(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def timeline(proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("created_at", "pk")


def filter_proposals(user: Any, data: Any) -> tuple[QuerySet[Proposal], ProposalFilterForm]:
    """The suggestions `user` may see, filtered by the query-string `data`.

    One function for every list: the list page, its Excel export and the dashboard's links
    all call it, so a figure and the list behind it always agree.
    """
    form = ProposalFilterForm(data or None)
    form.is_valid()  # invalid fields are left out of cleaned_data and shown as errors
    values = getattr(form, "cleaned_data", {})
    queryset = proposals_for(user)
    today = timezone.localdate()
    if values.get("q"):
        text = values["q"].strip()
        queryset = queryset.filter(Q(title__icontains=text) | Q(body__icontains=text))
    if values.get("meeting"):
        queryset = queryset.filter(meeting=values["meeting"])
    if values.get("year"):
        queryset = queryset.filter(meeting__year=values["year"])
    if values.get("category"):
        queryset = queryset.filter(category=values["category"])
    if values.get("state"):
        queryset = queryset.filter(state__in=values["state"])
    if values.get("unit"):
        Assignment = apps.get_model("handling", "Assignment")
        queryset = queryset.filter(
            Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=values["unit"], is_active=True))
        )
    if values.get("deputy"):
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), deputy_id=values["deputy"]).exclude(
            status=CoSignature.Status.DECLINED
        )
        queryset = queryset.filter(Q(lead_deputy_id=values["deputy"]) | Q(Exists(cosigned)))
    if values.get("key") in ("0", "1"):
        KeyItem = apps.get_model("supervision", "KeyItem")
        is_key = Exists(KeyItem.proposals.through.objects.filter(proposal_id=OuterRef("pk")))
        queryset = queryset.filter(is_key if values["key"] == "1" else ~is_key)
    if values.get("overdue"):
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__lt=today)
    if values.get("due_within") is not None:
        horizon = today + dt.timedelta(days=values["due_within"])
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__gte=today, due_on__lte=horizon)
    order = SORTS.get(values.get("sort") or "", ("-meeting__year", "number", "-created_at"))
    return queryset.order_by(*order, "pk"), form
