"""Merged suggestions (并案): handled as one, each keeps its number and deputy, each deputy
receives the reply and rates it."""

from __future__ import annotations

import pytest

from handling import services as hs
from handling.models import Rating, Reply
from proposals import services as ps
from proposals.models import Notification, ProposalState
from proposals.workflow import ProposalError
from tests.factories import DeputyFactory, ProposalFactory
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def group(cast, deputy, meeting, category, staff):
    second_deputy = DeputyFactory(name="周敏")
    main = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    member = ProposalFactory(lead_deputy=second_deputy, meeting=meeting, category=category)
    ps.submit_proposal(proposal=member, by=second_deputy.user)
    ps.register_proposal(proposal=member, by=staff)
    member.refresh_from_db()
    ps.merge_proposals(main=main, members=[member], by=staff, note="内容相近，并案办理")
    member.refresh_from_db()
    return main, member


def test_merged_members_keep_their_number_and_deputy(group):
    main, member = group
    assert (main.number, member.number) == (1, 2)
    assert member.merged_into == main
    assert member.lead_deputy.name == "周敏"
    assert member.events.filter(action="merge_member").exists()


def test_steps_on_a_member_are_refused_while_the_group_is_handled_as_one(group, cast, staff):
    main, member = group
    with pytest.raises(ProposalError, match=str(main.number)):
        hs.assign_proposal(proposal=member, by=staff, lead_unit=cast.unit)
    member.refresh_from_db()
    assert member.state == S.REGISTERED


def test_the_group_is_assigned_signed_and_answered_as_one_and_each_deputy_rates(group, cast, staff, deputy):
    main, member = group
    hs.assign_proposal(proposal=main, by=staff, lead_unit=cast.unit)
    member.refresh_from_db()
    assert member.state == S.ASSIGNED
    assert member.assignments.get().unit == cast.unit

    hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    member.refresh_from_db()
    assert member.state == S.IN_HANDLING

    reply = reply_and_issue(main, cast)
    main.refresh_from_db()
    member.refresh_from_db()
    assert (main.state, member.state) == (S.REPLIED, S.REPLIED)
    copy = Reply.objects.get(assignment__proposal=member)
    assert (copy.copied_from, copy.body, copy.state) == (reply, reply.body, Reply.State.ISSUED)
    # Every deputy of the group is told.
    assert Notification.objects.filter(recipient=member.lead_deputy.user, kind="reply_issued").exists()
    assert Notification.objects.filter(recipient=deputy.user, kind="reply_issued").exists()

    # The main deputy cannot rate the member's copy; the member's own deputy can.
    with pytest.raises(ProposalError):
        hs.rate_reply(final=True, reply=copy, by=deputy.user, attitude="satisfied", result="satisfied")
    hs.rate_reply(final=True, reply=reply, by=deputy.user, attitude="satisfied", result="satisfied")
    hs.rate_reply(
        final=True,
        reply=copy,
        by=member.lead_deputy.user,
        attitude="basic",
        result="unsatisfied",
        comment="我提出的问题未回应",
    )
    main.refresh_from_db()
    member.refresh_from_db()
    # Only the unsatisfied member goes back to re-handling.
    assert (main.state, member.state) == (S.CLOSED, S.REHANDLING)
    assert Rating.objects.filter(proposal=member).count() == 1

    member_reply = reply_and_issue(member, cast, text="针对周敏代表所提问题的再次答复")
    assert member_reply.round == 2
    member.refresh_from_db()
    assert member.state == S.REPLIED


def test_only_registered_suggestions_of_one_meeting_can_be_merged(cast, deputy, meeting, category, staff):
    registered = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    submitted = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    with pytest.raises(ProposalError):
        ps.merge_proposals(main=registered, members=[submitted], by=staff)
    submitted.refresh_from_db()
    assert submitted.merged_into is None
