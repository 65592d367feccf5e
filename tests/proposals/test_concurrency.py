"""Two people act on one suggestion at the same moment, on two real PostgreSQL connections:
exactly one wins, the other gets a clear error, and nothing is half-written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django_fsm import ConcurrentTransition

from proposals import services as ps
from proposals import workflow
from proposals.models import Proposal, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from tests.workflow import advance

S = ProposalState


def race(*steps: Callable[[], object], hold: float = 0.4) -> list[object]:
    """Run the steps in threads (each with its own database connection), released together.
    Every transition sleeps `hold` seconds while holding its row lock, so the steps overlap."""
    barrier = threading.Barrier(len(steps))
    results: list[object] = [None] * len(steps)
    real_run_fsm = workflow.run_fsm

    def slow_run_fsm(*args, **kwargs):
        state = real_run_fsm(*args, **kwargs)
        time.sleep(hold)
        return state

    def worker(index: int, step: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = step()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each got
            results[index] = exc
        finally:
            connections.close_all()

    workflow.run_fsm = slow_run_fsm
    try:
        threads = [threading.Thread(target=worker, args=(i, s)) for i, s in enumerate(steps)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    finally:
        workflow.run_fsm = real_run_fsm
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_register_and_return_at_once_exactly_one_wins(draft, cast, staff):
    assert connection.vendor == "postgresql"
    proposal = advance(draft, S.SUBMITTED, cast)
    events_before = ProposalEvent.objects.filter(proposal=proposal).count()

    results = race(
        lambda: ps.register_proposal(proposal=proposal, by=staff),
        lambda: ps.return_proposal(proposal=proposal, by=staff, reason="请补充材料"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    wins = [r for r in results if isinstance(r, Proposal)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], ProposalError)
    assert str(errors[0])  # a message the loser can read

    fresh = Proposal.objects.get(pk=proposal.pk)
    assert fresh.state == wins[0].state
    assert ProposalEvent.objects.filter(proposal=proposal).count() == events_before + 1
    if fresh.state == S.REGISTERED:
        assert fresh.number == 1
    else:
        assert fresh.number is None  # the losing registration left no number behind


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_step_twice_at_once_runs_once(draft, cast, staff):
    proposal = advance(draft, S.SUBMITTED, cast)
    results = race(
        lambda: ps.register_proposal(proposal=proposal, by=staff),
        lambda: ps.register_proposal(proposal=proposal, by=staff),
    )
    assert sum(isinstance(r, Proposal) for r in results) == 1
    assert sum(isinstance(r, ProposalError) for r in results) == 1
    assert ProposalEvent.objects.filter(proposal=proposal, action="register").count() == 1
    assert Proposal.objects.get(pk=proposal.pk).number == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_in_one_meeting_get_different_numbers(deputy, meeting, category, cast, staff):
    from tests.factories import ProposalFactory

    a = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    b = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    results = race(
        lambda: ps.register_proposal(proposal=a, by=staff),
        lambda: ps.register_proposal(proposal=b, by=staff),
    )
    assert all(isinstance(r, Proposal) for r in results), results
    assert sorted(Proposal.objects.filter(pk__in=[a.pk, b.pk]).values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_saving_a_stale_copy_raises_instead_of_overwriting(draft, cast):
    """The optimistic check of ConcurrentTransitionMixin, on any database."""
    proposal = advance(draft, S.SUBMITTED, cast)
    first = Proposal.objects.get(pk=proposal.pk)
    second = Proposal.objects.get(pk=proposal.pk)
    first.return_for_revision()
    first.save()
    second.decline()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        second.save()
    assert Proposal.objects.get(pk=proposal.pk).state == S.RETURNED
