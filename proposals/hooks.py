"""Where later apps add to the suggestion's pages, as Django's admin lets apps register models.

`proposals` shows a suggestion from its draft to its close, but the units' work (handling)
and the supervision of it are later apps' data: `proposals` never imports them. Instead each
later app registers, in its AppConfig.ready(), what it adds here:

- `panel`: a panel on a page of one suggestion: the staff page (`proposals:detail`), the
  deputy's own page of it (`proposals:mine_detail`) or its draft (`proposals:edit`): a template
  and a function giving its context (None: nothing to show), placed in a named place of the
  page, for the audiences that may see it (see proposals/events.py);
- `slot`: a template included at a named place of a page of this app (`{% slot "name" %}`),
  rendered with that page's context: a button, a link, a tag, a column's cell;
- `nav`: an entry of the site's navigation;
- `FollowFacts`: what the deputy's pages say of a suggestion beyond its own fields (the units,
  what is asked of the deputy, how it was rated), with what its rows must load;
- `tile`: a count on the workbench;
- `list_filter`, `list_rows`, `list_column`, `list_tag`, `bulk_action`: filters of the
  suggestion lists, what each row loads, a column it shows (its cells made in Python), a tag
  after a row's title, and what can be done to the ticked rows.

Everything registered is read through the functions at the bottom of this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString

from deputies.http import AuthenticatedHttpRequest
from deputies.models import User, UserOrAnonymous
from proposals.events import EVERYONE
from proposals.models import Proposal
from proposals.rules import audiences_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_T = TypeVar("_T")

# --- panels on a suggestion's pages ---------------------------------------------------------------


@dataclass
class Page:
    """One suggestion's page being built: who looks, at what, and a cache the panels share."""

    request: AuthenticatedHttpRequest
    proposal: Proposal
    audiences: frozenset[str]
    # Whatever the panels load once: each key is read back by the panels that wrote it.
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> User:
        return self.request.user

    def once(self, key: str, load: Callable[[], _T]) -> _T:
        if key not in self.cache:
            self.cache[key] = load()
        value: _T = self.cache[key]
        return value


@dataclass(frozen=True)
class Panel:
    page: str
    place: str
    template: str
    context: Callable[[Page], dict[str, Any] | None]
    seen_by: frozenset[str] = EVERYONE
    order: int = 100


# The places of each page of one suggestion that later apps fill: the staff page
# (proposals/detail.html), the deputy's page (proposals/deputy/detail.html), the draft.
PLACES = {
    "detail": ("headline", "main", "actions", "side"),
    "follow": ("main", "end"),
    "draft": ("end",),
}
_PANELS: dict[tuple[str, str], list[Panel]] = {}


def panel(item: Panel) -> None:
    if item.place not in PLACES.get(item.page, ()):
        raise ValueError(f"page {item.page!r} has no place {item.place!r}")
    panels = _PANELS.setdefault((item.page, item.place), [])
    panels.append(item)
    panels.sort(key=lambda p: p.order)


@dataclass(frozen=True)
class Shown:
    """A panel to show on this page: its template and its own context (added to the page's
    when `{% panel %}` renders it, so it renders within the page, as `{% include %}` would)."""

    template: str
    context: dict[str, Any]


def panels_for(page_name: str, page: Page) -> dict[str, list[Shown]]:
    """Each place's panels for this page: only those the reader may see and that have
    something to show."""
    out: dict[str, list[Shown]] = {}
    for place in PLACES[page_name]:
        shown = []
        for item in _PANELS.get((page_name, place), []):
            if not item.seen_by & page.audiences:
                continue
            context = item.context(page)
            if context is not None:
                shown.append(Shown(item.template, context))
        out[place] = shown
    return out


# --- templates included at named places ---------------------------------------------------------

_SLOTS: dict[str, list[tuple[int, str]]] = {}


def slot(name: str, template: str, order: int = 100) -> None:
    """Include `template` where a page of this app says `{% slot "name" %}`."""
    entries = _SLOTS.setdefault(name, [])
    entries.append((order, template))
    entries.sort()


def slot_templates(name: str) -> list[str]:
    return [template for _order, template in _SLOTS.get(name, [])]


# --- the navigation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NavEntry:
    """A link of the site's navigation: its URL name, its label, the roles that see it (None:
    everyone), whether it stands in the header (else under "更多"), and its place in the bar."""

    url_name: str
    label: StrOrPromise
    roles: tuple[str, ...] | None
    primary: bool = True
    order: int = 100


_NAV: list[NavEntry] = []


def nav(entry: NavEntry) -> None:
    _NAV.append(entry)
    _NAV.sort(key=lambda e: e.order)


def nav_entries() -> list[NavEntry]:
    return list(_NAV)


def page_for(request: AuthenticatedHttpRequest, proposal: Proposal) -> Page:
    return Page(request=request, proposal=proposal, audiences=audiences_of(request.user, proposal))


# --- what the deputy's pages say of a suggestion ----------------------------------------------------


@dataclass
class Ask:
    """Something asked of the deputy now, with where to do it."""

    text: str
    url: str


@dataclass
class FollowFacts:
    """What later steps add to one row of "my suggestions" and to the deputy's page of it."""

    units: str = ""
    asks: list[Ask] = field(default_factory=list)
    # How the result was rated, for "closed; the result was rated …"; None when not rated.
    result_rating: str | None = None
    # Every reply is rated but a rating may still be changed: the last day it may (the latest
    # of them); None otherwise.
    rating_changeable_until: dt.date | None = None


# What a row must load (queryset, deputy id -> queryset), and how to fill the facts in from it
# (proposal, is_lead, facts -> None); and the same asks as a condition on the suggestions (deputy
# id, today -> Q): those for which `fill` would ask the deputy something. "My suggestions" groups
# and pages by that condition in SQL, then loads and fills only the rows it shows; a test runs
# both forms on random data (tests/proposals/test_deputy_mine_groups.py).
FollowLoad = Callable[[QuerySet[Proposal], int], QuerySet[Proposal]]
FollowFill = Callable[[Proposal, bool, FollowFacts], None]
FollowAsks = Callable[[int, dt.date], Q]
_FOLLOW: list[tuple[FollowLoad, FollowFill, FollowAsks]] = []


def follow_facts(load: FollowLoad, fill: FollowFill, asks: FollowAsks) -> None:
    _FOLLOW.append((load, fill, asks))


def load_follow_facts(queryset: QuerySet[Proposal], deputy_id: int) -> QuerySet[Proposal]:
    for load, _fill, _asks in _FOLLOW:
        queryset = load(queryset, deputy_id)
    return queryset


def facts_of(proposal: Proposal, *, is_lead: bool) -> FollowFacts:
    facts = FollowFacts()
    for _load, fill, _asks in _FOLLOW:
        fill(proposal, is_lead, facts)
    return facts


def follow_asks_conditions(deputy_id: int, today: dt.date) -> list[Q]:
    return [asks(deputy_id, today) for _load, _fill, asks in _FOLLOW]


# --- the workbench ------------------------------------------------------------------------------------


@dataclass
class Tile:
    key: str
    label: StrOrPromise
    count: int
    url: str
    alert: bool = False
    order: int = 100


_TILES: list[Callable[[User], list[Tile]]] = []


def tiles(provider: Callable[[User], list[Tile]]) -> None:
    """Register `provider(user) -> [Tile]`: counts of what waits for the user on the workbench."""
    _TILES.append(provider)


def workbench_tiles(user: User) -> list[Tile]:
    found = [tile for provider in _TILES for tile in provider(user)]
    return sorted(found, key=lambda tile: tile.order)


# --- the suggestion lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """A filter of every suggestion list, read from the query string like the built-in ones.
    `apply(queryset, value, user)` narrows the suggestions; `template` shows its field in the
    list's filter form (None: only reachable by links, e.g. from the workbench). The value
    `apply` gets is the field's cleaned value, of whatever type that field gives (Any)."""

    name: str
    field: forms.Field
    apply: Callable[[QuerySet[Proposal], Any, UserOrAnonymous], QuerySet[Proposal]]
    template: str | None = None
    order: int = 100
    # What the chosen value reads as in its field (the name of the chosen unit), for a filter
    # whose values are too many to list on the page (a lookup field, templates/_lookup.html).
    label: Callable[[Any], StrOrPromise | None] | None = None

    def chosen(self, value: Any) -> StrOrPromise | None:
        if self.label is None or value in (None, "", [], False):
            return None
        return self.label(value)


_FILTERS: dict[str, ListFilter] = {}


def list_filter(item: ListFilter) -> None:
    if item.name in _FILTERS:
        raise ValueError(f"list filter {item.name!r} is registered twice")
    _FILTERS[item.name] = item


def list_filters() -> list[ListFilter]:
    return sorted(_FILTERS.values(), key=lambda f: f.order)


# What a column or a title tag shows for each row of a table, made in Python from what
# `list_rows` loaded: one call per table (its labels translated once), one entry per row. A list
# shows 25 rows or more: a template included per cell would cost more than the page's queries.
ListCells = Callable[[Sequence[Proposal]], list[SafeString]]


@dataclass(frozen=True)
class ListColumn:
    """A column of the suggestion lists: its header, and `cells(rows)`, the whole `<td>` of
    each row."""

    header: StrOrPromise
    cells: ListCells
    order: int = 100


@dataclass(frozen=True)
class BulkAction:
    """What can be done to the rows ticked in the list: a form posted to `url_name` with the
    ticked ids (`ids`) and `hidden` fields, offered to those `allowed(user)` lets; a row can be
    ticked when `selectable(proposal)`."""

    url_name: str
    label: StrOrPromise
    note: StrOrPromise
    allowed: Callable[[User], bool]
    selectable: Callable[[Proposal], bool]
    hidden: tuple[tuple[str, str], ...] = ()


_ROWS: list[Callable[[QuerySet[Proposal]], QuerySet[Proposal]]] = []
_COLUMNS: list[ListColumn] = []
_TAGS: list[tuple[int, ListCells]] = []
_BULK: list[BulkAction] = []


def list_rows(load: Callable[[QuerySet[Proposal]], QuerySet[Proposal]]) -> None:
    """Register what each list row loads (a prefetch or an annotation), in a fixed number of queries."""
    _ROWS.append(load)


def list_column(column: ListColumn) -> None:
    _COLUMNS.append(column)
    _COLUMNS.sort(key=lambda c: c.order)


def list_tag(tags: ListCells, order: int = 100) -> None:
    """Register `tags(rows)`: a tag after each row's title (e.g. 重点), "" for none."""
    _TAGS.append((order, tags))
    _TAGS.sort(key=lambda entry: entry[0])


def bulk_action(action: BulkAction) -> None:
    _BULK.append(action)


def load_rows(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    for load in _ROWS:
        queryset = load(queryset)
    return queryset


def list_columns() -> list[ListColumn]:
    return list(_COLUMNS)


def list_tags() -> list[ListCells]:
    return [tag for _order, tag in _TAGS]


def bulk_action_for(user: User) -> BulkAction | None:
    """The bulk action offered to `user` on the list, if any (the first that allows them)."""
    return next((action for action in _BULK if action.allowed(user)), None)


# --- what later apps add to the text index and to similar items ------------------------------------

# (proposal ids) -> {id: text}: more words to find a suggestion by (the units' names), in one query.
_INDEX_TEXT: list[Callable[[list[int]], dict[int, str]]] = []
# (suggestions, user) -> {id: [note]}: what a similar item says beyond its title, as `user` may
# read it (e.g. "answered last year: B, promised by 2025-06"), in a fixed number of queries.
_SIMILAR_NOTES: list[Callable[[list[Proposal], UserOrAnonymous], dict[int, list[str]]]] = []


def index_text(provider: Callable[[list[int]], dict[int, str]]) -> None:
    _INDEX_TEXT.append(provider)


def indexed_text(ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for provider in _INDEX_TEXT:
        for pk, text in provider(ids).items():
            out[pk] = f"{out.get(pk, '')} {text}".strip()
    return out


def similar_notes(provider: Callable[[list[Proposal], UserOrAnonymous], dict[int, list[str]]]) -> None:
    _SIMILAR_NOTES.append(provider)


def notes_for_similar(proposals: list[Proposal], user: UserOrAnonymous) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for provider in _SIMILAR_NOTES:
        for pk, notes in provider(proposals, user).items():
            out.setdefault(pk, []).extend(notes)
    return out
