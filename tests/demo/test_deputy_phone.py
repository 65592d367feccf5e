"""The demo as the demo deputy sees it on a phone: every kind of suggestion, an invitation to
co-sign, questions to units before submitting, a co-signer's comment; and every deputy page
of the demo opens for the people it is for."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from deputies.models import User
from handling.models import PreSubmissionQuestion, Reply, ReplyComment
from proposals.models import CoSignature, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            call_command("seed_demo", stdout=StringIO())
            yield
            transaction.set_rollback(True)


@pytest.fixture
def demo_db(demo, db):
    return demo


def test_the_demo_deputy_has_something_to_do_on_the_phone(client, demo_db):
    deputy = User.objects.get(username="deputy")
    client.force_login(deputy)
    response = client.get(reverse("proposals:mine"))
    assert response.status_code == 200
    assert response.context["counts"]["todo"] >= 3  # a draft, a returned one, a reply to rate...
    assert len(response.context["invitations"]) == 1
    states = {row.proposal.state for row in response.context["page"].object_list}
    assert {"draft", "returned", "in_handling", "replied", "rehandling", "closed"} <= states
    assert PreSubmissionQuestion.objects.filter(proposal__lead_deputy__user=deputy, answered_at__isnull=False).exists()
    assert ReplyComment.objects.filter(proposal__lead_deputy__user=deputy).exists()


def test_the_education_bureau_has_a_question_to_answer(client, demo_db):
    client.force_login(User.objects.get(username="handler"))
    assert len(client.get(reverse("handling:questions")).context["waiting"]) == 1


@pytest.mark.parametrize("username", ["deputy", "deputy2"])
def test_every_page_of_a_demo_deputy_opens(client, demo_db, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    led = Proposal.objects.filter(lead_deputy__user=user)
    cosigned = Proposal.objects.filter(cosignatures__deputy__user=user).exclude(cosignatures__status="declined")
    for proposal in {*led, *cosigned}:
        response = client.get(reverse("proposals:mine_detail", args=[proposal.pk]))
        assert response.status_code == 200, proposal
        assert response.context["steps"], proposal
    for reply in Reply.objects.filter(assignment__proposal__in=led, state="issued", rating__isnull=True):
        assert client.get(reverse("handling:rate", args=[reply.pk])).status_code == 200
    for signature in CoSignature.objects.filter(deputy__user=user, status="invited"):
        assert client.get(reverse("proposals:mine_detail", args=[signature.proposal_id])).status_code == 200
    assert client.get(reverse("proposals:notifications")).status_code == 200


def test_staff_see_the_unrated_replies_and_the_paper_rating(client, demo_db):
    client.force_login(User.objects.get(username="staff"))
    response = client.get(reverse("handling:unrated_replies"))
    # Two of the demo's replied suggestions carry a rating still in its change window: not listed.
    assert response.status_code == 200 and response.context["page"].paginator.count >= 3
    paper = Proposal.objects.filter(ratings__is_paper=True).first()
    client.force_login(paper.lead_deputy.user)
    html = client.get(reverse("proposals:mine_detail", args=[paper.pk])).content.decode()
    assert "纸质反馈表" in html
