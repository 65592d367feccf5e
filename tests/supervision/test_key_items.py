"""Key suggestions (重点督办): staff mark them for a year with a leading leader and a special
committee; the pages for staff, leaders, committees and the units."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

from deputies.models import SpecialCommittee
from proposals.models import Notification, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from supervision import services
from supervision.models import KeyItem
from tests import factories as f
from tests.supervision.conftest import due_in
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def committee():
    return SpecialCommittee.objects.create(name="教育科学文化卫生委员会")


def mark(by, leader, proposals, committee=None, **extra):
    return services.save_key_item(
        by=by, year=2026, title="义务教育优质均衡", leader=leader, committee=committee, proposals=proposals, **extra
    )


# --- the service -----------------------------------------------------------------------------------


def test_co_handling_units_are_told_but_not_asked_for_progress_reports(
    make_proposal, staff, leader, cast, co_unit, co_handler, unit_handler
):
    cast.co_units = [co_unit]
    mark(staff, leader, [make_proposal(S.ASSIGNED)], report_every_days=15)
    told = Notification.objects.get(recipient=co_handler, message__contains="重点督办")
    assert "协办" in told.message and "每 15 天" not in told.message
    assert Notification.objects.filter(recipient=unit_handler, message__contains="每 15 天").exists()


def test_staff_mark_several_suggestions_as_one_key_item(
    make_proposal, staff, leader, committee, committee_member, unit_handler
):
    committee_member.committee = committee
    committee_member.save()
    first, second = make_proposal(S.IN_HANDLING), make_proposal(S.REGISTERED)
    item = mark(staff, leader, [first, second], committee, report_every_days=15)
    assert set(item.proposals.all()) == {first, second}
    assert (item.year, item.leader, item.committee, item.report_every_days) == (2026, leader, committee, 15)
    for proposal in (first, second):
        event = ProposalEvent.objects.filter(proposal=proposal).latest("pk")
        assert event.action == "key_marked" and event.label == "列为重点督办建议"
        assert "义务教育优质均衡" in event.note and leader.display_name in event.note
    assert Notification.objects.filter(recipient=leader, url=reverse("supervision:key_detail", args=[item.pk]))
    assert Notification.objects.filter(recipient=committee_member, message__contains="跟踪督办").exists()
    assert Notification.objects.filter(recipient=unit_handler, message__contains="每 15 天").exists()


@pytest.mark.parametrize("who", ["supervision", "leader", "unit_handler", "deputy"])
def test_only_congress_staff_mark_key_suggestions(request, handled, leader, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(ProposalError, match="代表工作机构"):
        mark(user, leader, [handled])
    assert not KeyItem.objects.exists()
    assert not ProposalEvent.objects.filter(action="key_marked").exists()


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.CLOSED])
def test_a_suggestion_not_registered_or_already_closed_is_refused(make_proposal, draft, staff, leader, state):
    proposal = draft if state == S.DRAFT else make_proposal(state)
    with pytest.raises(ProposalError, match="已立案"):
        mark(staff, leader, [proposal])
    assert not KeyItem.objects.exists()


def test_the_leader_must_be_a_leader(handled, staff, supervision):
    with pytest.raises(ProposalError, match="领办领导"):
        mark(staff, supervision, [handled])


def test_at_least_one_suggestion(staff, leader):
    with pytest.raises(ProposalError, match="至少选择一件"):
        mark(staff, leader, [])


def test_changing_the_suggestions_records_who_came_and_went(make_proposal, staff, leader):
    first, second, third = (make_proposal(S.IN_HANDLING) for _ in range(3))
    item = mark(staff, leader, [first, second])
    mark(staff, leader, [second, third], key_item=item)
    assert set(item.proposals.all()) == {second, third}
    assert ProposalEvent.objects.filter(proposal=first, action="key_unmarked").count() == 1
    assert ProposalEvent.objects.filter(proposal=third, action="key_marked").count() == 1
    assert ProposalEvent.objects.filter(proposal=second, action="key_marked").count() == 1  # not twice


def test_a_closed_suggestion_already_in_the_item_may_stay(make_proposal, handled, staff, leader, cast):
    from handling import services as hs
    from tests.workflow import reply_and_issue

    item = mark(staff, leader, [handled])
    reply = reply_and_issue(handled, cast)
    hs.rate_reply(final=True, reply=reply, by=cast.deputy_user, attitude="satisfied", result="satisfied")
    handled.refresh_from_db()
    assert handled.state == S.CLOSED
    extra = make_proposal(S.IN_HANDLING)
    mark(staff, leader, [handled, extra], key_item=item)
    assert item.proposals.count() == 2


def test_the_suggestion_list_filter_finds_key_suggestions(make_proposal, handled, staff, leader):
    from proposals.selectors import filter_proposals

    other = make_proposal(S.IN_HANDLING)
    mark(staff, leader, [handled])
    keys, _form = filter_proposals(staff, {"key": "1"})
    assert list(keys) == [handled]
    assert other in filter_proposals(staff, {"key": "0"})[0]


# --- the pages ----------------------------------------------------------------------------------------


def test_staff_mark_key_suggestions_on_the_form(client, make_proposal, staff, leader, committee):
    first, second = make_proposal(S.IN_HANDLING), make_proposal(S.IN_HANDLING)
    client.force_login(staff)
    page = client.get(reverse("supervision:key_new"), {"year": 2026})
    assert page.status_code == 200
    assert first.title in page.content.decode() and second.title in page.content.decode()
    response = client.post(
        reverse("supervision:key_new"),
        {
            "year": 2026,
            "title": "学位供给",
            "leader": leader.pk,
            "committee": committee.pk,
            "report_every_days": 30,
            "proposals": [first.pk, second.pk],
            "note": "",
        },
    )
    item = KeyItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:key_detail", args=[item.pk])
    assert set(item.proposals.all()) == {first, second}


def test_a_form_with_errors_keeps_what_was_typed(client, handled, staff, leader):
    client.force_login(staff)
    response = client.post(
        reverse("supervision:key_new"),
        {"year": 2026, "title": "学位供给保障", "leader": leader.pk, "report_every_days": 30, "note": "备注文字"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请至少选择一件建议" in body
    assert 'value="学位供给保障"' in body and "备注文字" in body
    assert not KeyItem.objects.exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(client, make_proposal, staff, leader):
    closed = make_proposal(S.CLOSED)
    client.force_login(staff)
    response = client.post(
        reverse("supervision:key_new") + "?proposal=" + str(closed.pk),
        {"year": 2026, "title": "学位", "leader": leader.pk, "report_every_days": 30, "proposals": [closed.pk]},
    )
    assert response.status_code == 400
    assert "只有已立案、尚在办理中的建议可以列为重点督办" in response.content.decode()
    assert not KeyItem.objects.exists()


@pytest.mark.parametrize("who", ["leader", "supervision", "unit_handler"])
def test_only_staff_reach_the_form(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("supervision:key_new")).status_code == 404


def test_the_edit_form_starts_from_the_item(client, key_item, staff, handled):
    client.force_login(staff)
    body = client.get(reverse("supervision:key_edit", args=[key_item.pk])).content.decode()
    assert 'value="义务教育优质均衡"' in body
    assert f'value="{handled.pk}"' in body and "checked" in body


@pytest.mark.parametrize(
    ("who", "status"),
    [("staff", 200), ("leader", 200), ("committee_member", 200), ("supervision", 200), ("unit_handler", 200)],
)
def test_who_sees_a_key_item(client, request, key_item, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("supervision:key_detail", args=[key_item.pk])).status_code == status


@pytest.mark.parametrize("who", ["other_unit_handler", "outsider", "deputy"])
def test_others_get_not_found(client, request, key_item, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("supervision:key_detail", args=[key_item.pk])).status_code == 404


def test_the_detail_shows_suggestions_units_and_deadlines(client, key_item, handled, staff):
    due = due_in(handled, -3)
    client.force_login(staff)
    body = client.get(reverse("supervision:key_detail", args=[key_item.pk])).content.decode()
    assert handled.title in body and "区教育局" in body
    assert due.isoformat() in body and "超期 3 天" in body


def make_items(count, staff, leader, make_proposal):
    proposal = make_proposal(S.IN_HANDLING)
    for index in range(count):
        item = KeyItem.objects.create(year=2026, title=f"主题{index}", leader=leader, created_by=staff)
        item.proposals.add(proposal)


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_takes_the_same_queries_for_10_or_200_items(
    client, staff, leader, make_proposal, count, django_assert_max_num_queries
):
    make_items(count, staff, leader, make_proposal)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:key_list"))
    assert response.status_code == 200
    assert "主题1" in response.content.decode()


def test_a_unit_lists_only_the_key_items_it_works_on(client, key_item, staff, leader, other_unit_handler):
    KeyItem.objects.create(year=2026, title="别的主题", leader=leader, created_by=staff)
    client.force_login(other_unit_handler)
    body = client.get(reverse("supervision:key_list")).content.decode()
    assert "义务教育优质均衡" not in body and "别的主题" not in body


def test_a_unit_sees_on_a_key_item_only_the_suggestions_it_handles(
    client, key_item, handled, deputy, meeting, category, cast, other_unit, other_unit_handler, staff
):
    """The other suggestions of the item are not the unit's: their own pages answer 404, and
    the item's page and list neither show nor count them."""
    theirs = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="别家单位的建议")
    cast_other = replace(cast, unit=other_unit, handler=other_unit_handler)
    theirs = advance(theirs, S.IN_HANDLING, cast_other)
    key_item.proposals.add(theirs)
    client.force_login(cast.handler)
    detail = client.get(reverse("supervision:key_detail", args=[key_item.pk])).content.decode()
    assert handled.title in detail and "别家单位的建议" not in detail
    assert client.get(reverse("proposals:detail", args=[theirs.pk])).status_code == 404
    row = client.get(reverse("supervision:key_list")).context["page"].object_list[0]
    assert row.n_proposals == 1
    client.force_login(staff)
    detail = client.get(reverse("supervision:key_detail", args=[key_item.pk])).content.decode()
    assert handled.title in detail and "别家单位的建议" in detail


def test_a_deputy_has_no_key_item_list(client, deputy):
    client.force_login(deputy.user)
    assert client.get(reverse("supervision:key_list")).status_code == 404


# --- the leader's page ------------------------------------------------------------------------------------


def test_a_leader_sees_the_items_they_lead_with_state_activity_and_deadline(client, key_item, handled, leader, staff):
    due = due_in(handled, 12)
    KeyItem.objects.create(year=2026, title="别人领办的主题", leader=f.UserFactory(role="leader"), created_by=staff)
    client.force_login(leader)
    response = client.get(reverse("supervision:my_items"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "义务教育优质均衡" in body and "别人领办的主题" not in body
    assert handled.title in body and "办理中" in body  # the state
    assert due.isoformat() in body and "还剩 12 天" in body  # the next deadline
    last = ProposalEvent.objects.filter(proposal=handled).latest("created_at").created_at
    from django.utils import timezone

    assert timezone.localtime(last).strftime("%Y-%m-%d") in body  # the last activity


def test_staff_open_any_leaders_page(client, key_item, leader, staff):
    client.force_login(staff)
    response = client.get(reverse("supervision:leader_page", args=[leader.pk]))
    assert response.status_code == 200 and "义务教育优质均衡" in response.content.decode()


def test_a_unit_cannot_open_a_leaders_page(client, key_item, leader, unit_handler):
    client.force_login(unit_handler)
    assert client.get(reverse("supervision:leader_page", args=[leader.pk])).status_code == 404
    assert client.get(reverse("supervision:my_items")).status_code == 404


@pytest.mark.parametrize("count", [10, 200])
def test_the_leaders_page_takes_the_same_queries_for_10_or_200_items(
    client, staff, leader, make_proposal, count, django_assert_max_num_queries
):
    make_items(count, staff, leader, make_proposal)
    client.force_login(leader)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("supervision:my_items"))
    assert response.content.decode().count("主题") >= count


def test_the_timeline_of_the_suggestion_shows_the_marking(client, make_proposal, staff, leader):
    proposal = make_proposal(S.IN_HANDLING)
    mark(staff, leader, [proposal])
    client.force_login(staff)
    body = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "列为重点督办建议" in body and "义务教育优质均衡" in body


def test_the_leaders_summary_line_reads_as_chinese_with_overdue_count(client, key_item, handled, leader):
    due_in(handled, -2)
    client.force_login(leader)
    body = client.get(reverse("supervision:my_items")).content.decode()
    assert "共 1 件，已办结 0 件，" in body and "超期 1 件" in body


def test_a_committee_member_sees_its_own_committees_key_items_first_and_may_see_all(
    client, key_item, committee_member, leader, staff
):
    other = KeyItem.objects.create(
        year=2026,
        title="城市道路微循环",
        leader=leader,
        committee=SpecialCommittee.objects.create(name="城乡建设环境保护委员会"),
        created_by=staff,
    )
    client.force_login(committee_member)

    own = client.get(reverse("supervision:key_list"))
    every = client.get(reverse("supervision:key_list"), {"committee": "all"})

    assert [i.pk for i in own.context["page"].object_list] == [key_item.pk]
    assert {i.pk for i in every.context["page"].object_list} == {key_item.pk, other.pk}
    assert "全部委员会" in own.content.decode()
    # Staff have no committee: every key item, no committee chips.
    client.force_login(staff)
    page = client.get(reverse("supervision:key_list"))
    assert {i.pk for i in page.context["page"].object_list} == {key_item.pk, other.pk}
    assert "全部委员会" not in page.content.decode()


# --- each body's own key items -----------------------------------------------------------------


@pytest.fixture
def one_of_each(make_proposal, cppcc_meeting, category, proposal_cast, member):
    """A deputy's suggestion and a member's proposal, both being handled."""
    proposal = f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category)
    return make_proposal(S.IN_HANDLING), advance(proposal, S.IN_HANDLING, proposal_cast)


def test_each_body_chooses_its_own_key_items_and_the_supervision_office_sees_both(
    one_of_each, staff, proposals_staff, supervision, leader
):
    from deputies.access import allowed
    from proposals.workflow import Refused
    from supervision.rules import visible_key_items

    suggestion, proposal = one_of_each
    theirs = mark(proposals_staff, leader, [proposal])
    ours = mark(staff, leader, [suggestion])
    with pytest.raises(Refused):
        mark(proposals_staff, leader, [suggestion])
    with pytest.raises(Refused):
        mark(staff, leader, [proposal])
    with pytest.raises(ProposalError):
        mark(f.UserFactory(role="admin", username="admin1"), leader, [suggestion, proposal])
    assert set(visible_key_items(supervision)) == {theirs, ours}
    assert list(visible_key_items(proposals_staff)) == [theirs]
    assert list(visible_key_items(staff)) == [ours]
    assert allowed(proposals_staff, "record_supervision", theirs) and not allowed(staff, "view_key_item", theirs)
    assert KeyItem.objects.count() == 2


def test_one_bodys_staff_can_neither_edit_nor_supervise_the_other_bodys_key_item(
    client, one_of_each, staff, proposals_staff, leader
):
    from deputies.access import allowed
    from deputies.models import AuditRecord
    from proposals.workflow import Refused

    suggestion, proposal = one_of_each
    ours = mark(staff, leader, [suggestion])
    for rule in ("mark_key", "record_supervision"):
        assert allowed(staff, rule, ours) and not allowed(proposals_staff, rule, ours)
    client.force_login(proposals_staff)
    edit = reverse("supervision:key_edit", args=[ours.pk])
    refused = AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED)
    assert client.get(edit).status_code == 404
    posted = {"year": 2026, "title": "改了", "leader": leader.pk, "report_every_days": 30, "proposals": [proposal.pk]}
    assert client.post(edit, posted).status_code == 404
    assert client.get(reverse("supervision:record_new", args=[ours.pk])).status_code == 404
    assert refused.count() == 3
    # The service refuses too, whoever calls it: taking the item over by swapping its items.
    with pytest.raises(Refused):
        services.save_key_item(
            by=proposals_staff, key_item=ours, year=2026, title="改了", leader=leader, proposals=[proposal]
        )
    ours.refresh_from_db()
    assert ours.title == "义务教育优质均衡" and list(ours.proposals.all()) == [suggestion]
    assert not ProposalEvent.objects.filter(proposal=suggestion, action="key_unmarked").exists()


def test_the_form_never_names_an_item_the_staff_may_not_see(client, deputy, meeting, staff, make_proposal):
    draft = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title="尚未提交的草稿")
    shown = make_proposal(S.IN_HANDLING)
    client.force_login(staff)
    html = client.get(reverse("supervision:key_new"), {"proposal": [draft.pk, shown.pk]}).content.decode()
    assert shown.title in html and draft.title not in html


def test_a_key_item_of_proposals_tells_its_people_in_the_proposals_words(
    make_proposal, cppcc_meeting, category, proposal_cast, member, proposals_staff, leader, unit_handler
):
    proposal = advance(
        f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category, title="关于发展特色产业的提案"),
        S.IN_HANDLING,
        proposal_cast,
    )
    item = mark(proposals_staff, leader, [proposal])
    services.report_key_progress(key_item=item, proposal=proposal, by=unit_handler, body="已完成调研")
    told = list(Notification.objects.filter(recipient__in=[leader, unit_handler]).values_list("message", flat=True))
    assert told and all("提案" in m and "建议" not in m for m in told), told


def test_showing_another_years_items_keeps_what_was_typed_and_the_items_year(client, make_proposal, staff, leader):
    shown = make_proposal(S.IN_HANDLING)
    item = mark(staff, leader, [shown])
    client.force_login(staff)
    url = reverse("supervision:key_edit", args=[item.pk])
    assert client.get(url).context["form"]["year"].value() == item.year
    typed = {"year": item.year, "title": "改过的主题", "leader": leader.pk, "report_every_days": 30}
    page = client.post(url, {**typed, "proposals": [shown.pk], "list_year": item.year - 1})
    assert page.status_code == 200 and page.context["year"] == item.year - 1
    form = page.context["form"]
    assert form["title"].value() == "改过的主题" and form["year"].value() == str(item.year)
    assert [int(pk) for pk in form["proposals"].value()] == [shown.pk]  # still ticked
    item.refresh_from_db()
    assert item.title == "义务教育优质均衡"  # nothing saved
