"""Inserting many new rows of one model at once (the import's writer, COPY on PostgreSQL): the
objects come back saved as `bulk_create` leaves them, with their ids, the ids of the related
objects saved before them, and their creation moment (`auto_now_add`)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from proposals.models import Proposal, ProposalEvent, ProposalState
from reports.excel.bulk import insert
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_new_rows_come_back_saved_with_their_ids_related_ids_and_creation_moment(staff):
    meeting, deputy = f.MeetingFactory(), f.DeputyFactory()
    proposals = [
        Proposal(
            meeting=meeting,
            number=i + 1,
            title=f"关于第{i}件事的建议",
            lead_deputy=deputy,
            created_by_id=staff.pk,
            state=ProposalState.REGISTERED,
            submitted_at=timezone.now(),
        )
        for i in range(3)
    ]
    insert(Proposal, proposals)
    events = [
        ProposalEvent(proposal=p, actor=staff, action="import", to_state=p.state, data={"row": i})
        for i, p in enumerate(proposals)
    ]
    insert(ProposalEvent, events)

    assert all(p.pk is not None and not p._state.adding for p in proposals)
    stored = {p.pk: p for p in Proposal.objects.filter(meeting=meeting)}
    assert [(stored[p.pk].number, stored[p.pk].title, stored[p.pk].state) for p in proposals] == [
        (p.number, p.title, ProposalState.REGISTERED) for p in proposals
    ]
    assert all(p.created_at is not None for p in stored.values())  # auto_now_add
    assert all(p.lead_deputy_id == deputy.pk and p.created_by_id == staff.pk for p in stored.values())
    trail = ProposalEvent.objects.filter(action="import").order_by("pk").values_list("pk", "proposal_id", "data")
    assert list(trail) == [(e.pk, p.pk, {"row": i}) for i, (e, p) in enumerate(zip(events, proposals, strict=True))]


def test_a_related_object_not_saved_yet_is_refused(staff):
    unsaved = Proposal(title="未保存", lead_deputy=f.DeputyFactory(), created_by=staff)
    with pytest.raises(ValueError):
        insert(ProposalEvent, [ProposalEvent(proposal=unsaved, actor=staff, action="import")])
