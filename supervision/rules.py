"""Supervision's access rules: key items, supervision records and progress reports, urging
notices and promises (registered in `deputies.access`), with the list form of each.

A unit sees a key item when it handles one of its suggestions, and on it only those
suggestions (`visible_proposals`); it sees the urging notices and promises addressed to it.
"""

from __future__ import annotations

from typing import TypeVar

import rules
from django.db.models import Exists, OuterRef, QuerySet

from deputies.access import (
    OVERSEER_ROLES,
    add_rule,
    is_active_login,
    is_committee,
    is_congress_staff,
    is_leader,
    is_overseer,
    is_supervision,
)
from deputies.models import UserOrAnonymous
from handling.models import Assignment
from handling.rules import is_addressed_to_users_unit, is_assigned_unit, unit_id_of
from proposals.rules import is_lead_deputy_of_item
from supervision.models import KeyItem, Promise, UrgingNotice

# What is addressed to one unit: an urging notice or a promise.
_Addressed = TypeVar("_Addressed", UrgingNotice, Promise)


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


add_rule("mark_key", is_congress_staff)
add_rule("urge", is_congress_staff | is_supervision)
add_rule("view_key_item", is_overseer | is_unit_on_key_item)
add_rule(
    "record_supervision",
    is_congress_staff | is_supervision | (is_leader & leads_key_item) | (is_committee & follows_key_item),
)
add_rule("report_progress", is_assigned_unit)
add_rule("view_leader_page", is_overseer)
add_rule("view_urging", is_overseer | is_addressed_to_users_unit)
add_rule("acknowledge_urging", is_addressed_to_users_unit)
add_rule("view_promise", is_overseer | is_addressed_to_users_unit)
add_rule("report_promise", is_addressed_to_users_unit)
add_rule("confirm_promise", is_congress_staff | is_supervision)
# 回头看: the lead deputy of the promise's suggestion answers whether it was kept.
add_rule("answer_promise_survey", is_lead_deputy_of_item)


def visible_key_items(user: UserOrAnonymous, queryset: QuerySet[KeyItem] | None = None) -> QuerySet[KeyItem]:
    """The key items `user` may see: the list form of `view_key_item`."""
    queryset = KeyItem.objects.all() if queryset is None else queryset
    if not is_active_login(user):
        return queryset.none()
    if user.role in OVERSEER_ROLES:
        return queryset
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
        return queryset
    unit_id = unit_id_of(user)
    return queryset.filter(unit_id=unit_id) if unit_id is not None else queryset.none()
