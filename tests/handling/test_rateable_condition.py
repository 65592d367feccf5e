"""`is_rateable` (one reply, its loaded relations) and `rateable_condition` (the same rule as a
condition on replies, for pages that count or sort by it in SQL) agree on random replies."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from handling.models import Assignment, Rating, Reply, Satisfaction
from handling.rules import is_rateable, rateable_condition
from proposals.models import ProposalState
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2])
def test_the_condition_finds_exactly_the_rateable_replies(seed, staff, deputy, meeting, category, unit, co_unit):
    rng = random.Random(seed)
    today = timezone.localdate()
    for _ in range(40):
        proposal = ProposalFactory(
            lead_deputy=deputy,
            meeting=meeting,
            category=category,
            state=ProposalState.REPLIED if rng.random() < 0.4 else rng.choice(ProposalState.values),
        )
        for unit_ in rng.sample([unit, co_unit], rng.randint(1, 2)):
            assignment = Assignment.objects.create(
                proposal=proposal,
                unit=unit_,
                role=rng.choice(Assignment.Role.values),
                assigned_on=today,
                deadline=today + dt.timedelta(days=90),
                assigned_by=staff,
                is_active=rng.random() < 0.7,
            )
            for round_ in (1, 2)[: rng.randint(1, 2)]:
                reply = Reply.objects.create(
                    assignment=assignment,
                    round=round_,
                    state=Reply.State.ISSUED if rng.random() < 0.5 else rng.choice(Reply.State.values),
                    created_by=staff,
                )
                if rng.random() < 0.4:
                    Rating.objects.create(
                        reply=reply,
                        proposal=proposal,
                        attitude=Satisfaction.SATISFIED,
                        result=rng.choice(Satisfaction.values),
                        rated_by=deputy.user,
                    )

    replies = Reply.objects.select_related("rating", "assignment__proposal")
    expected = {reply.pk for reply in replies if is_rateable(reply)}
    assert expected, "the random replies should include rateable ones"
    assert set(Reply.objects.filter(rateable_condition()).values_list("pk", flat=True)) == expected
