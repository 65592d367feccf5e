"""回头看: once a B-class promise's date has passed or its unit reports it kept, the lead deputy
is asked whether it was kept (kept / partly / not kept, with a comment); the ask shows on the
deputy's pages at once and the daily scan sends the notice once; staff read the answers on the
follow-up list (a column, a filter, the count of promises kept as deputies confirm)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals.hooks import facts_of, load_follow_facts
from proposals.models import Notification, Proposal
from proposals.workflow import ProposalError, Refused
from supervision import resurvey, selectors, services
from supervision.models import Promise, PromiseSurvey
from supervision.reminders import run_daily_scan
from tests.supervision.conftest import today

pytestmark = pytest.mark.django_db


def past_due(promise: Promise) -> Promise:
    Promise.objects.filter(pk=promise.pk).update(promised_by=today() - dt.timedelta(days=1))
    promise.refresh_from_db()
    return promise


def asks_of(proposal: Proposal, deputy) -> list[str]:
    row = load_follow_facts(Proposal.objects.filter(pk=proposal.pk), deputy.pk).get()
    return [ask.text for ask in facts_of(row, is_lead=True).asks if "承诺" in ask.text]


def test_nothing_is_asked_before_the_date_or_a_report(promise, deputy):
    assert not resurvey.is_due(promise)
    assert asks_of(promise.proposal, deputy) == []
    with pytest.raises(ProposalError):
        resurvey.answer_survey(promise=promise, by=deputy.user, answer="kept")


def test_posted_too_early_or_twice_the_page_says_which(promise, deputy, client):
    client.force_login(deputy.user)
    url = reverse("supervision:promise_survey", args=[promise.pk])
    early = client.post(url, {"answer": "kept"}).content.decode()
    assert "承诺期限届满或单位报告已落实后" in early and "您已答复过" not in early
    past_due(promise)
    client.post(url, {"answer": "kept"})
    again = client.post(url, {"answer": "partly", "comment": "另一台手机上写的意见"})
    assert again.status_code == 400
    assert "您已答复过" in again.content.decode() and "另一台手机上写的意见" in again.content.decode()
    assert list(PromiseSurvey.objects.values_list("answer", flat=True)) == ["kept"]


def test_past_its_date_the_deputy_is_asked_and_told_once(promise, deputy):
    past_due(promise)

    assert asks_of(promise.proposal, deputy) == ["区教育局的承诺落实了吗？请回头看"]
    assert run_daily_scan(only=["resurvey"])["resurvey"] == 1
    notice = Notification.objects.get(recipient=deputy.user, message__contains="承诺的期限")
    assert notice.url == reverse("supervision:promise_survey", args=[promise.pk])
    assert run_daily_scan(only=["resurvey"])["resurvey"] == 0


def test_the_units_report_that_it_is_kept_asks_the_deputy(promise, deputy, unit_handler):
    services.report_promise_progress(promise=promise, by=unit_handler, body="学校已建成", done=True)
    promise.refresh_from_db()

    assert resurvey.is_due(promise)
    run_daily_scan(only=["resurvey"])
    assert Notification.objects.filter(recipient=deputy.user, message__contains="报告已落实").exists()


@pytest.mark.parametrize("answer", ["kept", "partly", "not_kept"])
def test_the_deputy_answers_and_the_trail_keeps_it(promise, deputy, staff, unit_handler, answer):
    past_due(promise)
    comment = "" if answer == "kept" else "只建了一半"

    survey = resurvey.answer_survey(promise=promise, by=deputy.user, answer=answer, comment=comment)

    assert (survey.answer, survey.answered_by) == (answer, deputy.user)
    event = promise.proposal.events.get(action="promise_resurvey")
    assert (event.actor, event.data["answer"]) == (deputy.user, answer)
    told = Notification.objects.filter(message__contains="回头看").values_list("recipient", flat=True)
    assert (staff.pk in told and unit_handler.pk in told) == (answer != "kept")
    assert asks_of(promise.proposal, deputy) == []
    with pytest.raises(ProposalError):
        resurvey.answer_survey(promise=promise, by=deputy.user, answer="kept")


def test_not_kept_needs_a_comment(promise, deputy):
    past_due(promise)
    with pytest.raises(ProposalError):
        resurvey.answer_survey(promise=promise, by=deputy.user, answer="not_kept", comment=" ")
    assert not PromiseSurvey.objects.exists()


def test_only_the_lead_deputy_answers(promise, cosigner, staff, unit_handler, client):
    past_due(promise)
    for who in (cosigner.user, staff, unit_handler):
        with pytest.raises(Refused):
            resurvey.answer_survey(promise=promise, by=who, answer="kept")
        client.force_login(who)
        assert client.get(reverse("supervision:promise_survey", args=[promise.pk])).status_code == 404


def test_on_the_page_the_deputy_answers(promise, deputy, client):
    past_due(promise)
    client.force_login(deputy.user)
    url = reverse("supervision:promise_survey", args=[promise.pk])
    detail = client.get(reverse("proposals:mine_detail", args=[promise.proposal_id])).content.decode()
    assert "承诺事项与回头看" in detail and url in detail

    assert client.post(url, {"answer": "partly", "comment": ""}).status_code == 400
    response = client.post(url, {"answer": "partly", "comment": "操场未完工"})

    assert response.status_code == 302
    assert PromiseSurvey.objects.get().answer == "partly"
    assert "部分落实" in client.get(url).content.decode()


def test_staff_see_the_answers_on_the_follow_up_list_and_filter_them(promise, deputy, staff, client):
    past_due(promise)
    client.force_login(staff)
    listing = client.get(reverse("supervision:followup"), {"survey": "waiting"})
    assert listing.context["page"].object_list[0] == promise
    assert listing.context["counts"]["survey_waiting"] == 1

    resurvey.answer_survey(promise=promise, by=deputy.user, answer="kept")

    assert not client.get(reverse("supervision:followup"), {"survey": "waiting"}).context["page"].object_list
    kept = client.get(reverse("supervision:followup"), {"state": "all", "survey": "kept"})
    assert list(kept.context["page"].object_list) == [promise]
    assert kept.context["counts"]["deputy_kept"] == 1
    assert "代表回头看" in kept.content.decode()
    assert "已落实" in client.get(reverse("supervision:promise_detail", args=[promise.pk])).content.decode()


def test_the_year_counts_promises_kept_as_deputies_confirm(promise, deputy):
    past_due(promise)
    year = promise.proposal.meeting.year
    assert selectors.resurvey_counts(year) == {
        "promises": 1,
        "confirmed_kept": 0,
        "deputy_kept": 0,
        "deputy_partly": 0,
        "deputy_not_kept": 0,
        "waiting": 1,
    }
    resurvey.answer_survey(promise=promise, by=deputy.user, answer="kept")
    counts = selectors.resurvey_counts(year)
    assert (counts["deputy_kept"], counts["waiting"]) == (1, 0)


def test_the_annual_report_counts_promises_kept_as_deputies_confirm(promise, deputy):

    from reports.annual import render_html, report_context

    past_due(promise)
    resurvey.answer_survey(promise=promise, by=deputy.user, answer="kept")

    text = render_html(report_context(promise.proposal.meeting.year), for_print=True)

    assert "共作出承诺1项" in text and "代表确认已落实1项、部分落实0项、未落实0项" in text


def test_each_streams_promises_are_counted_apart_and_the_combined_report_states_both(
    promise, deputy, proposal_draft, proposal_cast, member, result_b
):
    from reports.annual import render_html, report_context
    from supervision.services import sync_promises
    from tests.supervision.conftest import issue_b_reply
    from tests.workflow import advance

    proposal = advance(proposal_draft, "in_handling", proposal_cast)
    issue_b_reply(proposal, proposal_cast, result_b)
    sync_promises()
    of_member = Promise.objects.get(proposal=proposal)
    past_due(promise)
    past_due(of_member)
    resurvey.answer_survey(promise=of_member, by=member.user, answer="partly", comment="只建了一半")
    year = promise.proposal.meeting.year
    assert proposal.meeting.year == year
    suggestions, proposals = (selectors.resurvey_counts(year, s) for s in ("suggestion", "proposal"))
    both = selectors.resurvey_counts(year)
    assert (suggestions["promises"], suggestions["waiting"], suggestions["deputy_partly"]) == (1, 1, 0)
    assert (proposals["promises"], proposals["waiting"], proposals["deputy_partly"]) == (1, 0, 1)
    assert all(both[k] == suggestions[k] + proposals[k] for k in both)

    of_proposals = render_html(report_context(year, stream="proposal"), for_print=True)
    assert "共作出承诺1项" in of_proposals and "委员确认已落实0项、部分落实1项" in of_proposals
    combined = render_html(report_context(year, stream=""), for_print=True)
    assert "共作出承诺2项" in combined
    assert "人大代表建议承诺1项" in combined and "政协委员提案承诺1项" in combined
    assert "政协委员提案承诺1项，经核实已落实0项，政协委员确认已落实0项、部分落实1项、未落实0项。" in combined
