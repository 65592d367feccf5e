"""The deputies app's periodic job (config/celery.py lists the schedule)."""

from __future__ import annotations

from celery import shared_task

from deputies import matters


@shared_task
def purge_resident_data() -> int:
    """Remove residents' phones and photos past `RESIDENT_DATA_DAYS` (beat, every night)."""
    return matters.purge_resident_data()
