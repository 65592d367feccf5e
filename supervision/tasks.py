"""Thin tasks: the daily scan, run by beat (the notices it writes leave through proposals/notify.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from supervision.reminders import run_daily_scan

# The name of the beat row (see config/celery.py and the supervision data migration).
DAILY_SCAN_TASK = "supervision.tasks.daily_scan"


@shared_task(name=DAILY_SCAN_TASK)
def daily_scan(today: str | None = None) -> dict[str, int]:
    """The daily reminder scan. `today` (ISO date) is for catching up a given day by hand."""
    return run_daily_scan(dt.date.fromisoformat(today) if today else None)
