"""Reads for suggestions: what a user sees, with what lists and pages need in few queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from proposals import rules as access
from proposals.models import Proposal, ProposalEvent


def proposals_for(user: Any) -> QuerySet[Proposal]:
    return access.visible_proposals(user).select_related("meeting", "lead_deputy", "category")


def state_counts(user: Any) -> dict[str, int]:
    rows = access.visible_proposals(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def timeline(proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("created_at", "pk")
