"""What the suggestion's own pages register in `proposals.hooks`, as the later apps do: the
workbench's counts on the suggestion itself, the navigation to its pages (and to the
security audit log, a page of `deputies`, which has no navigation of its own) and the lists'
choice of stream."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.access import CONGRESS_STAFF_ROLES, OVERSEER_ROLES, STAFF_ROLES, SUBMITTER_ROLES, UNIT_ROLES
from deputies.models import Role, User, UserOrAnonymous
from deputies.streams import Stream
from proposals import hooks
from proposals.models import Proposal
from proposals.selectors import count, list_url, page_url


def _tiles(user: User) -> list[hooks.Tile]:
    """The workbench's counts on the suggestion itself: review, deadlines, ratings awaited."""
    found = []
    if user.role in STAFF_ROLES:
        query = "state=submitted"
        url = page_url("proposals:review_queue", query)
        found.append(hooks.Tile("review", _("To review"), count(user, query), url, order=10))
    for key, label, query, alert, order in (
        ("due_soon", _("Due within 7 days"), "due_within=7&sort=due", False, 80),
        ("overdue", _("Overdue"), "overdue=on&sort=due", True, 90),
    ):
        found.append(hooks.Tile(key, label, count(user, query), list_url(query), alert=alert, order=order))
    if user.role in OVERSEER_ROLES:
        query = "state=replied"
        label = _("Replied, awaiting the deputy's rating")
        found.append(hooks.Tile("replied", label, count(user, query), list_url(query), order=95))
    return found


hooks.tiles(_tiles)

for entry in (
    hooks.NavEntry("home", gettext_lazy("Workbench"), None, order=10),
    hooks.NavEntry("proposals:list", gettext_lazy("Suggestions"), (*OVERSEER_ROLES, *UNIT_ROLES), order=20),
    hooks.NavEntry("proposals:mine", gettext_lazy("My suggestions"), SUBMITTER_ROLES, order=30),
    hooks.NavEntry("proposals:review_queue", gettext_lazy("Review"), STAFF_ROLES, order=40),
    # Residents' matters are the deputies app's pages: its inbox for deputies and station staff.
    hooks.NavEntry(
        "matters:inbox", gettext_lazy("Residents' matters"), (*SUBMITTER_ROLES, Role.STATION_STAFF), order=35
    ),
    hooks.NavEntry("proposals:notifications", gettext_lazy("Notifications"), None, order=110),
    # The security audit log is the deputies app's page; the navigation is this app's.
    hooks.NavEntry("audit:records", gettext_lazy("Security audit"), CONGRESS_STAFF_ROLES, False, order=150),
    hooks.NavEntry("admin:index", gettext_lazy("Administration"), (Role.ADMIN,), False, order=160),
):
    hooks.nav(entry)


def _by_stream(queryset: QuerySet[Proposal], value: str, user: UserOrAnonymous) -> QuerySet[Proposal]:
    return queryset.filter(stream=value) if value else queryset


# Deputies' suggestions, CPPCC proposals, or both (what one body's staff see is one already).
hooks.list_filter(
    hooks.ListFilter(
        "stream",
        forms.ChoiceField(
            label=gettext_lazy("Stream"), required=False, choices=[("", gettext_lazy("Both")), *Stream.choices]
        ),
        _by_stream,
        template="proposals/_stream_filter.html",
        order=5,
    )
)
