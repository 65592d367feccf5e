"""Co-signers (and the lead deputy) comment on an issued reply; only the lead deputy rates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from handling import services as hs
from handling.models import Rating, Reply, ReplyComment
from proposals import services as ps
from proposals.models import Notification, ProposalState
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def cosigned(deputy, cosigner, draft):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    return draft


def url(reply):
    return reverse("handling:reply_comment", args=[reply.pk])


def test_a_cosigner_comments_and_the_unit_and_the_lead_deputy_are_told(client, deputy, cosigner, cosigned, cast):
    proposal = advance(cosigned, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    client.force_login(cosigner.user)

    response = client.post(url(reply), {"body": "希望同时考虑放学时段的交警值守。"})

    assert response.status_code == 302
    comment = ReplyComment.objects.get()
    assert (comment.author, comment.reply, comment.body) == (cosigner.user, reply, "希望同时考虑放学时段的交警值守。")
    assert proposal.events.filter(action="reply_comment", actor=cosigner.user).exists()
    for user in (cast.handler, deputy.user):
        assert Notification.objects.filter(recipient=user, kind="reply_comment").exists()
    assert not Notification.objects.filter(recipient=cosigner.user, kind="reply_comment").exists()
    assert not Rating.objects.exists()  # a comment is not a rating
    client.force_login(deputy.user)
    page = client.get(reverse("proposals:mine_detail", args=[proposal.pk])).content.decode()
    assert "希望同时考虑放学时段的交警值守。" in page


def test_an_empty_comment_comes_back(client, cosigner, cosigned, cast):
    proposal = advance(cosigned, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    client.force_login(cosigner.user)
    assert client.post(url(reply), {"body": " "}).status_code == 400
    assert not ReplyComment.objects.exists()


def test_no_comment_before_the_reply_is_issued(client, cosigner, cosigned, cast):
    proposal = advance(cosigned, S.IN_HANDLING, cast)
    reply = hs.save_reply_draft(
        assignment=proposal.assignments.get(), by=cast.handler, result_category=cast.result, body="草稿", signer="局长"
    )
    client.force_login(cosigner.user)
    assert client.post(url(reply), {"body": "提前看看"}).status_code == 404
    assert not ReplyComment.objects.exists()


@pytest.mark.parametrize("who", ["other_deputy", "unit_handler", "outsider"])
def test_others_cannot_comment(client, request, cosigned, cast, who):
    proposal = advance(cosigned, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.post(url(reply), {"body": "路过"}).status_code == 404
    assert not ReplyComment.objects.exists()
