"""Reads for the deputy's own pages, made for a phone: "my suggestions" (the ones I lead and the
ones I co-sign, each with where it stands in plain words and what is asked of me now), one
suggestion's story in plain words, and what a new draft starts from.

What later steps add (the units, the replies to rate, the contacts to confirm, how it was rated)
comes from the apps that own them through `proposals.hooks` (`FollowFacts`), loaded with the
rows in a fixed number of queries; the story reads each step as its app declared it
(`proposals.events`), for the deputies' audience only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Deputy, UserOrAnonymous
from deputies.planner import tuned
from deputies.streams import Stream
from proposals import hooks
from proposals.drafts import NOTHING_WRITTEN
from proposals.events import Story, day, sentence_for
from proposals.models import CoSignature, Meeting, Proposal, ProposalEvent
from proposals.selectors import visible_events
from proposals.states import COSIGNABLE_STATES, EDITABLE_STATES, FINAL_STATES, GROUP_HANDLED_STATES, REPLY_DUE_STATES, S

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def current_meeting(today: dt.date | None = None, *, stream: str = Stream.SUGGESTION) -> Meeting | None:
    """The meeting of `stream`'s body a new item belongs to: the latest one that has opened
    (items made between meetings belong to the meeting that opened the session year), else
    the next one."""
    today = today or timezone.localdate()
    meetings = Meeting.objects.filter(term__stream=stream)
    opened = meetings.filter(opens_on__lte=today).order_by("-opens_on", "-pk").first()
    return opened or meetings.order_by("opens_on", "pk").first()


def default_channel(meeting: Meeting, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return Proposal.Channel.MEETING if meeting.opens_on <= today <= meeting.closes_on else Proposal.Channel.BETWEEN


# --- plain words ---------------------------------------------------------------------------------


def due_phrase(due_on: dt.date | None, today: dt.date) -> str:
    if due_on is None:
        return ""
    days = (due_on - today).days
    if days > 0:
        return _("%(n)s days left until the reply deadline") % {"n": days}
    if days == 0:
        return _("the reply is due today")
    return _("the reply is %(n)s days overdue") % {"n": -days}


def plain_state(
    proposal: Proposal,
    *,
    is_lead: bool,
    today: dt.date,
    result_rating: str | None = None,
    rating_until: dt.date | None = None,
) -> str:
    """Where a suggestion stands, as a deputy would say it: “承办单位办理中，距答复期限还有 23 天”."""
    state = proposal.state
    if proposal.merged_into_id and state in GROUP_HANDLED_STATES:
        main = proposal.merged_into
        assert main is not None  # merged_into_id is set
        text = _("Merged into No. %(number)s and handled together with it") % {"number": main.number or "—"}
    elif state == S.DRAFT:
        text = _("Draft, not submitted yet")
    elif state == S.SUBMITTED:
        text = _("Submitted; congress staff are reviewing it")
    elif state == S.RETURNED:
        text = _("Returned for revision")
    elif state == S.WITHDRAWN:
        text = _("Withdrawn")
    elif state == S.NOT_ACCEPTED:
        text = _("Not accepted as a suggestion; referred to another channel")
    elif state == S.REGISTERED:
        text = _("Registered as No. %(number)s; waiting to be assigned to a unit") % {"number": proposal.number}
    elif state == S.ASSIGNED:
        text = _("Assigned; waiting for the unit to sign for it")
    elif state == S.REASSIGN_REQUESTED:
        text = _("A unit asked to hand it to another unit; congress staff are deciding")
    elif state == S.IN_HANDLING:
        text = _("The unit is handling it")
    elif state == S.REPLIED and rating_until is not None:
        # Rated, but the rating has not taken effect: the deputy may still change it.
        if is_lead:
            text = _("Replied; your rating is recorded and can be changed until %(date)s")
        else:
            text = _("Replied; the lead deputy has rated it, the rating takes effect after %(date)s")
        text = text % {"date": day(rating_until)}
    elif state == S.REPLIED:
        text = _("Replied; waiting for your rating") if is_lead else _("Replied; waiting for the lead deputy's rating")
    elif state == S.REHANDLING:
        text = _("Being handled again after the rating")
    elif state == S.CLOSED and result_rating is not None:
        text = _("Closed; the result was rated “%(result)s”") % {"result": result_rating}
    else:
        text = _("Closed")
    if state in REPLY_DUE_STATES and proposal.due_on:
        return _("%(state)s, %(due)s") % {"state": text, "due": due_phrase(proposal.due_on, today)}
    return text


def own_asks_condition(deputy_id: int) -> Q:
    """`own_asks` as a condition: the suggestions it asks something of their lead deputy for."""
    return Q(lead_deputy_id=deputy_id, state__in=EDITABLE_STATES)


def own_asks(proposal: Proposal, *, is_lead: bool) -> list[hooks.Ask]:
    """What the suggestion itself asks of its lead deputy now: finish, or revise, the draft."""
    if not is_lead:
        return []
    edit = reverse("proposals:edit", args=[proposal.pk])
    if proposal.state == S.DRAFT:
        need, have = settings.REQUIRED_COSIGNERS, _followed(proposal).confirmed_cosigners
        if need > have:
            text = _("Waiting for co-signers: %(have)s of %(need)s confirmed") % {"have": have, "need": need}
            return [hooks.Ask(text, edit)]
        return [hooks.Ask(_("Finish the draft and submit it"), edit)]
    if proposal.state == S.RETURNED:
        return [hooks.Ask(_("Revise it and submit it again"), edit)]
    return []


@dataclass
class Row:
    """One suggestion as its deputy follows it: on "my suggestions" and on its own page."""

    proposal: Proposal
    is_lead: bool
    state_text: str
    units: str
    asks: list[hooks.Ask] = field(default_factory=list)
    return_reason: str = ""

    @property
    def group(self) -> str:
        if self.asks:
            return "todo"
        return "done" if self.proposal.state in FINAL_STATES else "ongoing"


class _Followed(TypedDict):
    """What with_follow_facts() adds to each suggestion: an annotation and a to_attr prefetch."""

    confirmed_cosigners: int
    returns: list[ProposalEvent]


def _followed(proposal: Proposal) -> WithAnnotations[Proposal, _Followed]:
    """A suggestion loaded by with_follow_facts(), as the type checker should see it."""
    return cast("WithAnnotations[Proposal, _Followed]", proposal)


def with_follow_facts(queryset: QuerySet[Proposal], deputy_id: int) -> QuerySet[Proposal]:
    """What a deputy's row of a suggestion needs, in a fixed number of queries."""
    # A correlated count rather than a join and GROUP BY: the join drags every co-signature of
    # every suggestion into the plan before the rows are narrowed to the deputy's.
    confirmed = (
        CoSignature.objects.filter(proposal=OuterRef("pk"), status=CoSignature.Status.CONFIRMED)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = queryset.select_related("meeting", "category", "merged_into").annotate(
        confirmed_cosigners=Coalesce(Subquery(confirmed, output_field=IntegerField()), 0)
    )
    returns = ProposalEvent.objects.filter(action="return_for_revision").order_by("-created_at", "-pk")
    queryset = queryset.prefetch_related(Prefetch("events", queryset=returns, to_attr="returns"))
    return hooks.load_follow_facts(queryset, deputy_id)


def my_proposals(deputy_id: int) -> QuerySet[Proposal]:
    """The suggestions a deputy leads or has confirmed co-signing, with what their rows need."""
    return with_follow_facts(_mine(deputy_id), deputy_id)


def _mine(deputy_id: int) -> QuerySet[Proposal]:
    # Two indexed lookups joined by a UNION: an OR of the lead deputy and an EXISTS on the
    # co-signatures would read every suggestion to test each one.
    led = Proposal.objects.filter(lead_deputy_id=deputy_id).order_by().values("pk")
    cosigned = (
        CoSignature.objects.filter(deputy_id=deputy_id, status=CoSignature.Status.CONFIRMED)
        .order_by()
        .values("proposal_id")
    )
    mine = Proposal.objects.filter(pk__in=led.union(cosigned))
    # A draft with nothing in it is no suggestion yet: never listed (the nightly task withdraws it).
    return mine.exclude(NOTHING_WRITTEN, state__in=(S.DRAFT, S.WITHDRAWN))


def build_row(proposal: Proposal, *, deputy_id: int, today: dt.date) -> Row:
    is_lead = proposal.lead_deputy_id == deputy_id
    facts = hooks.facts_of(proposal, is_lead=is_lead)
    return Row(
        proposal=proposal,
        is_lead=is_lead,
        state_text=plain_state(
            proposal,
            is_lead=is_lead,
            today=today,
            result_rating=facts.result_rating,
            rating_until=facts.rating_changeable_until,
        ),
        units=facts.units,
        asks=own_asks(proposal, is_lead=is_lead) + facts.asks,
        return_reason=_return_note(proposal),
    )


def _return_note(proposal: Proposal) -> str:
    if proposal.state != S.RETURNED:
        return ""
    returns = _followed(proposal).returns
    return returns[0].note if returns else ""


GROUP_ORDER = {"todo": 0, "ongoing": 1, "done": 2}
GROUP_NAMES = {number: name for name, number in GROUP_ORDER.items()}


def asks_condition(deputy_id: int, today: dt.date) -> Q:
    """The suggestions whose row asks the deputy something now (its `group` is "todo"): the
    condition form of `build_row`'s asks, the suggestion's own and each later app's."""
    condition = own_asks_condition(deputy_id)
    for extra in hooks.follow_asks_conditions(deputy_id, today):
        condition |= extra
    return condition


def my_order(deputy_id: int, today: dt.date) -> list[tuple[int, str]]:
    """Each of the deputy's suggestions with its group, in the page's order: what needs the
    deputy first, then what is under way (soonest due first), then what is finished, the
    latest changed first within each. The groups come from SQL (`asks_condition`, evaluated
    once a suggestion), so that the page loads and builds only the rows it shows."""
    group = Case(
        When(asks_condition(deputy_id, today), then=Value(GROUP_ORDER["todo"])),
        When(state__in=FINAL_STATES, then=Value(GROUP_ORDER["done"])),
        default=Value(GROUP_ORDER["ongoing"]),
    )
    found = _mine(deputy_id).annotate(group=group).order_by().values_list("pk", "group", "due_on", "updated_at")
    with tuned():  # the asks' subqueries through their indexes, not a scan of every contact
        rows = list(found)
    done, far = GROUP_ORDER["done"], dt.date.max
    ordered = sorted(rows, key=lambda r: (r[1], far if r[1] == done or r[2] is None else r[2], -r[3].timestamp(), r[0]))
    return [(pk, GROUP_NAMES[number]) for pk, number, _due, _updated in ordered]


def rows_of(pks: Sequence[int], *, deputy_id: int, today: dt.date) -> list[Row]:
    """The rows of these suggestions of the deputy's, in this order."""
    loaded = {p.pk: p for p in my_proposals(deputy_id).filter(pk__in=pks)}
    return [build_row(loaded[pk], deputy_id=deputy_id, today=today) for pk in pks if pk in loaded]


def open_invitations(deputy: Deputy) -> QuerySet[CoSignature]:
    """Invitations to co-sign the deputy has not answered, while they can still be answered."""
    return (
        CoSignature.objects.filter(
            deputy=deputy, status=CoSignature.Status.INVITED, proposal__state__in=COSIGNABLE_STATES
        )
        .select_related("proposal__lead_deputy__delegation")
        .order_by("-invited_at")
    )


# --- one suggestion's story ------------------------------------------------------------------------------


@dataclass
class Step:
    when: dt.datetime
    text: str
    note: str = ""
    link: str = ""
    state: str = ""
    state_label: str = ""


def plain_timeline(proposal: Proposal, user: UserOrAnonymous, *, is_lead: bool) -> list[Step]:
    """The steps the deputy may see, newest first, each as a sentence with where to read more."""
    story = Story(proposal=proposal, is_lead=is_lead)
    steps = []
    for event in visible_events(proposal, user).order_by("-created_at", "-pk"):
        text, link = sentence_for(event, story)
        moved = event.from_state != event.to_state
        steps.append(
            Step(
                when=event.created_at,
                text=text,
                note=event.note,
                link=link,
                state=event.to_state if moved else "",
                state_label=event.get_to_state_display() if moved else "",
            )
        )
    return steps


def return_reason(proposal: Proposal) -> ProposalEvent | None:
    if proposal.state != S.RETURNED:
        return None
    return proposal.events.filter(action="return_for_revision").select_related("actor").order_by("-created_at").first()


# --- co-signers ---------------------------------------------------------------------------------------


def search_deputies(query: str, *, lead: Deputy, limit: int = 30) -> list[Deputy]:
    """Serving deputies with a login, of the lead's own body (a member's fellow members), by
    name or delegation; without a query, the lead's own delegation (the usual co-signers)."""
    found = Deputy.objects.filter(stream=lead.stream, is_active=True, user__isnull=False, user__is_active=True)
    found = found.exclude(pk=lead.pk)
    query = query.strip()
    if query:
        found = found.filter(Q(name__icontains=query) | Q(delegation__name__icontains=query))
    elif lead.delegation_id:
        found = found.filter(delegation_id=lead.delegation_id)
    else:
        return []
    return list(found.select_related("delegation").order_by("delegation__order", "name")[: limit + 1])
