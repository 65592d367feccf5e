"""Inviting co-signers from the deputies list (by name or delegation), and each invited
deputy confirming or declining; the lead deputy is told of each answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals import services as ps
from proposals.models import CoSignature, Notification, ProposalState
from tests import factories as f
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbours(deputy):
    """Two deputies of the lead's delegation, one of another, one without a login."""
    mine = deputy.delegation
    other = f.DelegationFactory(name="城关镇代表团")
    return {
        "same1": f.DeputyFactory(name="陈晓东", delegation=mine),
        "same2": f.DeputyFactory(name="周丽", delegation=mine),
        "other": f.DeputyFactory(name="陈立", delegation=other),
        "no_login": f.DeputyFactory(name="陈无账号", delegation=other, user=None),
    }


def names(response):
    return [d.name for d in response.context["results"]]


def test_without_a_search_it_offers_my_own_delegation(client, deputy, draft, neighbours):
    client.force_login(deputy.user)
    response = client.get(reverse("proposals:invite", args=[draft.pk]))
    assert response.status_code == 200
    assert sorted(names(response)) == ["周丽", "陈晓东"]


def test_search_by_name_or_delegation_finds_deputies_with_a_login(client, deputy, draft, neighbours):
    client.force_login(deputy.user)
    url = reverse("proposals:invite", args=[draft.pk])
    assert sorted(names(client.get(url, {"q": "陈"}))) == ["陈晓东", "陈立"]
    assert names(client.get(url, {"q": "城关"})) == ["陈立"]
    assert names(client.get(url, {"q": deputy.name})) == []  # never oneself


def test_the_search_offers_the_leads_own_body_only(client, deputy, member, draft, neighbours):
    client.force_login(deputy.user)
    url = reverse("proposals:invite", args=[draft.pk])
    assert names(client.get(url, {"q": member.name})) == []  # a CPPCC member co-signs no suggestion


def test_inviting_chosen_deputies_notifies_them(client, deputy, draft, neighbours):
    client.force_login(deputy.user)
    url = reverse("proposals:invite", args=[draft.pk])
    response = client.post(url, {"q": "陈", "deputies": [neighbours["same1"].pk, neighbours["other"].pk]})

    assert response.status_code == 302 and response["Location"] == reverse("proposals:edit", args=[draft.pk])
    invited = set(draft.cosignatures.values_list("deputy__name", "status"))
    assert invited == {("陈晓东", "invited"), ("陈立", "invited")}
    assert Notification.objects.filter(kind="cosign_invitation", recipient=neighbours["other"].user).exists()
    assert draft.events.filter(action="invite_cosigners").exists()
    # The list now shows their status instead of a checkbox.
    page = client.get(url, {"q": "陈"})
    assert page.content.decode().count('<span class="status invited">已邀请</span>') == 2
    assert f'value="{neighbours["same1"].pk}"' not in page.content.decode()


def test_inviting_nobody_explains_itself(client, deputy, draft, neighbours):
    client.force_login(deputy.user)
    response = client.post(reverse("proposals:invite", args=[draft.pk]), {"q": "陈"})
    assert response.status_code == 400
    assert response.context["error"] == "请至少选择一位代表。"
    assert response.context["query"] == "陈"


def test_only_the_lead_deputy_invites(client, other_deputy, draft, neighbours):
    client.force_login(other_deputy.user)
    url = reverse("proposals:invite", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"deputies": [neighbours["same1"].pk]}).status_code == 404
    assert not draft.cosignatures.exists()


def test_an_invited_deputy_confirms_and_the_lead_is_told(client, deputy, cosigner, draft):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    signature = draft.cosignatures.get()
    client.force_login(cosigner.user)

    # The invitation is on their list, and they can read the draft before answering.
    assert [s.pk for s in client.get(reverse("proposals:mine")).context["invitations"]] == [signature.pk]
    page = client.get(reverse("proposals:mine_detail", args=[draft.pk]))
    assert page.status_code == 200 and page.context["my_invitation"] == signature

    response = client.post(reverse("proposals:cosign_answer", args=[signature.pk]), {"accept": "1"})

    signature.refresh_from_db()
    assert response.status_code == 302 and signature.status == CoSignature.Status.CONFIRMED
    told = Notification.objects.get(recipient=deputy.user, kind="cosign_answer")
    assert cosigner.name in told.message and "确认附议" in told.message
    assert draft.events.filter(action="cosign_confirmed", actor=cosigner.user).exists()


def test_an_invited_deputy_declines(client, deputy, cosigner, draft):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    signature = draft.cosignatures.get()
    client.force_login(cosigner.user)
    response = client.post(reverse("proposals:cosign_answer", args=[signature.pk]), {"accept": "0"})
    signature.refresh_from_db()
    assert response.status_code == 302 and signature.status == CoSignature.Status.DECLINED
    assert "谢绝" in Notification.objects.get(recipient=deputy.user, kind="cosign_answer").message
    # A declined deputy no longer sees the draft.
    assert client.get(reverse("proposals:mine_detail", args=[draft.pk])).status_code == 404


def test_nobody_answers_for_the_invited_deputy(client, deputy, cosigner, other_deputy, draft):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    signature = draft.cosignatures.get()
    for user in (deputy.user, other_deputy.user):
        client.force_login(user)
        assert client.post(reverse("proposals:cosign_answer", args=[signature.pk]), {"accept": "1"}).status_code == 404
    signature.refresh_from_db()
    assert signature.status == CoSignature.Status.INVITED


def test_an_invitation_cannot_be_answered_once_registered(client, deputy, cosigner, draft, cast):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    signature = draft.cosignatures.get()
    advance(draft, S.REGISTERED, cast)
    client.force_login(cosigner.user)
    response = client.post(reverse("proposals:cosign_answer", args=[signature.pk]), {"accept": "1"}, follow=True)
    signature.refresh_from_db()
    assert signature.status == CoSignature.Status.INVITED
    assert "此建议已过附议阶段。" in response.content.decode()


def test_answering_an_invitation_reads_its_notice_and_a_declined_one_opens_my_list(client, deputy, cosigner, draft):
    """Declining from “my suggestions” leaves no unread invitation behind, and opening the old
    notice afterwards leads to the list, not to a “not found” page."""
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    notice = Notification.objects.get(recipient=cosigner.user, kind="cosign_invitation")
    client.force_login(cosigner.user)

    client.post(reverse("proposals:cosign_answer", args=[draft.cosignatures.get().pk]), {"accept": "0"})

    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(reverse("proposals:notifications")).context["unread_notifications"] == 0
    opened = client.post(reverse("proposals:notification_open", args=[notice.pk]))
    assert opened["Location"] == reverse("proposals:mine")


def test_a_withdrawn_suggestion_no_longer_asks_the_invited_deputy_to_co_sign(client, deputy, cosigner, draft):
    """The lead withdrew it before the invited deputy answered: its page must not offer
    同意附议 / 谢绝 buttons that can only fail."""
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.withdraw_proposal(proposal=draft, by=deputy.user)
    client.force_login(cosigner.user)

    page = client.get(reverse("proposals:mine_detail", args=[draft.pk]))

    assert page.status_code == 200
    assert page.context["my_invitation"] is None
    assert reverse("proposals:cosign_answer", args=[draft.cosignatures.get().pk]) not in page.content.decode()
