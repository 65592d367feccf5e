"""The demo: this year's district congress meeting with suggestions in every state, the CPPCC
session of the same year with proposals in every state (`demo.cppcc`), last year's meeting of
the same term, supervision and reports for both years, and a login for every role,
built by running the real services at past dates (see `demo.world` and `demo.story`).

The parts, each building on the shared blocks only, run in this order: last year's meeting
first (its events come first), then this year's (`this_year`), its supervision, its reports.
Each meeting is built once: a second run adds nothing, and on a database that has only this
year's meeting it adds last year's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from demo import cppcc, last_year, referrals, reports, schedules, stations, supervision, this_year
from demo.world import World, build_world
from deputies.models import Deputy, User
from handling.models import Assignment, ContactRecord, Unit
from handling.unit_suggestion import refresh_all
from proposals.models import Notification, Proposal
from supervision.reminders import run_daily_scan


def build(today: dt.date | None = None, log: Callable[[str], None] = print) -> bool:
    """Build the demo; False if it was already there (nothing is duplicated). What was built is
    then indexed and learned from, as the nightly refresh does (similar items, unit suggestion)."""
    built = _build(today or timezone.localdate(), log)
    if built:
        refresh_all()
    return built


def _build(today: dt.date, log: Callable[[str], None]) -> bool:
    with transaction.atomic():
        world = build_world(today)
        previous = build_last_year(world, log)
        if Proposal.objects.filter(meeting=world.meeting).exists():
            added = cppcc.build(world, log)  # a database built before the CPPCC session was
            added = stations.build(world, log) or added  # one built before the liaison stations
            added = referrals.build(world, log) or added  # ... or before matters were forwarded
            if previous or added:
                run_daily_scan(today)
            return previous or added
        this_year.build(world, log)
        cppcc.build(world, log)
        schedules.build(world, log)
        supervision.build(world, log)  # ends with the first daily scan
        reports.build(world, log)
        # After the meeting's own suggestions, so their numbers stay what the README names.
        stations.build(world, log)
        # Residents' matters forwarded to units, at the first station (the next scan reminds
        # the unit of the overdue one: bin/demo runs it at each start).
        referrals.build(world, log)
        # Set last, so the history above sends no mail: from now on the demo deputy's notices
        # are also e-mailed (printed on the console without EMAIL_HOST).
        User.objects.filter(username="deputy", email="").update(email="deputy@example.gov.cn")
        # People have been reading their notices over the months: what is older than two weeks
        # is read, so each badge counts what is new, as in a system in daily use.
        read_before = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=14), dt.time()))
        Notification.objects.filter(created_at__lt=read_before, read_at__isnull=True).update(read_at=F("created_at"))
    return True


def build_last_year(current: World, log: Callable[[str], None]) -> bool:
    """Last year's meeting, its key item and its report; False if there is none to build or it
    is already there."""
    world = last_year.world_before(current)
    if world is None:
        return False
    progress_reports = last_year.build(world)
    key_item = supervision.build_last_year(world)
    reports.build_last_year(world)
    log(last_year.summary(world, progress_reports=progress_reports, key_items=0 if key_item is None else 1))
    return True


def summary() -> dict[str, Any]:
    return {
        "suggestions": Proposal.objects.count(),
        "units": Unit.objects.count(),
        "deputies": Deputy.objects.count(),
        "assignments": Assignment.objects.count(),
        "contacts": ContactRecord.objects.count(),
    }
