"""Reads for suggestions: what a user sees, with what lists and pages need in few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar

from django.db.models import Count, Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from deputies.access import of_users_streams
from deputies.models import Deputy, User, UserOrAnonymous
from deputies.pages import LOOKUP_LIMIT
from proposals import hooks, textindex
from proposals.events import declared, details_for, visible_actions
from proposals.forms import SORTS, ProposalFilterForm
from proposals.models import CoSignature, Proposal, ProposalEvent
from proposals.rules import audiences_of, visible_proposals
from proposals.states import REPLY_DUE_STATES

_M = TypeVar("_M", bound=Model)


def search_words(queryset: QuerySet[_M], text: str, *fields: str, extra: Q | None = None) -> QuerySet[_M]:
    """Keep the rows in which every word of `text` (split at spaces) appears in one of `fields`
    (icontains). `extra` is one more way for the whole text to match (e.g. a number)."""
    words = Q()
    for word in text.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        words &= any_field
    return queryset.filter(words | extra if extra is not None else words)


def proposals_for(user: UserOrAnonymous) -> QuerySet[Proposal]:
    return visible_proposals(user).select_related("meeting", "lead_deputy", "category")


def state_counts(user: UserOrAnonymous) -> dict[str, int]:
    rows = visible_proposals(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def filter_proposals(
    user: UserOrAnonymous, data: Mapping[str, Any] | None
) -> tuple[QuerySet[Proposal], ProposalFilterForm]:
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
        # Words typed with spaces between them must each be found: in the title, the body, the
        # number, the deputy or the units (proposals/textindex.py), best matches first.
        queryset = textindex.search(queryset, values["q"])
    if values.get("meeting"):
        queryset = queryset.filter(meeting=values["meeting"])
    if values.get("year"):
        queryset = queryset.filter(meeting__year=values["year"])
    if values.get("category"):
        queryset = queryset.filter(category=values["category"])
    if values.get("state"):
        queryset = queryset.filter(state__in=values["state"])
    if values.get("deputy"):
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), deputy_id=values["deputy"]).exclude(
            status=CoSignature.Status.DECLINED
        )
        queryset = queryset.filter(Q(lead_deputy_id=values["deputy"]) | Q(Exists(cosigned)))
    if values.get("overdue"):
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__lt=today)
    if values.get("due_within") is not None:
        horizon = today + dt.timedelta(days=values["due_within"])
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__gte=today, due_on__lte=horizon)
    for extra in hooks.list_filters():
        value = values.get(extra.name)
        if value not in (None, "", [], False):
            queryset = extra.apply(queryset, value, user)
    default: tuple[str | OrderBy, ...] = ("-meeting__year", F("number").asc(nulls_last=True), "-created_at")
    if values.get("q"):
        default = (F("search_rank").desc(), *default)
    order = SORTS.get(values.get("sort") or "", default)
    return queryset.order_by(*order, "pk"), form


# --- the list page -----------------------------------------------------------------------------


def list_rows(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a page showing rows its own way reads of each (the review queue, the similar ones):
    the meeting, deputy, category and main suggestion, in the same query."""
    return queryset.select_related("meeting", "lead_deputy", "category", "merged_into")


# What the suggestion table (proposals/tables.py) reads of a row: its own columns, and the names
# of what it joins as annotations of the same query. The joined meeting, deputy, category and
# main suggestion made into objects (four more a row, with their state machines' bookkeeping)
# cost more than the page's queries.
TABLE_FIELDS = (
    "id", "stream", "meeting_id", "number", "title", "lead_deputy_id", "category_id", "state", "due_on",
    "merged_into_id",
)  # fmt: skip


class TableNames(TypedDict):
    """The annotations `table_rows` gives each row."""

    meeting_name: str
    lead_deputy_name: str
    category_name: str | None
    merged_into_number: int | None


TABLE_NAMES = {
    "meeting_name": F("meeting__name"),
    "lead_deputy_name": F("lead_deputy__name"),
    "category_name": F("category__name"),
    "merged_into_number": F("merged_into__number"),
}


def table_rows(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """The rows of the suggestion table, in a fixed number of queries whatever their number:
    only what the table reads (a row's text, a deputy's profile, a main suggestion's body are
    neither fetched nor turned into Python), and what later apps load for their columns and
    tags (`hooks.list_rows`)."""
    return hooks.load_rows(queryset.select_related(None).only(*TABLE_FIELDS).annotate(**TABLE_NAMES))


def _deputy_label(name: str, delegation: str | None) -> str:
    return f"{name}（{delegation}）" if delegation else name


def _deputies_for(user: UserOrAnonymous) -> QuerySet[Deputy]:
    """The deputies (or members) the lists' deputy filter offers `user`: of the streams they
    work on."""
    return of_users_streams(user, Deputy.objects.all(), "")


def deputy_options(user: UserOrAnonymous, words: str, limit: int = LOOKUP_LIMIT) -> list[tuple[int, str]]:
    """Those of `_deputies_for(user)` whose name or delegation contains `words`."""
    found = _deputies_for(user)
    if words:
        found = found.filter(Q(name__icontains=words) | Q(delegation__name__icontains=words))
    rows = found.order_by("name", "pk").values_list("pk", "name", "delegation__name")[:limit]
    return [(pk, _deputy_label(name, delegation)) for pk, name, delegation in rows]


def deputy_label(user: UserOrAnonymous, pk: int | None) -> str | None:
    """What the deputy filter shows for the chosen deputy (one it offers `user`)."""
    if pk is None:
        return None
    row = _deputies_for(user).filter(pk=pk).values_list("name", "delegation__name").first()
    return _deputy_label(*row) if row else None


# --- the workbench (工作台) ---------------------------------------------------------------------------


def list_url(query: str = "") -> str:
    url = reverse("proposals:list")
    return f"{url}?{query}" if query else url


def page_url(name: str, query: str = "") -> str:
    """The page `name` (with `query`), or the list filtered by `query` where it does not exist."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return list_url(query)
    return f"{url}?{query}" if query and name == "proposals:list" else url


def count(user: UserOrAnonymous, query: str) -> int:
    """How many suggestions the list filtered by `query` shows `user`."""
    return filter_proposals(user, QueryDict(query))[0].count()


def workbench(user: User) -> list[hooks.Tile]:
    """What waits for `user` now, by role: one count per kind of work, each linking to the
    list of exactly those suggestions (or to the page where that work is done)."""
    return hooks.workbench_tiles(user)


def due_soon(user: UserOrAnonymous, limit: int = 10) -> QuerySet[Proposal]:
    """The suggestions whose reply is due first (overdue ones on top), as the workbench's table."""
    return table_rows(proposals_for(user).filter(state__in=REPLY_DUE_STATES, due_on__isnull=False)).order_by(
        "due_on", "pk"
    )[:limit]


def recently_changed(user: UserOrAnonymous, limit: int = 10) -> QuerySet[Proposal]:
    """The suggestions changed last, as the workbench's table."""
    return table_rows(proposals_for(user)).order_by("-updated_at", "-pk")[:limit]


# --- the timeline ------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    event: ProposalEvent
    details: list[str] = field(default_factory=list)


def visible_events(proposal: Proposal, user: UserOrAnonymous) -> QuerySet[ProposalEvent]:
    """The steps of the suggestion's trail `user` may see, as each app declared them
    (proposals/events.py): the one filter of the staff timeline and the deputy's."""
    actions, undeclared_too = visible_actions(audiences_of(user, proposal))
    shown = Q(action__in=actions)
    if undeclared_too:
        shown |= ~Q(action__in=list(declared()))
    return proposal.events.filter(shown).select_related("actor")


def timeline_for(proposal: Proposal, user: UserOrAnonymous) -> list[TimelineEntry]:
    events = visible_events(proposal, user).order_by("created_at", "pk")
    return [TimelineEntry(event, details_for(event)) for event in events]
