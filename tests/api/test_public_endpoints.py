"""The public's progress and published figures on the API (/api/v1/public/...), without a
token: exactly what the public pages show (the same rule, proposals/public.py, and the same
published rows, reports.models.PublishedFigures): the items that are public only, 404 for any
other, the list's filters and cursor pages, the figures only once published, nothing personal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from handling.models import Reply
from proposals import public
from proposals import services as ps
from proposals.models import ProposalEvent
from reports.models import PublishedFigures
from reports.publication import publish_figures, unpublish_figures
from supervision.models import Promise
from tests.pages import many_proposals, queries_for
from tests.reports import conftest as crafted
from tests.reports.crafted import YEAR

crafted_year, year = crafted.crafted_year, crafted.year

pytestmark = pytest.mark.django_db

NEVER_PUBLIC = ("draft", "withdrawn", "declined", "submitted")


def get(url, **params):
    return APIClient().get(url, params)


def listed(**params):
    answer = get("/api/v1/public/suggestions/", **params)
    assert answer.status_code == 200, answer.content
    return answer.json()


def titles(page):
    return [row["title"] for row in page["results"]]


# --- one item ---------------------------------------------------------------------------------------------


def test_a_public_item_reads_as_its_page_units_progress_milestones_replies(year):
    c1 = year.p("c1")
    item = get(f"/api/v1/public/suggestions/{c1.pk}/").json()
    assert (item["number"], item["number_label"], item["title"]) == (c1.number, c1.number_label, c1.title)
    assert item["progress"] == "closed" and item["progress_label"] == public.progress_label(c1)
    assert item["units"] == {"lead": ["区教育局"], "co": ["区财政局"]}
    assert [(m["date"], m["text"]) for m in item["milestones"]] == [
        (m.on.isoformat(), m.text) for m in public.milestones(c1)
    ]
    reply = Reply.objects.get(assignment__proposal=c1, state="issued")
    assert [r["id"] for r in item["replies"]] == [reply.pk]
    assert item["replies"][0]["unit"] == "区教育局"
    # the reply's text is the public reply endpoint's
    assert get(f"/api/v1/public/replies/{reply.pk}/").json()["body"] == reply.body


@pytest.mark.parametrize("name", NEVER_PUBLIC)
def test_an_item_never_registered_answers_404(year, name):
    assert get(f"/api/v1/public/suggestions/{year.p(name).pk}/").status_code == 404
    assert year.p(name).title not in json.dumps(listed(), ensure_ascii=False)


def test_a_withheld_item_answers_404_and_leaves_the_list(year):
    c1 = year.p("c1")
    ps.withhold_from_public(proposal=c1, by=year.staff, reason="涉及个人隐私")
    assert get(f"/api/v1/public/suggestions/{c1.pk}/").status_code == 404
    assert c1.title not in titles(listed(stream="suggestion", category=year.categories["X"].pk))
    ps.release_to_public(proposal=year.p("c1"), by=year.staff)
    assert get(f"/api/v1/public/suggestions/{c1.pk}/").status_code == 200


def test_a_reply_the_public_may_not_read_is_not_listed_on_the_item(year):
    c2 = year.p("c2")
    reply = Reply.objects.get(assignment__proposal=c2, state="issued")
    assert [r["id"] for r in get(f"/api/v1/public/suggestions/{c2.pk}/").json()["replies"]] == [reply.pk]
    Reply.objects.filter(pk=reply.pk).update(is_public=False)
    assert get(f"/api/v1/public/suggestions/{c2.pk}/").json()["replies"] == []


def test_an_item_not_yet_assigned_has_no_units_replies_nor_promises(year):
    item = get(f"/api/v1/public/suggestions/{year.p('reg1').pk}/").json()
    assert item["units"] == {"lead": [], "co": []} and item["replies"] == [] and item["promises"] == []


def test_promises_read_as_the_page_shows_them(year):
    c1 = year.p("c1")
    reply = Reply.objects.select_related("assignment").get(assignment__proposal=c1, state="issued")
    Promise.objects.create(
        reply=reply,
        proposal=c1,
        unit=reply.assignment.unit,
        promised_items="年底前完成校舍改造",
        promised_by=dt.date(2025, 12, 1),
        replied_on=dt.date(2025, 4, 1),
    )
    item = get(f"/api/v1/public/suggestions/{c1.pk}/").json()
    assert item["promises"] == [
        {"unit": "区教育局", "promised_by": "2025-12-01", "state": "open", "state_label": "落实中"}
    ]


def test_nothing_personal_is_in_an_item(year):
    c1 = year.p("c1")
    text = get(f"/api/v1/public/suggestions/{c1.pk}/").content.decode()
    assert c1.lead_deputy.name not in text and c1.body not in text
    for event in ProposalEvent.objects.filter(proposal=c1).select_related("actor"):
        if event.actor is not None and event.actor.full_name:
            assert event.actor.full_name not in text
        if len(event.note) >= 4:
            assert event.note not in text


# --- the list ----------------------------------------------------------------------------------------------


def test_the_list_is_the_latest_years_public_items(year):
    page = listed()
    assert page["year"] == YEAR and len(page["results"]) == 20
    assert set(titles(page)) <= {p.title for p in public.public_proposals()}
    row = next(r for r in page["results"] if r["title"] == year.p("c1").title)
    assert row["units"] == "区教育局" and row["progress"] == "closed"


def test_the_lists_filters_are_the_pages(year):
    assert sorted(titles(listed(category=year.categories["W"].pk))) == sorted(
        [year.p("reg1").title, year.p("c14").title]
    )
    assert titles(listed(state="registered")) == [year.p("reg1").title]
    assert sorted(titles(listed(unit=year.units["U3"].pk))) == sorted([year.p("c11").title, year.p("c12").title])
    assert titles(listed(stream="proposal")) == []
    assert listed(year=YEAR)["year"] == YEAR


@pytest.mark.parametrize(
    "params", [{"state": "draft"}, {"year": "1900"}, {"category": "nonsense"}, {"after": "x"}, {"before": "1"}]
)
def test_a_filter_or_cursor_that_cannot_be_read_answers_400(year, params):
    answer = get("/api/v1/public/suggestions/", **params)
    assert answer.status_code == 400 and list(answer.json()) == list(params)


def test_pages_turn_by_cursor_each_item_once(meeting, category, deputy, staff, unit):
    rows = many_proposals(45, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    seen, params, pages = [], {}, []
    while True:
        page = listed(**params)
        pages.append(page)
        seen += titles(page)
        if page["next"] is None:
            break
        params = {"year": page["year"], "after": page["next"]}
    assert len(pages) == 3 and len(seen) == 45 and len(set(seen)) == 45
    assert seen == [p.title for p in sorted(rows, key=lambda p: p.number)]
    assert pages[0]["previous"] is None
    back = listed(year=pages[-1]["year"], before=pages[-1]["previous"])
    assert titles(back) == seen[20:40]


# --- published figures -------------------------------------------------------------------------------------


def test_figures_are_public_only_once_published_and_as_stored(year):
    assert get("/api/v1/public/figures/").json() == []
    assert get(f"/api/v1/public/figures/{YEAR}/").status_code == 404
    published = publish_figures(year=YEAR, stream="suggestion", by=year.staff)
    years = get("/api/v1/public/figures/").json()
    assert [(y["year"], y["stream"]) for y in years] == [(YEAR, "suggestion")]
    tables = get(f"/api/v1/public/figures/{YEAR}/").json()
    assert len(tables) == 1 and tables[0]["units"] == PublishedFigures.objects.get(pk=published.pk).units
    assert get(f"/api/v1/public/figures/{YEAR}/", stream="suggestion").json() == tables
    assert get(f"/api/v1/public/figures/{YEAR}/", stream="proposal").status_code == 404
    assert get(f"/api/v1/public/figures/{YEAR}/", stream="nonsense").status_code == 400
    text = json.dumps(tables, ensure_ascii=False)
    assert year.staff.full_name not in text and "published_by" not in text
    unpublish_figures(published=published, by=year.staff)
    assert get(f"/api/v1/public/figures/{YEAR}/").status_code == 404
    assert get("/api/v1/public/figures/").json() == []


def test_a_list_page_costs_the_same_queries_for_few_and_many_items(meeting, category, deputy, staff, unit):
    many_proposals(25, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    url = "/api/v1/public/suggestions/"
    few = queries_for(APIClient(), url)
    many_proposals(250, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, start=26)
    assert queries_for(APIClient(), url) == few
    assert queries_for(APIClient(), f"{url}?after={meeting.pk}.200") == few
