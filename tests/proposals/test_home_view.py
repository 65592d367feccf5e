"""The workbench (工作台): each person's waiting work as counts that link to the lists behind them."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import override_settings
from django.urls import reverse

from proposals.models import ProposalState
from proposals.selectors import filter_proposals, workbench
from tests.factories import ProposalFactory
from tests.pages import many_proposals, text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


def tile(user, key):
    return next(t for t in workbench(user) if t.key == key)


def test_staff_see_what_waits_for_review_and_assignment(client, staff, deputy, meeting, category, cast):
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    client.force_login(staff)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert tile(staff, "review").count == 2
    assert tile(staff, "review").url == reverse("proposals:review_queue")
    to_assign = tile(staff, "to_assign")
    assert to_assign.count == 1
    assert to_assign.url == reverse("proposals:list") + "?todo=to_assign"
    body = text(page)
    assert "待审查" in body and "待交办" in body and "7天内到期" in body and "已超期" in body


def test_every_count_agrees_with_the_list_it_links_to(
    client, staff, unit_handler, unit_head, co_handler, co_unit, deputy, meeting, category, cast
):
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.ASSIGNED, cast)
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.IN_HANDLING, cast)
    cast.co_units = [co_unit]  # the co-handler signs for it, then owes its opinion
    co_handled = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.IN_HANDLING, cast)
    client.force_login(co_handler)
    client.post(reverse("handling:sign", args=[co_handled.assignments.get(unit=co_unit).pk]))
    counted = {t.key: t.count for t in workbench(co_handler)}
    assert (counted["co_opinion"], counted["draft"]) == (1, 0)
    for user in (staff, unit_handler, unit_head, co_handler):
        for t in workbench(user):
            path, _sep, query = t.url.partition("?")
            if path == reverse("proposals:list"):
                listed = filter_proposals(user, QueryDict(query))[0].count()
                assert listed == t.count, (user.username, str(t.label))
                client.force_login(user)
                assert f"{t.count} 件建议" in text(client.get(t.url))


def test_a_unit_sees_what_to_sign_for_and_the_head_what_to_approve(
    unit_handler, unit_head, deputy, meeting, category, cast
):
    assigned = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.ASSIGNED, cast)
    assert tile(unit_handler, "sign").count == 1
    handling = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.IN_HANDLING, cast)
    assert tile(unit_handler, "draft").count == 1
    from handling import services as hs

    reply = hs.save_reply_draft(
        assignment=handling.assignments.get(), by=unit_handler, result_category=cast.result, body="答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=unit_handler)
    assert tile(unit_head, "approve").count == 1
    assert tile(unit_handler, "draft").count == 0
    hs.return_reply(reply=reply, by=unit_head, note="请补充")
    assert tile(unit_handler, "returned").count == 1
    assert tile(unit_head, "approve").count == 0
    assert "approve" not in [t.key for t in workbench(unit_handler)]
    assert assigned.pk != handling.pk


def test_another_units_work_is_not_counted(other_unit_handler, deputy, meeting, category, cast):
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.ASSIGNED, cast)
    assert tile(other_unit_handler, "sign").count == 0


@override_settings(ROOT_URLCONF="tests.urlconfs.without_later_pages")
def test_a_deputy_without_their_own_page_gets_a_simple_list(client, deputy, draft):
    client.force_login(deputy.user)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert draft.title in text(page)


@override_settings(ROOT_URLCONF="tests.urlconfs.with_later_pages")
def test_a_deputy_is_sent_to_their_own_page_once_it_exists(client, deputy):
    client.force_login(deputy.user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:mine")


@pytest.mark.parametrize("rows", [10, 200])
def test_the_workbench_runs_a_fixed_number_of_queries(
    client, staff, unit_handler, deputy, meeting, category, unit, co_unit, django_assert_max_num_queries, rows
):
    many_proposals(rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, co_unit=co_unit)
    for user in (staff, unit_handler):
        client.force_login(user)
        with django_assert_max_num_queries(30):
            assert client.get(reverse("home")).status_code == 200


def test_staff_count_the_approved_replies_waiting_for_their_review(staff, draft, cast):
    from handling import services as hs

    proposal = advance(draft, S.IN_HANDLING, cast)
    reply = hs.save_reply_draft(
        assignment=proposal.assignments.get(), by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    assert tile(staff, "review_reply").count == 0
    hs.approve_reply(reply=reply, by=cast.head)
    assert tile(staff, "review_reply").count == 1
    assert tile(staff, "review_reply").url == reverse("handling:reply_reviews")
    hs.issue_reply(reply=reply, by=staff)
    assert tile(staff, "review_reply").count == 0


def test_leaders_see_overdue_and_key_suggestions(leader, staff, draft, cast):
    from supervision.models import KeyItem

    proposal = advance(draft, S.IN_HANDLING, cast)
    KeyItem.objects.create(year=2026, title="教育", leader=leader, created_by=staff).proposals.add(proposal)
    assert tile(leader, "key").count == 1
    assert {"due_soon", "overdue", "replied"} <= {t.key for t in workbench(leader)}
