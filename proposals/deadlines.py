"""Deadline arithmetic: calendar periods ("3m", "15d") and working days on China's calendar.

Periods count from the day of the event: a suggestion assigned on 10 March with a 3-month
period is due on 10 June (代表法: 自交办之日起三个月内答复). When the target month is shorter,
the last day of that month is used (31 August + 6 months = 28 or 29 February).

Working days follow China's official calendar, holidays and swapped working days (调休)
included, from the `chinese-calendar` package; `WorkdayOverride` rows (admin-editable) win over
it, and for a year the package does not know yet, Monday to Friday are working days until the
State Council's schedule is entered as overrides.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import ngettext

from proposals.models import WorkdayOverride

_PERIOD = re.compile(r"^\s*(\d+)\s*([dmDM])\s*$")


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # "d" or "m"

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match:
            raise ValueError(f"A period is a number and 'd' or 'm', such as '3m' or '15d': {text!r}")
        return cls(int(match.group(1)), match.group(2).lower())

    def label(self) -> str:
        """The period in words for the pages ("3 个月", "15 天"), never the setting's code."""
        if self.unit == "d":
            return ngettext("%(n)s day", "%(n)s days", self.amount) % {"n": self.amount}
        return ngettext("%(n)s month", "%(n)s months", self.amount) % {"n": self.amount}

    def after(self, start: dt.date) -> dt.date:
        if self.unit == "d":
            return start + dt.timedelta(days=self.amount)
        return add_months(start, self.amount)


PERIOD_SETTINGS = ("REPLY_PERIOD", "COMPLEX_REPLY_PERIOD", "REHANDLING_PERIOD", "CO_OPINION_PERIOD")


def check_period_settings() -> None:
    """Stop the start when a period setting cannot be read: otherwise the first assignment
    after a typo in `REPLY_PERIOD` would fail, long after the deployment looked fine."""
    for name in PERIOD_SETTINGS:
        try:
            Period.parse(getattr(settings, name))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {exc}") from None


def add_months(start: dt.date, months: int) -> dt.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def reply_deadline(assigned_on: dt.date, *, complex_: bool) -> dt.date:
    period = settings.COMPLEX_REPLY_PERIOD if complex_ else settings.REPLY_PERIOD
    return Period.parse(period).after(assigned_on)


def rehandling_deadline(started_on: dt.date) -> dt.date:
    return Period.parse(settings.REHANDLING_PERIOD).after(started_on)


def co_opinion_deadline(assigned_on: dt.date) -> dt.date:
    return Period.parse(settings.CO_OPINION_PERIOD).after(assigned_on)


def reassignment_window_end(assigned_on: dt.date) -> dt.date:
    """The last day a unit may ask for re-assignment: the Nth working day after the
    assignment day (the assignment day itself is not counted)."""
    return add_workdays(assigned_on, settings.REASSIGNMENT_WINDOW_WORKDAYS)


# --- working days ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _official_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        # The package has no schedule for this year yet: Monday to Friday.
        return day.weekday() < 5


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def is_workday(day: dt.date) -> bool:
    return _overrides(day, day).get(day, _official_workday(day))


def add_workdays(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (start itself not counted)."""
    if count <= 0:
        return start
    # Load the overrides of a generous span once: holidays never stretch a week past two.
    span_end = start + dt.timedelta(days=count * 3 + 30)
    overrides = _overrides(start, span_end)
    day, found = start, 0
    while found < count:
        day += dt.timedelta(days=1)
        if day > span_end:
            span_end = day + dt.timedelta(days=60)
            overrides |= _overrides(day, span_end)
        if overrides.get(day, _official_workday(day)):
            found += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    overrides = _overrides(start, end)
    days = (end - start).days
    return sum(
        1
        for offset in range(1, days + 1)
        if overrides.get(start + dt.timedelta(days=offset), _official_workday(start + dt.timedelta(days=offset)))
    )
