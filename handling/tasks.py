"""Thin tasks: letting the deputies' waiting ratings take effect."""

from __future__ import annotations

from celery import shared_task

from handling.services import settle_due_ratings as settle


@shared_task
def settle_due_ratings() -> int:
    """Ratings whose time for changes is over, or on which staff acted, take effect (beat, hourly)."""
    return settle()


@shared_task
def refresh_intelligence() -> dict[str, int]:
    """The text index, its term counts and the units' profiles, learned again (beat, nightly)."""
    from handling.unit_suggestion import refresh_all

    return refresh_all()
