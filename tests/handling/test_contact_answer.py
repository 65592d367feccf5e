"""The lead deputy confirms or disputes that a contact the unit recorded took place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from handling import services as hs
from handling.models import ContactRecord
from proposals import services as ps
from proposals.models import Notification, ProposalState
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(deputy, cosigner, draft, cast):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    proposal = advance(draft, S.IN_HANDLING, cast)
    return hs.record_contact(
        assignment=proposal.assignments.get(),
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=dt.date.today(),
        people="王建国代表、教育局李科长",
        summary="到学校现场面商",
    )


def url(contact):
    return reverse("handling:contact_answer", args=[contact.pk])


def test_the_recorded_contact_tells_the_deputy(deputy, contact):
    notice = Notification.objects.get(recipient=deputy.user, kind="contact")
    assert "区教育局" in notice.message


def test_the_deputy_confirms_a_contact(client, deputy, contact, cast):
    client.force_login(deputy.user)
    response = client.post(url(contact), {"response": "confirmed"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#contact-{contact.pk}")
    contact.refresh_from_db()
    assert contact.deputy_response == ContactRecord.DeputyResponse.CONFIRMED
    assert contact.responded_at is not None
    event = contact.proposal.events.get(action="contact_confirmed")
    assert (event.actor, event.data["contact"]) == (deputy.user, contact.pk)
    assert Notification.objects.filter(recipient=cast.handler, kind="contact_answer").exists()
    assert not Notification.objects.filter(recipient=cast.staff, kind="contact_answer").exists()


def test_a_dispute_needs_a_reason_and_keeps_what_was_chosen(client, deputy, contact):
    client.force_login(deputy.user)
    response = client.post(url(contact), {"response": "disputed", "comment": ""})
    assert response.status_code == 400
    assert response.context["form"]["response"].value() == "disputed"
    contact.refresh_from_db()
    assert contact.deputy_response == ""


def test_a_dispute_goes_to_the_unit_and_to_congress_staff(client, deputy, contact, cast):
    client.force_login(deputy.user)
    client.post(url(contact), {"response": "disputed", "comment": "那天没有人来过"})
    contact.refresh_from_db()
    assert (contact.deputy_response, contact.deputy_comment) == ("disputed", "那天没有人来过")
    for user in (cast.handler, cast.head, cast.staff):
        notice = Notification.objects.get(recipient=user, kind="contact_answer")
        assert "那天没有人来过" in notice.message
    # The deputy sees their answer on the follow page.
    page = client.get(reverse("proposals:mine_detail", args=[contact.proposal_id])).content.decode()
    assert "那天没有人来过" in page


def test_the_answer_can_be_changed_and_every_answer_stays_on_the_trail(client, deputy, contact):
    client.force_login(deputy.user)
    client.post(url(contact), {"response": "confirmed"})
    client.post(url(contact), {"response": "disputed", "comment": "其实是电话，不是面商"})
    contact.refresh_from_db()
    assert contact.deputy_response == "disputed"
    actions = list(contact.proposal.events.filter(action__startswith="contact_").values_list("action", flat=True))
    assert actions == ["contact_confirmed", "contact_disputed"]


@pytest.mark.parametrize("who", ["cosigner", "other_deputy", "unit_handler", "staff"])
def test_only_the_lead_deputy_answers(client, request, contact, who):
    # Co-signers follow the suggestion, but the contact was with the lead deputy.
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(url(contact)).status_code == 404
    assert client.post(url(contact), {"response": "confirmed"}).status_code == 404
    contact.refresh_from_db()
    assert contact.deputy_response == ""


def test_the_dispute_button_opens_the_form_with_dispute_chosen(client, deputy, contact):
    """The deputy pressed 有异议 on the suggestion's page: the form must not ask again which
    answer they mean, or their reason comes back with “this field is required”."""
    client.force_login(deputy.user)
    page = client.get(reverse("proposals:mine_detail", args=[contact.proposal_id])).content.decode()
    dispute_link = f"{url(contact)}?response=disputed"
    assert f'href="{dispute_link}"' in page

    form = client.get(dispute_link).context["form"]

    assert form["response"].value() == "disputed"
    assert client.get(url(contact)).context["form"]["response"].value() is None
    assert client.get(f"{url(contact)}?response=bogus").context["form"]["response"].value() is None
