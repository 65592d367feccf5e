"""Deadline extensions (申请延期): a unit asks before its deadline with a reason and a new date;
the assigning office approves (the deadline and the suggestion's due date move, the original
is kept) or refuses with a reason; the limits hold; the deputy sees only that it was extended
and to when."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from handling import services as hs
from handling.models import DeadlineExtension
from handling.selectors import approved_extensions
from proposals.models import ProposalState
from proposals.selectors import visible_events
from proposals.workflow import ProposalError
from tests.pages import text
from tests.workflow import advance

S = ProposalState
E = DeadlineExtension.Status
pytestmark = pytest.mark.django_db
# Assigned 10 March 2026: the reply is due 10 June 2026.
ASSIGNED_AT = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 5, 20, 2, tzinfo=dt.UTC)


@pytest.fixture
def handled(draft, cast):
    with time_machine.travel(ASSIGNED_AT, tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    return proposal, proposal.assignments.get()


def _ask(assignment, cast, new=dt.date(2026, 8, 10)):
    return hs.request_extension(assignment=assignment, by=cast.handler, reason="需协调省级部门", new_deadline=new)


@time_machine.travel(LATER, tick=False)
def test_approval_moves_the_deadline_and_due_date_and_keeps_the_original(handled, cast, staff):
    proposal, assignment = handled
    extension = _ask(assignment, cast)
    hs.decide_extension(extension=extension, by=staff, approve=True, note="同意")
    assignment.refresh_from_db()
    proposal.refresh_from_db()
    extension.refresh_from_db()
    assert (assignment.deadline, proposal.due_on) == (dt.date(2026, 8, 10), dt.date(2026, 8, 10))
    assert (extension.status, extension.original_deadline) == (E.APPROVED, dt.date(2026, 6, 10))
    assert list(approved_extensions()) == [extension]
    assert {"request_extension", "approve_extension"} <= set(proposal.events.values_list("action", flat=True))


@time_machine.travel(LATER, tick=False)
def test_an_approval_refused_keeps_its_note_in_the_approval_not_in_the_refusal(handled, cast, staff, client):
    _proposal, assignment = handled
    extension = _ask(assignment, cast)
    client.force_login(staff)
    with override_settings(EXTENSION_MAX_COUNT=0):  # the unit has had its extensions
        response = client.post(
            reverse("handling:decide_extension", args=[extension.pk]), {"decision": "approve", "note": "批准的说明"}
        )
    page = response.content.decode()
    assert response.status_code == 400
    approval, refusal = page.split('value="refuse"')
    assert "批准的说明</textarea>" in approval and "批准的说明" not in refusal


@time_machine.travel(LATER, tick=False)
def test_a_request_refused_because_one_was_sent_meanwhile_keeps_its_reason(handled, cast, client):
    _proposal, assignment = handled
    _ask(assignment, cast)  # a colleague asked a moment before
    client.force_login(cast.handler)
    posted = {"new_deadline": "2026-08-01", "reason": "我这边写的延期理由"}
    response = client.post(reverse("handling:request_extension", args=[assignment.pk]), posted)
    assert response.status_code == 400
    assert "我这边写的延期理由" in response.content.decode()
    assert assignment.extensions.count() == 1


@time_machine.travel(LATER, tick=False)
def test_a_refusal_needs_a_reason_and_leaves_the_deadline(handled, cast, staff):
    proposal, assignment = handled
    extension = _ask(assignment, cast)
    with pytest.raises(ProposalError):
        hs.decide_extension(extension=extension, by=staff, approve=False, note="")
    hs.decide_extension(extension=extension, by=staff, approve=False, note="期限内可以完成")
    assignment.refresh_from_db()
    proposal.refresh_from_db()
    assert (assignment.deadline, proposal.due_on) == (dt.date(2026, 6, 10), dt.date(2026, 6, 10))
    assert DeadlineExtension.objects.get().status == E.REFUSED
    assert proposal.events.filter(action="refuse_extension").exists()


@time_machine.travel(LATER, tick=False)
@override_settings(EXTENSION_MAX_MONTHS=2)
def test_the_new_date_is_at_most_the_set_months_after_the_deadline(handled, cast):
    _proposal, assignment = handled
    with pytest.raises(ProposalError, match="2026-08-10"):
        _ask(assignment, cast, new=dt.date(2026, 8, 11))
    with pytest.raises(ProposalError):
        _ask(assignment, cast, new=dt.date(2026, 6, 10))  # not later than the deadline
    assert not DeadlineExtension.objects.exists()


@time_machine.travel(LATER, tick=False)
def test_only_one_extension_is_approved_per_assignment(handled, cast, staff):
    _proposal, assignment = handled
    hs.decide_extension(extension=_ask(assignment, cast), by=staff, approve=True)
    with pytest.raises(ProposalError, match="1"):
        _ask(assignment, cast, new=dt.date(2026, 9, 10))


@time_machine.travel(LATER, tick=False)
def test_a_second_request_waits_for_the_first(handled, cast):
    _proposal, assignment = handled
    _ask(assignment, cast)
    with pytest.raises(ProposalError):
        _ask(assignment, cast, new=dt.date(2026, 7, 10))


def test_after_the_deadline_it_is_too_late_to_ask(handled, cast):
    _proposal, assignment = handled
    with time_machine.travel(dt.datetime(2026, 6, 11, 2, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ProposalError, match="2026-06-10"):
            _ask(assignment, cast)


@time_machine.travel(LATER, tick=False)
def test_a_unit_cannot_decide_and_another_unit_cannot_ask(handled, cast, other_unit_handler):
    _proposal, assignment = handled
    extension = _ask(assignment, cast)
    with pytest.raises(ProposalError):
        hs.decide_extension(extension=extension, by=cast.head, approve=True)
    with pytest.raises(ProposalError):
        hs.request_extension(assignment=assignment, by=other_unit_handler, reason="x", new_deadline=dt.date(2026, 7, 1))
    assert DeadlineExtension.objects.get().status == E.PENDING


@time_machine.travel(LATER, tick=False)
def test_the_deputy_sees_it_was_extended_and_to_when_but_not_the_request(handled, cast, staff, client):
    proposal, assignment = handled
    hs.decide_extension(extension=_ask(assignment, cast), by=staff, approve=True, note="内部说明")
    client.force_login(cast.deputy_user)
    page = text(client.get(reverse("proposals:mine_detail", args=[proposal.pk])))
    assert "答复期限延长至" in page and "2026" in page
    assert "需协调省级部门" not in page and "内部说明" not in page
    actions = set(visible_events(proposal, cast.deputy_user).values_list("action", flat=True))
    assert "approve_extension" in actions and "request_extension" not in actions
    # Nor on the suggestion's full page, which a deputy may open too; the handlers read the note.
    full = text(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert "答复期限" in full and "内部说明" not in full
    client.force_login(cast.handler)
    assert "内部说明" in text(client.get(reverse("proposals:detail", args=[proposal.pk])))


@time_machine.travel(LATER, tick=False)
def test_the_unit_asks_from_its_panel_and_staff_decide_from_the_workbench_list(handled, cast, staff, client):
    proposal, assignment = handled
    client.force_login(cast.handler)
    page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    url = reverse("handling:request_extension", args=[assignment.pk])
    assert url in page
    response = client.post(url, {"new_deadline": "2026-07-31", "reason": "需要专项调研"}, follow=True)
    assert response.status_code == 200
    extension = DeadlineExtension.objects.get()
    client.force_login(staff)
    assert "需要专项调研" in text(client.get(reverse("handling:extensions")))
    decide = reverse("handling:decide_extension", args=[extension.pk])
    client.post(decide, {"decision": "approve", "note": ""})
    assignment.refresh_from_db()
    assert assignment.deadline == dt.date(2026, 7, 31)
