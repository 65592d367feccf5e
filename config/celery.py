"""The Celery app and the beat schedule.

Periodic jobs are rows of django-celery-beat (CELERY_BEAT_SCHEDULER is its DatabaseScheduler),
so an administrator can change the time, pause a job or run it now in the admin (周期任务).
Each row is created once by a data migration; `app.conf.beat_schedule` stays empty on purpose,
because the DatabaseScheduler would write it over the admin's changes at every start of beat.

The schedule (Asia/Shanghai time):

    每日提醒扫描  supervision.tasks.daily_scan  crontab "30 7 * * *"
        Every morning at 07:30, before office hours, so that the day's reminders (reply
        deadlines, overdue replies and their escalation, ratings, promises, progress reports on
        key suggestions, unacknowledged urging notices) are waiting when people arrive.
        Row created by supervision/migrations/0002_supervision_and_reminders.py.

One beat sends the schedule: the scheduler (config/beat.py) takes a lock first, so a second beat
started by mistake, or on purpose as a standby on another server, waits and takes over only
when the first stops. Without Celery (the embedded default, or a deployment without Redis),
run the same scan from cron: `30 7 * * * cd /srv/jianyi && .venv/bin/python manage.py daily_scan`.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The rows the data migrations create, as documented above (kept here so the schedule is
# readable in one place; the migrations hold their own frozen copy).
DAILY_SCAN = {
    "name": "每日提醒扫描",
    "task": "supervision.tasks.daily_scan",
    "crontab": {"minute": "30", "hour": "7", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}
