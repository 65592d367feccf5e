"""The dashboard for leaders and staff: the year's figures, each linking to its list; the
lists behind the figures; the units' table with the score line by line; who may see them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.reports.crafted import AS_OF, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_as_of():
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(AS_OF, dt.time(12))), tick=False):
        yield


def test_the_leader_sees_the_years_figures_each_linking_to_its_list(client, year, leader, on_as_of):
    client.force_login(leader)
    response = client.get(reverse("reports:dashboard"), {"year": YEAR})
    page = response.content.decode()
    assert response.status_code == 200
    for shown in ("84.21%", "77.78%", "89.47%", "52.63%", "60.00%", "93.33%"):
        assert shown in page, shown
    tiles = re.findall(r'<a class="tile[^"]*" href="([^"]+)"><div class="n">([^<]+)</div>', page)
    assert len(tiles) == 12
    for url, value in tiles:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200
        count = re.search(r'<span class="muted">(\d+)</span></h1>', listed.content.decode()).group(1)
        if "%" not in value:
            assert count == value, url
    # The category chart's first bar is the largest category, a link to its list with its tooltip.
    chart = re.search(r'<div class="chart" id="chart-categories"[^>]*>(.*?)</div>', page).group(1)
    url, tip = re.search(r'<a href="([^"]+)" data-tip="([^"]+)">', chart).groups()
    assert tip == "教科文卫体：8（40.00%）"
    assert client.get(url.replace("&amp;", "&")).status_code == 200


def test_the_list_behind_a_figure_names_its_suggestions(client, year, staff, on_as_of):
    client.force_login(staff)
    response = client.get(reverse("reports:figure_list"), {"year": YEAR, "figure": "overdue"})
    page = response.content.decode()
    assert "当前超期" in page and "关于hnd1事项的建议" in page and "关于reh1事项的建议" in page
    assert "关于c1事项的建议" not in page
    assert reverse("reports:export_proposals") in page


def test_a_units_own_figures_are_listed(client, year, staff, on_as_of):
    client.force_login(staff)
    u2 = year.units["U2"]
    page = client.get(reverse("reports:figure_list"), {"year": YEAR, "unit": u2.pk, "figure": "unit_unsatisfied"})
    assert "关于reh1事项的建议" in page.content.decode() and "区交通运输局" in page.content.decode()


def test_an_unknown_figure_is_not_found(client, year, staff):
    client.force_login(staff)
    assert client.get(reverse("reports:figure_list"), {"year": YEAR, "figure": "nonsense"}).status_code == 404
    assert (
        client.get(reverse("reports:figure_list"), {"year": YEAR, "figure": "category", "value": "x"}).status_code
        == 404
    )
    assert client.get(reverse("reports:figure_list"), {"year": YEAR, "figure": "unit_count"}).status_code == 404


def test_the_units_page_shows_each_score_line_by_line(client, year, staff, on_as_of):
    client.force_login(staff)
    page = client.get(reverse("reports:units"), {"year": YEAR}).content.decode()
    assert "66.75" in page and "72.00" in page and "80.00" in page
    assert "17.14" in page and "12.86" in page  # 区交通运输局: 40 × 3/7 and 30 × 3/7
    assert page.index("区农业农村局") < page.index("区教育局") < page.index("区交通运输局")


def test_the_units_score_breakdown_is_shown_in_the_page_not_in_its_title(client, year, staff, on_as_of):
    client.force_login(staff)
    page = client.get(reverse("reports:units"), {"year": YEAR}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "score-cards" not in title and "17.14" not in title
    body = page[page.index("<body") :]
    assert '<div class="score-cards">' in body
    assert re.search(r'<section class="card" id="unit-\d+">', body)
    assert "17.14" in body[body.index("score-cards") :]  # 区交通运输局's satisfied line: 40 × 3/7


def test_the_dashboard_and_the_report_name_the_same_number_of_units(client, year, staff, on_as_of):
    # U1, U2 and U3 answer, U4 only co-handles (c1, c10): four units were given suggestions.
    client.force_login(staff)
    dashboard = client.get(reverse("reports:dashboard"), {"year": YEAR}).content.decode()
    report = client.get(reverse("reports:annual_preview"), {"year": YEAR}).content.decode()
    assert "交由 4 个单位办理" in dashboard
    assert "分别交由4家单位研究办理" in report
