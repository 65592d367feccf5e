"""The residents' matters' figures (reports/figures.py `matter_figures`), from a world with
matters in every state, and where they are shown: the dashboard, the deputy record, the annual
report and `handling_stats --json`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deputies import matters
from deputies.models import LiaisonStation, ResidentMatter
from deputies.streams import Stream
from handling import referrals
from handling.models import MatterReferral
from reports import annual
from reports import figures as fg
from tests.deputies.matters_world import leave

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
M = ResidentMatter.State


@pytest.fixture
def world(stationed, other_station, station_staff, deputy, cosigner, other_deputy, unit, unit_handler, meeting):
    """This year: at 西乡塘 (staff, the deputy, the co-signer) one matter in every state, a second
    forwarded one overdue, and one forwarded then closed; two left with the deputy (one answered
    by the deputy, one new); one at 北湖 new. Last year: one matter, not counted."""
    year = timezone.localdate().year
    s = stationed

    def at(station=None, deputy_=None, text="小区门口的路灯坏了"):
        return leave(station=station, deputy=deputy_, text=text)[0]

    at(s)  # new
    matters.answer_matter(matter=at(s), answer="已答复", by=station_staff)  # answered by the staff
    answered_unit = referrals.forward_matter(matter=at(s), unit=unit, text="路灯", by=deputy.user)
    referrals.answer_referral(referral=answered_unit, answer="已修复", by=unit_handler)
    overdue = referrals.forward_matter(matter=at(s), unit=unit, text="井盖", by=station_staff)
    MatterReferral.objects.filter(pk=overdue.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    pending_then_closed = referrals.forward_matter(matter=at(s), unit=unit, text="噪音", by=station_staff)
    matters.close_matter(matter=pending_then_closed.matter, reason="已转信访渠道", by=station_staff)
    main = at(s)
    matters.merge_matters(main=main, members=[at(s)], by=cosigner.user)  # main stays new: merged by the co-signer
    matters.close_matter(matter=at(s), reason="不属于代表履职范围", by=station_staff)
    from proposals.from_matters import draft_from_matters

    draft_from_matters(matters=[at(s)], by=deputy.user)  # suggested by the deputy
    matters.answer_matter(matter=at(deputy_=deputy), answer="我来跟进", by=deputy.user)
    at(deputy_=deputy)
    at(other_station)
    old = at(s)
    ResidentMatter.objects.filter(pk=old.pk).update(received_at=timezone.now().replace(year=year - 1))
    return year


def test_the_years_matters_are_counted_by_what_became_of_them(world, stationed, other_station, deputy, cosigner):
    figures = fg.matter_figures(world)
    total = figures.total
    assert total.counts == {
        "received": 12,
        "waiting": 4,  # 西乡塘's first and the merge's main, the deputy's second, 北湖's
        "answered_directly": 2,
        "forwarded": 3,
        "forwarded_answered": 1,
        "forwarded_overdue": 1,
        "suggested": 1,
        "merged": 1,
        "closed": 1,  # the one forwarded then closed counts as forwarded
    }
    assert total.answered == 3
    assert str(total.answered_rate.pct) == "27.27"  # 3 ÷ (12 − 1)
    parts = ("waiting", "answered_directly", "forwarded", "suggested", "merged", "closed")
    assert sum(total.counts[k] for k in parts) == 12

    stations = {line.key: line for line in figures.stations}
    assert stations[stationed.pk].received == 9 and stations[stationed.pk].forwarded == 3
    assert stations[other_station.pk].received == 1
    assert stations[None].received == 2 and stations[None].label == "代表直接收到"
    assert sum(line.received for line in figures.stations) == 12

    deputies = {line.key: line for line in figures.deputies}
    # the deputy: the two left with them, one forwarded and one suggested at the station
    assert deputies[deputy.pk].counts["received"] == 4
    assert (deputies[deputy.pk].forwarded, deputies[deputy.pk].suggested, deputies[deputy.pk].answered) == (1, 1, 2)
    assert deputies[cosigner.pk].merged == 1
    assert sum(line.received for line in figures.deputies) == 12
    assert fg.matter_figures(world, deputy_id=deputy.pk).total.counts == deputies[deputy.pk].counts


def test_a_stream_counts_its_stations_matters(world, stationed):
    assert fg.matter_figures(world, Stream.SUGGESTION).total.received == 12
    assert fg.matter_figures(world, Stream.PROPOSAL).total.received == 0
    LiaisonStation.objects.filter(pk=stationed.pk).update(stream=Stream.PROPOSAL)
    assert fg.matter_figures(world, Stream.PROPOSAL).total.received == 9


def test_the_figures_are_counted_by_the_database_in_a_few_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        fg.matter_figures(world)


def test_the_dashboard_shows_the_matters_per_station_and_deputy(world, staff, stationed, deputy):
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("reports:dashboard"), {"year": world}).content.decode()
    assert 'id="matters"' in page
    assert stationed.name in page and deputy.name in page


def test_the_deputy_record_shows_the_deputys_matters(world, deputy, cosigner):
    client = Client()
    client.force_login(deputy.user)
    page = client.get(reverse("reports:my_record"), {"year": world}).content.decode()
    assert 'id="matters"' in page


def test_the_annual_report_states_the_matters(world):
    context = annual.report_context(world)
    html = annual.render_html(context, for_print=False)
    assert "群众意见" in html and "收到群众意见12件" in html


def test_handling_stats_json_has_the_matters(world):
    out = StringIO()
    call_command("handling_stats", "--year", str(world), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["matters"]["total"]["received"] == 12
    assert data["matters"]["total"]["answered"] == 3
    assert data["streams"]["suggestion"]["matters"]["total"]["received"] == 12
