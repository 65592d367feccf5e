"""Thin tasks: the drain of the outbox, which sends the notifications' e-mails and text
messages (proposals/outbox.py), the nightly removal of empty drafts, and indexing the text of
suggestions written in bulk (an import)."""

from __future__ import annotations

from celery import shared_task

from proposals import drafts, outbox, textindex


@shared_task
def drain_outbox(ids: list[int] | None = None) -> int:
    """Send the due messages: those of `ids` (a step wakes it for its own messages after
    commit), or every due one (beat, every minute). Returns how many were sent."""
    return outbox.drain(ids=ids).sent


@shared_task
def discard_empty_drafts() -> int:
    """Withdraw the drafts left empty for more than a day (beat, every night)."""
    return drafts.discard_empty_drafts()


@shared_task
def index_new_texts() -> int:
    """Index the suggestions missing from the text index: an import writes its rows in bulk,
    past the index's save hook, and queues this after commit (the nightly refresh catches up
    with whatever it missed). Returns how many were indexed."""
    return textindex.refresh_text_index(full=False)["indexed"]
