"""`answering.Part.owed_on` (one unit's part, read by `answering_part`: the transitions, the
deadline extensions) and `with_owed_on` (the same rule in SQL, for the daily scan's reminders)
give each assignment the same day its next reply is due, on random units and replies."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from handling.models import Assignment, Reply
from handling.selectors import answering_part, with_owed_on
from proposals.models import ProposalState
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_and_python_owe_the_same_reply_on_the_same_day(seed, staff, deputy, meeting, category, unit, co_unit):
    rng = random.Random(seed)
    today = timezone.localdate()
    for _ in range(30):
        proposal = ProposalFactory(
            lead_deputy=deputy, meeting=meeting, category=category, state=ProposalState.IN_HANDLING
        )
        for unit_ in rng.sample([unit, co_unit], rng.randint(1, 2)):
            assignment = Assignment.objects.create(
                proposal=proposal,
                unit=unit_,
                role=Assignment.Role.LEAD if unit_ == unit else Assignment.Role.SEPARATE,
                assigned_on=today,
                deadline=today + dt.timedelta(days=rng.randint(-10, 90)),
                rehandling_deadline=today + dt.timedelta(days=rng.randint(-5, 60)) if rng.random() < 0.4 else None,
                assigned_by=staff,
            )
            for round_ in (1, 2)[: rng.randint(0, 2)]:
                Reply.objects.create(
                    assignment=assignment,
                    round=round_,
                    state=Reply.State.ISSUED if rng.random() < 0.6 else rng.choice(Reply.State.values),
                    created_by=staff,
                )

    in_sql = dict(with_owed_on(Assignment.objects.all()).values_list("pk", "owed_on"))
    in_python = {a.pk: answering_part(a).owed_on for a in Assignment.objects.all()}
    assert in_sql == in_python
    owing = {a for a, day in in_python.items() if day is not None}
    assert 0 < len(owing) < len(in_python), "the random units should include some that owe and some that do not"
    second = [a for a in Assignment.objects.all() if 1 in answering_part(a).issued and in_python[a.pk] is not None]
    assert second, "the random units should include some that owe a second reply"
