"""Drive suggestions through the real services to any state, for tests that start midway."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from handling import services as hs
from handling.models import Reply, ResultCategory, Unit
from proposals import services as ps
from proposals.models import Proposal, ProposalState

S = ProposalState


@dataclass
class Cast:
    """Who does each step."""

    deputy_user: Any
    staff: Any
    handler: Any
    head: Any
    unit: Unit
    result: ResultCategory
    co_units: list[Unit] = field(default_factory=list)


def co_handler_of(unit: Unit) -> Any:
    """A handler login of `unit`, made on the spot when the test has none."""
    from deputies.models import Role
    from tests.factories import UnitMemberFactory, UserFactory

    member = unit.members.filter(user__role=Role.UNIT_HANDLER, user__is_active=True).select_related("user").first()
    if member is not None:
        return member.user
    user = UserFactory(username=f"handler_of_{unit.pk}", role=Role.UNIT_HANDLER)
    return UnitMemberFactory(user=user, unit=unit).user


def countersign_all(reply: Reply) -> None:
    """Every co-handling unit signs for the suggestion (if it has not) and countersigns (会签)."""
    for co in reply.assignment.proposal.assignments.filter(role="co", is_active=True).select_related("unit"):
        who = co_handler_of(co.unit)
        if not co.signed_at:
            hs.sign_assignment(assignment=co, by=who)
        hs.countersign_reply(reply=reply, by=who, agrees=True)


def reply_and_issue(proposal: Proposal, cast: Cast, *, text: str = "答复正文") -> Reply:
    assignment = proposal.assignments.get(unit=cast.unit, is_active=True)
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=cast.result, body=text, signer="局长"
    )
    if assignment.role == "lead":
        countersign_all(reply)
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    reply.refresh_from_db()
    if reply.state == Reply.State.APPROVED:
        hs.issue_reply(reply=reply, by=cast.staff)
    reply.refresh_from_db()
    return reply


def advance(proposal: Proposal, to: str, cast: Cast) -> Proposal:
    """Move a draft forward along the main path until it reaches `to`."""
    path = [
        (S.SUBMITTED, lambda p: ps.submit_proposal(proposal=p, by=cast.deputy_user)),
        (S.REGISTERED, lambda p: ps.register_proposal(proposal=p, by=cast.staff)),
        (
            S.ASSIGNED,
            lambda p: hs.assign_proposal(proposal=p, by=cast.staff, lead_unit=cast.unit, co_units=cast.co_units),
        ),
        (S.IN_HANDLING, lambda p: hs.sign_assignment(assignment=p.assignments.get(unit=cast.unit), by=cast.handler)),
        (S.REPLIED, lambda p: reply_and_issue(p, cast)),
        (
            S.CLOSED,
            lambda p: hs.rate_reply(
                final=True,
                reply=Reply.objects.get(assignment__proposal=p, round=1),
                by=cast.deputy_user,
                attitude="satisfied",
                result="satisfied",
            ),
        ),
    ]
    special = {
        S.RETURNED: (S.SUBMITTED, lambda p: ps.return_proposal(proposal=p, by=cast.staff, reason="请补充调研数据")),
        S.WITHDRAWN: (S.DRAFT, lambda p: ps.withdraw_proposal(proposal=p, by=cast.deputy_user)),
        S.NOT_ACCEPTED: (S.SUBMITTED, lambda p: ps.decline_proposal(proposal=p, by=cast.staff, reason="属个人诉求")),
        S.REASSIGN_REQUESTED: (
            S.ASSIGNED,
            lambda p: hs.request_reassignment(
                assignment=p.assignments.get(unit=cast.unit), by=cast.handler, reason="不属于本单位职责"
            ),
        ),
        S.REHANDLING: (
            S.REPLIED,
            lambda p: hs.rate_reply(
                final=True,
                reply=Reply.objects.get(assignment__proposal=p, round=1),
                by=cast.deputy_user,
                attitude="basic",
                result="unsatisfied",
                comment="问题没有解决",
            ),
        ),
    }
    if to in special:
        before, step = special[to]
        proposal = advance(proposal, before, cast) if before != S.DRAFT else proposal
        step(proposal)
        proposal.refresh_from_db()
        return proposal
    for _state, step in path:
        proposal.refresh_from_db()
        if proposal.state == to:
            break
        step(proposal)
    proposal.refresh_from_db()
    assert proposal.state == to, (proposal.state, to)
    return proposal


def today() -> Any:
    return timezone.localdate()
