"""The one filter every suggestion list uses (list page, Excel export, dashboard links)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict

from proposals.models import ProposalState
from proposals.selectors import filter_proposals
from supervision.models import KeyItem
from tests.factories import CategoryFactory, ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def three(deputy, meeting, category, cast, leader, staff):
    with time_machine.travel(dt.datetime(2026, 1, 20, 2, tzinfo=dt.UTC), tick=False):
        school = advance(
            ProposalFactory(
                lead_deputy=deputy,
                meeting=meeting,
                category=category,
                title="关于增加学位供给的建议",
                body="东城实验小学学位紧张",
            ),
            S.IN_HANDLING,
            cast,
        )
    road = advance(
        ProposalFactory(
            lead_deputy=deputy,
            meeting=meeting,
            category=CategoryFactory(name="交通邮电"),
            title="关于拓宽青龙大道的建议",
        ),
        S.REGISTERED,
        cast,
    )
    draft = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于社区食堂的建议")
    item = KeyItem.objects.create(year=2026, title="教育资源配置", leader=leader, created_by=staff)
    item.proposals.add(school)
    return school, road, draft


def run(user, query):
    queryset, form = filter_proposals(user, QueryDict(query))
    return list(queryset), form


@time_machine.travel(dt.datetime(2026, 5, 1, 2, tzinfo=dt.UTC), tick=False)
def test_filters_narrow_what_the_user_may_see(three, staff, category):
    school, road, draft = three
    assert run(staff, "")[0] == [school, road]  # staff never see drafts
    assert run(staff, "q=学位")[0] == [school]  # title or body
    assert run(staff, "q=实验小学")[0] == [school]
    assert run(staff, f"category={category.pk}")[0] == [school]
    assert run(staff, "state=registered")[0] == [road]
    assert run(staff, "key=1")[0] == [school]
    assert run(staff, "key=0")[0] == [road]
    assert run(staff, "overdue=on")[0] == [school]  # due 20 April
    assert run(staff, f"unit={school.assignments.get().unit_id}")[0] == [school]
    assert run(staff, "sort=-number")[0] == [road, school]


def test_a_bad_value_is_reported_and_ignored(three, staff):
    found, form = run(staff, "due_within=soon&state=nonsense")
    assert len(found) == 2
    assert set(form.errors) == {"due_within", "state"}


def test_the_deputy_filter_matches_lead_and_co_signed(three, staff, deputy):
    assert len(run(staff, f"deputy={deputy.pk}")[0]) == 2


def test_several_keywords_each_match_the_title_or_the_body(three, staff):
    """Typed with a space (half- or full-width) between them, every word must appear,
    in the title or in the body."""
    school, _road, _draft = three
    assert run(staff, "q=学位 实验小学")[0] == [school]  # one in the title, one in the body
    assert run(staff, "q=学位\u3000东城")[0] == [school]
    assert run(staff, "q=学位 青龙")[0] == []
