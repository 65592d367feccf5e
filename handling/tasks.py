"""Thin tasks: letting the deputies' waiting ratings take effect."""

from __future__ import annotations

from celery import shared_task

from handling.services import settle_due_ratings as settle


@shared_task
def settle_due_ratings() -> int:
    """Ratings whose time for changes is over, or on which staff acted, take effect (beat, hourly)."""
    return settle()
