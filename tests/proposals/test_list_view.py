"""The suggestion list: filters, keyword search, sorting, pages, the export link, and a fixed
number of queries whatever its length."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from proposals.models import ProposalState
from tests.factories import CategoryFactory, ProposalFactory
from tests.pages import many_proposals, queries_for, text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def two(deputy, meeting, category, cast):
    school = advance(
        ProposalFactory(
            lead_deputy=deputy,
            meeting=meeting,
            category=category,
            title="关于增加学位供给的建议",
            body="实验小学学位紧张",
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
    return school, road


def titles(response):
    return [p.title for p in response.context["page"].object_list]


def test_the_keyword_searches_title_and_body_in_chinese(client, staff, two):
    school, road = two
    client.force_login(staff)
    assert titles(client.get(reverse("proposals:list"), {"q": "青龙"})) == [road.title]
    assert titles(client.get(reverse("proposals:list"), {"q": "实验小学"})) == [school.title]


def test_filters_by_state_category_and_unit_and_keeps_them_in_the_form(client, staff, two, category, unit):
    school, road = two
    client.force_login(staff)
    page = client.get(reverse("proposals:list"), {"state": "registered"})
    assert titles(page) == [road.title]
    assert 'name="state" value="registered" checked' in page.content.decode()
    assert titles(client.get(reverse("proposals:list"), {"category": category.pk})) == [school.title]
    page = client.get(reverse("proposals:list"), {"unit": unit.pk, "q": "学位"})
    assert titles(page) == [school.title]
    # The unit is a lookup field: its id in the hidden field, its name in the box.
    assert f'<input type="hidden" name="unit" value="{unit.pk}">' in page.content.decode()
    assert f'value="{unit.name}"' in page.content.decode()
    assert 'value="学位"' in page.content.decode()


def test_a_bad_filter_value_is_explained_and_ignored(client, staff, two):
    client.force_login(staff)
    page = client.get(reverse("proposals:list"), {"due_within": "soon"})
    assert page.status_code == 200
    assert len(titles(page)) == 2
    assert "已忽略" in text(page)


def test_sorting_by_number_both_ways(client, staff, two):
    school, road = two  # No. 1 and No. 2
    client.force_login(staff)
    assert titles(client.get(reverse("proposals:list"), {"sort": "number"})) == [school.title, road.title]
    assert titles(client.get(reverse("proposals:list"), {"sort": "-number"})) == [road.title, school.title]


def test_pages_of_25_keep_the_filters(client, staff, deputy, meeting, category, unit):
    many_proposals(30, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    client.force_login(staff)
    first = client.get(reverse("proposals:list"), {"state": "in_handling", "sort": "number"})
    assert len(titles(first)) == 25
    assert "?state=in_handling&amp;sort=number&amp;page=2" in first.content.decode()
    second = client.get(reverse("proposals:list"), {"state": "in_handling", "sort": "number", "page": 2})
    assert titles(second) == [f"关于批量测试第{n}件事情的建议" for n in range(26, 31)]


def test_a_unit_sees_only_its_own_units_suggestions(client, other_unit_handler, unit_handler, two):
    school, _road = two
    client.force_login(unit_handler)
    assert titles(client.get(reverse("proposals:list"))) == [school.title]
    client.force_login(other_unit_handler)
    assert titles(client.get(reverse("proposals:list"))) == []


def test_only_those_who_assign_get_the_bulk_assignment_checkboxes(client, staff, unit_handler, leader, two):
    _school, road = two
    for user, shown in ((staff, True), (leader, False), (unit_handler, False)):
        client.force_login(user)
        html = client.get(reverse("proposals:list")).content.decode()
        assert (f'name="ids" value="{road.pk}"' in html) is shown, user.username


@override_settings(ROOT_URLCONF="tests.urlconfs.without_later_pages")
def test_no_export_link_until_the_export_exists(client, staff, two):
    client.force_login(staff)
    assert "导出Excel" not in text(client.get(reverse("proposals:list")))


@override_settings(ROOT_URLCONF="tests.urlconfs.with_later_pages")
def test_the_export_link_carries_the_current_filters(client, staff, two):
    client.force_login(staff)
    html = client.get(reverse("proposals:list"), {"q": "学位", "state": "in_handling", "page": "1"}).content.decode()
    assert f'href="{reverse("reports:export_proposals")}?q=%E5%AD%A6%E4%BD%8D&amp;state=in_handling"' in html


@pytest.mark.parametrize("rows", [10, 200])
def test_the_list_runs_a_fixed_number_of_queries(
    client, staff, unit_handler, deputy, meeting, category, unit, co_unit, django_assert_max_num_queries, rows
):
    many_proposals(rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, co_unit=co_unit)
    for user in (staff, unit_handler):
        client.force_login(user)
        with django_assert_max_num_queries(20):
            page = client.get(reverse("proposals:list"), {"sort": "due", "page": 2})
        assert page.status_code == 200


@pytest.mark.parametrize("who", ["staff", "unit_handler"])
def test_the_query_count_does_not_grow_with_the_rows(
    client, request, who, staff, deputy, meeting, category, unit, co_unit
):
    """The staff list and the unit's list: 10 suggestions and 200 take the same queries."""
    client.force_login(request.getfixturevalue(who))
    many_proposals(10, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, co_unit=co_unit)
    client.get(reverse("home"))  # the first request after logging in saves the session
    few = queries_for(client, reverse("proposals:list"))
    many_proposals(190, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, start=11)
    assert queries_for(client, reverse("proposals:list")) == few
    filtered = f"{reverse('proposals:list')}?unit={unit.pk}&deputy={deputy.pk}&page=2"
    assert queries_for(client, filtered) == few + 2  # the chosen unit's and deputy's names


# What bench/ratios.py times of each list: every one must ask as much of 1,000 rows as of 10.
BENCH_QUERIES = {
    "no filter": "",
    "state in handling": "state=in_handling",
    "one unit": "unit={unit}",
    "one category": "category={category}",
    "keyword": "q=批量测试",
    "page 4": "page=4",
}


@pytest.mark.parametrize("who", ["staff", "unit_handler"])
def test_each_benched_list_takes_the_same_queries_for_10_or_1000_rows(
    client, request, who, staff, deputy, meeting, category, unit, co_unit
):
    client.force_login(request.getfixturevalue(who))
    many_proposals(10, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, co_unit=co_unit)
    client.get(reverse("home"))  # the first request after logging in saves the session
    urls = {
        name: f"{reverse('proposals:list')}?{query.format(unit=unit.pk, category=category.pk)}"
        for name, query in BENCH_QUERIES.items()
    }
    few = {name: queries_for(client, url) for name, url in urls.items()}
    many_proposals(990, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, start=11)
    assert {name: queries_for(client, url) for name, url in urls.items()} == few


def test_the_deputy_filter_names_only_people_of_the_users_body(client, staff, member, deputy):
    client.force_login(staff)
    chosen = client.get(reverse("proposals:list"), {"deputy": member.pk}).context["deputy_chosen"]
    assert chosen is None
    assert client.get(reverse("proposals:list"), {"deputy": deputy.pk}).context["deputy_chosen"].startswith(deputy.name)
