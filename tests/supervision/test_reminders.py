"""The daily scan's rules, one by one: who is reminded, on which day, and never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from deputies.models import Role
from handling import services as hs
from proposals import services as ps
from proposals.models import Notification, ProposalState
from supervision import services
from supervision.models import Reminder
from supervision.reminders import run_daily_scan
from tests import factories as f
from tests.supervision.conftest import due_in, issued_days_ago, today
from tests.workflow import advance

S = ProposalState
K = Notification.Kind
pytestmark = pytest.mark.django_db


def received(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def later(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


# --- reply deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize("days_left", [15, 7, 1])
def test_the_handler_is_reminded_on_each_threshold_day(handled, unit_handler, unit_head, days_left):
    due = due_in(handled, days_left)
    summary = run_daily_scan()
    assert summary["deadline"] == 1
    (note,) = received(unit_handler, K.DEADLINE)
    assert note.proposal == handled
    assert due.isoformat() in note.message and f"还剩 {days_left} 天" in note.message
    assert received(unit_head, K.DEADLINE) == []
    assert Reminder.objects.get().threshold == f"{days_left}d@{due.isoformat()}"


def test_each_threshold_goes_out_once_however_often_the_scan_runs(handled, unit_handler):
    due_in(handled, 15)
    assert run_daily_scan()["deadline"] == 1
    assert run_daily_scan()["deadline"] == 0
    for day in range(1, 15):  # the next 14 days: the 7-day and 1-day reminders, once each
        run_daily_scan(later(day))
    thresholds = sorted(Reminder.objects.values_list("threshold", flat=True))
    assert [t.split("@")[0] for t in thresholds] == ["15d", "1d", "7d"]
    assert len(received(unit_handler, K.DEADLINE)) == 3


def test_no_reminder_before_the_first_threshold(handled, unit_handler):
    due_in(handled, 16)
    assert run_daily_scan()["deadline"] == 0
    assert received(unit_handler, K.DEADLINE) == []


def test_a_missed_day_catches_up_with_the_latest_threshold_only(handled, unit_handler):
    """The scan did not run for a week: 5 days left gives the 7-day reminder, not also the 15."""
    due = due_in(handled, 5)
    run_daily_scan()
    assert list(Reminder.objects.values_list("threshold", flat=True)) == [f"7d@{due.isoformat()}"]


def test_due_today_is_the_last_reminder(handled, unit_handler):
    due_in(handled, 0)
    run_daily_scan()
    (note,) = received(unit_handler, K.DEADLINE)
    assert "今天到期" in note.message


@override_settings(REMINDER_DAYS_BEFORE=[30, 3])
def test_the_thresholds_are_a_setting(handled, unit_handler):
    due_in(handled, 20)
    run_daily_scan()
    assert Reminder.objects.get().threshold.startswith("30d@")


def test_a_replied_suggestion_owes_nothing(make_proposal, unit_handler, unit_head):
    proposal = make_proposal(S.REPLIED)
    due_in(proposal, 7)
    summary = run_daily_scan(later(1))
    assert summary["deadline"] == 0 and summary["overdue"] == 0


def test_a_unit_without_handler_has_its_head_reminded(handled, unit, unit_handler, unit_head):
    unit_handler.is_active = False
    unit_handler.save()
    due_in(handled, 7)
    run_daily_scan()
    assert len(received(unit_head, K.DEADLINE)) == 1


def test_a_rehandling_deadline_gets_its_own_reminders(make_proposal, unit_handler):
    proposal = make_proposal(S.REHANDLING)
    assignment = proposal.assignments.get()
    run_daily_scan(assignment.deadline - dt.timedelta(days=1))  # the first deadline: replied already
    assert received(unit_handler, K.DEADLINE) == []
    run_daily_scan(assignment.rehandling_deadline - dt.timedelta(days=7))
    (note,) = received(unit_handler, K.DEADLINE)
    assert assignment.rehandling_deadline.isoformat() in note.message


def test_a_merged_group_handled_as_one_is_reminded_once(deputy, meeting, category, cast, staff, unit, unit_handler):
    main, member = (
        advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
        for _ in range(2)
    )
    ps.merge_proposals(main=main, members=[member], by=staff)
    hs.assign_proposal(proposal=main, by=staff, lead_unit=unit)
    hs.sign_assignment(assignment=main.assignments.get(), by=unit_handler)
    member.refresh_from_db()
    assert member.state == S.IN_HANDLING and member.assignments.count() == 1
    due_in(main, 7)
    due_in(member, 7)
    run_daily_scan()
    (note,) = received(unit_handler, K.DEADLINE)
    assert note.proposal == main


def test_separate_units_each_hear_of_their_own_deadline(
    draft, cast, unit, new_unit, unit_handler, new_unit_handler, staff
):
    proposal = advance(draft, S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=staff, separate_units=[unit, new_unit])
    for assignment in proposal.assignments.all():
        person = unit_handler if assignment.unit == unit else new_unit_handler
        hs.sign_assignment(assignment=assignment, by=person)
    due_in(proposal, 7)
    run_daily_scan()
    assert len(received(unit_handler, K.DEADLINE)) == 1
    assert len(received(new_unit_handler, K.DEADLINE)) == 1


# --- overdue and escalation ----------------------------------------------------------------------


def test_an_overdue_reply_is_reported_to_the_unit_head_and_staff(handled, unit_handler, unit_head, staff, supervision):
    due = due_in(handled, -1)
    summary = run_daily_scan()
    assert summary["overdue"] == 2
    (to_head,) = received(unit_head, K.OVERDUE)
    (to_staff,) = received(staff, K.OVERDUE)
    assert "已超期 1 天" in to_head.message and "贵单位" in to_head.message
    assert due.isoformat() in to_staff.message and "区教育局" in to_staff.message
    assert received(unit_handler, K.OVERDUE) == []
    assert received(supervision) == []


def test_overdue_repeats_weekly_while_it_stays_overdue(handled, unit_head, staff):
    due_in(handled, -1)
    for day in range(0, 15):  # two more weeks of daily scans
        run_daily_scan(later(day))
    assert len(received(unit_head, K.OVERDUE)) == 3  # days 1, 8 and 15 late
    assert len(received(staff, K.OVERDUE)) == 3


@override_settings(OVERDUE_REPEAT_DAYS=3)
def test_the_repeat_period_is_a_setting(handled, unit_head):
    due_in(handled, -1)
    for day in range(0, 7):
        run_daily_scan(later(day))
    assert len(received(unit_head, K.OVERDUE)) == 3  # days 1, 4 and 7 late


def test_overdue_stops_once_the_reply_is_issued(handled, cast, unit_head):
    from tests.workflow import reply_and_issue

    due_in(handled, -1)
    run_daily_scan()
    reply_and_issue(handled, cast)
    run_daily_scan(later(7))
    assert len(received(unit_head, K.OVERDUE)) == 1


@override_settings(ESCALATE_AFTER_DAYS=30)
def test_overdue_beyond_the_limit_is_escalated_to_the_supervision_office_once(handled, supervision, staff):
    due_in(handled, -30)
    assert run_daily_scan()["overdue"] == 2  # head and staff; 30 days is not more than 30
    assert received(supervision) == []
    run_daily_scan(later(1))
    (note,) = received(supervision, K.OVERDUE)
    assert "已超期 31 天（超过 30 天）" in note.message
    for day in range(2, 10):
        run_daily_scan(later(day))
    assert len(received(supervision, K.OVERDUE)) == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.ESCALATION).count() == 1


@override_settings(ESCALATE_AFTER_DAYS=30)
def test_staff_and_the_supervision_office_get_one_list_of_overdue_items_per_scan(
    make_proposal, unit_head, staff, supervision
):
    items = [make_proposal(S.IN_HANDLING) for _ in range(7)]
    for index, proposal in enumerate(items):
        due_in(proposal, -1 if index < 2 else -40)
    summary = run_daily_scan()
    assert summary["overdue"] == 7 * 2 + 5  # head and staff for each, supervision for the five
    # The unit head hears of each of its own unit's items; staff and supervision get one list.
    assert len(received(unit_head, K.OVERDUE)) == 7
    (to_staff,) = received(staff, K.OVERDUE)
    assert "共 7 件建议答复超期（其中新超期 2 件）" in to_staff.message and "另有 2 件" in to_staff.message
    assert to_staff.url == "/proposals/?overdue=on&stream=suggestion" and to_staff.proposal is None
    (to_office,) = received(supervision, K.OVERDUE)
    assert "共 5 件建议答复超期已超过 30 天" in to_office.message
    # Still one claim per item, so none of them is announced twice.
    assert Reminder.objects.filter(recipient=staff).count() == 7
    assert Reminder.objects.filter(recipient=supervision).count() == 5
    assert run_daily_scan()["overdue"] == 0
    assert len(received(staff, K.OVERDUE)) == 1


@override_settings(REMINDER_DIGEST_AFTER=3)
def test_more_reminders_of_one_kind_than_the_digest_limit_come_as_one_list(
    make_proposal, unit_handler, unit_head, staff
):
    items = [make_proposal(S.IN_HANDLING) for _ in range(5)]
    for proposal in items:
        due_in(proposal, 7)
    due_in(items[0], -1)  # one overdue: the head hears of it by itself
    summary = run_daily_scan()
    assert summary["deadline"] == 4 and summary["overdue"] == 2
    (note,) = received(unit_handler, K.DEADLINE)
    assert note.message.startswith("答复期限临近：共 4 项：第2号") and note.proposal is None
    assert note.url == "/proposals/"
    (overdue,) = received(unit_head, K.OVERDUE)
    assert overdue.proposal == items[0]
    # One claim per item all the same: nothing is announced twice, nothing is lost.
    assert Reminder.objects.filter(recipient=unit_handler).count() == 4
    assert run_daily_scan()["deadline"] == 0 and len(received(unit_handler, K.DEADLINE)) == 1


@override_settings(REMINDER_DIGEST_AFTER=3)
def test_a_deputy_s_list_of_reminders_opens_their_own_page(make_proposal, deputy):
    for _ in range(6):
        issued_days_ago(make_proposal(S.REPLIED), 20)
    assert run_daily_scan()["rating"] == 6
    (note,) = received(deputy.user, K.RATING_REMINDER)
    assert "共 6 项" in note.message and "另有 1 件" in note.message
    assert note.url == "/proposals/mine/"


# --- ratings ------------------------------------------------------------------------------------------


def test_the_lead_deputy_is_reminded_to_rate_after_fifteen_days(make_proposal, deputy, staff):
    proposal = make_proposal(S.REPLIED)
    issued_days_ago(proposal, 14)
    assert run_daily_scan()["rating"] == 0
    run_daily_scan(later(1))
    (note,) = received(deputy.user, K.RATING_REMINDER)
    assert note.proposal == proposal and "评价" in note.message
    run_daily_scan(later(10))
    assert len(received(deputy.user, K.RATING_REMINDER)) == 1


def test_a_rated_reply_is_not_reminded(make_proposal, deputy):
    proposal = make_proposal(S.CLOSED)
    issued_days_ago(proposal, 40)
    assert run_daily_scan()["rating"] == 0


def test_a_deputy_without_login_makes_staff_collect_the_paper_form(make_proposal, deputy, staff):
    from deputies.models import Deputy
    from proposals.models import Proposal

    proposal = make_proposal(S.REPLIED)
    # Its lead deputy has no login (staff keyed the suggestion in from paper).
    paper = Deputy.objects.create(name="钱无号", delegation=deputy.delegation)
    Proposal.objects.filter(pk=proposal.pk).update(lead_deputy=paper)
    issued_days_ago(proposal, 15)
    run_daily_scan()
    (note,) = received(staff, K.RATING_REMINDER)
    assert "钱无号" in note.message and "纸质" in note.message
    assert received(deputy.user, K.RATING_REMINDER) == []


@override_settings(RATING_REMINDER_DAYS=5)
def test_the_rating_delay_is_a_setting(make_proposal, deputy):
    proposal = make_proposal(S.REPLIED)
    issued_days_ago(proposal, 5)
    assert run_daily_scan()["rating"] == 1


# --- promises -------------------------------------------------------------------------------------------


def test_units_are_reminded_quarterly_of_each_open_promise(promise, unit_handler, unit_head):
    assert run_daily_scan(later(80))["promise"] == 0
    start = promise.replied_on
    three_months = (
        start.replace(month=start.month + 3)
        if start.month <= 9
        else start.replace(year=start.year + 1, month=start.month - 9)
    )
    run_daily_scan(three_months)
    assert len(received(unit_handler, K.DEADLINE)) == 1
    assert len(received(unit_head, K.DEADLINE)) == 1
    assert "新建学校一所" in received(unit_head, K.DEADLINE)[0].message
    run_daily_scan(three_months + dt.timedelta(days=30))
    assert len(received(unit_handler, K.DEADLINE)) == 1  # once a quarter
    run_daily_scan(three_months + dt.timedelta(days=95))
    assert len(received(unit_handler, K.DEADLINE)) == 2


def test_a_promise_reported_kept_is_no_longer_reminded(promise, unit_handler):
    services.report_promise_progress(promise=promise, by=unit_handler, body="已建成", done=True)
    assert run_daily_scan(later(100))["promise"] == 0


# --- progress reports on key items --------------------------------------------------------------------


def test_a_progress_report_on_a_key_item_is_due_at_its_interval(key_item, handled, unit_handler, unit_head):
    key_item.report_every_days = 30
    key_item.save()
    assert run_daily_scan(later(29))["progress"] == 0
    assert run_daily_scan(later(30))["progress"] == 1
    (note,) = received(unit_handler, K.DEADLINE)
    assert key_item.title in note.message
    assert received(unit_head, K.DEADLINE) == []


def test_a_report_moves_the_next_due_date(key_item, handled, unit_handler):
    import time_machine

    with time_machine.travel(later(20)):
        services.report_key_progress(key_item=key_item, proposal=handled, by=unit_handler, body="进展")
    assert run_daily_scan(later(30))["progress"] == 0
    assert run_daily_scan(later(50))["progress"] == 1


# --- urging notices ----------------------------------------------------------------------------------------


def test_an_unacknowledged_urging_notice_is_sent_again_once(handled, unit, staff, unit_handler, unit_head):
    notice = services.send_urging(unit=unit, proposals=[handled], by=staff, message="请加快办理")
    Notification.objects.all().delete()
    assert run_daily_scan(later(2))["urging"] == 0
    assert run_daily_scan(later(3))["urging"] == 2  # handler and head
    assert run_daily_scan(later(4))["urging"] == 0
    services.acknowledge_urging(notice=notice, by=unit_head)
    assert {n.kind for n in received(unit_handler)} == {K.URGING}


def test_an_acknowledged_notice_is_not_sent_again(handled, unit, staff, unit_head):
    notice = services.send_urging(unit=unit, proposals=[handled], by=staff, message="请加快办理")
    services.acknowledge_urging(notice=notice, by=unit_head)
    assert run_daily_scan(later(5))["urging"] == 0


# --- what reminders carry ----------------------------------------------------------------------------------


def test_reminders_are_mailed_to_those_with_an_address(
    handled, unit_handler, mailoutbox, django_capture_on_commit_callbacks
):
    unit_handler.email = "handler@example.cn"
    unit_handler.save()
    due_in(handled, 7)
    with django_capture_on_commit_callbacks(execute=True):
        run_daily_scan()
    assert len(mailoutbox) == 1
    assert "期限" in mailoutbox[0].subject and "答复期限提醒" in mailoutbox[0].body
    assert Notification.objects.get(recipient=unit_handler, kind=K.DEADLINE).emailed_at is not None


def test_every_reminder_is_logged_with_its_notification(handled, unit_head, staff):
    due = due_in(handled, -1)
    run_daily_scan()
    rows = Reminder.objects.order_by("recipient__username")
    assert [r.recipient for r in rows] == [unit_head, staff]
    assert all(r.proposal == handled and r.threshold == f"w0@{due.isoformat()}" for r in rows)
    for row in rows:
        (note,) = Notification.objects.filter(recipient=row.recipient, kind=K.OVERDUE, created_at=row.created_at)
        assert note.proposal == handled


def test_an_inactive_staff_member_is_left_out(handled, staff):
    staff.is_active = False
    staff.save()
    due_in(handled, -1)
    run_daily_scan()
    assert received(staff, K.OVERDUE) == []
    assert not Reminder.objects.filter(recipient__role=Role.STAFF).exists()


def test_a_unit_that_stays_silent_is_reminded_every_interval(key_item, handled, unit_handler):
    key_item.report_every_days = 30
    key_item.save()
    for day in range(30, 95):
        run_daily_scan(later(day))
    thresholds = sorted(Reminder.objects.filter(kind=Reminder.Kind.PROGRESS).values_list("threshold", flat=True))
    assert thresholds == [f"@{later(d).isoformat()}" for d in (30, 60, 90)]


def test_claims_travel_to_postgresql_in_copy_text_escaped_only_when_needed():
    from supervision.reminders import Candidate, _copy_rows

    plain = Candidate("overdue", "a1", "w0@2026-01-01", 3, None, "…", "/", K.OVERDUE)
    office = Candidate("overdue", "a1", "w0@2026-01-01", 0, 7, "…", "/", K.OVERDUE, audience=(4, 5))
    odd = Candidate("overdue", "a\\2\tx", "w0\r\n@", 3, 5, "…", "/", K.OVERDUE)
    assert _copy_rows([plain, office]) == (
        "overdue\ta1\tw0@2026-01-01\t3\t\\N\t\\N\n" + "overdue\ta1\tw0@2026-01-01\t0\t7\t{4,5}\n"
    )
    assert _copy_rows([plain, odd]) == (
        "overdue\ta1\tw0@2026-01-01\t3\t\\N\t\\N\n" + "overdue\ta\\\\2\\tx\tw0\\r\\n@\t3\t5\t\\N\n"
    )


def test_an_overdue_proposal_is_reported_to_the_proposals_committee_not_to_congress_staff(
    proposal_draft, proposal_cast, proposals_staff, staff, unit_head
):
    proposal = advance(proposal_draft, S.IN_HANDLING, proposal_cast)
    due_in(proposal, -1)
    run_daily_scan()
    (to_committee,) = received(proposals_staff, K.OVERDUE)
    assert "提案" in to_committee.message or proposal.title in to_committee.message
    assert received(staff, K.OVERDUE) == []
    assert len(received(unit_head, K.OVERDUE)) == 1


def test_a_member_is_reminded_to_rate_in_the_proposal_streams_words(proposal_draft, proposal_cast, member):
    proposal = advance(proposal_draft, S.REPLIED, proposal_cast)
    issued_days_ago(proposal, 15)
    run_daily_scan()
    (note,) = received(member.user, K.RATING_REMINDER)
    assert "您的提案" in note.message and "建议" not in note.message.replace(proposal.title, "")
    assert proposal.title in note.message and "\ue000" not in note.message


@override_settings(ESCALATE_AFTER_DAYS=30)
def test_each_bodys_staff_get_their_streams_list_in_its_words_and_the_office_one_per_stream(
    make_proposal, cppcc_meeting, category, proposal_cast, member, staff, proposals_staff, supervision
):
    suggestions = [make_proposal(S.IN_HANDLING) for _ in range(2)]
    proposals = [
        advance(
            f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category),
            S.IN_HANDLING,
            proposal_cast,
        )
        for _ in range(3)
    ]
    for item in [*suggestions, *proposals]:
        due_in(item, -40)
    run_daily_scan()
    (to_staff,) = received(staff, K.OVERDUE)
    (to_committee,) = received(proposals_staff, K.OVERDUE)
    assert "共 2 件建议答复超期" in to_staff.message and "提案" not in to_staff.message
    told = to_committee.message
    for item in proposals:
        told = told.replace(item.title, "")  # titles are kept as written
    assert "共 3 件提案答复超期" in told and "建议" not in told
    assert "\ue000" not in to_committee.message
    to_office = sorted((n.message, n.url) for n in received(supervision, K.OVERDUE))
    assert len(to_office) == 2
    assert "共 2 件建议答复超期已超过 30 天" in to_office[0][0] and "共 3 件提案答复超期已超过 30 天" in to_office[1][0]
    # Each list's link opens that stream's overdue items.
    assert [url for _message, url in to_office] == [
        "/proposals/?overdue=on&stream=suggestion",
        "/proposals/?overdue=on&stream=proposal",
    ]
