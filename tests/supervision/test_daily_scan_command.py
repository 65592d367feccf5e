"""The scan as a management command (for cron, and the embedded default without Redis), and
the beat schedule row that runs it every morning."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from config.celery import DAILY_SCAN, app
from proposals.models import Notification
from supervision import tasks
from supervision.models import Reminder
from supervision.reminders import LABELS, RULES
from tests.supervision.conftest import due_in

pytestmark = pytest.mark.django_db


def test_the_report_names_every_rule_in_chinese_including_those_later_apps_add():
    names = {name for name, _rule in RULES}
    assert {"resurvey", "referral"} <= names  # added by supervision's later modules
    assert all(re.search(r"[\u4e00-\u9fff]", str(LABELS[name])) for name in names | {"promises_created"})


def test_the_command_runs_the_scan_and_reports_what_it_sent(handled, unit_handler):
    due_in(handled, 7)
    out = StringIO()
    call_command("daily_scan", stdout=out)
    text = out.getvalue()
    assert "答复期限提醒：1" in text
    assert "当前待答复 1 件" in text
    assert Notification.objects.filter(recipient=unit_handler, kind=Notification.Kind.DEADLINE).count() == 1
    call_command("daily_scan", stdout=StringIO())  # from cron again: nothing twice
    assert Reminder.objects.count() == 1


def test_the_command_can_scan_as_of_another_day(handled, unit_handler):
    due = due_in(handled, 20)
    day_before = (due - dt.timedelta(days=1)).isoformat()
    call_command("daily_scan", "--date", day_before, "--only", "deadline", stdout=StringIO())
    assert list(Reminder.objects.values_list("threshold", flat=True)) == [f"1d@{due.isoformat()}"]


def test_a_bad_date_is_explained(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily_scan", "--date", "2026-13-40")


def test_the_task_runs_the_same_scan(handled, unit_handler):
    due_in(handled, 7)
    summary = tasks.daily_scan.delay().get()
    assert summary["deadline"] == 1


def test_the_beat_row_exists_and_runs_the_registered_task(beat_rows, db):
    row = PeriodicTask.objects.get(name=DAILY_SCAN["name"])
    assert row.enabled
    assert row.task == DAILY_SCAN["task"] == tasks.DAILY_SCAN_TASK
    assert (row.crontab.minute, row.crontab.hour) == ("30", "7")
    assert str(row.crontab.timezone) == "Asia/Shanghai"
    app.loader.import_default_modules()
    assert row.task in app.tasks


def test_the_scheduler_of_beat_is_the_database_one_behind_the_one_beat_lock(settings):
    from celery.utils.imports import symbol_by_name
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.beat import SingleBeatScheduler

    scheduler = symbol_by_name(settings.CELERY_BEAT_SCHEDULER)
    assert scheduler is SingleBeatScheduler and issubclass(scheduler, DatabaseScheduler)
    assert not app.conf.beat_schedule  # one schedule: the rows, editable in the admin
