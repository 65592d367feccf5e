"""“My suggestions” groups and orders its rows in SQL (proposals.following.my_order, from each
app's condition form of its asks) and builds only the rows it shows. The condition forms must
say exactly what building the rows says: here both run on random suggestions in every state,
with replies, ratings, contacts and promises of every kind."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from handling.models import Assignment, ContactRecord, Rating, Reply, Satisfaction
from proposals.following import GROUP_ORDER, my_order, rows_of
from proposals.models import CoSignature, Proposal, ProposalState
from supervision.models import Promise, PromiseSurvey
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _random_world(rng, *, staff, deputy, other_deputy, meeting, category, units, today, count=60):
    for index in range(count):
        lead = deputy if rng.random() < 0.75 else other_deputy
        state = rng.choice(ProposalState.values)
        proposal = ProposalFactory(
            lead_deputy=lead,
            meeting=meeting,
            category=category,
            state=state,
            due_on=rng.choice([None, today + dt.timedelta(days=rng.randint(-20, 60))]),
            # An empty draft is never listed: some drafts have nothing written.
            title="" if rng.random() < 0.1 else f"第{index}件",
            body="" if rng.random() < 0.1 else "正文",
        )
        if lead is other_deputy:
            status = rng.choice(
                [CoSignature.Status.CONFIRMED, CoSignature.Status.CONFIRMED, CoSignature.Status.INVITED]
            )
            CoSignature.objects.create(proposal=proposal, deputy=deputy, status=status)
        for unit in rng.sample(units, rng.randint(0, len(units))):
            assignment = Assignment.objects.create(
                proposal=proposal,
                unit=unit,
                role=rng.choice(Assignment.Role.values),
                assigned_on=today,
                deadline=today + dt.timedelta(days=90),
                assigned_by=staff,
                is_active=rng.random() < 0.8,
            )
            for round_ in range(1, rng.randint(1, 3)):
                reply = Reply.objects.create(
                    assignment=assignment, round=round_, state=rng.choice(Reply.State.values), created_by=staff
                )
                if rng.random() < 0.5:
                    Rating.objects.create(
                        reply=reply,
                        proposal=proposal,
                        attitude=rng.choice(Satisfaction.values),
                        result=rng.choice(Satisfaction.values),
                        rated_by=deputy.user,
                        changeable_until=rng.choice([None, today + dt.timedelta(days=3), today - dt.timedelta(days=3)]),
                    )
                if rng.random() < 0.4:
                    promise = Promise.objects.create(
                        reply=reply,
                        proposal=proposal,
                        unit=unit,
                        promised_by=rng.choice(
                            [None, today - dt.timedelta(days=5), today + dt.timedelta(days=5), today]
                        ),
                        replied_on=today,
                        state=rng.choice(Promise.State.values),
                    )
                    if rng.random() < 0.3:
                        PromiseSurvey.objects.create(
                            promise=promise, answer=rng.choice(PromiseSurvey.Answer.values), answered_by=deputy.user
                        )
            if rng.random() < 0.5:
                ContactRecord.objects.create(
                    proposal=proposal,
                    assignment=assignment,
                    kind=rng.choice(ContactRecord.Kind.values),
                    stage=rng.choice(ContactRecord.Stage.values),
                    contact_date=today,
                    people="张三",
                    summary="电话沟通",
                    recorded_by=deputy.user,
                    deputy_response=rng.choice(ContactRecord.DeputyResponse.values),
                )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_groups_and_order_in_sql_are_those_of_the_rows_built(
    seed, staff, deputy, other_deputy, meeting, category, unit, co_unit, new_unit
):
    rng = random.Random(seed)
    today = timezone.localdate()
    _random_world(
        rng,
        staff=staff,
        deputy=deputy,
        other_deputy=other_deputy,
        meeting=meeting,
        category=category,
        units=[unit, co_unit, new_unit],
        today=today,
    )

    order = my_order(deputy.pk, today)
    rows = rows_of([pk for pk, _group in order], deputy_id=deputy.pk, today=today)

    # Every suggestion of the deputy's, once, each in the group its row's asks put it in.
    assert [row.proposal.pk for row in rows] == [pk for pk, _group in order]
    assert {row.proposal.pk: row.group for row in rows} == dict(order)
    assert len({group for _pk, group in order}) == 3, "the random world should fill every group"
    # What needs the deputy first, then what is under way (soonest due first), then what is
    # finished, the latest changed first.
    far = dt.date.max

    def key(row: object) -> tuple[int, dt.date, float, int]:
        proposal: Proposal = row.proposal  # type: ignore[attr-defined]
        group: str = row.group  # type: ignore[attr-defined]
        due = far if group == "done" or proposal.due_on is None else proposal.due_on
        return (GROUP_ORDER[group], due, -proposal.updated_at.timestamp(), proposal.pk)

    assert rows == sorted(rows, key=key)
