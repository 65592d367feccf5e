"""Every route of the URL map, opened and posted as every persona, on objects they may and
may not see (tests/access/crawl.py has the table and the checks, world.py the data).

A refusal answers 404 and is audited once; nothing else is audited; nothing internal to the
handlers reaches a deputy; no unit reads a suggestion it never had, no deputy one they neither
lead nor co-sign; a refused action changes nothing."""

from __future__ import annotations

import pytest

from tests.access import crawl

pytestmark = pytest.mark.django_db

KEYS = crawl.route_keys()
ACTIONS = [key for key in KEYS if key in crawl.ROUTES and crawl.ROUTES[key].act is not None]


def test_every_route_of_the_url_map_has_a_row_in_the_table_and_every_row_a_route():
    assert not crawl.table_problems(), "\n".join(crawl.table_problems())


def _fail_on(visits):
    findings = [f for visit in visits for f in visit.findings]
    if findings:
        pytest.fail(crawl.findings_table(findings), pytrace=False)


@pytest.mark.parametrize("key", KEYS)
def test_opening_the_route_refuses_with_an_audited_404_and_shows_nothing_internal_or_foreign(crawl_world, key):
    assert key in crawl.ROUTES, f"new route {key}: say what object it takes in tests/access/crawl.py ROUTES"
    w = crawl_world
    _fail_on(crawl.open_route(key, w.people, w.catalogue, w.markers))


@pytest.mark.parametrize("key", ACTIONS)
def test_an_action_its_rule_refuses_changes_nothing_and_is_audited_once(crawl_world, key):
    w = crawl_world
    _fail_on(crawl.post_route(key, w.people, w.catalogue, w.markers))
