"""Deadline rules: 3 or 6 months from assignment, re-handling period, and the re-assignment
window in working days on China's official calendar (holidays and swapped working days)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from proposals import deadlines
from proposals.models import WorkdayOverride

D = dt.date


@pytest.mark.parametrize(
    ("assigned", "complex_", "due"),
    [
        (D(2026, 3, 10), False, D(2026, 6, 10)),
        (D(2026, 3, 10), True, D(2026, 9, 10)),
        (D(2026, 11, 30), False, D(2027, 2, 28)),  # clamped to the end of February
        (D(2027, 11, 30), False, D(2028, 2, 29)),  # a leap year
        (D(2026, 8, 31), True, D(2027, 2, 28)),
        (D(2026, 12, 15), False, D(2027, 3, 15)),  # across the year end
    ],
)
def test_reply_deadline_counts_months_from_the_assignment_day(assigned, complex_, due):
    assert deadlines.reply_deadline(assigned, complex_=complex_) == due


@override_settings(REPLY_PERIOD="2m", COMPLEX_REPLY_PERIOD="4m", REHANDLING_PERIOD="15d")
def test_the_periods_are_settings():
    assert deadlines.reply_deadline(D(2026, 3, 10), complex_=False) == D(2026, 5, 10)
    assert deadlines.reply_deadline(D(2026, 3, 10), complex_=True) == D(2026, 7, 10)
    assert deadlines.rehandling_deadline(D(2026, 3, 10)) == D(2026, 3, 25)


def test_a_malformed_period_is_refused_with_an_explanation():
    with pytest.raises(ValueError, match="3m"):
        deadlines.Period.parse("three months")


@pytest.mark.django_db
def test_the_reassignment_window_skips_the_spring_festival_and_counts_its_swapped_saturdays():
    # 2026: Spring Festival off 15-23 February; Saturdays 14 and 28 February are working days.
    # Assigned Thursday 12 February: Fri 13, Sat 14 (swapped), then Tue 24, Wed 25, Thu 26.
    assert deadlines.reassignment_window_end(D(2026, 2, 12)) == D(2026, 2, 26)
    # Assigned Friday 13 February: Sat 14, Tue 24, Wed 25, Thu 26, Fri 27.
    assert deadlines.reassignment_window_end(D(2026, 2, 13)) == D(2026, 2, 27)
    # Assigned Friday 27 February: the swapped Saturday 28 counts, Sunday 1 March does not.
    assert deadlines.reassignment_window_end(D(2026, 2, 27)) == D(2026, 3, 5)


@pytest.mark.django_db
@override_settings(REASSIGNMENT_WINDOW_WORKDAYS=3)
def test_the_window_length_is_a_setting():
    assert deadlines.reassignment_window_end(D(2026, 2, 12)) == D(2026, 2, 24)


@pytest.mark.django_db
def test_an_override_wins_over_the_official_calendar():
    WorkdayOverride.objects.create(date=D(2026, 2, 24), is_workday=False, note="地方调休")
    assert deadlines.reassignment_window_end(D(2026, 2, 12)) == D(2026, 2, 27)
    assert not deadlines.is_workday(D(2026, 2, 24))


@pytest.mark.django_db
def test_a_year_the_package_does_not_know_falls_back_to_weekdays_plus_overrides():
    # 2030 is beyond the package's data: Monday to Friday, until overrides are entered.
    assert deadlines.add_workdays(D(2030, 2, 1), 5) == D(2030, 2, 8)  # Fri 1 Feb → Fri 8 Feb
    WorkdayOverride.objects.bulk_create(
        [WorkdayOverride(date=D(2030, 2, d), is_workday=False, note="春节") for d in range(4, 9)]
    )
    assert deadlines.add_workdays(D(2030, 2, 1), 5) == D(2030, 2, 15)


@pytest.mark.django_db
def test_the_window_is_open_until_its_last_day_and_closed_after(draft, cast):
    from proposals.models import ProposalState
    from tests.workflow import advance

    with time_machine.travel(dt.datetime(2026, 2, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        proposal = advance(draft, ProposalState.ASSIGNED, cast)
    assignment = proposal.assignments.get()
    assert assignment.reassignment_window_end == D(2026, 2, 26)
    assert assignment.reassignment_window_open(today=D(2026, 2, 26))
    assert not assignment.reassignment_window_open(today=D(2026, 2, 27))


@pytest.mark.django_db
def test_a_request_after_the_window_is_refused_with_the_closing_date(draft, cast):
    from handling import services as hs
    from proposals.models import ProposalState
    from proposals.workflow import ProposalError
    from tests.workflow import advance

    with time_machine.travel(dt.datetime(2026, 2, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        proposal = advance(draft, ProposalState.ASSIGNED, cast)
    with time_machine.travel(dt.datetime(2026, 2, 27, 2, 0, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ProposalError, match="2026-02-26"):
            hs.request_reassignment(assignment=proposal.assignments.get(), by=cast.handler, reason="不属本单位")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ASSIGNED
    assert not proposal.assignments.get().reassignment_requests.exists()
