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


# --- the crawl proves something only if its world and its detectors do ---------------------------------


def test_the_world_has_objects_of_every_kind_the_table_names(crawl_world):
    kinds = {route.kind for route in crawl.ROUTES.values()} - {"none"}
    assert not [kind for kind in sorted(kinds) if not crawl_world.catalogue.of(kind)]


def test_the_world_holds_every_kind_of_internal_text_a_deputy_must_never_read(crawl_world):
    looked_for = " ".join(crawl_world.markers.internal)
    kinds = ("CO-OPINION", "COUNTERSIGN", "HEAD-RETURN", "STAFF-RETURN", "CORRECTION", "DRAFT-REPLY")
    assert [kind for kind in kinds if f"INTERNAL-{kind}-" not in looked_for] == []


def test_every_route_is_tried_on_an_object_someone_may_see_and_every_action_refused_to_someone(crawl_world):
    w = crawl_world
    untried = []
    for key, route in crawl.ROUTES.items():
        if route.kind != "none" and not route.public:
            seen = {route.see(who.principal, obj) for who in w.people for obj in w.catalogue.of(route.kind)}
            if seen != {True, False}:
                untried.append(f"{key}: {route.see.label} is {seen} for every person and object")
        if route.act is not None:
            allowed = {
                route.act(who.principal, obj)
                for who in w.people
                if who.user is not None
                for obj in crawl.objects_to_post(route, who, w.catalogue)
            }
            if True not in allowed:
                untried.append(f"{key}: nobody may {route.act.label}, so the action is never done")
    assert not untried, "\n".join(untried)


def test_the_checks_see_a_leak_when_a_page_shows_one(crawl_world):
    w = crawl_world
    by_label = {who.label: who for who in w.people}
    lead, handler = by_label["lead deputy"], by_label["unit handler"]
    assert w.markers.internal_in("<p>INTERNAL-CO-OPINION-0014（T0014）建议分两期实施。</p>") == [
        "INTERNAL-CO-OPINION-0014"
    ]
    assert w.markers.internal_in("<li>协办单位提出协办意见</li>")
    assert w.markers.titles_in("关于T0020号事项的建议", handler.own) == ["T0020"]
    assert w.markers.titles_in("关于T0014号事项的建议", handler.own) == []
    assert w.markers.titles_in("关于T0020号事项的建议 关于T0014号事项的建议", lead.own) == ["T0020"]
    # A token inside a random run of letters and digits (a CSRF token) is no title.
    assert w.markers.titles_in('name="csrfmiddlewaretoken" value="Lr4NT0020vYvoyQ"', handler.own) == []
    assert w.markers.titles_in("<td>T0020</td>", handler.own) == ["T0020"]
