"""Follow-up of promises (跟踪落实): every B-class reply's promise is followed, with the unit's
progress reports, until the unit reports it kept and staff confirm; the list shows all open
promises across years, overdue first."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from handling import services as hs
from handling.models import Assignment, Reply
from proposals import services as ps
from proposals.models import Notification, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from supervision import services
from supervision.models import Promise
from tests import factories as f
from tests.supervision.conftest import issue_b_reply, today
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db


# --- where promises come from ---------------------------------------------------------------------------


def test_an_issued_b_reply_becomes_a_promise_as_it_is_issued(handled, cast, result_b):
    reply = issue_b_reply(handled, cast, result_b, promised="新建教学楼", promised_by=dt.date(2027, 8, 31))
    promise = Promise.objects.get()  # no scan needed
    assert (promise.reply, promise.proposal, promise.unit) == (reply, handled, cast.unit)
    assert (promise.promised_items, promise.promised_by, promise.state) == ("新建教学楼", dt.date(2027, 8, 31), "open")
    assert promise.replied_on == today()
    assert services.sync_promises() == {"created": 0, "superseded": 0}


def test_the_daily_scan_puts_on_the_list_a_b_reply_issued_elsewhere(handled, cast, result_b):
    reply = issue_b_reply(handled, cast, result_b, promised="新建教学楼")
    Promise.objects.all().delete()  # as an imported history's replies: never issued here
    assert services.sync_promises() == {"created": 1, "superseded": 0}
    assert Promise.objects.get().reply == reply


def test_a_failed_promise_undoes_the_issue(handled, cast, result_b, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the follow-up list is down")

    monkeypatch.setattr(services, "sync_promises", broken)
    with pytest.raises(RuntimeError):
        issue_b_reply(handled, cast, result_b)
    assert not Reply.objects.filter(state="issued").exists()


def test_other_classes_promise_nothing(handled, cast):
    reply_and_issue(handled, cast)  # class A
    services.sync_promises()
    assert not Promise.objects.exists()


def test_a_reply_still_with_the_unit_promises_nothing_yet(handled, cast, result_b):
    assignment = handled.assignments.get()
    hs.save_reply_draft(assignment=assignment, by=cast.handler, result_category=result_b, body="x", signer="局长")
    services.sync_promises()
    assert not Promise.objects.exists()


def test_a_merged_group_follows_the_units_promise_once(deputy, meeting, category, cast, staff, unit, result_b):
    main, member = (
        advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
        for _ in range(2)
    )
    ps.merge_proposals(main=main, members=[member], by=staff)
    hs.assign_proposal(proposal=main, by=staff, lead_unit=unit)
    hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    issue_b_reply(main, cast, result_b)
    assert Reply.objects.filter(state="issued").count() == 2  # the member got its copy
    services.sync_promises()
    assert list(Promise.objects.values_list("proposal", flat=True)) == [main.pk]


def test_a_second_reply_after_rehandling_supersedes_the_first_promise(handled, cast, result_b, deputy):
    first = issue_b_reply(handled, cast, result_b, promised="第一次承诺")
    services.sync_promises()
    hs.rate_reply(final=True, reply=first, by=deputy.user, attitude="basic", result="unsatisfied", comment="没有时间表")
    handled.refresh_from_db()
    assert handled.state == S.REHANDLING
    issue_b_reply(handled, cast, result_b, promised="明确到年底完成")
    assert services.sync_promises() == {"created": 0, "superseded": 0}  # done as it was issued
    states = dict(Promise.objects.values_list("promised_items", "state"))
    assert states == {"第一次承诺": "superseded", "明确到年底完成": "open"}
    first_promise = Promise.objects.get(promised_items="第一次承诺")
    step = ProposalEvent.objects.get(proposal=handled, action="promise_superseded")
    assert step.data == {"promise": first_promise.pk, "from": "open", "to": "superseded"}
    assert step.label == "承诺事项已由承办单位的新答复取代"


def test_the_daily_scan_records_each_promise_it_supersedes(handled, cast, result_b, deputy):
    first = issue_b_reply(handled, cast, result_b, promised="第一次承诺")
    hs.rate_reply(final=True, reply=first, by=deputy.user, attitude="basic", result="unsatisfied", comment="没有时间表")
    issue_b_reply(handled, cast, result_b, promised="明确到年底完成")
    Promise.objects.filter(promised_items="第一次承诺").update(state="done_reported")  # as imported history
    assert services.sync_promises() == {"created": 0, "superseded": 1}
    steps = ProposalEvent.objects.filter(action="promise_superseded").order_by("pk")
    assert [step.data["from"] for step in steps] == ["open", "done_reported"]


# --- the unit reports, staff confirm ------------------------------------------------------------------------


def test_the_unit_reports_progress(promise, unit_handler, handled):
    report = services.report_promise_progress(promise=promise, by=unit_handler, body="已完成立项")
    assert report.promise == promise and not report.marks_done
    promise.refresh_from_db()
    assert promise.state == "open"
    event = ProposalEvent.objects.filter(proposal=handled).latest("pk")
    assert event.action == "progress_report" and event.note == "已完成立项"


def test_the_unit_reports_it_kept_and_staff_confirm(promise, unit_handler, staff, supervision, handled):
    services.report_promise_progress(promise=promise, by=unit_handler, body="学校已建成投用", done=True)
    promise.refresh_from_db()
    assert promise.state == Promise.State.DONE_REPORTED and promise.done_reported_at
    assert Notification.objects.filter(recipient=staff, message__contains="请确认").exists()
    assert Notification.objects.filter(recipient=supervision, message__contains="请确认").exists()
    assert ProposalEvent.objects.filter(proposal=handled).latest("pk").label == "承办单位报承诺事项已落实"
    services.confirm_promise(promise=promise, by=staff, note="现场核实")
    promise.refresh_from_db()
    assert (promise.state, promise.confirmed_by) == (Promise.State.KEPT, staff)
    event = ProposalEvent.objects.filter(proposal=handled).latest("pk")
    assert event.label == "确认承诺事项已落实" and event.note == "现场核实"
    with pytest.raises(ProposalError, match="不再接受报告"):
        services.report_promise_progress(promise=promise, by=unit_handler, body="补充")


def test_each_step_of_a_promise_records_the_state_it_moves_it_from_and_to(promise, unit_handler, staff, handled):
    def last_step():
        return ProposalEvent.objects.filter(proposal=handled).latest("pk").data

    services.report_promise_progress(promise=promise, by=unit_handler, body="已完成立项")
    assert "from" not in last_step()  # a progress report moves nothing
    services.report_promise_progress(promise=promise, by=unit_handler, body="已完成", done=True)
    assert (last_step()["from"], last_step()["to"]) == ("open", "done_reported")
    services.reopen_promise(promise=promise, by=staff, note="操场尚未硬化")
    assert (last_step()["from"], last_step()["to"]) == ("done_reported", "open")
    services.report_promise_progress(promise=promise, by=unit_handler, body="操场已硬化", done=True)
    services.confirm_promise(promise=promise, by=staff)
    assert last_step() == {"promise": promise.pk, "from": "done_reported", "to": "kept"}


def test_staff_send_it_back_with_what_is_missing(promise, unit_handler, staff):
    services.report_promise_progress(promise=promise, by=unit_handler, body="已完成", done=True)
    with pytest.raises(ProposalError, match="尚未落实"):
        services.reopen_promise(promise=promise, by=staff, note=" ")
    services.reopen_promise(promise=promise, by=staff, note="操场尚未硬化")
    promise.refresh_from_db()
    assert promise.state == "open" and promise.done_reported_at is None
    assert Notification.objects.filter(recipient=unit_handler, message__contains="操场尚未硬化").exists()


def test_a_report_posted_after_a_colleague_reported_it_kept_says_so_and_keeps_the_text(
    client, promise, unit_handler, unit_head
):
    services.report_promise_progress(promise=promise, by=unit_head, body="科长已报落实", done=True)
    client.force_login(unit_handler)
    late = client.post(reverse("supervision:promise_report", args=[promise.pk]), {"body": "我写的进展"})
    page = late.content.decode()
    assert late.status_code == 400 and "我写的进展" in page and "不再接受报告" in page


def test_only_a_promise_reported_kept_can_be_confirmed(promise, staff):
    with pytest.raises(ProposalError, match="已报落实"):
        services.confirm_promise(promise=promise, by=staff)


@pytest.mark.parametrize("who", ["unit_handler", "leader", "deputy"])
def test_units_leaders_and_deputies_do_not_confirm(request, promise, unit_head, who):
    services.report_promise_progress(promise=promise, by=unit_head, body="已完成", done=True)
    user = request.getfixturevalue(who)
    with pytest.raises(ProposalError, match="代表工作机构或督查室"):
        services.confirm_promise(promise=promise, by=getattr(user, "user", user))
    assert Promise.objects.get().state == Promise.State.DONE_REPORTED


@pytest.mark.parametrize("who", ["other_unit_handler", "staff"])
def test_only_the_unit_reports(request, promise, who):
    with pytest.raises(ProposalError, match="作出承诺的单位"):
        services.report_promise_progress(promise=promise, by=request.getfixturevalue(who), body="x")


# --- the list ---------------------------------------------------------------------------------------------


@pytest.fixture
def promises_of_two_years(deputy, meeting, category, cast, result_b):
    """Three promises: one of 2025 due later, one of 2026 overdue, one of 2025 overdue longest."""
    older = f.MeetingFactory(number=4, name="十七届人大四次会议", year=2025)
    for name, of_meeting, days in (
        ("2025 later", older, 200),
        ("2026 overdue", meeting, -10),
        ("2025 overdue", older, -100),
    ):
        draft = f.ProposalFactory(lead_deputy=deputy, meeting=of_meeting, category=category, title=f"关于{name}的建议")
        proposal = advance(draft, S.IN_HANDLING, cast)
        issue_b_reply(proposal, cast, result_b, promised=name, promised_by=today() + dt.timedelta(days=days))
    services.sync_promises()
    return {promise.promised_items: promise for promise in Promise.objects.all()}


def test_the_list_shows_open_promises_across_years_overdue_first(client, promises_of_two_years, staff):
    client.force_login(staff)
    response = client.get(reverse("supervision:followup"))
    body = response.content.decode()
    positions = [body.index(f"关于{name}的建议") for name in ("2025 overdue", "2026 overdue", "2025 later")]
    assert positions == sorted(positions)
    assert "超期 100 天" in body and "超期 10 天" in body


def test_kept_promises_leave_the_default_list(client, promises_of_two_years, staff, unit_handler):
    kept = promises_of_two_years["2025 later"]
    services.report_promise_progress(promise=kept, by=unit_handler, body="完成", done=True)
    services.confirm_promise(promise=kept, by=staff)
    client.force_login(staff)
    assert "关于2025 later的建议" not in client.get(reverse("supervision:followup")).content.decode()
    assert "关于2025 later的建议" in client.get(reverse("supervision:followup"), {"state": "all"}).content.decode()
    assert "关于2025 later的建议" in client.get(reverse("supervision:followup"), {"state": "kept"}).content.decode()


def test_filters_by_year_and_overdue(client, promises_of_two_years, staff):
    client.force_login(staff)
    body = client.get(reverse("supervision:followup"), {"year": 2025, "overdue": "on"}).content.decode()
    assert "关于2025 overdue的建议" in body
    assert "关于2025 later的建议" not in body and "关于2026 overdue的建议" not in body


def test_the_next_page_keeps_the_filters(client, promises_of_two_years, staff, unit_handler, monkeypatch):
    kept = promises_of_two_years["2025 later"]
    services.report_promise_progress(promise=kept, by=unit_handler, body="完成", done=True)
    services.confirm_promise(promise=kept, by=staff)
    monkeypatch.setattr("supervision.views.PAGE_SIZE", 1)
    client.force_login(staff)
    query, seen = "?state=all", []
    while query:
        body = client.get(reverse("supervision:followup") + query).content.decode()
        seen += re.findall(r"关于(20\d\d [a-z]+)的建议", body)
        found = re.search(r'<a href="([^"]+)" rel="next">', body)
        query = html.unescape(found.group(1)) if found else None
        assert query is None or query == f"?state=all&page={len(seen) + 1}"
    # The kept promise is only in "all": the later pages were still filtered by it.
    assert sorted(seen) == ["2025 later", "2025 overdue", "2026 overdue"]


def test_a_b_reply_issued_since_the_last_scan_is_listed_at_once(client, handled, cast, result_b, staff):
    issue_b_reply(handled, cast, result_b, promised="刚刚承诺的事项")
    client.force_login(staff)
    assert "刚刚承诺的事项" in client.get(reverse("supervision:followup")).content.decode()


def test_a_unit_sees_its_own_promises_only(client, promise, other_unit_handler, unit_head):
    client.force_login(unit_head)
    assert "新建学校一所" in client.get(reverse("supervision:followup")).content.decode()
    client.force_login(other_unit_handler)
    assert "新建学校一所" not in client.get(reverse("supervision:followup")).content.decode()
    assert client.get(reverse("supervision:promise_detail", args=[promise.pk])).status_code == 404


def test_a_deputy_has_no_follow_up_list(client, deputy):
    client.force_login(deputy.user)
    assert client.get(reverse("supervision:followup")).status_code == 404


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_takes_the_same_queries_for_10_or_200_promises(
    client, deputy, meeting, category, unit, staff, result_b, count, django_assert_max_num_queries
):
    from proposals.models import Proposal

    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                meeting=meeting,
                title=f"关于事项{i}的建议",
                body="正文",
                lead_deputy=deputy,
                number=i + 1,
                state=S.CLOSED,
                created_by=staff,
            )
            for i in range(count)
        ]
    )
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(proposal=p, unit=unit, role="lead", assigned_on=today(), deadline=today(), assigned_by=staff)
            for p in proposals
        ]
    )
    replies = Reply.objects.bulk_create(
        [Reply(assignment=a, state="issued", result_category=result_b, created_by=staff) for a in assignments]
    )
    Promise.objects.bulk_create(
        [
            Promise(
                reply=r,
                proposal_id=a.proposal_id,
                unit=unit,
                promised_items=f"承诺{i}",
                replied_on=today(),
                promised_by=today() + dt.timedelta(days=i - 5),
            )
            for i, (r, a) in enumerate(zip(replies, assignments, strict=True))
        ]
    )
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("supervision:followup"))
    assert response.status_code == 200 and "承诺0" in response.content.decode()


# --- the promise's page -------------------------------------------------------------------------------------


def test_the_unit_reports_on_the_page(client, promise, unit_handler):
    client.force_login(unit_handler)
    page = client.get(reverse("supervision:promise_detail", args=[promise.pk])).content.decode()
    assert "新建学校一所" in page and "报送进展" in page
    response = client.post(reverse("supervision:promise_report", args=[promise.pk]), {"body": "已开工", "done": "on"})
    assert response.status_code == 302
    assert Promise.objects.get().state == Promise.State.DONE_REPORTED


def test_an_empty_report_keeps_the_page_and_explains(client, promise, unit_handler):
    client.force_login(unit_handler)
    response = client.post(reverse("supervision:promise_report", args=[promise.pk]), {"body": "", "done": "on"})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    assert Promise.objects.get().state == "open"


def test_staff_confirm_and_send_back_on_the_page(client, promise, unit_handler, staff):
    services.report_promise_progress(promise=promise, by=unit_handler, body="完成", done=True)
    client.force_login(staff)
    page = client.get(reverse("supervision:promise_detail", args=[promise.pk])).content.decode()
    assert "确认已落实" in page and "退回承办单位" in page
    response = client.post(reverse("supervision:promise_reopen", args=[promise.pk]), {"note": ""})
    assert response.status_code == 400 and Promise.objects.get().state == Promise.State.DONE_REPORTED
    response = client.post(reverse("supervision:promise_confirm", args=[promise.pk]), {"note": "核实"})
    assert response.status_code == 302 and Promise.objects.get().state == Promise.State.KEPT


def test_confirming_an_open_promise_on_the_page_explains(client, promise, staff):
    client.force_login(staff)
    response = client.post(reverse("supervision:promise_confirm", args=[promise.pk]), {"note": ""})
    assert response.status_code == 400
    assert "只有单位已报落实的承诺事项可以确认" in response.content.decode()


def test_the_year_filter_offers_the_meetings_years(client, promises_of_two_years, staff):
    client.force_login(staff)
    body = client.get(reverse("supervision:followup")).content.decode()
    assert '<option value="2025">2025</option>' in body and '<option value="2026">2026</option>' in body
    assert "全部年度" in body


def test_the_pages_of_a_proposals_promise_and_key_item_speak_of_members_and_proposals(
    client, proposal_draft, proposal_cast, proposals_staff, result_b, unit_handler, leader
):
    from proposals.models import ProposalState
    from supervision.models import Promise
    from supervision.services import save_key_item, sync_promises
    from tests.supervision.conftest import issue_b_reply
    from tests.workflow import advance

    proposal = advance(proposal_draft, ProposalState.IN_HANDLING, proposal_cast)
    item = save_key_item(by=proposals_staff, year=2026, title="特色产业", leader=leader, proposals=[proposal])
    issue_b_reply(proposal, proposal_cast, result_b)
    sync_promises()
    promise = Promise.objects.get(proposal=proposal)
    client.force_login(unit_handler)  # a unit handles both bodies' items
    for url in (
        reverse("supervision:promise_detail", args=[promise.pk]),
        reverse("supervision:key_detail", args=[item.pk]),
    ):
        main = client.get(url).content.decode().split("<main", 1)[1].split("</main>")[0]
        assert "提案" in main and "代表" not in main, url
