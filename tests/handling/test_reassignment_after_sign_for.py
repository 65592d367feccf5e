"""Re-assignment after signing for it: signing acknowledges receipt, so a unit that signed may
still ask to be replaced while the working-day window counted from the assignment is open.
Granted, the old unit's sign-for stays on its ended assignment and the new unit signs afresh."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handling import services as hs
from handling.models import Assignment, ReassignmentRequest
from proposals.models import ProposalState
from proposals.workflow import ProposalError
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
# Tuesday 10 March 2026; five working days later is Tuesday 17 March.
ASSIGNED_AT = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)
IN_WINDOW = dt.datetime(2026, 3, 16, 2, tzinfo=dt.UTC)
AFTER_WINDOW = dt.datetime(2026, 3, 18, 2, tzinfo=dt.UTC)


@pytest.fixture
def signed(draft, cast):
    with time_machine.travel(ASSIGNED_AT, tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    return proposal, proposal.assignments.get()


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_signed_unit_sees_the_button_and_asks_within_the_window(client, unit_handler, signed):
    proposal, assignment = signed
    client.force_login(unit_handler)
    page = text(client.get(reverse("proposals:detail", args=[proposal.pk])))
    assert "可在 2026-03-17 前" in page
    url = reverse("handling:request_reassignment", args=[assignment.pk])
    response = client.post(url, {"reason": "细读后发现属住建局职责"}, follow=True)
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.state == S.REASSIGN_REQUESTED
    assert assignment.reassignment_requests.get().status == ReassignmentRequest.Status.PENDING


@time_machine.travel(AFTER_WINDOW, tick=False)
def test_after_the_window_a_signed_unit_cannot_ask(client, unit_handler, signed):
    proposal, assignment = signed
    client.force_login(unit_handler)
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert reverse("handling:request_reassignment", args=[assignment.pk]) not in page.content.decode()
    with pytest.raises(ProposalError):
        hs.request_reassignment(assignment=assignment, by=unit_handler, reason="太晚了")


@time_machine.travel(IN_WINDOW, tick=False)
def test_granted_the_new_unit_signs_afresh_and_the_old_sign_for_is_kept(signed, cast, staff, new_unit):
    proposal, old = signed
    request = hs.request_reassignment(assignment=old, by=cast.handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=request, by=staff, accept=True, new_unit=new_unit, note="同意")
    proposal.refresh_from_db()
    old.refresh_from_db()
    new = Assignment.objects.get(proposal=proposal, unit=new_unit)
    assert proposal.state == S.ASSIGNED  # handling waits for the new unit's sign-for
    assert (old.is_active, old.signed_by) == (False, cast.handler)
    assert (new.signed_at, new.is_active) == (None, True)
    assert proposal.events.filter(action="accept_reassignment").exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_refused_a_signed_unit_goes_on_handling(signed, cast, staff):
    proposal, assignment = signed
    request = hs.request_reassignment(assignment=assignment, by=cast.handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=request, by=staff, accept=False, note="仍由你单位主办")
    proposal.refresh_from_db()
    assert proposal.state == S.IN_HANDLING


@time_machine.travel(IN_WINDOW, tick=False)
def test_once_the_reply_is_with_the_head_the_unit_can_no_longer_ask(signed, cast):
    _proposal, assignment = signed
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    with pytest.raises(ProposalError, match="单位负责人"):
        hs.request_reassignment(assignment=assignment, by=cast.handler, reason="不属于本单位职责")


def test_while_the_other_unit_asks_to_be_replaced_no_step_of_the_reply_goes_on(
    client, draft, cast, other_unit, other_unit_handler
):
    """Separate units: while one asks to be replaced, the other can neither write its reply
    nor attach to it nor send it on, and its pages say so instead of offering it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from handling.models import Reply
    from handling.selectors import unit_panel
    from tests import files

    proposal = advance(draft, S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=cast.staff, separate_units=[cast.unit, other_unit])
    mine, theirs = proposal.assignments.get(unit=cast.unit), proposal.assignments.get(unit=other_unit)
    hs.sign_assignment(assignment=mine, by=cast.handler)
    hs.sign_assignment(assignment=theirs, by=other_unit_handler)
    reply = hs.save_reply_draft(
        assignment=mine, by=cast.handler, result_category=cast.result, body="正文", signer="局长"
    )
    hs.request_reassignment(assignment=theirs, by=other_unit_handler, reason="不属于本单位职责")
    proposal.refresh_from_db()
    assert proposal.state == S.REASSIGN_REQUESTED
    upload = SimpleUploadedFile("附件.pdf", files.pdf(), content_type="application/pdf")
    for step in (
        lambda: hs.save_reply_draft(assignment=mine, by=cast.handler, body="改"),
        lambda: hs.add_reply_attachment(reply=reply, by=cast.handler, upload=upload),
        lambda: hs.submit_reply(reply=reply, by=cast.handler),
    ):
        with pytest.raises(ProposalError, match="不能撰写答复"):
            step()
    reply.refresh_from_db()
    assert (reply.state, reply.version, reply.body, reply.attachments.count()) == (Reply.State.DRAFT, 1, "正文", 0)
    assert not unit_panel(proposal, cast.handler).can_write_reply
    client.force_login(cast.handler)
    assert client.get(reverse("handling:reply", args=[reply.pk])).context["can_edit"] is False
    edit = client.get(reverse("handling:reply_edit", args=[mine.pk]), follow=True)
    assert edit.redirect_chain[0][0] == reverse("handling:reply", args=[reply.pk])
    assert "不能撰写答复" in text(edit)
