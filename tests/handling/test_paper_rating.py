"""Staff record a paper rating only with the deputy's signed feedback form attached; it is
shown as a paper rating wherever the deputy's rating appears. The list of unrated replies."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from handling.models import Rating, Reply
from handling.services import record_paper_rating
from proposals.models import ProposalState
from proposals.workflow import ProposalError
from tests.factories import ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def reply(draft, cast):
    proposal = advance(draft, S.REPLIED, cast)
    return Reply.objects.get(assignment__proposal=proposal)


def url(reply):
    return reverse("handling:paper_rating", args=[reply.pk])


def signed_form(name="代表意见反馈表.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_staff_record_the_paper_rating_with_the_signed_form(client, staff, deputy, reply):
    client.force_login(staff)
    assert client.get(url(reply)).status_code == 200

    response = client.post(url(reply), {"attitude": "satisfied", "result": "basic", "paper_form": signed_form()})

    assert response.status_code == 302 and response["Location"] == reverse("handling:unrated_replies")
    rating = Rating.objects.get(reply=reply)
    assert (rating.is_paper, rating.rated_by, rating.result) == (True, staff, "basic")
    assert rating.paper_form.name.endswith(".pdf")
    proposal = reply.assignment.proposal
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert proposal.events.get(action="rate").data["paper"] is True

    # The deputy sees it marked as a paper rating, with the signed form.
    client.force_login(deputy.user)
    page = client.get(reverse("proposals:mine_detail", args=[proposal.pk])).content.decode()
    assert "纸质反馈表" in page and "根据代表签字的反馈表录入" in page
    form_url = reverse("handling:paper_form", args=[rating.pk])
    assert form_url in page
    assert client.get(form_url).status_code == 200


def test_without_the_signed_form_nothing_is_recorded(client, staff, reply):
    client.force_login(staff)
    response = client.post(url(reply), {"attitude": "satisfied", "result": "satisfied"})
    assert response.status_code == 400
    assert "paper_form" in response.context["form"].errors
    assert response.context["form"]["attitude"].value() == "satisfied"  # what was chosen is kept
    assert not Rating.objects.exists()


def test_the_form_must_really_be_a_document(client, staff, reply):
    client.force_login(staff)
    fake = signed_form("反馈表.pdf", b"MZ not a pdf at all")
    response = client.post(url(reply), {"attitude": "satisfied", "result": "satisfied", "paper_form": fake})
    assert response.status_code == 400
    assert "反馈表.pdf" in str(response.context["form"].errors["paper_form"])
    assert not Rating.objects.exists()


def test_the_service_checks_the_form_whichever_page_sends_it(staff, reply):
    polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"
    with pytest.raises(ProposalError, match="夹带网页代码"):
        record_paper_rating(
            reply=reply, by=staff, attitude="satisfied", result="satisfied", paper_form=signed_form(content=polyglot)
        )
    assert not Rating.objects.exists()


def test_unsatisfied_on_paper_needs_the_deputys_reason_too(client, staff, reply):
    client.force_login(staff)
    response = client.post(url(reply), {"attitude": "satisfied", "result": "unsatisfied", "paper_form": signed_form()})
    assert response.status_code == 400 and "comment" in response.context["form"].errors


@pytest.mark.parametrize("who", ["unit_handler", "unit_head", "deputy", "supervision"])
def test_nobody_but_congress_staff_records_a_paper_rating(client, request, reply, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    response = client.post(url(reply), {"attitude": "satisfied", "result": "satisfied", "paper_form": signed_form()})
    assert response.status_code == 404
    assert client.get(reverse("handling:unrated_replies")).status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["other_deputy", "unit_handler"])
def test_the_signed_form_is_not_for_everyone(client, request, staff, reply, who):
    client.force_login(staff)
    client.post(url(reply), {"attitude": "satisfied", "result": "satisfied", "paper_form": signed_form()})
    rating = Rating.objects.get()
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("handling:paper_form", args=[rating.pk])).status_code == 404


def test_the_unrated_list_shows_replies_waiting_for_a_rating(client, staff, deputy, meeting, category, cast):
    waiting = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.CLOSED, cast)
    client.force_login(staff)
    response = client.get(reverse("handling:unrated_replies"))
    assert [r.assignment.proposal for r in response.context["page"]] == [waiting]
    assert client.get(reverse("handling:unrated_replies"), {"q": "不存在的标题"}).context["page"].object_list == []


@pytest.mark.parametrize("rows", [10, 200])
def test_the_unrated_list_takes_a_fixed_number_of_queries(
    client, staff, deputy, meeting, category, cast, rows, django_assert_max_num_queries
):
    first = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    source = Reply.objects.get(assignment__proposal=first)
    # More replied suggestions, copied at the row level: the services take ~0.1 s each.
    for _ in range(rows - 1):
        proposal = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
        type(proposal).objects.filter(pk=proposal.pk).update(state=S.REPLIED)
        assignment = source.assignment
        assignment.pk = None
        assignment.proposal = proposal
        assignment.save()
        copy = Reply.objects.get(pk=source.pk)
        copy.pk = None
        copy.assignment = assignment
        copy.save()
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("handling:unrated_replies"))
    assert response.context["page"].paginator.count == rows
