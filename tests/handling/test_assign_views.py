"""Assignment (交办) in the browser: lead and co-handling units or separate units, normal or
complex, the deadline shown before confirming; and bulk assignment from the list."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handling.models import Assignment
from proposals.models import ProposalState
from tests.factories import ProposalFactory
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)


@pytest.fixture
def registered(draft, cast):
    return advance(draft, S.REGISTERED, cast)


def plan(**extra):
    return {"mode": "lead", "assigned_on": "2026-03-10", **extra}


@time_machine.travel(TODAY, tick=False)
def test_the_form_shows_both_deadlines_before_anything_is_chosen(client, staff, registered):
    client.force_login(staff)
    body = text(client.get(reverse("handling:assign", args=[registered.pk])))
    assert "2026-06-10" in body and "2026-09-10" in body


@time_machine.travel(TODAY, tick=False)
def test_the_form_names_the_periods_in_chinese_not_as_setting_codes(client, staff, registered):
    client.force_login(staff)
    body = text(client.get(reverse("handling:assign", args=[registered.pk])))
    assert "（3 个月）" in body and "（6 个月）" in body
    assert "3m" not in body and "6m" not in body


@time_machine.travel(TODAY, tick=False)
def test_the_deadline_is_shown_and_nothing_assigned_until_confirmed(client, staff, registered, unit, co_unit):
    client.force_login(staff)
    url = reverse("handling:assign", args=[registered.pk])
    confirm = client.post(url, plan(lead_unit=unit.pk, co_units=[co_unit.pk]))
    assert confirm.status_code == 200
    body = text(confirm)
    assert "确认交办" in body and "2026-06-10" in body and "区教育局" in body and "区财政局" in body
    registered.refresh_from_db()
    assert registered.state == S.REGISTERED and not Assignment.objects.exists()

    done = client.post(url, {**plan(lead_unit=unit.pk, co_units=[co_unit.pk]), "confirm": "1"})
    assert done.status_code == 302
    registered.refresh_from_db()
    assert (registered.state, registered.due_on) == (S.ASSIGNED, dt.date(2026, 6, 10))
    roles = set(registered.assignments.values_list("unit__name", "role"))
    assert roles == {("区教育局", "lead"), ("区财政局", "co")}
    event = registered.events.get(action="assign")
    assert event.actor == staff and event.data["deadline"] == "2026-06-10"


@time_machine.travel(TODAY, tick=False)
def test_a_complex_suggestion_gets_six_months(client, staff, registered, unit):
    client.force_login(staff)
    url = reverse("handling:assign", args=[registered.pk])
    assert "2026-09-10" in text(client.post(url, plan(lead_unit=unit.pk, is_complex="on")))
    client.post(url, {**plan(lead_unit=unit.pk, is_complex="on"), "confirm": "1"})
    registered.refresh_from_db()
    assert registered.due_on == dt.date(2026, 9, 10)
    assert registered.assignments.get().is_complex


@time_machine.travel(TODAY, tick=False)
def test_separate_units_each_answer(client, staff, registered, unit, co_unit):
    client.force_login(staff)
    url = reverse("handling:assign", args=[registered.pk])
    client.post(
        url, {"mode": "separate", "assigned_on": "2026-03-10", "separate_units": [unit.pk, co_unit.pk], "confirm": "1"}
    )
    assert set(registered.assignments.values_list("role", flat=True)) == {"separate"}


@time_machine.travel(TODAY, tick=False)
def test_a_wrong_choice_is_explained_and_the_form_keeps_it(client, staff, registered, unit, co_unit):
    client.force_login(staff)
    url = reverse("handling:assign", args=[registered.pk])
    page = client.post(url, plan(co_units=[co_unit.pk], note="请尽快办理"))
    assert page.status_code == 400
    assert "请选择主办单位" in text(page)
    html = page.content.decode()
    assert f'value="{co_unit.pk}" checked' in html.replace(' id="id_co_units_1"', "").replace(' id="id_co_units_0"', "")
    assert "请尽快办理" in html
    page = client.post(url, plan(lead_unit=unit.pk, co_units=[unit.pk]))
    assert "主办单位不能同时作为协办单位" in text(page)
    page = client.post(url, {"mode": "separate", "assigned_on": "2026-03-10", "separate_units": [unit.pk]})
    assert "分办请至少选择两个单位" in text(page)
    page = client.post(url, plan(lead_unit=unit.pk, assigned_on="2026-04-01"))
    assert "日期不能晚于今天" in text(page)
    assert not Assignment.objects.exists()


@time_machine.travel(TODAY, tick=False)
def test_going_back_from_the_confirmation_keeps_the_choices(client, staff, registered, unit):
    client.force_login(staff)
    page = client.post(reverse("handling:assign", args=[registered.pk]), {**plan(lead_unit=unit.pk), "back": "1"})
    assert page.status_code == 200
    assert f'<option value="{unit.pk}" selected>' in page.content.decode()
    assert not Assignment.objects.exists()


def test_a_suggestion_not_registered_cannot_be_assigned(client, staff, draft, cast, unit):
    submitted = advance(draft, S.SUBMITTED, cast)
    client.force_login(staff)
    response = client.post(reverse("handling:assign", args=[submitted.pk]), {**plan(lead_unit=unit.pk), "confirm": "1"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


@pytest.mark.parametrize("who", ["unit_handler", "leader", "deputy"])
def test_only_staff_and_the_supervision_office_assign(client, request, registered, unit, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    url = reverse("handling:assign", args=[registered.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**plan(lead_unit=unit.pk), "confirm": "1"}).status_code == 404
    assert not Assignment.objects.exists()


def test_the_supervision_office_may_assign(client, supervision, registered, unit):
    client.force_login(supervision)
    client.post(
        reverse("handling:assign", args=[registered.pk]),
        {**plan(lead_unit=unit.pk, assigned_on=str(dt.date.today())), "confirm": "1"},
    )
    registered.refresh_from_db()
    assert registered.state == S.ASSIGNED


# --- bulk assignment -------------------------------------------------------------------------


@pytest.fixture
def three_registered(deputy, meeting, category, cast):
    return [
        advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
        for _ in range(3)
    ]


@time_machine.travel(TODAY, tick=False)
def test_bulk_assignment_from_the_list_with_the_deadline_confirmed(client, staff, three_registered, unit):
    client.force_login(staff)
    url = reverse("handling:bulk_assign")
    ids = [p.pk for p in three_registered]
    choose = client.post(url, {"stage": "choose", "ids": ids})
    assert choose.status_code == 200
    assert all(p.title in text(choose) for p in three_registered)
    preview = client.post(url, {"stage": "preview", "ids": ids, "lead_unit": unit.pk, "assigned_on": "2026-03-10"})
    assert "2026-06-10" in text(preview) and "交办 3 件建议" in text(preview)
    assert not Assignment.objects.exists()
    done = client.post(url, {"stage": "confirm", "ids": ids, "lead_unit": unit.pk, "assigned_on": "2026-03-10"})
    assert done.status_code == 302
    for p in three_registered:
        p.refresh_from_db()
        assert (p.state, p.due_on) == (S.ASSIGNED, dt.date(2026, 6, 10))
        assert p.events.get(action="assign").actor == staff


@time_machine.travel(TODAY, tick=False)
def test_bulk_assignment_is_all_or_none(client, staff, three_registered, unit, co_unit):
    from handling import services as hs

    client.force_login(staff)
    ids = [p.pk for p in three_registered]
    # Someone assigns one of them meanwhile: the bulk step must assign none and say which.
    hs.assign_proposal(proposal=three_registered[1], by=staff, lead_unit=co_unit)
    page = client.post(
        reverse("handling:bulk_assign"),
        {"stage": "confirm", "ids": ids, "lead_unit": unit.pk, "assigned_on": "2026-03-10"},
        follow=True,
    )
    assert page.status_code == 400
    states = [type(p).objects.get(pk=p.pk).state for p in three_registered]
    assert states == [S.REGISTERED, S.ASSIGNED, S.REGISTERED]


def test_bulk_assignment_skips_what_is_not_registered(client, staff, three_registered, draft, cast):
    submitted = advance(draft, S.SUBMITTED, cast)
    client.force_login(staff)
    page = client.post(
        reverse("handling:bulk_assign"), {"stage": "choose", "ids": [three_registered[0].pk, submitted.pk]}
    )
    body = text(page)
    assert three_registered[0].title in body and submitted.title not in body
    assert "已略去" in body


def test_bulk_assignment_is_for_staff_only(client, unit_handler, three_registered, unit):
    client.force_login(unit_handler)
    response = client.post(
        reverse("handling:bulk_assign"),
        {
            "stage": "confirm",
            "ids": [p.pk for p in three_registered],
            "lead_unit": unit.pk,
            "assigned_on": "2026-03-10",
        },
    )
    assert response.status_code == 404
    assert not Assignment.objects.exists()
