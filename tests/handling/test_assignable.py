"""Which suggestions staff may assign: `is_assignable` (the assign page, its button, the API, the
list's tick boxes) and `assignable_condition` (the bulk assignment, the to-do count) agree."""

from __future__ import annotations

import pytest

from handling.rules import assignable_condition, is_assignable
from proposals.models import Proposal, ProposalState
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_a_registered_suggestion_not_merged_into_another_is_assignable_and_nothing_else(deputy, meeting, category):
    main = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, state=ProposalState.REGISTERED)
    made = [main]
    for state in ProposalState.values:
        made.append(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, state=state))
        made.append(
            ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, state=state, merged_into=main)
        )
    found = set(Proposal.objects.filter(assignable_condition()).values_list("pk", flat=True))
    assert found == {p.pk for p in made if is_assignable(p)}
    assert {(p.state, bool(p.merged_into_id)) for p in made if p.pk in found} == {(ProposalState.REGISTERED, False)}
