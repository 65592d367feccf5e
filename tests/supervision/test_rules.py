"""The supervision access rules as a table of persona × object × action, and the list filters
agreeing with the one-object rules."""

from __future__ import annotations

import pytest

from deputies import access
from deputies.models import SpecialCommittee
from supervision import services
from supervision.models import KeyItem, Promise, UrgingNotice
from supervision.rules import visible_key_items, visible_unit_objects

pytestmark = pytest.mark.django_db

PERSONAS = [
    "lead",
    "staff",
    "supervision",
    "leader",
    "other_leader",
    "committee",
    "other_committee",
    "handler",
    "head",
    "other_handler",
    "admin",
]


@pytest.fixture
def people(
    deputy, staff, supervision, leader, committee_member, unit_handler, unit_head, other_unit_handler, admin_user
):
    from tests.factories import UserFactory

    other_committee = UserFactory(username="committee2", role="committee")
    other_committee.committee = SpecialCommittee.objects.create(name="法制委员会")
    other_committee.save()
    return {
        "lead": deputy.user,
        "staff": staff,
        "supervision": supervision,
        "leader": leader,
        "other_leader": UserFactory(username="leader2", role="leader"),
        "committee": committee_member,
        "other_committee": other_committee,
        "handler": unit_handler,
        "head": unit_head,
        "other_handler": other_unit_handler,
        "admin": admin_user,
    }


@pytest.fixture
def objects(people, key_item, handled, unit, staff, promise):
    notice = services.send_urging(unit=unit, proposals=[handled], by=staff, message="请加快")
    return {"key_item": key_item, "notice": notice, "promise": promise}


OVERSEERS = {"staff", "supervision", "leader", "other_leader", "committee", "other_committee", "admin"}
TABLE = [
    ("view_key_item", "key_item", OVERSEERS | {"handler", "head"}),
    ("record_supervision", "key_item", {"staff", "supervision", "leader", "committee", "admin"}),
    ("view_urging", "notice", OVERSEERS | {"handler", "head"}),
    ("acknowledge_urging", "notice", {"handler", "head"}),
    ("view_promise", "promise", OVERSEERS | {"handler", "head"}),
    ("report_promise", "promise", {"handler", "head"}),
    ("confirm_promise", "promise", {"staff", "supervision", "admin"}),
]


@pytest.mark.parametrize(("action", "obj", "allowed"), TABLE, ids=[f"{a}-{o}" for a, o, _ in TABLE])
def test_access_table(people, objects, action, obj, allowed):
    granted = {name for name in PERSONAS if access.allowed(people[name], action, objects[obj])}
    assert granted == allowed


def test_the_list_filters_agree_with_the_view_rules(people, objects):
    for name, user in people.items():
        assert set(visible_key_items(user)) == {
            k for k in KeyItem.objects.all() if access.allowed(user, "view_key_item", k)
        }, name
        assert set(visible_unit_objects(user, UrgingNotice.objects.all())) == {
            n for n in UrgingNotice.objects.all() if access.allowed(user, "view_urging", n)
        }, name
        assert set(visible_unit_objects(user, Promise.objects.all())) == {
            p for p in Promise.objects.all() if access.allowed(user, "view_promise", p)
        }, name


def test_an_inactive_account_sees_nothing(people, objects):
    staff = people["staff"]
    staff.is_active = False
    staff.save()
    assert not visible_key_items(staff).exists()
    assert not access.allowed(staff, "view_key_item", objects["key_item"])
    assert not visible_unit_objects(staff, Promise.objects.all()).exists()
