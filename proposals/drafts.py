"""Drafts nobody wrote in: a draft is kept only once it has a title, some text or an
attachment (proposals/deputy_views.py), and one left empty afterwards leaves the lists at once
(proposals/following.py) and is withdrawn at night by beat's row "清除空草稿"."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from proposals.models import Proposal, ProposalEvent, ProposalState
from proposals.workflow import locked

# Nothing in it: no title, no text, no attachment.
NOTHING_WRITTEN = Q(title="", body="", attachments__isnull=True)


def empty_drafts() -> QuerySet[Proposal]:
    return Proposal.objects.filter(NOTHING_WRITTEN, state=ProposalState.DRAFT)


def discard_empty_drafts(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Withdraw the drafts left empty for longer than `older_than` (a draft opened and
    abandoned, or emptied by its deputy): they leave every list. Their trail keeps the step,
    by nobody (the system), since a trail is never deleted. Returns how many."""
    cutoff = timezone.now() - older_than
    discarded = 0
    for pk in empty_drafts().filter(updated_at__lt=cutoff).values_list("pk", flat=True):
        with locked(pk) as current:
            if not empty_drafts().filter(pk=current.pk).exists():
                continue  # written in meanwhile
            Proposal.objects.filter(pk=current.pk).update(state=ProposalState.WITHDRAWN)
            current.refresh_from_db(fields=["state"])
            ProposalEvent.objects.create(
                proposal=current,
                actor=None,
                action="discard_empty",
                from_state=ProposalState.DRAFT,
                to_state=ProposalState.WITHDRAWN,
            )
            discarded += 1
    return discarded
