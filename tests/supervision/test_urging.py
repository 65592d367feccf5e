"""Urging notices (催办): staff or the supervision office urge a unit about one or many of its
suggestions; the unit acknowledges; both are on each suggestion's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals.models import Notification, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from supervision import services
from supervision.models import UrgingNotice
from tests.supervision.conftest import due_in, today

S = ProposalState
K = Notification.Kind
pytestmark = pytest.mark.django_db


def urge(by, unit, proposals, message="请加快办理，按期答复。", **extra):
    return services.send_urging(unit=unit, proposals=proposals, by=by, message=message, **extra)


# --- sending -------------------------------------------------------------------------------------------


def test_staff_urge_a_unit_about_several_suggestions(make_proposal, unit, staff, unit_handler, unit_head):
    first, second = make_proposal(), make_proposal()
    notice = urge(staff, unit, [first, second], respond_by=today() + dt.timedelta(days=3))
    assert set(notice.proposals.all()) == {first, second} and notice.sent_by == staff
    for proposal in (first, second):
        event = ProposalEvent.objects.filter(proposal=proposal).latest("pk")
        assert event.action == "urging" and event.label == "发出催办通知"
        assert event.note == "致区教育局：请加快办理，按期答复。"
    for person in (unit_handler, unit_head):
        (note,) = Notification.objects.filter(recipient=person, kind=K.URGING)
        assert note.url == reverse("supervision:urging_detail", args=[notice.pk])
        assert "请及时签收" in note.message and first.number_label in note.message


def test_the_supervision_office_may_urge(handled, unit, supervision):
    assert urge(supervision, unit, [handled]).pk


@pytest.mark.parametrize("who", ["leader", "unit_head", "committee_member"])
def test_others_may_not_urge(request, handled, unit, who):
    with pytest.raises(ProposalError, match="代表工作机构或督查室"):
        urge(request.getfixturevalue(who), unit, [handled])
    assert not UrgingNotice.objects.exists()
    assert not ProposalEvent.objects.filter(action="urging").exists()


def test_a_unit_is_urged_only_about_its_own_suggestions(handled, other_unit, staff):
    with pytest.raises(ProposalError, match="不在区卫生健康委员会的在办建议中"):
        urge(staff, other_unit, [handled])


def test_a_suggestion_not_yet_assigned_cannot_be_urged(make_proposal, unit, staff):
    with pytest.raises(ProposalError):
        urge(staff, unit, [make_proposal(S.REGISTERED)])


def test_a_message_and_a_suggestion_are_needed(handled, unit, staff):
    with pytest.raises(ProposalError, match="催办内容"):
        urge(staff, unit, [handled], message="  ")
    with pytest.raises(ProposalError, match="至少选择一件"):
        urge(staff, unit, [])
    with pytest.raises(ProposalError, match="不能早于今天"):
        urge(staff, unit, [handled], respond_by=today() - dt.timedelta(days=1))


def test_urging_also_goes_out_as_text_messages(
    handled, unit, staff, unit_handler, django_capture_on_commit_callbacks, caplog
):
    unit_handler.phone = "13800001111"
    unit_handler.save()
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level("INFO", logger="jianyi.sms"):
        urge(staff, unit, [handled])
    assert "SMS to 13800001111: 【建议办理】" in caplog.text


# --- acknowledging ------------------------------------------------------------------------------------


def test_the_unit_acknowledges_and_the_sender_hears_of_it(handled, unit, staff, unit_handler):
    notice = urge(staff, unit, [handled])
    services.acknowledge_urging(notice=notice, by=unit_handler, answer="本周内报送答复")
    notice.refresh_from_db()
    assert notice.acknowledged_by == unit_handler and notice.answer == "本周内报送答复"
    event = ProposalEvent.objects.filter(proposal=handled).latest("pk")
    assert event.action == "urging_acknowledged" and event.label == "承办单位签收催办通知"
    assert "区教育局已签收催办通知" in event.note and "本周内报送答复" in event.note
    assert Notification.objects.filter(recipient=staff, message__contains="已签收您").exists()


def test_only_the_urged_unit_acknowledges(handled, unit, staff, other_unit_handler):
    notice = urge(staff, unit, [handled])
    for person in (other_unit_handler, staff):
        with pytest.raises(ProposalError, match="被催办单位"):
            services.acknowledge_urging(notice=notice, by=person)
    assert not UrgingNotice.objects.get().is_acknowledged


def test_a_notice_is_acknowledged_once(handled, unit, staff, unit_handler, unit_head):
    notice = urge(staff, unit, [handled])
    services.acknowledge_urging(notice=notice, by=unit_handler)
    with pytest.raises(ProposalError, match="已签收"):
        services.acknowledge_urging(notice=notice, by=unit_head)
    assert ProposalEvent.objects.filter(action="urging_acknowledged").count() == 1


# --- pages -------------------------------------------------------------------------------------------------


def test_staff_choose_the_unit_then_its_suggestions_overdue_first(client, make_proposal, unit, staff):
    later, overdue = make_proposal(), make_proposal()
    due_in(later, 30)
    due_in(overdue, -2)
    client.force_login(staff)
    pick = client.get(reverse("supervision:urging_new"))
    assert pick.status_code == 200 and "区教育局" in pick.content.decode()
    body = client.get(reverse("supervision:urging_new"), {"unit": unit.pk}).content.decode()
    assert body.index(overdue.title) < body.index(later.title)
    assert "超期 2 天" in body


def test_from_a_suggestion_the_form_offers_its_units(client, handled, staff):
    client.force_login(staff)
    body = client.get(reverse("supervision:urging_new"), {"proposal": handled.pk}).content.decode()
    assert f"?unit={handled.assignments.get().unit_id}&amp;proposal={handled.pk}" in body


def test_the_form_offers_and_names_only_items_of_the_users_stream(
    client, handled, unit, staff, supervision, proposal_draft, proposal_cast
):
    from deputies.models import AuditRecord
    from tests.workflow import advance

    cppcc = advance(proposal_draft, S.IN_HANDLING, proposal_cast)
    client.force_login(staff)  # the congress's staff: suggestions only
    rows = client.get(reverse("supervision:urging_new"), {"unit": unit.pk}).context["rows"]
    assert [p.pk for p in rows] == [handled.pk]
    assert client.get(reverse("supervision:urging_new"), {"proposal": cppcc.pk}).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=staff).count() == 1
    client.force_login(supervision)  # the government's supervision office: both
    rows = client.get(reverse("supervision:urging_new"), {"unit": unit.pk}).context["rows"]
    assert {p.pk for p in rows} == {handled.pk, cppcc.pk}
    assert cppcc.title in client.get(reverse("supervision:urging_new"), {"proposal": cppcc.pk}).content.decode()


def test_a_notice_is_about_one_bodys_items_only(handled, unit, supervision, proposal_draft, proposal_cast):
    from tests.workflow import advance

    cppcc = advance(proposal_draft, S.IN_HANDLING, proposal_cast)
    with pytest.raises(ProposalError, match="一份催办通知只能"):
        urge(supervision, unit, [handled, cppcc])
    assert not UrgingNotice.objects.exists()
    assert {tuple(urge(supervision, unit, [item]).proposals.all()) for item in (handled, cppcc)} == {
        (handled,),
        (cppcc,),
    }


def test_the_form_sends_the_notice(client, handled, unit, staff):
    client.force_login(staff)
    url = reverse("supervision:urging_new") + f"?unit={unit.pk}"
    response = client.post(url, {"proposals": [handled.pk], "message": "请加快", "respond_by": ""})
    notice = UrgingNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:urging_detail", args=[notice.pk]
    )


def test_a_form_without_suggestions_keeps_the_message(client, handled, unit, staff):
    client.force_login(staff)
    url = reverse("supervision:urging_new") + f"?unit={unit.pk}"
    response = client.post(url, {"message": "我写的催办内容"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请至少选择一件需要催办的建议" in body and "我写的催办内容" in body
    assert not UrgingNotice.objects.exists()


@pytest.mark.parametrize("who", ["leader", "unit_handler"])
def test_only_staff_and_the_supervision_office_reach_the_form(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("supervision:urging_new")).status_code == 404


def test_the_unit_acknowledges_on_the_page(client, handled, unit, staff, unit_head):
    notice = urge(staff, unit, [handled])
    client.force_login(unit_head)
    page = client.get(reverse("supervision:urging_detail", args=[notice.pk])).content.decode()
    assert "签收" in page and "请加快办理" in page
    response = client.post(reverse("supervision:urging_acknowledge", args=[notice.pk]), {"answer": "马上办"})
    assert response.status_code == 302
    assert UrgingNotice.objects.get().answer == "马上办"


def test_acknowledging_twice_on_the_page_explains(client, handled, unit, staff, unit_head):
    notice = urge(staff, unit, [handled])
    services.acknowledge_urging(notice=notice, by=unit_head)
    client.force_login(unit_head)
    response = client.post(reverse("supervision:urging_acknowledge", args=[notice.pk]), {"answer": "再签一次"})
    assert response.status_code == 400 and "该催办通知已签收" in response.content.decode()
    assert "再签一次" in response.content.decode()  # what was typed is still there


def test_another_unit_gets_not_found(client, handled, unit, staff, other_unit_handler):
    notice = urge(staff, unit, [handled])
    client.force_login(other_unit_handler)
    assert client.get(reverse("supervision:urging_detail", args=[notice.pk])).status_code == 404
    assert client.post(reverse("supervision:urging_acknowledge", args=[notice.pk])).status_code == 404


def test_a_unit_lists_its_own_notices_only(client, handled, make_proposal, unit, other_unit, staff, unit_handler):
    urge(staff, unit, [handled], message="给教育局的催办")
    client.force_login(unit_handler)
    body = client.get(reverse("supervision:urging_list")).content.decode()
    assert "给教育局的催办" in body


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_takes_the_same_queries_for_10_or_200_notices(
    client, handled, unit, staff, count, django_assert_max_num_queries
):
    for index in range(count):
        notice = UrgingNotice.objects.create(unit=unit, message=f"催办{index}", sent_by=staff)
        notice.proposals.add(handled)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:urging_list"))
    assert response.status_code == 200 and "催办1" in response.content.decode()


def test_the_timeline_shows_the_notice_and_the_answer(client, handled, unit, staff, unit_handler):
    notice = urge(staff, unit, [handled])
    services.acknowledge_urging(notice=notice, by=unit_handler, answer="三日内答复")
    client.force_login(staff)
    body = client.get(reverse("proposals:detail", args=[handled.pk])).content.decode()
    assert "发出催办通知" in body and "承办单位签收催办通知" in body and "三日内答复" in body


def test_a_unit_is_not_urged_about_what_it_has_done(make_proposal, unit, staff):
    with pytest.raises(ProposalError, match="不在区教育局的在办建议中"):
        urge(staff, unit, [make_proposal(S.CLOSED)])
    with pytest.raises(ProposalError, match="不在区教育局的在办建议中"):
        urge(staff, unit, [make_proposal(S.REPLIED)])


def test_a_unit_is_urged_about_an_open_promise(promise, unit, staff, handled, cast):
    from handling import services as hs
    from handling.models import Reply

    hs.rate_reply(final=True, reply=Reply.objects.get(), by=cast.deputy_user, attitude="satisfied", result="satisfied")
    handled.refresh_from_db()
    assert handled.state == S.CLOSED
    assert urge(staff, unit, [handled]).pk


def test_the_form_marks_a_promise_reported_done_but_not_confirmed_as_open(client, promise, unit, staff, handled, cast):
    """The form offers a closed suggestion for what the unit still owes on it: its promise,
    open until staff confirm it kept, whatever the unit reported."""
    from handling import services as hs
    from handling.models import Reply
    from supervision.models import Promise

    hs.rate_reply(final=True, reply=Reply.objects.get(), by=cast.deputy_user, attitude="satisfied", result="satisfied")
    Promise.objects.filter(pk=promise.pk).update(state=Promise.State.DONE_REPORTED)
    client.force_login(staff)
    page = client.get(reverse("supervision:urging_new"), {"unit": unit.pk}).content.decode()
    assert handled.title in page
    assert page.count('<span class="pill">承诺未落实</span>') == 1


def test_urging_notices_wait_on_the_units_workbench_until_acknowledged(
    client, handled, unit, staff, unit_handler, other_unit_handler
):
    notice = urge(staff, unit, [handled])

    def tile(user):
        client.force_login(user)
        page = client.get("/")
        return next((t for t in page.context["tiles"] if t.key == "urging"), None)

    waiting = tile(unit_handler)
    assert (waiting.count, waiting.alert) == (1, True)
    assert waiting.url == reverse("supervision:urging_list") + "?state=pending"
    assert tile(other_unit_handler).count == 0  # another unit's notice is not counted
    assert tile(staff) is None

    services.acknowledge_urging(notice=notice, by=unit_handler, answer="本周内答复")
    assert tile(unit_handler).count == 0
