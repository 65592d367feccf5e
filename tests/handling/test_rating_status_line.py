"""Where a rated suggestion stands, in every place its people read it: while the rating may still
be changed the deputy reads that it is recorded and until when it can be changed (never "waiting
for your rating"), a co-signer that it takes effect after that day, the unit that it awaits
confirmation; once it takes effect, the final rating."""

from __future__ import annotations

import pytest
from django.urls import reverse

from handling import services as hs
from handling.models import Reply
from proposals.events import day
from proposals.models import CoSignature, ProposalState
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(draft, cast, cosigner):
    CoSignature.objects.create(proposal=draft, deputy=cosigner, status=CoSignature.Status.CONFIRMED)
    proposal = advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    rating = hs.rate_reply(reply=reply, by=cast.deputy_user, attitude="satisfied", result="basic")
    return proposal, reply, rating


def test_the_deputy_reads_that_the_rating_is_recorded_and_until_when_it_can_be_changed(client, rated, cast):
    proposal, _reply, rating = rated
    client.force_login(cast.deputy_user)
    expected = f"已答复；您的评价已记录，{day(rating.changeable_until)}前可以修改"
    for url in (reverse("proposals:mine"), reverse("proposals:mine_detail", args=[proposal.pk])):
        page = text(client.get(url))
        assert expected in page, url
        assert "等待您评价" not in page, url


def test_a_cosigner_reads_that_the_lead_deputys_rating_takes_effect_later(client, rated, cosigner):
    proposal, _reply, rating = rated
    client.force_login(cosigner.user)
    page = text(client.get(reverse("proposals:mine_detail", args=[proposal.pk])))
    assert f"领衔代表已评价，{day(rating.changeable_until)}后生效" in page


def test_the_unit_sees_the_rating_awaiting_confirmation_on_its_reply_page(client, rated, cast):
    _proposal, reply, rating = rated
    client.force_login(cast.handler)
    page = text(client.get(reverse("handling:reply", args=[reply.pk])))
    assert f"可修改至 {rating.changeable_until:%Y-%m-%d}" in page


def test_once_the_rating_takes_effect_the_deputy_reads_the_final_rating(client, rated, cast):
    proposal, _reply, rating = rated
    hs.confirm_rating(rating=rating, by=cast.deputy_user)
    client.force_login(cast.deputy_user)
    page = text(client.get(reverse("proposals:mine_detail", args=[proposal.pk])))
    assert "已办结，办理结果评价为“基本满意”" in page
    assert "可以修改" not in page
