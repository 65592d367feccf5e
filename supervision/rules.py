"""Supervision's access rules: key items, supervision records and progress reports, urging
notices and promises (registered in `deputies.access`), with the list form of each.

A unit sees a key item when it handles one of its suggestions, and on it only those
suggestions (`visible_proposals`); it sees the urging notices and promises addressed to it.
"""

from __future__ import annotations

from typing import TypeVar

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

from deputies.access import (
    ALL_STREAMS,
    OVERSEER_ROLES,
    add_rule,
    is_active_login,
    is_committee,
    is_congress_staff,
    is_leader,
    is_overseer,
    is_supervision,
    streams_of,
)
from deputies.models import Role, User, UserOrAnonymous
from handling.models import Assignment
from handling.rules import is_addressed_to_users_unit, is_assigned_unit, unit_id_of
from proposals.rules import is_lead_deputy_of_item
from supervision.models import KeyItem, Promise, UrgingNotice

# What is addressed to one unit: an urging notice or a promise.
_Addressed = TypeVar("_Addressed", UrgingNotice, Promise)
_Q = TypeVar("_Q", KeyItem, UrgingNotice, Promise)


@rules.predicate
def is_unit_on_key_item(user: UserOrAnonymous, key_item: KeyItem | None) -> bool:
    unit_id = unit_id_of(user)
    if unit_id is None or key_item is None:
        return False
    return Assignment.objects.filter(proposal__key_items=key_item, unit_id=unit_id, is_active=True).exists()


@rules.predicate
def leads_key_item(user: UserOrAnonymous, key_item: KeyItem | None) -> bool:
    return key_item is not None and key_item.leader_id == user.pk


@rules.predicate
def follows_key_item(user: UserOrAnonymous, key_item: KeyItem | None) -> bool:
    committee_id = getattr(user, "committee_id", None)
    return key_item is not None and committee_id is not None and key_item.committee_id == committee_id


@rules.predicate
def holds_items_of_users_streams(user: UserOrAnonymous, obj: object) -> bool:
    """A key item or an urging notice holds items of a stream the user works on (the
    congress's staff see those with suggestions, the proposals committee those with
    proposals), or none yet. Anything else (an item, nothing) has its stream asked by
    `works_on_its_stream`."""
    streams = streams_of(user)
    if not isinstance(obj, KeyItem | UrgingNotice) or streams == ALL_STREAMS:
        return True
    return obj.proposals.filter(stream__in=streams).exists() or not obj.proposals.exists()


oversees_its_items = is_overseer & holds_items_of_users_streams
# Each body's staff act on the key items of its own stream (a key item has no stream of its
# own: it is that of its items).
sets_up_its_items = is_congress_staff & holds_items_of_users_streams

add_rule("mark_key", sets_up_its_items)
add_rule("urge", is_congress_staff | is_supervision)
add_rule("view_key_item", oversees_its_items | is_unit_on_key_item)
add_rule(
    "record_supervision",
    sets_up_its_items | is_supervision | (is_leader & leads_key_item) | (is_committee & follows_key_item),
)
add_rule("report_progress", is_assigned_unit)
add_rule("view_leader_page", is_overseer)
add_rule("view_urging", oversees_its_items | is_addressed_to_users_unit)
add_rule("acknowledge_urging", is_addressed_to_users_unit)
add_rule("view_promise", is_overseer | is_addressed_to_users_unit)
add_rule("report_promise", is_addressed_to_users_unit)
add_rule("confirm_promise", is_congress_staff | is_supervision)
# 回头看: the lead deputy of the promise's suggestion answers whether it was kept.
add_rule("answer_promise_survey", is_lead_deputy_of_item)


def key_item_leaders() -> QuerySet[User]:
    """Who may lead a key item (领办领导): the active leaders' accounts, the list form of
    `is_leader` (the form offers them, the service and the import accept only them)."""
    return User.objects.filter(role=Role.LEADER, is_active=True)


def _of_users_streams(user: UserOrAnonymous, queryset: QuerySet[_Q], lookup: str) -> QuerySet[_Q]:
    """Those of `queryset` with items of the streams `user` works on (the list form of
    `holds_items_of_users_streams` and of `works_on_its_stream`)."""
    streams = streams_of(user)
    if streams == ALL_STREAMS:
        return queryset
    model = queryset.model
    mine = Q(pk__in=model.objects.filter(**{lookup: streams}).values("pk"))
    if lookup.startswith("proposals__"):  # a key item or an urging notice with no items yet
        mine |= ~Q(pk__in=model.objects.filter(**{"proposals__isnull": False}).values("pk"))
    return queryset.filter(mine)


def visible_key_items(user: UserOrAnonymous, queryset: QuerySet[KeyItem] | None = None) -> QuerySet[KeyItem]:
    """The key items `user` may see: the list form of `view_key_item`."""
    queryset = KeyItem.objects.all() if queryset is None else queryset
    if not is_active_login(user):
        return queryset.none()
    if user.role in OVERSEER_ROLES:
        return _of_users_streams(user, queryset, "proposals__stream__in")
    unit_id = unit_id_of(user)
    if unit_id is None:
        return queryset.none()
    involved = Assignment.objects.filter(proposal__key_items=OuterRef("pk"), unit_id=unit_id, is_active=True)
    return queryset.filter(Exists(involved))


def visible_unit_objects(user: UserOrAnonymous, queryset: QuerySet[_Addressed]) -> QuerySet[_Addressed]:
    """Urging notices or promises `user` may see: overseers all, unit people their unit's."""
    if not is_active_login(user):
        return queryset.none()
    if user.role in OVERSEER_ROLES:
        lookup = "proposals__stream__in" if queryset.model is UrgingNotice else "proposal__stream__in"
        return _of_users_streams(user, queryset, lookup)
    unit_id = unit_id_of(user)
    return queryset.filter(unit_id=unit_id) if unit_id is not None else queryset.none()
