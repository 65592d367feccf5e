"""Reads for the supervision pages, each in a fixed number of queries whatever the rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from deputies.access import ALL_STREAMS, OVERSEER_ROLES, streams_of
from deputies.models import User
from handling.models import Assignment, Unit
from handling.selectors import active_assignments
from proposals.models import Proposal, ProposalEvent
from proposals.rules import visible_proposals
from proposals.states import REPLY_DUE_STATES, ProposalState
from supervision import resurvey
from supervision.models import KeyItem, ProgressReport, Promise, PromiseSurvey, SupervisionRecord, UrgingNotice
from supervision.rules import visible_key_items, visible_unit_objects

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

S = ProposalState


class _OnItem(TypedDict):
    """What the key item pages load onto each of its suggestions (item_proposals(),
    key_item_detail()): an annotation and a to_attr prefetch."""

    last_activity: dt.datetime | None
    active_assignments: list[Assignment]


if TYPE_CHECKING:
    ItemProposal = WithAnnotations[Proposal, _OnItem]


def sees_every_suggestion(user: User) -> bool:
    """Overseers of both streams see each key item whole; a unit sees on it only the
    suggestions it handles, the staff of one stream only its items."""
    return user.role in OVERSEER_ROLES and streams_of(user) == ALL_STREAMS


def key_items(
    user: User, *, year: int | None = None, leader: User | None = None, committee_id: int | None = None
) -> QuerySet[KeyItem]:
    """Key items `user` may see, with their figures on the suggestions `user` may see of them:
    how many, how many closed and overdue, the next reply deadline, the last activity."""
    today = timezone.localdate()
    queryset = visible_key_items(user).select_related("leader", "committee")
    if year:
        queryset = queryset.filter(year=year)
    if committee_id is not None:
        queryset = queryset.filter(committee_id=committee_id)
    if leader is not None:
        queryset = queryset.filter(leader=leader)
    events = ProposalEvent.objects.filter(proposal__key_items=OuterRef("pk"))
    seen = Q()
    if not sees_every_suggestion(user):
        # Only the suggestions on a key item are asked about: PostgreSQL then hashes those few
        # hundred, not every suggestion `user` may see, for each figure.
        visible = visible_proposals(user, Proposal.objects.filter(key_items__isnull=False)).values("pk")
        seen = Q(proposals__in=visible)
        events = events.filter(proposal__in=visible)
    due = seen & Q(proposals__state__in=REPLY_DUE_STATES)
    return queryset.annotate(
        n_proposals=Count("proposals", filter=seen, distinct=True),
        n_closed=Count("proposals", filter=seen & Q(proposals__state=S.CLOSED), distinct=True),
        n_overdue=Count("proposals", filter=due & Q(proposals__due_on__lt=today), distinct=True),
        next_due=Min("proposals__due_on", filter=due),
        last_activity=Subquery(events.order_by("-created_at").values("created_at")[:1]),
        last_record=Max("records__held_on"),
    ).order_by("-year", "title", "pk")


def item_proposals() -> Prefetch:
    """The suggestions of key items, with their active units and last activity."""
    return Prefetch(
        "proposals",
        queryset=Proposal.objects.select_related("meeting", "lead_deputy")
        .annotate(last_activity=Max("events__created_at"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=active_assignments(),
                to_attr="active_assignments",
            )
        )
        .order_by("meeting__year", "number", "pk"),
    )


def leader_items(user: User, leader: User) -> QuerySet[KeyItem]:
    return key_items(user, leader=leader).prefetch_related(item_proposals())


def key_item_detail(key_item: KeyItem, user: User) -> dict[str, Any]:
    """A key item's page as `user` may see it: a unit sees only the suggestions it handles,
    and only the progress reports on them."""
    loaded = list(
        visible_proposals(user, Proposal.objects.filter(key_items=key_item))
        .select_related("meeting", "lead_deputy")
        .annotate(last_activity=Max("events__created_at"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=active_assignments(),
                to_attr="active_assignments",
            )
        )
        .order_by("meeting__year", "number", "pk")
    )
    proposals = cast("list[ItemProposal]", loaded)  # loaded as _OnItem says
    records = (
        SupervisionRecord.objects.filter(key_item=key_item).select_related("recorded_by").prefetch_related("photos")
    )
    reports = (
        ProgressReport.objects.filter(key_item=key_item, proposal__in=[p.pk for p in proposals])
        .select_related("unit", "reported_by", "proposal")
        .order_by("-created_at", "-pk")[:100]
    )
    return {"proposals": proposals, "records": records, "reports": reports}


def next_reports_due(key_item: KeyItem, proposals: Sequence[ItemProposal]) -> dict[tuple[int, int], dt.date]:
    """When each answering unit's next progress report on each suggestion is due."""
    last = {
        (r["proposal_id"], r["unit_id"]): timezone.localdate(r["last"])
        for r in ProgressReport.objects.filter(key_item=key_item)
        .values("proposal_id", "unit_id")
        .annotate(last=Max("created_at"))
    }
    due = {}
    for proposal in proposals:
        if proposal.state not in REPLY_DUE_STATES:
            continue
        for assignment in proposal.active_assignments:
            if not assignment.answers:
                continue
            start = max(key_item.starts_on, assignment.assigned_on)
            since = last.get((proposal.pk, assignment.unit_id), start)
            due[(proposal.pk, assignment.unit_id)] = since + dt.timedelta(days=key_item.report_every_days)
    return due


def promises(user: User, values: dict[str, Any]) -> QuerySet[Promise]:
    """The follow-up list: promises `user` may see, filtered; overdue first, then by the
    promised date (undated last), across years."""
    today = timezone.localdate()
    queryset = visible_unit_objects(user, Promise.objects.all())
    state = values.get("state") or "open"
    if state == "open":
        queryset = queryset.filter(state__in=Promise.OPEN_STATES)
    elif state != "all":
        queryset = queryset.filter(state=state)
    if values.get("unit"):
        queryset = queryset.filter(unit=values["unit"])
    if values.get("year"):
        queryset = queryset.filter(proposal__meeting__year=values["year"])
    overdue = Q(state__in=Promise.OPEN_STATES, promised_by__lt=today)
    if values.get("overdue"):
        queryset = queryset.filter(overdue)
    survey = values.get("survey")
    if survey == "waiting":
        queryset = resurvey.waiting(queryset, today)
    elif survey:
        queryset = queryset.filter(survey__answer=survey)
    # Each promise's reports as subqueries, not a GROUP BY over the joined reports: PostgreSQL
    # then works them out for the page's rows only, after sorting, not for every open promise.
    reports = ProgressReport.objects.filter(promise=OuterRef("pk")).order_by()
    return (
        queryset.select_related("proposal__meeting", "unit", "survey")
        .annotate(
            last_report=Subquery(reports.order_by("-created_at").values("created_at")[:1]),
            n_reports=Subquery(reports.values("promise").annotate(n=Count("pk")).values("n")),
            overdue_first=Case(When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("overdue_first", "promised_by", "proposal__meeting__year", "proposal__number", "pk")
    )


def followup_counts(user: User) -> dict[str, int]:
    today = timezone.localdate()
    queryset = visible_unit_objects(user, Promise.objects.all())
    return queryset.aggregate(
        open=Count("pk", filter=Q(state=Promise.State.OPEN)),
        to_confirm=Count("pk", filter=Q(state=Promise.State.DONE_REPORTED)),
        overdue=Count("pk", filter=Q(state__in=Promise.OPEN_STATES, promised_by__lt=today)),
        # 回头看: kept as the deputies confirm it, and the answers still awaited.
        deputy_kept=Count("pk", filter=Q(survey__answer=PromiseSurvey.Answer.KEPT)),
        survey_waiting=Count("pk", filter=resurvey.due_condition(today) & Q(survey__isnull=True)),
    )


def resurvey_counts(year: int, stream: str | None = None) -> dict[str, int]:
    """回头看 for a year's items of one stream, or of both (None) (the annual report): the
    promises followed, those staff confirmed kept, and the answers of the deputies (or
    members): kept, partly, not kept, not answered yet."""
    today = timezone.localdate()
    promises = Promise.objects.filter(Promise.FOLLOWED, proposal__meeting__year=year)
    if stream:
        promises = promises.filter(proposal__stream=stream)
    A = PromiseSurvey.Answer
    return promises.aggregate(
        promises=Count("pk"),
        confirmed_kept=Count("pk", filter=Q(state=Promise.State.KEPT)),
        deputy_kept=Count("pk", filter=Q(survey__answer=A.KEPT)),
        deputy_partly=Count("pk", filter=Q(survey__answer=A.PARTLY)),
        deputy_not_kept=Count("pk", filter=Q(survey__answer=A.NOT_KEPT)),
        waiting=Count("pk", filter=resurvey.due_condition(today) & Q(survey__isnull=True)),
    )


def urging_notices(user: User, values: dict[str, Any]) -> QuerySet[UrgingNotice]:
    queryset = visible_unit_objects(user, UrgingNotice.objects.all())
    if values.get("state") == "pending":
        queryset = queryset.filter(acknowledged_at__isnull=True)
    elif values.get("state") == "acknowledged":
        queryset = queryset.filter(acknowledged_at__isnull=False)
    if values.get("unit"):
        queryset = queryset.filter(unit=values["unit"])
    return (
        queryset.select_related("unit", "sent_by", "acknowledged_by")
        .prefetch_related(Prefetch("proposals", queryset=Proposal.objects.order_by("number", "pk")))
        .annotate(pending_first=Case(When(acknowledged_at__isnull=True, then=Value(0)), default=Value(1)))
        .order_by("pending_first", "-sent_at", "-pk")
    )


def unit_items_for_urging(unit: Unit, candidates: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """A unit's suggestions to choose from when urging: those it owes a reply on first
    (overdue first), then the replied and closed ones (for promises)."""
    today = timezone.localdate()
    owed = Q(state__in=REPLY_DUE_STATES)
    return candidates.annotate(
        urgency=Case(
            When(owed & Q(due_on__lt=today), then=Value(0)),
            When(owed, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        has_open_promise=Exists(
            Promise.objects.filter(proposal=OuterRef("pk"), unit=unit, state__in=Promise.OPEN_STATES)
        ),
    ).order_by("urgency", "due_on", "-meeting__year", "number", "pk")
