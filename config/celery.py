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

    发送待发消息  proposals.tasks.drain_outbox  every minute (expires after 120 s)
        Sends the outbox's due e-mails and text messages (proposals/outbox.py): those queued
        while Redis was down, and failed ones whose retry time has come. Steps wake it for their
        own messages at once; this run is what makes sure nothing waits longer than a minute
        once Redis and a worker are up. A run left in the queue for two minutes is dropped: the
        next one does the same work. Row created by proposals/migrations/0006_outbox_drain_schedule.py.

    清除空草稿  proposals.tasks.discard_empty_drafts  crontab "15 3 * * *"
        Withdraws the drafts left empty (no title, text or attachment) for more than a day, so
        they leave the deputies' lists; their trail keeps the step. Row created by
        proposals/migrations/0007_discard_empty_drafts_schedule.py.

    评价生效  handling.tasks.settle_due_ratings  crontab "5 * * * *"
        Every hour, the deputies' ratings whose time for changes (RATING_CHANGE_WORKDAYS) is
        over, or on whose suggestion staff have acted, take effect: an unsatisfied first reply
        goes to re-handling then. Hourly, so a rating staff acted on does not wait for a night.
        Row created by handling/migrations/0004_rating_change_window.py.

    检查中断的报告任务  reports.sweep_report_jobs  every minute (expires after 120 s)
        Queues again an annual report job whose run was lost (no progress for
        REPORT_JOB_STALE_SECONDS), or fails it after REPORT_JOB_MAX_ATTEMPTS (reports/jobs.py).
        The report page runs the same sweep when it is shown. Row created by
        reports/migrations/0002_report_job_sweeper.py.

    更新相似建议与承办单位建议  handling.tasks.refresh_intelligence  crontab "40 2 * * *"
        Every night, when nobody drafts or assigns: indexes the suggestions written in bulk (an
        import) or changed since, counts the terms again, recomputes the vectors, and learns the
        units' profiles from the final assignments (handling/unit_suggestion.py). A second run
        finds nothing new to index and writes the same profiles. Row created by
        handling/migrations/0007_refresh_intelligence_schedule.py.

    删除群众意见中的个人信息  deputies.tasks.purge_resident_data  crontab "20 3 * * *"
        Every night, removes the phone and the photo of residents' matters received more than
        RESIDENT_DATA_DAYS ago, and writes that on each matter's trail (deputies/matters.py).
        A second run finds nothing left to remove. Row created by
        deputies/migrations/0011_purge_resident_data_schedule.py.
One beat sends the schedule: the scheduler (config/beat.py) takes a lock first, so a second beat
started by mistake, or on purpose as a standby on another server, waits and takes over only
when the first stops. Without Celery (the embedded default, or a deployment without Redis),
run the scan and the outbox from cron:

    30 7 * * * cd /srv/jianyi && .venv/bin/python manage.py daily_scan
    * * * * *  cd /srv/jianyi && .venv/bin/python manage.py send_outbox
    15 3 * * * cd /srv/jianyi && .venv/bin/python manage.py discard_empty_drafts
    5 * * * *  cd /srv/jianyi && .venv/bin/python manage.py settle_ratings
    40 2 * * * cd /srv/jianyi && .venv/bin/python manage.py refresh_intelligence
    20 3 * * * cd /srv/jianyi && .venv/bin/python manage.py purge_resident_data

(with eager tasks every step sends its own messages after commit; `send_outbox` sends what
failed then, when its retry time comes).
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
OUTBOX_DRAIN = {
    "name": "发送待发消息",
    "task": "proposals.tasks.drain_outbox",
    "every_minutes": 1,
    "expire_seconds": 120,
}
REPORT_JOB_SWEEP = {
    "name": "检查中断的报告任务",
    "task": "reports.sweep_report_jobs",
    "every_minutes": 1,
    "expire_seconds": 120,
}
