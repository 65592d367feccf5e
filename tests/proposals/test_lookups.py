"""The lists' lookup fields: the deputy and unit filters ask their lookup pages for at most a
screenful of names matching what is typed, and only those whose navigation has the list may
ask; the list page renders the chosen name only, never every deputy and unit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies.models import AuditRecord
from deputies.pages import LOOKUP_LIMIT
from tests.factories import DelegationFactory, DeputyFactory, UnitFactory

pytestmark = pytest.mark.django_db

LOOKUPS = ["proposals:deputy_lookup", "handling:unit_lookup"]


def results(client, name, q=""):
    response = client.get(reverse(name), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_deputies_are_found_by_name_or_delegation(client, staff, deputy):
    far = DelegationFactory(name="东山代表团")
    qian = DeputyFactory(name="钱东山", delegation=far, user=None)
    client.force_login(staff)
    assert [r["label"] for r in results(client, "proposals:deputy_lookup", "王建")] == [
        f"王建国（{deputy.delegation.name}）"
    ]
    assert [r["value"] for r in results(client, "proposals:deputy_lookup", "东山代表团")] == [qian.pk]


def test_each_bodys_staff_find_their_own_bodys_people_and_the_supervision_office_both(
    client, staff, proposals_staff, supervision, deputy, member
):
    found = {}
    for user in (staff, proposals_staff, supervision):
        client.force_login(user)
        found[user.role] = {r["value"] for r in results(client, "proposals:deputy_lookup")}
    assert found == {
        staff.role: {deputy.pk},
        proposals_staff.role: {member.pk},
        supervision.role: {deputy.pk, member.pk},
    }


def test_units_are_found_by_name_or_short_name(client, unit_handler, unit, co_unit):
    UnitFactory(name="区市场监督管理局", short_name="市监局")
    client.force_login(unit_handler)
    assert results(client, "handling:unit_lookup", "教育") == [{"value": unit.pk, "label": unit.name}]
    assert [r["label"] for r in results(client, "handling:unit_lookup", "市监")] == ["区市场监督管理局"]


@pytest.mark.parametrize("name", LOOKUPS)
def test_at_most_a_screenful_is_answered(client, staff, name):
    for i in range(LOOKUP_LIMIT + 5):
        DeputyFactory(name=f"代表甲{i:02d}", user=None)
        UnitFactory(name=f"单位甲{i:02d}")
    client.force_login(staff)
    assert len(results(client, name, "甲")) == LOOKUP_LIMIT


@pytest.mark.parametrize("name", LOOKUPS)
@pytest.mark.parametrize("who", ["staff", "leader", "supervision", "unit_handler", "unit_head"])
def test_those_who_have_the_list_may_look_up(client, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name), {"q": "区"}).status_code == 200


@pytest.mark.parametrize("name", LOOKUPS)
def test_a_deputy_is_refused_with_an_audited_404(client, deputy, name):
    client.force_login(deputy.user)
    assert client.get(reverse(name), {"q": "区"}).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=deputy.user).count() == 1


@pytest.mark.parametrize("name", LOOKUPS)
def test_anonymous_users_are_sent_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_list_renders_the_chosen_names_and_not_every_option(client, staff, deputy, unit, co_unit):
    client.force_login(staff)
    html = client.get(reverse("proposals:list"), {"deputy": deputy.pk, "unit": unit.pk}).content.decode()
    assert f'<input type="hidden" name="deputy" value="{deputy.pk}">' in html
    assert f'value="王建国（{deputy.delegation.name}）"' in html
    assert f'<input type="hidden" name="unit" value="{unit.pk}">' in html
    assert f'value="{unit.name}"' in html
    assert co_unit.name not in html  # the other units are asked for, not listed
    assert f'data-lookup="{reverse("handling:unit_lookup")}"' in html


def test_a_deputy_on_the_list_gets_no_lookup_to_ask(client, deputy):
    client.force_login(deputy.user)
    html = client.get(reverse("proposals:list")).content.decode()
    assert "data-lookup=" not in html
