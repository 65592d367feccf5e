"""Thin tasks: the drain of the outbox, which sends the notifications' e-mails and text
messages (proposals/outbox.py), and the nightly removal of empty drafts."""

from __future__ import annotations

from celery import shared_task

from proposals import drafts, outbox


@shared_task
def drain_outbox(ids: list[int] | None = None) -> int:
    """Send the due messages: those of `ids` (a step wakes it for its own messages after
    commit), or every due one (beat, every minute). Returns how many were sent."""
    return outbox.drain(ids=ids).sent


@shared_task
def discard_empty_drafts() -> int:
    """Withdraw the drafts left empty for more than a day (beat, every night)."""
    return drafts.discard_empty_drafts()
