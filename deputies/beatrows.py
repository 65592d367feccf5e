"""Periodic jobs as django-celery-beat rows (config/celery.py lists them and says why they are
rows): each is created once, by a data migration of the app whose task it runs, from a frozen
copy of its schedule. An administrator may change it in the admin afterwards; the migration never
runs again.

A row is a dict: `name`, `task`, `description`, and either `crontab` (CrontabSchedule's fields)
with its `timezone`, or `every_minutes`; `expire_seconds` drops a run left that long in the queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import migrations
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import StateApps


def beat_row_operation(row: dict[str, Any]) -> migrations.RunPython:
    """The migration operation that installs `row` (and removes it when migrating back)."""

    def install(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        defaults: dict[str, Any] = {"task": row["task"], "description": row["description"], "enabled": True}
        if "crontab" in row:
            CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
            defaults["crontab"] = CrontabSchedule.objects.get_or_create(timezone=row["timezone"], **row["crontab"])[0]
        else:
            IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
            defaults["interval"] = IntervalSchedule.objects.get_or_create(every=row["every_minutes"], period="minutes")[
                0
            ]
        if "expire_seconds" in row:
            defaults["expire_seconds"] = row["expire_seconds"]
        PeriodicTask.objects.get_or_create(name=row["name"], defaults=defaults)
        # Tell a running beat that the schedule changed (what the admin does on save).
        apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
            ident=1, defaults={"last_update": timezone.now()}
        )

    def remove(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=row["name"]).delete()

    return migrations.RunPython(install, remove)
