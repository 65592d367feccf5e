"""Data the supervision tests share: suggestions at a given point of handling, with deadlines
placed where a test needs them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from handling.models import Assignment, Reply
from proposals.models import Proposal, ProposalState
from supervision.models import KeyItem
from tests import factories as f
from tests.workflow import advance

S = ProposalState


def today() -> dt.date:
    return timezone.localdate()


def due_in(proposal: Proposal, days: int) -> dt.date:
    """Move the reply deadline of every assignment of `proposal` to today + `days`."""
    day = today() + dt.timedelta(days=days)
    Assignment.objects.filter(proposal=proposal).update(deadline=day)
    Proposal.objects.filter(pk=proposal.pk).update(due_on=day)
    proposal.refresh_from_db()
    return day


def issued_days_ago(proposal: Proposal, days: int) -> Reply:
    reply = Reply.objects.filter(assignment__proposal=proposal, state=Reply.State.ISSUED).latest("round")
    Reply.objects.filter(pk=reply.pk).update(issued_at=timezone.now() - dt.timedelta(days=days))
    reply.refresh_from_db()
    return reply


@pytest.fixture
def handled(draft, cast):
    """A suggestion in handling at 区教育局 (the cast's unit)."""
    return advance(draft, S.IN_HANDLING, cast)


@pytest.fixture
def make_proposal(deputy, meeting, category, cast):
    """More suggestions of the cast's deputy, at any state."""

    def make(state: str = S.IN_HANDLING, **extra) -> Proposal:
        proposal = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, **extra)
        return advance(proposal, state, cast)

    return make


@pytest.fixture
def key_item(handled, leader, staff, committee_member):
    from deputies.models import SpecialCommittee

    committee = SpecialCommittee.objects.create(name="教育科学文化卫生委员会")
    committee_member.committee = committee
    committee_member.save()
    item = KeyItem.objects.create(
        year=2026, title="义务教育优质均衡", leader=leader, committee=committee, created_by=staff
    )
    item.proposals.add(handled)
    return item


def issue_b_reply(proposal: Proposal, cast, result_b, *, promised="新建学校一所", promised_by=None) -> Reply:
    """Reply to a suggestion in handling with a B-class reply promising `promised`, issued."""
    from handling import services as hs

    assignment = proposal.assignments.get(unit=cast.unit, is_active=True)
    reply = hs.save_reply_draft(
        assignment=assignment,
        by=cast.handler,
        result_category=result_b,
        body="经研究，列入明年计划逐步解决。",
        signer="局长",
        promised_items=promised,
        promised_by=promised_by or today() + dt.timedelta(days=300),
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    hs.issue_reply(reply=Reply.objects.get(pk=reply.pk), by=cast.staff)
    return Reply.objects.get(pk=reply.pk)


@pytest.fixture
def promise(handled, cast, result_b):
    from supervision.models import Promise
    from supervision.services import sync_promises

    issue_b_reply(handled, cast, result_b)
    sync_promises()
    return Promise.objects.get()
