"""The Celery app. Periodic jobs are rows of django-celery-beat (editable in the admin);
`supervision` creates its daily scan row in a data migration, so there is one schedule, in the database."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
