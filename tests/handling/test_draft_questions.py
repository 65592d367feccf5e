"""Before submitting, a deputy may ask a unit about a draft (提出前沟通); the unit answers and
the answer appears on the draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from handling.models import PreSubmissionQuestion
from proposals.models import Notification, ProposalState
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


def ask(client, draft, unit, text="学校周边是否已有信号灯规划？"):
    return client.post(reverse("handling:ask_unit", args=[draft.pk]), {"unit": unit.pk, "question": text})


def test_the_deputy_asks_and_the_unit_answers_on_the_draft(client, deputy, draft, unit, unit_handler):
    client.force_login(deputy.user)
    response = ask(client, draft, unit)

    assert response.status_code == 302 and response["Location"] == reverse("proposals:edit", args=[draft.pk])
    question = PreSubmissionQuestion.objects.get()
    assert (question.unit, question.draft_title, question.asked_by) == (unit, draft.title, deputy.user)
    assert draft.events.filter(action="draft_question").exists()
    notice = Notification.objects.get(recipient=unit_handler, kind="draft_question")
    assert notice.proposal is None  # the unit may read the question, not open the draft
    assert notice.url == reverse("handling:question_answer", args=[question.pk])

    client.force_login(unit_handler)
    listed = client.get(reverse("handling:questions"))
    assert list(listed.context["waiting"]) == [question]
    page = client.get(notice.url)
    assert draft.body in page.content.decode()  # the copy of the draft, as it was
    assert client.get(reverse("proposals:detail", args=[draft.pk])).status_code == 404  # but not the draft
    response = client.post(notice.url, {"answer": "已列入明年计划，建议可补充具体路口。"})
    assert response.status_code == 302

    question.refresh_from_db()
    assert question.is_answered and question.answered_by == unit_handler
    assert Notification.objects.filter(recipient=deputy.user, kind="draft_answer").exists()
    client.force_login(deputy.user)
    draft_page = client.get(reverse("proposals:edit", args=[draft.pk])).content.decode()
    assert "已列入明年计划，建议可补充具体路口。" in draft_page

    client.force_login(unit_handler)
    answered = client.get(reverse("handling:questions")).content.decode()
    assert "本单位答复：已列入明年计划，建议可补充具体路口。" in answered  # the unit's list shows its answer


def test_an_empty_question_comes_back_with_the_chosen_unit(client, deputy, draft, unit):
    client.force_login(deputy.user)
    response = ask(client, draft, unit, text="   ")
    assert response.status_code == 400
    assert response.context["form"]["unit"].value() == str(unit.pk)
    assert not PreSubmissionQuestion.objects.exists()


def test_questions_are_for_drafts_only(client, deputy, draft, cast, unit):
    advance(draft, S.SUBMITTED, cast)
    client.force_login(deputy.user)
    assert client.get(reverse("handling:ask_unit", args=[draft.pk])).status_code == 302
    # Asked on a page left open after submitting: refused with why, the question kept.
    response = ask(client, draft, unit, text="我在另一页写的问题")
    assert response.status_code == 400
    assert "我在另一页写的问题" in response.content.decode() and "尚未提交的草稿" in response.content.decode()
    assert not PreSubmissionQuestion.objects.exists()


@pytest.mark.parametrize("who", ["cosigner", "other_deputy", "unit_handler"])
def test_only_the_lead_deputy_asks(client, request, draft, unit, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert ask(client, draft, unit).status_code == 404
    assert not PreSubmissionQuestion.objects.exists()


def test_only_the_unit_asked_answers_and_only_once(client, deputy, draft, unit, unit_handler, other_unit_handler):
    client.force_login(deputy.user)
    ask(client, draft, unit)
    question = PreSubmissionQuestion.objects.get()
    url = reverse("handling:question_answer", args=[question.pk])

    client.force_login(other_unit_handler)
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "别的单位"}).status_code == 404
    assert list(client.get(reverse("handling:questions")).context["waiting"]) == []

    client.force_login(deputy.user)
    assert client.post(url, {"answer": "自问自答"}).status_code == 404

    client.force_login(unit_handler)
    client.post(url, {"answer": "第一次答复"})
    # A colleague answering a moment later is told so, on the page, with the text kept (no 404).
    second = client.post(url, {"answer": "第二次答复"})
    assert second.status_code == 400
    assert "第二次答复" in second.content.decode() and "已经答复" in second.content.decode()
    question.refresh_from_db()
    assert question.answer == "第一次答复"


def test_deputies_and_staff_have_no_unit_question_list(client, deputy, staff):
    for user in (deputy.user, staff):
        client.force_login(user)
        assert client.get(reverse("handling:questions")).status_code == 404


def test_a_unit_answering_a_member_is_told_it_went_to_the_member(client, member, proposal_draft, unit, unit_handler):
    client.force_login(member.user)
    ask(client, proposal_draft, unit)
    question = PreSubmissionQuestion.objects.get()
    client.force_login(unit_handler)
    done = client.post(reverse("handling:question_answer", args=[question.pk]), {"answer": "已列入计划"}, follow=True)
    said = [str(m) for m in done.context["messages"]]
    assert said[-1] == "您的答复已发送给委员。"
