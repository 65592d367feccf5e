"""Congress staff's review in the browser: register with a number (automatic, editable before
assignment), return for revision or mark not accepted with a reason the deputy sees, merge."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.urls import reverse

from handling import services as hs
from proposals.models import Notification, ProposalEvent, ProposalState
from tests.factories import CategoryFactory, ProposalFactory
from tests.pages import many_proposals, text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(draft, cast):
    return advance(draft, S.SUBMITTED, cast)


def test_the_review_page_proposes_the_next_free_number(client, staff, submitted, deputy, meeting, category, cast):
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)  # No. 1
    client.force_login(staff)
    page = client.get(reverse("proposals:review", args=[submitted.pk]))
    assert page.status_code == 200
    assert 'name="number" value="2"' in page.content.decode()
    assert submitted.body in text(page)


def test_register_takes_the_number_and_category_and_writes_the_event(client, staff, submitted):
    other = CategoryFactory(name="城乡建设")
    client.force_login(staff)
    response = client.post(
        reverse("proposals:register", args=[submitted.pk]), {"number": "7", "category": other.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("proposals:review_queue")
    submitted.refresh_from_db()
    assert (submitted.state, submitted.number, submitted.category) == (S.REGISTERED, 7, other)
    event = submitted.events.get(action="register")
    assert (event.actor, event.data) == (staff, {"number": 7})
    assert Notification.objects.filter(kind="registered", recipient=submitted.lead_deputy.user).exists()


def test_an_empty_number_takes_the_next_free_one(client, staff, submitted, category):
    client.force_login(staff)
    client.post(reverse("proposals:register", args=[submitted.pk]), {"number": "", "category": category.pk})
    submitted.refresh_from_db()
    assert submitted.number == 1


def test_a_number_already_used_is_refused_and_what_was_typed_stays(
    client, staff, submitted, deputy, meeting, category, cast
):
    advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)  # No. 1
    client.force_login(staff)
    page = client.post(reverse("proposals:register", args=[submitted.pk]), {"number": "1", "category": category.pk})
    assert page.status_code == 400
    assert "已有第1号" in text(page)
    assert 'name="number" value="1"' in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_registering_twice_is_refused_and_changes_nothing(client, staff, submitted, category):
    client.force_login(staff)
    client.post(reverse("proposals:register", args=[submitted.pk]), {"number": "3", "category": category.pk})
    page = client.post(reverse("proposals:register", args=[submitted.pk]), {"number": "4", "category": category.pk})
    assert page.status_code == 400
    submitted.refresh_from_db()
    assert submitted.number == 3
    assert submitted.events.filter(action="register").count() == 1


@pytest.mark.parametrize("who", ["unit_handler", "leader", "deputy"])
def test_only_staff_review(client, request, submitted, category, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client.force_login(user)
    assert client.get(reverse("proposals:review", args=[submitted.pk])).status_code == 404
    assert client.post(reverse("proposals:register", args=[submitted.pk]), {"category": category.pk}).status_code == 404
    assert client.post(reverse("proposals:return", args=[submitted.pk]), {"return-reason": "x"}).status_code == 404
    assert client.get(reverse("proposals:review_queue")).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED


def test_return_for_revision_needs_a_reason_the_deputy_then_sees(client, staff, submitted):
    client.force_login(staff)
    page = client.post(reverse("proposals:return", args=[submitted.pk]), {"return-reason": ""})
    assert page.status_code == 400
    assert "这个字段是必填项" in text(page)
    client.post(reverse("proposals:return", args=[submitted.pk]), {"return-reason": "请补充调研数据"})
    submitted.refresh_from_db()
    assert submitted.state == S.RETURNED
    assert submitted.events.get(action="return_for_revision").note == "请补充调研数据"
    notice = Notification.objects.get(kind="returned", recipient=submitted.lead_deputy.user)
    assert "请补充调研数据" in notice.message
    client.force_login(submitted.lead_deputy.user)
    assert "请补充调研数据" in text(client.get(reverse("proposals:detail", args=[submitted.pk])))


def test_not_accepted_with_a_reason(client, staff, submitted):
    client.force_login(staff)
    client.post(reverse("proposals:decline", args=[submitted.pk]), {"decline-reason": "属个人诉求，转信访部门"})
    submitted.refresh_from_db()
    assert submitted.state == S.NOT_ACCEPTED
    assert submitted.events.get(action="decline").note == "属个人诉求，转信访部门"


def test_the_number_can_be_changed_until_assignment(client, staff, submitted, cast, category):
    client.force_login(staff)
    client.post(reverse("proposals:register", args=[submitted.pk]), {"number": "5", "category": category.pk})
    client.post(reverse("proposals:renumber", args=[submitted.pk]), {"number": "9"})
    submitted.refresh_from_db()
    assert submitted.number == 9
    assert submitted.events.get(action="renumber").data == {"from": 5, "to": 9}
    hs.assign_proposal(proposal=submitted, by=staff, lead_unit=cast.unit)
    page = client.post(reverse("proposals:renumber", args=[submitted.pk]), {"number": "11"})
    assert page.status_code == 400
    assert "交办" in text(page)
    submitted.refresh_from_db()
    assert submitted.number == 9


@pytest.fixture
def registered_three(deputy, other_deputy, cosigner, meeting, category, cast):
    """Three registered suggestions of three deputies."""
    return [
        advance(
            ProposalFactory(lead_deputy=d, meeting=meeting, category=category),
            S.REGISTERED,
            dataclasses.replace(cast, deputy_user=d.user),
        )
        for d in (deputy, other_deputy, cosigner)
    ]


def test_staff_merge_the_ticked_suggestions_under_the_main_one(client, staff, registered_three):
    main, second, third = registered_three
    client.force_login(staff)
    response = client.post(
        reverse("proposals:review_queue"),
        {"ids": [main.pk, second.pk, third.pk], "main": main.pk, "note": "同一路段"},
    )
    assert response.status_code == 302
    for member in (second, third):
        member.refresh_from_db()
        assert member.merged_into == main
        assert member.events.get(action="merge_member").note == "同一路段"
    assert ProposalEvent.objects.get(proposal=main, action="merge_main").actor == staff
    page = client.get(reverse("proposals:review_queue"))
    assert f"已并入：{second.number_label}" in text(page)


def test_a_merge_without_a_main_one_is_refused_and_the_ticks_stay(client, staff, registered_three):
    main, second, _third = registered_three
    client.force_login(staff)
    page = client.post(reverse("proposals:review_queue"), {"ids": [main.pk, second.pk]})
    assert page.status_code == 400
    assert "请选定主件" in text(page)
    html = page.content.decode()
    assert f'name="ids" value="{main.pk}" checked' in html and f'name="ids" value="{second.pk}" checked' in html
    second.refresh_from_db()
    assert second.merged_into is None


def test_only_one_ticked_is_not_a_merge(client, staff, registered_three):
    main = registered_three[0]
    client.force_login(staff)
    page = client.post(reverse("proposals:review_queue"), {"ids": [main.pk], "main": main.pk})
    assert page.status_code == 400
    assert "请至少勾选两件建议并案" in text(page)


@pytest.mark.parametrize("rows", [10, 200])
def test_the_review_queue_runs_a_fixed_number_of_queries(
    client, staff, deputy, meeting, category, unit, django_assert_max_num_queries, rows
):
    many_proposals(rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, state=S.SUBMITTED)
    many_proposals(
        rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, state=S.REGISTERED, start=1
    )
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("proposals:review_queue")).status_code == 200


def test_each_list_of_the_review_queue_turns_its_own_pages(client, staff, deputy, meeting, category, unit):
    for state in (S.SUBMITTED, S.REGISTERED):
        many_proposals(51, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, state=state)
    client.force_login(staff)
    page = client.get(reverse("proposals:review_queue"), {"rpage": 2}).content.decode()
    # The submitted list's next page keeps the registered list where it is, and the other way round.
    links = re.findall(r'<a href="([^"]+)" rel="(next|prev)">', page)
    assert links == [("?rpage=2&amp;page=2", "next"), ("?rpage=1", "prev")]


@pytest.mark.parametrize(("step", "field"), [("return", "return-reason"), ("decline", "decline-reason")])
def test_return_and_decline_only_while_submitted(client, staff, draft, cast, step, field):
    registered = advance(draft, S.REGISTERED, cast)
    client.force_login(staff)
    page = client.post(reverse(f"proposals:{step}", args=[registered.pk]), {field: "理由"})
    assert page.status_code == 400
    registered.refresh_from_db()
    assert registered.state == S.REGISTERED
    assert not registered.events.filter(action__in=["return_for_revision", "decline"]).exists()


def test_a_unit_cannot_merge(client, unit_handler, registered_three):
    main, second, _third = registered_three
    client.force_login(unit_handler)
    response = client.post(reverse("proposals:review_queue"), {"ids": [main.pk, second.pk], "main": main.pk})
    assert response.status_code == 404
    second.refresh_from_db()
    assert second.merged_into is None


def test_the_review_queue_search_matches_each_word_typed(client, staff, deputy, meeting, category, cast):
    hit = advance(
        ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于西湖片区增开公交线路的建议"),
        S.SUBMITTED,
        cast,
    )
    miss = advance(
        ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于西湖公园改造的建议"),
        S.SUBMITTED,
        cast,
    )
    client.force_login(staff)
    body = client.get(reverse("proposals:review_queue"), {"q": "西湖 公交"}).content.decode()
    assert hit.title in body and miss.title not in body
