"""The suggestion's main paths, end to end through the services."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from handling import services as hs
from handling.models import Assignment, Rating, Reply
from proposals import services as ps
from proposals.models import Notification, ProposalState
from proposals.rules import visible_proposals
from proposals.workflow import ProposalError
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db


def states(proposal):
    return [(e.action, e.from_state, e.to_state) for e in proposal.events.order_by("pk")]


@time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
def test_happy_path_from_draft_to_closed(
    draft, cast, co_unit, co_handler, staff, deputy, django_capture_on_commit_callbacks
):
    proposal = draft
    ps.submit_proposal(proposal=proposal, by=deputy.user)
    ps.register_proposal(proposal=proposal, by=staff)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.number) == (S.REGISTERED, 1)

    hs.assign_proposal(proposal=proposal, by=staff, lead_unit=cast.unit, co_units=[co_unit])
    proposal.refresh_from_db()
    assert proposal.state == S.ASSIGNED
    assert proposal.due_on == dt.date(2026, 6, 2)  # three months from the assignment day

    # A co-handler signing does not start handling; the lead unit's signature does.
    hs.sign_assignment(assignment=proposal.assignments.get(unit=co_unit), by=co_handler)
    proposal.refresh_from_db()
    assert proposal.state == S.ASSIGNED
    hs.sign_assignment(assignment=proposal.assignments.get(unit=cast.unit), by=cast.handler)
    proposal.refresh_from_db()
    assert proposal.state == S.IN_HANDLING

    hs.record_contact(
        assignment=proposal.assignments.get(unit=cast.unit),
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=dt.date(2026, 3, 2),
        people="王建国代表、教育局李科长",
        summary="到学校现场面商",
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = reply_and_issue(proposal, cast)
    proposal.refresh_from_db()
    assert (reply.state, proposal.state, proposal.due_on) == (Reply.State.ISSUED, S.REPLIED, None)
    # The deputy has an e-mail address, so the notice is mailed too, after the commit.
    notice = Notification.objects.get(recipient=deputy.user, kind="reply_issued")
    assert [m.to for m in mail.outbox if notice.message in m.body] == [["deputy@example.cn"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None

    hs.rate_reply(final=True, reply=reply, by=deputy.user, attitude="satisfied", result="satisfied")
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert proposal.closed_at is not None

    assert states(proposal) == [
        ("create", S.DRAFT, S.DRAFT),
        ("submit", S.DRAFT, S.SUBMITTED),
        ("register", S.SUBMITTED, S.REGISTERED),
        ("assign", S.REGISTERED, S.ASSIGNED),
        ("sign", S.ASSIGNED, S.ASSIGNED),
        ("sign", S.ASSIGNED, S.IN_HANDLING),
        ("contact", S.IN_HANDLING, S.IN_HANDLING),
        ("countersign", S.IN_HANDLING, S.IN_HANDLING),  # the co-handler's 会签
        ("reply_submit_for_approval", S.IN_HANDLING, S.IN_HANDLING),
        ("reply_approve", S.IN_HANDLING, S.IN_HANDLING),
        ("reply_issue", S.IN_HANDLING, S.IN_HANDLING),
        ("issue_reply", S.IN_HANDLING, S.REPLIED),
        ("rate", S.REPLIED, S.CLOSED),
    ]
    actors = [e.actor.username for e in proposal.events.order_by("pk")]
    assert actors == [
        "deputy",
        "deputy",
        "staff",
        "staff",
        "co_handler",
        "handler",
        "handler",
        "co_handler",
        "handler",
        "head",
        "staff",
        "staff",
        "deputy",
    ]

    kinds = set(Notification.objects.filter(recipient=deputy.user).values_list("kind", flat=True))
    assert {"registered", "assigned", "contact", "reply_issued"} <= kinds


def test_unsatisfied_result_sends_to_rehandling_and_the_second_rating_stands(draft, cast, deputy):
    proposal = advance(draft, S.REPLIED, cast)
    first = Reply.objects.get(assignment__proposal=proposal, round=1)
    with time_machine.travel(dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        hs.rate_reply(
            final=True, reply=first, by=deputy.user, attitude="basic", result="unsatisfied", comment="没有实质推进"
        )
    proposal.refresh_from_db()
    assert proposal.state == S.REHANDLING
    assert proposal.due_on == dt.date(2026, 5, 10)  # one month for the second reply

    second = reply_and_issue(proposal, cast, text="重新办理后的答复")
    assert second.round == 2
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED

    hs.rate_reply(
        final=True, reply=second, by=deputy.user, attitude="satisfied", result="unsatisfied", comment="仍不满意"
    )
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED  # the second rating stands, even unsatisfied
    assert list(Rating.objects.filter(proposal=proposal).values_list("result", flat=True)) == [
        "unsatisfied",
        "unsatisfied",
    ]


def test_unsatisfied_attitude_alone_closes_the_suggestion(draft, cast, deputy):
    proposal = advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    hs.rate_reply(
        final=True, reply=reply, by=deputy.user, attitude="unsatisfied", result="satisfied", comment="态度冷淡"
    )
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED


def test_an_unsatisfied_rating_needs_a_comment(draft, cast, deputy):
    proposal = advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    with pytest.raises(ProposalError, match="不满意|not satisfied"):
        hs.rate_reply(final=True, reply=reply, by=deputy.user, attitude="satisfied", result="unsatisfied")
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED
    assert not Rating.objects.exists()


def test_reassignment_path_restarts_the_deadline_for_the_new_unit(draft, cast, staff, new_unit, new_unit_handler):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        proposal = advance(draft, S.ASSIGNED, cast)
        old = proposal.assignments.get()
        request = hs.request_reassignment(assignment=old, by=cast.handler, reason="该事项属住建部门职责")
    proposal.refresh_from_db()
    assert proposal.state == S.REASSIGN_REQUESTED

    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        hs.decide_reassignment(request=request, by=staff, accept=True, new_unit=new_unit, note="同意调整")
    proposal.refresh_from_db()
    old.refresh_from_db()
    new = proposal.assignments.get(is_active=True)
    assert proposal.state == S.ASSIGNED
    assert (old.is_active, new.unit, new.assigned_on, new.deadline) == (
        False,
        new_unit,
        dt.date(2026, 3, 5),
        dt.date(2026, 6, 5),
    )
    assert proposal.due_on == dt.date(2026, 6, 5)
    # The old unit no longer sees it; the new one does.
    assert proposal not in visible_proposals(cast.handler)
    assert proposal in visible_proposals(new_unit_handler)

    hs.sign_assignment(assignment=new, by=new_unit_handler)
    proposal.refresh_from_db()
    assert proposal.state == S.IN_HANDLING


def test_a_refused_reassignment_keeps_the_unit(draft, cast, staff):
    proposal = advance(draft, S.REASSIGN_REQUESTED, cast)
    request = proposal.assignments.get().reassignment_requests.get()
    with pytest.raises(ProposalError):
        hs.decide_reassignment(request=request, by=staff, accept=False, note="")  # a refusal needs a reason
    hs.decide_reassignment(request=request, by=staff, accept=False, note="经研究，仍由你单位主办")
    proposal.refresh_from_db()
    assert proposal.state == S.ASSIGNED
    assert proposal.assignments.get(is_active=True).unit == cast.unit
    request.refresh_from_db()
    assert request.status == "refused"


def test_returned_suggestion_is_edited_and_resubmitted(draft, cast, deputy, staff):
    proposal = advance(draft, S.RETURNED, cast)
    notice = Notification.objects.get(recipient=deputy.user, kind="returned")
    assert "请补充调研数据" in notice.message
    ps.update_draft(proposal=proposal, by=deputy.user, body="补充了三所学校的调研数据。")
    ps.submit_proposal(proposal=proposal, by=deputy.user)
    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED
    assert proposal.body == "补充了三所学校的调研数据。"


@time_machine.travel(dt.datetime(2026, 8, 31, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_complex_suggestion_gets_six_months(draft, cast, staff):
    proposal = advance(draft, S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=staff, lead_unit=cast.unit, is_complex=True)
    proposal.refresh_from_db()
    assert proposal.due_on == dt.date(2027, 2, 28)  # 31 August + 6 months, clamped to February's end


def test_separate_units_each_answer_and_each_reply_is_rated(draft, cast, staff, deputy, co_unit, co_handler, co_head):
    proposal = advance(draft, S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=staff, separate_units=[cast.unit, co_unit])
    assert set(proposal.assignments.values_list("role", flat=True)) == {Assignment.Role.SEPARATE}
    hs.sign_assignment(assignment=proposal.assignments.get(unit=cast.unit), by=cast.handler)
    proposal.refresh_from_db()
    assert proposal.state == S.ASSIGNED  # the other separate unit has not signed yet
    hs.sign_assignment(assignment=proposal.assignments.get(unit=co_unit), by=co_handler)
    proposal.refresh_from_db()
    assert proposal.state == S.IN_HANDLING

    first = reply_and_issue(proposal, cast)
    proposal.refresh_from_db()
    assert proposal.state == S.IN_HANDLING  # still waiting for the second unit's reply
    other_cast = type(cast)(deputy.user, staff, co_handler, co_head, co_unit, cast.result)
    second = reply_and_issue(proposal, other_cast)
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED

    hs.rate_reply(final=True, reply=first, by=deputy.user, attitude="satisfied", result="satisfied")
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED  # one reply still unrated
    hs.rate_reply(final=True, reply=second, by=deputy.user, attitude="satisfied", result="basic")
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED


def test_assignment_needs_a_lead_unit_or_two_separate_units(draft, cast, staff, co_unit):
    proposal = advance(draft, S.REGISTERED, cast)
    with pytest.raises(ProposalError):
        hs.assign_proposal(proposal=proposal, by=staff)
    with pytest.raises(ProposalError):
        hs.assign_proposal(proposal=proposal, by=staff, separate_units=[co_unit])
    with pytest.raises(ProposalError):
        hs.assign_proposal(proposal=proposal, by=staff, lead_unit=co_unit, co_units=[co_unit])
    proposal.refresh_from_db()
    assert proposal.state == S.REGISTERED
    assert not proposal.assignments.exists()


def test_numbers_run_per_meeting_and_an_explicit_number_must_be_free(deputy, staff, meeting, category, cast):
    from tests.factories import MeetingFactory, ProposalFactory

    other_meeting = MeetingFactory(number=6, name="十七届人大六次会议", year=2027)
    a = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    b = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    c = advance(ProposalFactory(lead_deputy=deputy, meeting=other_meeting, category=category), S.REGISTERED, cast)
    assert (a.number, b.number, c.number) == (1, 2, 1)
    d = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    with pytest.raises(ProposalError, match="2"):
        ps.register_proposal(proposal=d, by=staff, number=2)
    d.refresh_from_db()
    assert (d.state, d.number) == (S.SUBMITTED, None)
    ps.renumber_proposal(proposal=b, number=12, by=staff)
    b.refresh_from_db()
    assert b.number == 12
