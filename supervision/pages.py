"""What supervision adds to the suggestion's pages (registered in `proposals.hooks`): the key
suggestion's tag and the supervision card on a suggestion's page, the key mark, filter and
the leaders' count on the lists and the workbench, the navigation to its own pages, and on
the deputy's pages the promises made on a suggestion with the re-survey asked of its deputy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.access import OVERSEER_ROLES, UNIT_ROLES, allowed
from deputies.models import Role, User, UserOrAnonymous
from handling.rules import unit_id_of
from proposals import hooks
from proposals.models import Proposal
from proposals.selectors import count, list_url
from supervision import resurvey, selectors
from supervision.models import KeyItem, Promise
from supervision.services import KEY_STATES

# --- a suggestion's page ---------------------------------------------------------------------------


def _key_items(page: hooks.Page) -> list[KeyItem]:
    return page.once("key_items", lambda: list(page.proposal.key_items.select_related("leader")))


def _key_tags(page: hooks.Page) -> dict[str, Any] | None:
    keys = _key_items(page)
    return {"key_items": keys} if keys else None


def _supervision_card(page: hooks.Page) -> dict[str, Any] | None:
    proposal, keys = page.proposal, _key_items(page)
    can_mark = not keys and proposal.state in KEY_STATES and allowed(page.user, "mark_key", proposal)
    can_urge = proposal.is_reply_due and allowed(page.user, "urge", proposal)
    if not (keys or can_mark or can_urge):
        return None
    return {"key_items": keys, "can_mark": can_mark, "can_urge": can_urge}


hooks.panel(hooks.Panel("detail", "headline", "supervision/detail_key_tags.html", _key_tags))
hooks.panel(hooks.Panel("detail", "side", "supervision/detail_card.html", _supervision_card, order=10))

# --- the deputy's pages: 回头看 (supervision/resurvey.py) --------------------------------------------------


def _followed(queryset: QuerySet[Promise]) -> QuerySet[Promise]:
    return queryset.filter(Promise.FOLLOWED).select_related("unit", "survey")


def _promises_panel(page: hooks.Page) -> dict[str, Any] | None:
    promises = list(_followed(page.proposal.promises.all()).order_by("promised_by", "pk"))
    if not promises:
        return None
    today = timezone.localdate()
    for promise in promises:
        # For the template only.
        promise.asked = resurvey.is_due(promise, today) and not resurvey.has_answer(promise)  # type: ignore[attr-defined]
    can_answer = allowed(page.user, "answer_promise_survey", promises[0])
    return {"promises": promises, "can_answer": can_answer}


def _load_follow(queryset: QuerySet[Proposal], deputy_id: int) -> QuerySet[Proposal]:
    return queryset.prefetch_related(
        Prefetch("promises", queryset=_followed(Promise.objects.order_by("pk")), to_attr="followed_promises")
    )


def _fill_follow(row: Proposal, is_lead: bool, facts: hooks.FollowFacts) -> None:
    if not is_lead:
        return
    today = timezone.localdate()
    for promise in getattr(row, "followed_promises", []):
        if resurvey.is_due(promise, today) and not resurvey.has_answer(promise):
            text = _("Was the promise of %(unit)s kept? Tell us") % {"unit": promise.unit.name}
            facts.asks.append(hooks.Ask(text, reverse("supervision:promise_survey", args=[promise.pk])))


hooks.panel(hooks.Panel("follow", "main", "supervision/follow_promises.html", _promises_panel, order=15))


def _asks_when(deputy_id: int, today: dt.date) -> Q:
    """The suggestions for which `_fill_follow` asks the lead deputy about a promise."""
    # Narrowed to the deputy's suggestions as well, as handling's asks are (handling/pages.py).
    mine = Promise.objects.filter(proposal=OuterRef("pk"), proposal__lead_deputy_id=deputy_id)
    asked = resurvey.waiting(_followed(mine), today)
    return Q(lead_deputy_id=deputy_id) & Q(Exists(asked))


hooks.follow_facts(_load_follow, _fill_follow, _asks_when)

# --- the lists and the workbench -------------------------------------------------------------------------


def _is_key() -> Exists:
    return Exists(KeyItem.proposals.through.objects.filter(proposal_id=OuterRef("pk")))


def _key_filter(queryset: QuerySet[Proposal], value: str, user: UserOrAnonymous) -> QuerySet[Proposal]:
    return queryset.filter(_is_key() if value == "1" else ~_is_key())


hooks.list_filter(
    hooks.ListFilter(
        "key",
        forms.ChoiceField(
            label=gettext_lazy("Key suggestion"),
            required=False,
            choices=[("", gettext_lazy("All")), ("1", gettext_lazy("Key only")), ("0", gettext_lazy("Not key"))],
        ),
        _key_filter,
        template="supervision/_key_filter.html",
        order=30,
    )
)
hooks.list_rows(lambda queryset: queryset.annotate(is_key=_is_key()))


def _key_list_tags(proposals: Sequence[Proposal]) -> list[SafeString]:
    key = format_html('<span class="tag key">{}</span>', _("Key"))
    return [key if getattr(p, "is_key", False) else SafeString("") for p in proposals]


hooks.list_tag(_key_list_tags)

KEY_IN_HANDLING = "key=1&state=assigned&state=reassign_requested&state=in_handling&state=rehandling"


def _tiles(user: User) -> list[hooks.Tile]:
    if user.role in (Role.LEADER, Role.COMMITTEE):
        label = _("Key suggestions in handling")
        return [hooks.Tile("key", label, count(user, KEY_IN_HANDLING), list_url(KEY_IN_HANDLING), order=70)]
    if unit_id_of(user) is not None:
        # Urging notices wait for the unit's acknowledgement (签收) on its workbench, not only in the menu.
        waiting = selectors.urging_notices(user, {"state": "pending"}).count()
        url = reverse("supervision:urging_list") + "?state=pending"
        return [hooks.Tile("urging", _("Urging notices to acknowledge"), waiting, url, alert=waiting > 0, order=15)]
    return []


hooks.tiles(_tiles)

# --- the navigation --------------------------------------------------------------------------------------

# Those `view_promise` and `view_urging` let see the lists: the overseers and the units.
_FOLLOWERS = (*OVERSEER_ROLES, *UNIT_ROLES)
for entry in (
    hooks.NavEntry("supervision:my_items", gettext_lazy("Items I lead"), (Role.LEADER,), order=50),
    hooks.NavEntry("supervision:key_list", gettext_lazy("Key suggestions"), (*OVERSEER_ROLES, *UNIT_ROLES), order=60),
    hooks.NavEntry("supervision:followup", gettext_lazy("Follow-up"), _FOLLOWERS, order=70),
    hooks.NavEntry("supervision:urging_list", gettext_lazy("Urging"), _FOLLOWERS, order=80),
):
    hooks.nav(entry)
