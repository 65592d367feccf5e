"""The lead deputy's rating page: attitude and result, a comment when not satisfied; 不满意 on
the result sends a first reply to re-handling with a new deadline, and the second rating
stands. Nobody else rates: not another deputy, not a co-signer, never a unit."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from handling import services as hs
from handling.models import Rating, Reply
from proposals import services as ps
from proposals.models import Notification, ProposalState
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(draft, cast):
    return advance(draft, S.REPLIED, cast)


def first_reply(proposal):
    return Reply.objects.get(assignment__proposal=proposal, round=1)


MESSAGE = "请说明不满意的原因。"


def rate_url(reply):
    return reverse("handling:rate", args=[reply.pk])


def rate_for_good(client, reply, data, **kwargs):
    """The whole way on the page: the choice, 确认提交 on the restated choice, then 确认，不再修改."""
    client.post(rate_url(reply), {**data, "confirmed": "1"})
    return client.post(rate_url(reply), {"settle": "1"}, **kwargs)


def test_the_lead_deputy_rates_satisfied_and_the_suggestion_closes(client, deputy, replied, cast):
    reply = first_reply(replied)
    client.force_login(deputy.user)
    assert client.get(rate_url(reply)).status_code == 200

    choice = {"attitude": "satisfied", "result": "basic", "comment": ""}
    restated = client.post(rate_url(reply), choice)
    assert restated.status_code == 200
    assert "请确认：您对办理态度的评价是“满意”，对办理结果的评价是“基本满意”。" in restated.content.decode()
    assert not Rating.objects.exists()  # nothing is recorded before it is confirmed

    response = rate_for_good(client, reply, choice)

    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:mine_detail", args=[replied.pk]) + f"#reply-{reply.pk}"
    replied.refresh_from_db()
    assert replied.state == S.CLOSED
    rating = Rating.objects.get(reply=reply)
    assert (rating.attitude, rating.result, rating.rated_by, rating.is_paper) == (
        "satisfied",
        "basic",
        deputy.user,
        False,
    )
    event = replied.events.get(action="rate")
    assert (event.actor, event.from_state, event.to_state) == (deputy.user, S.REPLIED, S.CLOSED)
    assert Notification.objects.filter(recipient=cast.handler, kind="rated").exists()


def test_unsatisfied_needs_a_comment_and_keeps_what_was_chosen(client, deputy, replied):
    reply = first_reply(replied)
    client.force_login(deputy.user)

    response = client.post(rate_url(reply), {"attitude": "basic", "result": "unsatisfied", "comment": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors["comment"] == [MESSAGE]
    assert MESSAGE in html
    assert 'value="unsatisfied" id="id_result_2" required checked' in html  # the choice is kept
    assert not Rating.objects.exists()
    replied.refresh_from_db()
    assert replied.state == S.REPLIED


@time_machine.travel(dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC), tick=False)
@override_settings(REHANDLING_PERIOD="1m")
def test_unsatisfied_result_sends_it_to_rehandling_then_the_second_rating_stands(client, deputy, replied, cast):
    reply = first_reply(replied)
    client.force_login(deputy.user)

    response = rate_for_good(
        client, reply, {"attitude": "satisfied", "result": "unsatisfied", "comment": "信号灯还没装"}, follow=True
    )

    replied.refresh_from_db()
    assert replied.state == S.REHANDLING
    assert replied.due_on == dt.date(2026, 6, 4)  # one month from the rating
    assert "2026-06-04" in response.content.decode()
    assert response.context["state_text"] == "评价不满意，承办单位重新办理中，距答复期限还有 31 天"
    assert Notification.objects.filter(recipient=cast.handler, kind="rated", message__contains="2026-06-04").exists()
    # The unit reads why: in the notice, on its panel of the suggestion, beside the second-round form.
    assert Notification.objects.filter(recipient=cast.handler, message__contains="代表的理由：信号灯还没装").exists()
    client.force_login(cast.handler)
    panel = client.get(reverse("proposals:detail", args=[replied.pk])).content.decode()
    assert "要求重新办理" in panel and "信号灯还没装" in panel
    assignment = replied.assignments.get(role="lead")
    form_page = client.get(reverse("handling:reply_edit", args=[assignment.pk])).content.decode()
    assert "代表的理由" in form_page and "信号灯还没装" in form_page and "第一次答复" in form_page
    client.force_login(deputy.user)
    # The first reply cannot be rated again.
    assert client.post(rate_url(reply), {"attitude": "satisfied", "result": "satisfied"}).status_code == 400
    assert Rating.objects.filter(reply=reply).count() == 1

    second = reply_and_issue(replied, cast, text="重新办理：信号灯已安装。")
    assert second.round == 2
    assert Notification.objects.filter(recipient=deputy.user, kind="rehandling_reply").exists()
    page = client.get(rate_url(second))
    assert "最终评价" in page.content.decode()

    rate_for_good(client, second, {"attitude": "satisfied", "result": "satisfied"})

    replied.refresh_from_db()
    assert replied.state == S.CLOSED


def test_an_unsatisfied_second_rating_also_closes_it(client, deputy, cast, draft):
    proposal = advance(draft, S.REHANDLING, cast)
    second = reply_and_issue(proposal, cast, text="第二次答复")
    client.force_login(deputy.user)
    rate_for_good(client, second, {"attitude": "unsatisfied", "result": "unsatisfied", "comment": "仍未解决"})
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert Reply.objects.filter(assignment__proposal=proposal).count() == 2


@pytest.mark.parametrize("who", ["other_deputy", "cosigner", "unit_handler", "unit_head", "staff", "outsider"])
def test_nobody_but_the_lead_deputy_rates(client, request, deputy, cosigner, draft, cast, who):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    proposal = advance(draft, S.REPLIED, cast)
    reply = first_reply(proposal)
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))

    assert client.get(rate_url(reply)).status_code == 404
    assert client.post(rate_url(reply), {"attitude": "satisfied", "result": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()


def test_there_is_nothing_to_rate_before_the_reply_is_issued(client, deputy, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    reply = hs.save_reply_draft(
        assignment=proposal.assignments.get(), by=cast.handler, result_category=cast.result, body="草稿", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)  # approved, waiting for staff: not issued
    client.force_login(deputy.user)
    assert client.post(rate_url(reply), {"attitude": "satisfied", "result": "satisfied"}).status_code == 404
    assert not Rating.objects.exists()


def test_a_reply_is_rated_only_once(client, deputy, replied):
    reply = first_reply(replied)
    client.force_login(deputy.user)
    rate_for_good(client, reply, {"attitude": "satisfied", "result": "satisfied"})
    # Posted from a page left open: refused with why, and the comment typed there is still on it.
    response = client.post(
        rate_url(reply), {"attitude": "unsatisfied", "result": "unsatisfied", "comment": "改主意", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert "改主意" in response.content.decode() and "评价不能更改" in response.content.decode()
    assert list(Rating.objects.values_list("result", flat=True)) == ["satisfied"]
