"""The handlers' working papers stay among the handlers: co-handlers' opinions, countersign
comments, the head's and staff's return notes and staff's corrections reach the units and the
overseers, never the deputies (their page, their timeline, their mail)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from handling import services as hs
from handling.models import ResultCategory
from proposals.models import Notification, ProposalState
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db

INTERNAL = (
    "协办意见正文XYZ",
    "会签异议理由XYZ",
    "会签同意附言XYZ",
    "负责人退回意见XYZ",
    "工委退回意见XYZ",
    "更正理由XYZ",
)


@pytest.fixture
def papers(draft, cast, co_unit, co_handler, cosigner, deputy, staff):
    """A suggestion whose reply went through every internal step before it was issued."""
    from proposals import services as ps

    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    cast.co_units = [co_unit]
    proposal = advance(draft, S.IN_HANDLING, cast)
    lead = proposal.assignments.get(unit=cast.unit)
    co = proposal.assignments.get(unit=co_unit)
    hs.sign_assignment(assignment=co, by=co_handler)
    hs.submit_co_opinion(assignment=co, by=co_handler, body=INTERNAL[0])
    reply = hs.save_reply_draft(
        assignment=lead, by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    hs.request_countersign(reply=reply, by=cast.handler)
    hs.countersign_reply(reply=reply, by=co_handler, agrees=False, comment=INTERNAL[1])
    reply = hs.save_reply_draft(assignment=lead, by=cast.handler, body="答复（修改）")
    hs.countersign_reply(reply=reply, by=co_handler, agrees=True, comment=INTERNAL[2])
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.return_reply(reply=reply, by=cast.head, note=INTERNAL[3])
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    hs.staff_return_reply(reply=reply, by=staff, note=INTERNAL[4])
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    other = ResultCategory.objects.create(name="留作参考", result_class="D")
    hs.correct_result_category(reply=reply, by=staff, result_category=other, reason=INTERNAL[5])
    hs.correct_result_category(reply=reply, by=staff, result_category=cast.result, reason="改回")
    hs.issue_reply(reply=reply, by=staff)
    return proposal


def leaked(body: str) -> list[str]:
    return [marker for marker in INTERNAL if marker in body]


@pytest.mark.parametrize("who", ["deputy", "cosigner"])
def test_the_deputies_pages_show_none_of_the_handlers_papers(client, papers, who, deputy, cosigner):
    client.force_login((deputy if who == "deputy" else cosigner).user)
    for name in ("proposals:mine_detail", "proposals:detail"):
        response = client.get(reverse(name, args=[papers.pk]))
        assert response.status_code == 200
        assert leaked(response.content.decode()) == [], name
    steps = client.get(reverse("proposals:mine_detail", args=[papers.pk])).context["steps"]
    assert not any("会签" in step.text or "协办意见" in step.text for step in steps)


def test_the_deputies_receive_none_of_them_by_notice_or_mail(papers, deputy, cosigner):
    for user in (deputy.user, cosigner.user):
        assert leaked(" ".join(Notification.objects.filter(recipient=user).values_list("message", flat=True))) == []
    assert leaked(" ".join(m.body for m in mail.outbox if deputy.user.email in m.to)) == []


def test_the_units_and_the_overseers_read_them_on_the_suggestion_page(client, papers, cast, co_handler, staff, leader):
    for user in (cast.handler, co_handler, staff, leader):
        client.force_login(user)
        body = text(client.get(reverse("proposals:detail", args=[papers.pk])))
        assert INTERNAL[0] in body and INTERNAL[1] in body, user.username
