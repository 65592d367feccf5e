"""The demo: one district congress meeting with every state and path, last year's meeting of
the same term (closed suggestions, promises still open on the follow-up list), logins for every
role, and a second run that duplicates nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from demo.accounts import MAIN_LOGINS, PASSWORD
from deputies.models import Deputy, Role, User
from deputies.streams import Stream
from handling.models import Assignment, ContactRecord, Rating, ReassignmentRequest, Reply, Unit
from proposals.models import Meeting, Proposal, ProposalEvent, ProposalState
from reports.models import AnnualReport
from supervision.models import KeyItem, ProgressReport, Promise

S = ProposalState


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Build once for the module (it takes a few seconds), then roll back."""
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def db_with_demo(demo, db):
    return demo


def test_it_is_the_size_of_a_district_congress_meeting(db_with_demo):
    assert Proposal.objects.count() >= 100
    assert Unit.objects.count() >= 15
    assert Deputy.objects.count() >= 60


def test_every_state_is_represented(db_with_demo):
    present = set(Proposal.objects.values_list("state", flat=True))
    assert present == set(S.values)


def test_every_path_is_represented(db_with_demo):
    today = timezone.localdate()
    assert Proposal.objects.filter(events__action="return_for_revision").exists()
    assert Proposal.objects.filter(merged_into__isnull=False, state=S.CLOSED).count() >= 2
    assert Proposal.objects.filter(merged_into__isnull=False, state=S.REGISTERED).exists()
    assert ReassignmentRequest.objects.filter(status="accepted", assignment__proposal__state=S.CLOSED).exists()
    assert Proposal.objects.overdue(today).exists()
    assert Reply.objects.filter(round=2, assignment__proposal__state=S.CLOSED).exists()  # re-handled, then closed
    assert Assignment.objects.filter(role="separate").exists()
    assert Assignment.objects.filter(role="co").exists()
    assert Assignment.objects.filter(is_complex=True).exists()
    assert Rating.objects.filter(is_paper=True).exists()
    assert ContactRecord.objects.filter(kind="face_to_face").exists()
    assert Proposal.objects.filter(channel="between").exists() and Proposal.objects.filter(channel="meeting").exists()


def test_closed_suggestions_cover_every_result_class(db_with_demo):
    classes = set(
        Reply.objects.filter(state="issued", assignment__proposal__state=S.CLOSED).values_list(
            "result_category__result_class", flat=True
        )
    )
    assert classes == {"A", "B", "C", "D"}


def test_the_text_reads_like_real_chinese_suggestions(db_with_demo):
    titles = list(Proposal.objects.values_list("title", flat=True))
    assert len(set(titles)) == len(titles)
    suggestions = Proposal.objects.filter(stream=Stream.SUGGESTION).values_list("title", flat=True)
    proposals = Proposal.objects.filter(stream=Stream.PROPOSAL).values_list("title", flat=True)
    assert all(t.startswith("关于") and t.endswith("的建议") for t in suggestions)
    assert all(t.startswith("关于") and t.endswith("的提案") for t in proposals)
    assert all(len(body) > 150 for body in Proposal.objects.values_list("body", flat=True))


def test_there_is_a_working_login_for_every_role(db_with_demo):
    assert {role for _u, role, _d in MAIN_LOGINS} == set(Role.values)
    request = RequestFactory().post("/accounts/login/")
    for username, role, _description in MAIN_LOGINS:
        user = authenticate(request, username=username, password=PASSWORD)
        assert user is not None and user.role == role, username
    assert "Demo#2026" in db_with_demo and "staff" in db_with_demo


def test_the_demo_deputy_has_suggestions_in_many_states(db_with_demo):
    deputy = User.objects.get(username="deputy").deputy
    states = set(Proposal.objects.filter(lead_deputy=deputy).values_list("state", flat=True))
    assert {S.DRAFT, S.RETURNED, S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED} <= states


def test_running_it_twice_duplicates_nothing(db_with_demo):
    counts = lambda: [m.objects.count() for m in (Proposal, ProposalEvent, User, Deputy, Unit, Assignment, Reply)]  # noqa: E731
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "未重复生成" in out.getvalue()


def _meetings() -> tuple[Meeting, Meeting]:
    current, previous = Meeting.objects.filter(term__stream=Stream.SUGGESTION).order_by("-year", "-number")[:2]
    return current, previous


def test_last_years_meeting_of_the_same_term_is_there_with_its_suggestions_closed(db_with_demo):
    current, previous = _meetings()
    assert (previous.term_id, previous.number, previous.year) == (current.term_id, current.number - 1, current.year - 1)
    assert 360 <= (current.opens_on - previous.opens_on).days <= 370
    last_year = Proposal.objects.filter(meeting=previous)
    assert last_year.count() == 24
    assert set(last_year.values_list("state", flat=True)) == {S.CLOSED}
    final = [
        Reply.objects.filter(assignment__proposal=p, state="issued").order_by("-round", "-pk").first()
        for p in last_year
    ]
    classes = [r.result_category.result_class for r in final]
    assert {k: classes.count(k) for k in "ABCD"} == {"A": 14, "B": 7, "C": 2, "D": 1}
    assert Reply.objects.filter(assignment__proposal__meeting=previous, round=2).count() == 1  # re-handled once
    assert Rating.objects.filter(reply__assignment__proposal__meeting=previous, result="unsatisfied").count() == 1
    assert ContactRecord.objects.filter(proposal__meeting=previous, kind="face_to_face").exists()
    assert 2 <= last_year.filter(lead_deputy__user__username="deputy").count() <= 3
    # Its titles are its own, and its year has the annual report's chapters and a key item.
    assert not set(last_year.values_list("title", flat=True)) & set(
        Proposal.objects.filter(meeting=current).values_list("title", flat=True)
    )
    assert AnnualReport.objects.filter(year=previous.year).exclude(practices="").exists()
    assert KeyItem.objects.filter(year=previous.year).count() == 1


def test_last_years_open_promises_are_on_the_follow_up_list_overdue_first(db_with_demo, client):
    _current, previous = _meetings()
    today = timezone.localdate()
    promises = Promise.objects.filter(proposal__meeting=previous)
    assert promises.filter(state=Promise.State.KEPT).count() >= 3  # reported done, confirmed by staff
    still_open = promises.filter(state=Promise.State.OPEN)
    assert still_open.count() == 3
    overdue = still_open.filter(promised_by__lt=today)
    assert overdue.count() == 2
    assert ProgressReport.objects.filter(promise__in=overdue).exists()

    client.force_login(User.objects.get(username="staff"))
    response = client.get(reverse("supervision:followup"))
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    flags = [p.promised_by is not None and p.promised_by < today for p in listed]
    assert flags == sorted(flags, reverse=True), "overdue promises come first"
    shown = {p.pk for p in listed if p.promised_by and p.promised_by < today}
    assert set(overdue.values_list("pk", flat=True)) <= shown
    assert {p.proposal.meeting_id for p in listed} >= {previous.pk, _current.pk}  # across years
    assert previous.name in response.content.decode()


def test_a_second_run_adds_nothing_to_last_year_either(db_with_demo):
    _current, previous = _meetings()

    def counts():
        return [
            Meeting.objects.count(),
            Proposal.objects.filter(meeting=previous).count(),
            Promise.objects.count(),
            ProgressReport.objects.count(),
            KeyItem.objects.count(),
            AnnualReport.objects.count(),
            ContactRecord.objects.count(),
        ]

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
    assert previous.opens_on < timezone.localdate() - dt.timedelta(days=500)


def test_each_demo_promise_names_the_month_of_its_deadline(db_with_demo):
    import re

    from supervision.models import Promise

    for promise in Promise.objects.select_related("reply"):
        named = re.findall(r"(20\d\d)年(\d{1,2})月", promise.reply.promised_items)
        if named:
            year, month = map(int, named[-1])
            assert (year, month) == (promise.promised_by.year, promise.promised_by.month), promise.reply.promised_items


def test_demo_replies_carry_the_scanned_letter_and_the_demo_deputy_gets_mail(db_with_demo):
    from deputies.models import User
    from handling.models import Reply

    issued = Reply.objects.filter(state="issued", copied_from__isnull=True)
    assert issued.exists() and not issued.filter(attachments__isnull=True).exists()
    assert User.objects.get(username="deputy").email


def test_demo_notices_older_than_two_weeks_are_read_so_badges_count_what_is_new(db_with_demo):
    import datetime as dt

    from django.utils import timezone

    from proposals.models import Notification

    two_weeks_ago = timezone.now() - dt.timedelta(days=15)
    assert not Notification.objects.filter(created_at__lt=two_weeks_ago, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient__username="staff", read_at__isnull=True).exists()


def test_the_cppcc_session_has_proposals_in_every_state_joint_and_collective(db_with_demo):
    proposals = Proposal.objects.filter(stream=Stream.PROPOSAL)
    assert 75 <= proposals.count() <= 85
    assert set(proposals.values_list("state", flat=True)) == set(S.values)
    assert set(proposals.values_list("meeting__term__stream", flat=True)) == {Stream.PROPOSAL}
    assert proposals.filter(cosignatures__status="confirmed").exists()  # 联名
    assert proposals.filter(lead_deputy__is_organisation=True).exists()  # 集体提案
    # a collective proposal is the body's own
    assert not proposals.filter(lead_deputy__is_organisation=True, cosignatures__isnull=False).exists()
    assert not proposals.filter(cosignatures__deputy__stream=Stream.SUGGESTION).exists()
    assert set(User.objects.get(username="member").deputy.led_proposals.values_list("stream", flat=True)) == {
        Stream.PROPOSAL
    }
    # Handled by the same units as the suggestions, and reported together.
    assert Assignment.objects.filter(proposal__stream=Stream.PROPOSAL).exists()
    year = Proposal.objects.filter(stream=Stream.PROPOSAL).values_list("meeting__year", flat=True).first()
    assert AnnualReport.objects.filter(year=year, stream="").exists()
