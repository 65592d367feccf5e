"""What the public may read of a suggestion, and how it reads to them (建议办理进度公开).

The rule, in one place:

- **which items**: registered ones and every later state (`REGISTERED_STATES`), numbered, that
  staff have not withheld (`Proposal.withheld_at`). Drafts, submitted items not yet
  registered, returned, withdrawn and not-accepted ones are never public: the public page of
  such an item answers 404 as any page of something that is not there;
- **what of them**: the number, title, meeting, category, the state in plain public words
  (`progress_of`), the milestones (`milestones`: the trail's steps each app declared public in
  its `events.py`, with their date and, where the step names one, the unit) and what later
  apps add (`public_part`: the units and the reply when public by
  `handling.rules.public_replies()`, the promises' dates). Never the deputies (names, phones,
  delegations), the body of the suggestion, who did a step, a note, a handler's working paper,
  the co-signers, attachments, ratings' details.

Later apps register here, as with `proposals/hooks.py`: a filter of the public list
(`public_filter`, e.g. the unit), the units named in each row (`public_units`), and parts of
the public page of one item (`public_part`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deputies.streams import stream_words
from proposals.events import public_actions, public_line
from proposals.models import Proposal, ProposalEvent
from proposals.states import REGISTERED_STATES
from proposals.states import ProposalState as S


def public_condition(prefix: str = "") -> Q:
    """`is_public` as a condition: on items, or with `prefix` (e.g. "assignment__proposal__")
    on what belongs to one (its replies may be public only while it is)."""
    facts = {"state__in": REGISTERED_STATES, "number__isnull": False, "withheld_at__isnull": True}
    return Q(**{prefix + name: value for name, value in facts.items()})


def public_proposals(queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """The items the public may read (of `queryset`, by default all)."""
    queryset = Proposal.objects.all() if queryset is None else queryset
    return queryset.filter(public_condition())


def is_public(proposal: Proposal) -> bool:
    return proposal.state in REGISTERED_STATES and proposal.number is not None and proposal.withheld_at is None


class Progress(models.TextChoices):
    """Where an item stands, in the public's words (a few states of the workflow read as one)."""

    REGISTERED = "registered", _("Registered, waiting to be assigned")
    HANDLING = "handling", _("Being handled by the units")
    REPLIED = "replied", _("Replied, waiting for the deputy's rating")
    REHANDLING = "rehandling", _("Being handled again")
    CLOSED = "closed", _("Handled and closed")


PROGRESS_OF_STATE = {
    S.REGISTERED: Progress.REGISTERED,
    S.ASSIGNED: Progress.HANDLING,
    S.REASSIGN_REQUESTED: Progress.HANDLING,
    S.IN_HANDLING: Progress.HANDLING,
    S.REPLIED: Progress.REPLIED,
    S.REHANDLING: Progress.REHANDLING,
    S.CLOSED: Progress.CLOSED,
}


def states_of(progress: str) -> list[str]:
    return [str(state) for state, shown in PROGRESS_OF_STATE.items() if shown == progress]


def progress_of(proposal: Proposal) -> Progress:
    return PROGRESS_OF_STATE[S(proposal.state)]


def progress_label(proposal: Proposal) -> str:
    """The state in plain words, in the item's stream's words (代表 / 委员)."""
    with stream_words(proposal.stream):
        return str(progress_of(proposal).label)


@dataclass(frozen=True)
class Milestone:
    on: dt.date
    text: str


def milestones(proposal: Proposal) -> list[Milestone]:
    """The item's public milestones, oldest first, in its stream's words: every step of its
    trail that an app declared public, read by that declaration (never who did it, nor a
    note). An item that came in by the import has no registration step: its registration
    date stands in."""
    events = list(
        ProposalEvent.objects.filter(proposal=proposal, action__in=public_actions())
        .only("action", "data", "to_state", "created_at")
        .order_by("created_at", "pk")
    )
    out = []
    with stream_words(proposal.stream):
        if proposal.registered_at and not any(e.action == "register" for e in events):
            out.append(Milestone(timezone.localdate(proposal.registered_at), _registered_text(proposal)))
        for event in events:
            event.proposal = proposal  # the item the lines read (its number in its own words), loaded once
            text = public_line(event)
            if text:
                out.append(Milestone(timezone.localdate(event.created_at), text))
    return out


def _registered_text(proposal: Proposal) -> str:
    return gettext("Registered as %(number)s") % {"number": proposal.number_label}


# --- what later apps add -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFilter:
    """A filter of the public list: its form field and how it narrows the items."""

    name: str
    field: Callable[[], forms.Field]
    apply: Callable[[QuerySet[Proposal], Any], QuerySet[Proposal]]
    order: int = 100


@dataclass(frozen=True)
class PublicPart:
    """A part of the public page of one item: its template and its context (None: nothing
    to show). It shows only what the public may read.

    The API's public item (/api/v1/public/suggestions/<id>/) reads the same context: `fields()`
    gives its fields by name (serializer fields, for the schema) and `data(context)` their values
    (`context` None: the part's empty values)."""

    template: str
    context: Callable[[Proposal], dict[str, Any] | None]
    order: int = 100
    fields: Callable[[], dict[str, Any]] | None = None
    data: Callable[[dict[str, Any] | None], dict[str, Any]] | None = None


_FILTERS: list[PublicFilter] = []
_UNITS: list[Callable[[Sequence[int]], dict[int, str]]] = []
_PARTS: list[PublicPart] = []


def public_filter(item: PublicFilter) -> None:
    _FILTERS.append(item)
    _FILTERS.sort(key=lambda f: f.order)


def public_filters() -> list[PublicFilter]:
    return list(_FILTERS)


def public_units(provider: Callable[[Sequence[int]], dict[int, str]]) -> None:
    """Register `provider(ids) -> {id: "units"}`: the units named in each row, in one query."""
    _UNITS.append(provider)


def units_of(ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for provider in _UNITS:
        for pk, text in provider(ids).items():
            out[pk] = f"{out[pk]}、{text}" if out.get(pk) else text
    return out


def public_part(item: PublicPart) -> None:
    _PARTS.append(item)
    _PARTS.sort(key=lambda p: p.order)


@dataclass(frozen=True)
class ShownPart:
    template: str
    context: dict[str, Any]


def parts_for(proposal: Proposal) -> list[ShownPart]:
    shown = []
    for part in _PARTS:
        context = part.context(proposal)
        if context is not None:
            shown.append(ShownPart(part.template, context))
    return shown


def part_fields() -> dict[str, Any]:
    """The API's fields of what later apps add to the public item, by name."""
    fields: dict[str, Any] = {}
    for part in _PARTS:
        if part.fields is not None:
            fields.update(part.fields())
    return fields


def part_data(proposal: Proposal) -> dict[str, Any]:
    """What later apps add to the public item, as the API gives it: each part's context, the
    one its page part shows, read by that part."""
    data: dict[str, Any] = {}
    for part in _PARTS:
        if part.data is not None:
            data.update(part.data(part.context(proposal)))
    return data


# --- the list's order and its pages ---------------------------------------------------------------------

PAGE_SIZE = 20


@dataclass(frozen=True)
class Cursor:
    """Where a page of the public list starts or ends: (meeting, number) of an item. Pages turn
    by it (keyset pagination), never by counting rows to skip or to total."""

    meeting_id: int
    number: int

    def __str__(self) -> str:
        return f"{self.meeting_id}.{self.number}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        parts = (text or "").split(".")
        if len(parts) != 2 or not all(part.isdigit() and len(part) < 10 for part in parts):
            return None
        return cls(int(parts[0]), int(parts[1]))

    @classmethod
    def of(cls, proposal: Proposal) -> Cursor:
        assert proposal.number is not None  # public items are numbered
        return cls(proposal.meeting_id, proposal.number)

    def beyond(self, queryset: QuerySet[Proposal], *, forward: bool) -> QuerySet[Proposal]:
        way = "gt" if forward else "lt"
        return queryset.filter(
            Q(**{f"meeting_id__{way}": self.meeting_id})
            | Q(meeting_id=self.meeting_id, **{f"number__{way}": self.number})
        )


ORDER = ("meeting_id", "number")


@dataclass
class Page:
    rows: list[Proposal]
    previous: Cursor | None
    next: Cursor | None


def page_of(queryset: QuerySet[Proposal], *, after: Cursor | None, before: Cursor | None) -> Page:
    """One page of `queryset` in (meeting, number) order, after or before a cursor: it reads
    PAGE_SIZE + 1 rows whatever the total, the extra one only to know there is more."""
    if before is not None:
        rows = list(before.beyond(queryset, forward=False).order_by("-meeting_id", "-number")[: PAGE_SIZE + 1])
        more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return Page(rows, Cursor.of(rows[0]) if rows and more_before else None, Cursor.of(rows[-1]) if rows else None)
    if after is not None:
        queryset = after.beyond(queryset, forward=True)
    rows = list(queryset.order_by(*ORDER)[: PAGE_SIZE + 1])
    more_after = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(
        rows,
        Cursor.of(rows[0]) if rows and after is not None else None,
        Cursor.of(rows[-1]) if rows and more_after else None,
    )
