"""A unit's steps in the browser: sign for it (签收), ask for re-assignment while the working-day
window is open, record contacts with the deputy. Another unit's URL answers 404."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from handling.models import ContactRecord, ReassignmentRequest
from proposals.models import ProposalState
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
# Tuesday 10 March 2026; five working days later is Tuesday 17 March.
ASSIGNED_AT = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)


@pytest.fixture
def assigned(draft, cast):
    with time_machine.travel(ASSIGNED_AT, tick=False):
        proposal = advance(draft, S.ASSIGNED, cast)
    return proposal, proposal.assignments.get()


# --- signing for it ---------------------------------------------------------------------------


def test_the_unit_signs_for_it_and_handling_starts(client, unit_handler, assigned):
    proposal, assignment = assigned
    client.force_login(unit_handler)
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert "签收" in text(page)
    response = client.post(reverse("handling:sign", args=[assignment.pk]), follow=True)
    assert "已签收" in text(response)
    proposal.refresh_from_db()
    assignment.refresh_from_db()
    assert proposal.state == S.IN_HANDLING and assignment.signed_by == unit_handler
    assert proposal.events.filter(action="sign", actor=unit_handler).exists()


def test_signing_twice_is_refused(client, unit_handler, assigned):
    _proposal, assignment = assigned
    client.force_login(unit_handler)
    client.post(reverse("handling:sign", args=[assignment.pk]))
    response = client.post(reverse("handling:sign", args=[assignment.pk]), follow=True)
    assert "已签收此建议" in text(response)


def test_another_unit_gets_404_and_nothing_changes(client, other_unit_handler, staff, assigned):
    proposal, assignment = assigned
    for user in (other_unit_handler, staff):
        client.force_login(user)
        assert client.post(reverse("handling:sign", args=[assignment.pk])).status_code == 404
        assert client.get(reverse("handling:contact", args=[assignment.pk])).status_code == 404
        assert client.get(reverse("handling:request_reassignment", args=[assignment.pk])).status_code == 404
    assignment.refresh_from_db()
    assert assignment.signed_at is None


def test_sign_needs_a_post(client, unit_handler, assigned):
    _proposal, assignment = assigned
    client.force_login(unit_handler)
    assert client.get(reverse("handling:sign", args=[assignment.pk])).status_code == 405


# --- re-assignment -------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC), tick=False)
def test_within_the_window_the_unit_asks_with_a_reason(client, unit_handler, new_unit, assigned):
    proposal, assignment = assigned
    client.force_login(unit_handler)
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert "可在 2026-03-17 前" in text(page)
    url = reverse("handling:request_reassignment", args=[assignment.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400
    client.post(url, {"reason": "属于住建局职责", "suggested_unit": new_unit.pk})
    request = ReassignmentRequest.objects.get()
    assert (request.reason, request.suggested_unit, request.requested_by) == ("属于住建局职责", new_unit, unit_handler)
    proposal.refresh_from_db()
    assert proposal.state == S.REASSIGN_REQUESTED
    assert proposal.events.get(action="request_reassignment").note == "属于住建局职责"


@time_machine.travel(dt.datetime(2026, 3, 18, 2, tzinfo=dt.UTC), tick=False)
def test_after_the_window_the_button_is_gone_and_the_reason_is_shown(client, unit_handler, assigned):
    proposal, assignment = assigned
    client.force_login(unit_handler)
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert "申请调整的期限已于 2026-03-17 截止" in text(page)
    assert reverse("handling:request_reassignment", args=[assignment.pk]) not in page.content.decode()
    form_page = client.get(reverse("handling:request_reassignment", args=[assignment.pk]))
    assert "已于 2026-03-17 截止" in text(form_page) and "<textarea" not in form_page.content.decode()
    client.post(reverse("handling:request_reassignment", args=[assignment.pk]), {"reason": "太晚了"})
    assert not ReassignmentRequest.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC), tick=False)
def test_staff_accept_with_a_new_unit_and_the_deadline_restarts(client, unit_handler, staff, new_unit, assigned):
    proposal, assignment = assigned
    client.force_login(unit_handler)
    client.post(reverse("handling:request_reassignment", args=[assignment.pk]), {"reason": "不属于本单位职责"})
    request = ReassignmentRequest.objects.get()
    client.force_login(staff)
    listing = client.get(reverse("handling:reassignment_requests"))
    assert "不属于本单位职责" in text(listing)
    url = reverse("handling:decide_reassignment", args=[request.pk])
    page = client.get(url)
    assert "不属于本单位职责" in text(page) and "2026-06-16" in text(page)  # restarts today
    missing = client.post(url, {"decision": "accept"})
    assert missing.status_code == 400
    client.post(url, {"decision": "accept", "accept-new_unit": new_unit.pk, "accept-note": "同意调整"})
    request.refresh_from_db()
    assert request.status == "accepted"
    replacement = proposal.assignments.get(is_active=True)
    assert (replacement.unit, replacement.assigned_on, replacement.deadline) == (
        new_unit,
        dt.date(2026, 3, 16),
        dt.date(2026, 6, 16),
    )
    proposal.refresh_from_db()
    assert (proposal.state, proposal.due_on) == (S.ASSIGNED, dt.date(2026, 6, 16))
    # The old unit no longer sees it.
    client.force_login(unit_handler)
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404


@time_machine.travel(dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC), tick=False)
def test_staff_refuse_with_a_reason(client, unit_handler, staff, assigned):
    proposal, assignment = assigned
    client.force_login(unit_handler)
    client.post(reverse("handling:request_reassignment", args=[assignment.pk]), {"reason": "不属于本单位职责"})
    request = ReassignmentRequest.objects.get()
    client.force_login(staff)
    url = reverse("handling:decide_reassignment", args=[request.pk])
    assert client.post(url, {"decision": "refuse", "refuse-note": ""}).status_code == 400
    client.post(url, {"decision": "refuse", "refuse-note": "属于本单位职责范围"})
    request.refresh_from_db()
    proposal.refresh_from_db()
    assert (request.status, request.decision_note, proposal.state) == ("refused", "属于本单位职责范围", S.ASSIGNED)
    assert proposal.events.get(action="refuse_reassignment").note == "属于本单位职责范围"


def test_units_and_leaders_cannot_decide(client, unit_handler, leader):
    for user in (unit_handler, leader):
        client.force_login(user)
        assert client.get(reverse("handling:reassignment_requests")).status_code == 404


@pytest.mark.parametrize("rows", [10, 200])
def test_the_requests_list_runs_a_fixed_number_of_queries(
    client, staff, unit_handler, deputy, meeting, category, unit, django_assert_max_num_queries, rows
):
    from tests.pages import many_proposals, many_reassignment_requests

    items = many_proposals(
        rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, state=S.ASSIGNED
    )
    many_reassignment_requests(items, unit_handler)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("handling:reassignment_requests")).status_code == 200


# --- contacts ----------------------------------------------------------------------------------


def test_the_unit_records_a_face_to_face_contact(client, unit_handler, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    assignment = proposal.assignments.get()
    client.force_login(unit_handler)
    url = reverse("handling:contact", args=[assignment.pk])
    assert proposal.lead_deputy.phone in text(client.get(url))
    today = timezone.localdate().isoformat()
    client.post(
        url,
        {
            "kind": "face_to_face",
            "stage": "during",
            "contact_date": today,
            "people": "王建国代表、李科长",
            "summary": "现场面商",
        },
    )
    contact = ContactRecord.objects.get()
    assert (contact.kind, contact.stage, contact.recorded_by) == ("face_to_face", "during", unit_handler)
    event = proposal.events.get(action="contact")
    assert event.data["kind"] == "face_to_face" and event.actor == unit_handler


def test_a_contact_in_the_future_is_refused_and_the_text_stays(client, unit_handler, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    client.force_login(unit_handler)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = client.post(
        reverse("handling:contact", args=[proposal.assignments.get().pk]),
        {
            "kind": "phone",
            "stage": "before",
            "contact_date": tomorrow,
            "people": "王建国",
            "summary": "电话沟通办理思路",
        },
    )
    assert page.status_code == 400
    assert "日期不能晚于今天" in text(page) and "电话沟通办理思路" in page.content.decode()
    assert not ContactRecord.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC), tick=False)
def test_a_unit_cannot_decide_its_own_request(client, unit_handler, new_unit, assigned):
    _proposal, assignment = assigned
    client.force_login(unit_handler)
    client.post(reverse("handling:request_reassignment", args=[assignment.pk]), {"reason": "不属于本单位职责"})
    request = ReassignmentRequest.objects.get()
    url = reverse("handling:decide_reassignment", args=[request.pk])
    assert client.post(url, {"decision": "accept", "accept-new_unit": new_unit.pk}).status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


@time_machine.travel(dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC), tick=False)
def test_a_decided_request_cannot_be_decided_again(client, unit_handler, staff, new_unit, other_unit, assigned):
    _proposal, assignment = assigned
    client.force_login(unit_handler)
    client.post(reverse("handling:request_reassignment", args=[assignment.pk]), {"reason": "不属于本单位职责"})
    request = ReassignmentRequest.objects.get()
    client.force_login(staff)
    url = reverse("handling:decide_reassignment", args=[request.pk])
    client.post(url, {"decision": "refuse", "refuse-note": "属于本单位职责"})
    page = client.post(url, {"decision": "accept", "accept-new_unit": other_unit.pk})
    assert "此申请已经处理" in text(page)
    request.refresh_from_db()
    assert request.status == "refused"


def test_a_separate_unit_that_signed_is_told_it_waits_for_the_others_to_sign(
    client, staff, unit_handler, co_handler, draft, cast, unit, co_unit
):
    """With separate units, handling starts when every one has signed: the unit that signed
    first has no reply to write yet, and is told which unit it waits for."""
    from handling import services as hs

    proposal = advance(draft, S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=staff, separate_units=[unit, co_unit])
    mine = proposal.assignments.get(unit=unit)
    client.force_login(unit_handler)
    body = text(client.post(reverse("handling:sign", args=[mine.pk]), follow=True))
    assert "可以开始办理" not in body
    assert "撰写答复" not in body
    assert "区财政局签收后即可开始办理" in body

    theirs = proposal.assignments.get(unit=co_unit)
    client.force_login(co_handler)
    client.post(reverse("handling:sign", args=[theirs.pk]))
    client.force_login(unit_handler)
    body = text(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert "撰写答复" in body and "签收后即可开始办理" not in body
