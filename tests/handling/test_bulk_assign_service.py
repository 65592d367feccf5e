"""Bulk assignment's service: every suggestion to one lead unit, or none at all."""

from __future__ import annotations

import pytest

from handling import services as hs
from handling.models import Assignment
from proposals.models import ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from tests.factories import ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def three(deputy, meeting, category, cast):
    return [
        advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
        for _ in range(3)
    ]


def test_all_are_assigned_to_the_unit(three, staff, unit):
    hs.assign_many(proposals=three, by=staff, lead_unit=unit, is_complex=True)
    for p in three:
        p.refresh_from_db()
        assert p.state == S.ASSIGNED
        assert p.assignments.get().is_complex
    assert ProposalEvent.objects.filter(action="assign").count() == 3


def test_one_that_cannot_be_assigned_stops_them_all_and_is_named(three, staff, unit, co_unit):
    hs.assign_proposal(proposal=three[2], by=staff, lead_unit=co_unit)
    before = Assignment.objects.count()
    with pytest.raises(ProposalError, match=three[2].number_label):
        hs.assign_many(proposals=three, by=staff, lead_unit=unit)
    assert Assignment.objects.count() == before
    assert [type(p).objects.get(pk=p.pk).state for p in three] == [S.REGISTERED, S.REGISTERED, S.ASSIGNED]


def test_a_unit_cannot_bulk_assign(three, unit_handler, unit):
    with pytest.raises(ProposalError):
        hs.assign_many(proposals=three, by=unit_handler, lead_unit=unit)
    assert not Assignment.objects.exists()


def test_nothing_chosen_is_refused(staff, unit):
    with pytest.raises(ProposalError):
        hs.assign_many(proposals=[], by=staff, lead_unit=unit)
