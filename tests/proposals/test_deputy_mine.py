"""“My suggestions”: the ones I lead and the ones I co-signed, each with its state in plain
words, its units and what is asked of me now; invitations to co-sign on top."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from deputies.planner import PG_PLANNER
from handling import services as hs
from proposals import services as ps
from proposals.models import Proposal, ProposalState
from tests.factories import ProposalFactory
from tests.pages import queries_for
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
URL = reverse("proposals:mine")


def cards(response):
    return {row.proposal.pk: row for row in response.context["page"].object_list}


def test_it_lists_what_i_lead_and_what_i_cosigned_and_nothing_else(
    client, deputy, cosigner, other_deputy, meeting, category
):
    mine = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="我领衔的")
    cosigned = ProposalFactory(lead_deputy=other_deputy, meeting=meeting, category=category, title="我附议的")
    ps.invite_cosigners(proposal=cosigned, deputies=[deputy], by=other_deputy.user)
    ps.answer_cosign_invitation(signature=cosigned.cosignatures.get(), accept=True, by=deputy.user)
    invited_only = ProposalFactory(lead_deputy=cosigner, meeting=meeting, category=category, title="只是被邀请")
    ps.invite_cosigners(proposal=invited_only, deputies=[deputy], by=cosigner.user)
    ProposalFactory(lead_deputy=other_deputy, meeting=meeting, category=category, title="别人的")

    client.force_login(deputy.user)
    response = client.get(URL)

    assert response.status_code == 200
    rows = cards(response)
    assert set(rows) == {mine.pk, cosigned.pk}
    assert rows[mine.pk].is_lead and not rows[cosigned.pk].is_lead
    html = response.content.decode()
    assert "我领衔" in html and "我附议" in html and "别人的" not in html
    # The pending invitation is offered on top, with its two answers.
    assert [s.proposal for s in response.context["invitations"]] == [invited_only]
    assert reverse("proposals:cosign_answer", args=[invited_only.cosignatures.get().pk]) in html


@time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False)
def test_the_state_is_in_plain_words_with_the_days_left_and_the_unit(client, deputy, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)  # assigned 2 March: due 2 June
    client.force_login(deputy.user)

    row = cards(client.get(URL))[proposal.pk]

    assert row.state_text == "承办单位办理中，距答复期限还有 92 天"
    assert row.units == "区教育局（主办单位）"
    assert row.asks == []


def test_an_overdue_suggestion_says_by_how_many_days(client, deputy, draft, cast):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    with time_machine.travel(dt.datetime(2026, 6, 7, 10, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(deputy.user)
        row = cards(client.get(URL))[proposal.pk]
    assert row.state_text == "承办单位办理中，已超过答复期限 5 天"


def test_what_is_asked_of_me_now(client, deputy, meeting, category, cast):
    closed = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.CLOSED, cast)
    replied = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    returned = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.RETURNED, cast)
    handling = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.IN_HANDLING, cast)
    hs.record_contact(
        assignment=handling.assignments.get(),
        by=cast.handler,
        kind="phone",
        stage="before",
        contact_date=dt.date.today(),
        people="王建国",
        summary="电话沟通",
    )
    client.force_login(deputy.user)

    response = client.get(URL)
    rows = cards(response)

    reply = replied.assignments.get().replies.get()
    assert [(a.text, a.url) for a in rows[replied.pk].asks] == [
        ("请阅读区教育局的答复并评价", reverse("handling:rate", args=[reply.pk]))
    ]
    assert [a.text for a in rows[returned.pk].asks] == ["请修改后重新提交"]
    assert rows[returned.pk].return_reason == "请补充调研数据"
    assert rows[handling.pk].asks[0].text.startswith("请确认") and "#contact-" in rows[handling.pk].asks[0].url
    # What needs me comes first.
    order = [row.proposal.pk for row in response.context["page"].object_list]
    assert set(order[:3]) == {replied.pk, returned.pk, handling.pk}
    assert order[-1] == closed.pk and rows[closed.pk].asks == []


def test_a_cosigner_is_asked_for_nothing_and_sees_the_lead_deputy_rates(client, deputy, cosigner, draft, cast):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    proposal = advance(draft, S.REPLIED, cast)
    client.force_login(cosigner.user)

    row = cards(client.get(URL))[proposal.pk]

    assert row.asks == []
    assert row.state_text == "已答复，等待领衔代表评价"


@override_settings(REQUIRED_COSIGNERS=2)
def test_a_draft_waiting_for_cosigners_says_how_many(client, deputy, cosigner, draft):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    client.force_login(deputy.user)

    row = cards(client.get(URL))[draft.pk]

    assert [a.text for a in row.asks] == ["等待附议：已确认 1 位，需要 2 位"]


def test_a_closed_suggestion_says_how_the_result_was_rated(client, deputy, draft, cast):
    proposal = advance(draft, S.CLOSED, cast)
    client.force_login(deputy.user)
    row = cards(client.get(URL))[proposal.pk]
    assert row.state_text == "已办结，办理结果评价为“满意”"
    assert row.group == "done"


@pytest.mark.parametrize("who", ["staff", "unit_handler"])
def test_only_deputies_have_this_page(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("rows", [10, 200])
def test_the_list_takes_a_fixed_number_of_queries(
    client, deputy, other_deputy, meeting, category, cast, rows, django_assert_max_num_queries
):
    handled = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    assert handled.state == S.REPLIED
    for index in range(rows - 1):
        lead = deputy if index % 2 else other_deputy
        proposal = ProposalFactory(lead_deputy=lead, meeting=meeting, category=category)
        if lead is other_deputy:
            ps.invite_cosigners(proposal=proposal, deputies=[deputy], by=other_deputy.user)
            ps.answer_cosign_invitation(signature=proposal.cosignatures.get(), accept=True, by=deputy.user)
    client.force_login(deputy.user)
    # On PostgreSQL the page's read first sets its planner settings (deputies/planner.py).
    planner = len(PG_PLANNER) if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(16 + planner):
        response = client.get(URL)
    assert response.context["total"] == rows


def test_ten_times_the_suggestions_take_the_same_queries(client, deputy, other_deputy, meeting, category, cast):
    def add(n):
        for index in range(n):
            lead = deputy if index % 2 else other_deputy
            proposal = ProposalFactory(lead_deputy=lead, meeting=meeting, category=category)
            if lead is other_deputy:
                ps.invite_cosigners(proposal=proposal, deputies=[deputy], by=other_deputy.user)
                ps.answer_cosign_invitation(signature=proposal.cosignatures.get(), accept=True, by=deputy.user)

    handled = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    add(9)
    client.force_login(deputy.user)
    client.get(URL)  # the first request after logging in saves the session
    few = queries_for(client, URL)
    add(90)
    # Only the rows shown are loaded: keep a handled one among them (the latest changed of
    # those that need the deputy), as with ten, so that its replies are loaded both times.
    Proposal.objects.filter(pk=handled.pk).update(updated_at=timezone.now())
    assert queries_for(client, URL) == few


def test_a_deputy_login_not_linked_to_a_deputy_is_told_why(client):
    from deputies.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="new_deputy", role=Role.DEPUTY))
    response = client.get(URL)
    assert response.status_code == 403
    assert "尚未关联代表信息" in response.content.decode()
    assert client.get(reverse("proposals:new")).status_code == 404
