"""Helpers for the page tests: many rows at once (for query counts), and reading
a page's text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from handling.models import Assignment, ReassignmentRequest, Reply
from proposals.models import Proposal, ProposalState

S = ProposalState


def many_proposals(
    n: int,
    *,
    meeting: Any,
    category: Any,
    deputy: Any,
    staff: Any,
    unit: Any,
    co_unit: Any = None,
    state: str = S.IN_HANDLING,
    start: int = 1,
) -> list[Proposal]:
    """`n` numbered suggestions in `state`, assigned to `unit` (and `co_unit`), written in
    bulk: list pages must then run the same number of queries for 10 rows as for 200."""
    today = timezone.localdate()
    assigned = state not in (S.SUBMITTED, S.REGISTERED)
    rows = Proposal.objects.bulk_create(
        [
            Proposal(
                meeting=meeting,
                number=start + i if state != S.SUBMITTED else None,
                title=f"关于批量测试第{start + i}件事情的建议",
                body="正文",
                lead_deputy=deputy,
                category=category,
                created_by=deputy.user,
                state=state,
                submitted_at=timezone.now(),
                due_on=today + dt.timedelta(days=i % 40 - 5) if assigned else None,
            )
            for i in range(n)
        ]
    )
    if assigned:
        plan = [(unit, "lead")] + ([(co_unit, "co")] if co_unit else [])
        Assignment.objects.bulk_create(
            [
                Assignment(
                    proposal=p,
                    unit=u,
                    role=role,
                    assigned_on=today - dt.timedelta(days=30),
                    deadline=p.due_on,
                    assigned_by=staff,
                    signed_at=timezone.now() if state != S.ASSIGNED else None,
                )
                for p in rows
                for u, role in plan
            ]
        )
    return rows


def many_reassignment_requests(proposals: list[Proposal], by: Any) -> None:
    lead = Assignment.objects.filter(proposal__in=proposals, role="lead")
    ReassignmentRequest.objects.bulk_create(
        [ReassignmentRequest(assignment=a, reason="不属于本单位职责", requested_by=by) for a in lead]
    )


def many_approved_replies(proposals: list[Proposal], handler: Any, head: Any, result: Any) -> None:
    lead = Assignment.objects.filter(proposal__in=proposals, role="lead")
    Reply.objects.bulk_create(
        [
            Reply(
                assignment=a,
                state=Reply.State.APPROVED,
                body="答复",
                signer="局长",
                result_category=result,
                created_by=handler,
                approved_by=head,
                approved_at=timezone.now(),
            )
            for a in lead
        ]
    )


def text(response: Any) -> str:
    """The page's visible text, whitespace collapsed (for asserting what a person reads)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def queries_for(client: Any, url: str) -> int:
    """How many SQL queries one request of `url` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def many_public_replies(proposals: list[Proposal], handler: Any, result: Any) -> None:
    """An issued, public reply from each lead unit (the suggestions made `replied`)."""
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(state=S.REPLIED)
    lead = Assignment.objects.filter(proposal__in=proposals, role="lead")
    Reply.objects.bulk_create(
        [
            Reply(
                assignment=a,
                state=Reply.State.ISSUED,
                body="答复正文",
                signer="局长",
                result_category=result,
                created_by=handler,
                issued_at=timezone.now(),
            )
            for a in lead
        ]
    )
