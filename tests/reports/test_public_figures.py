"""The units' figures on the public pages: nothing until staff publish a year, the figures are
`reports.figures.unit_rows` of that year and stream, publishing and withdrawing are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies.models import AuditRecord, Role
from reports import figures as fg
from reports.models import PublishedFigures
from reports.publication import public_unit_rows
from tests import factories as f
from tests.reports.crafted import AS_OF, YEAR

pytestmark = pytest.mark.django_db


def publish(client, user, stream="suggestion"):
    client.force_login(user)
    answer = client.post(reverse("reports:publish_figures"), {"year": YEAR, "stream": stream})
    client.logout()
    return answer


def test_nothing_is_public_until_staff_publish_a_year(client, year):
    assert client.get(reverse("disclosure:figures_year", args=[YEAR])).status_code == 404
    assert "尚未公布任何年度" in client.get(reverse("disclosure:figures")).content.decode()


def test_staff_publish_the_years_figures_as_the_dashboard_counts_them(client, year, time_machine):
    time_machine.move_to(AS_OF)
    answer = publish(client, year.staff)
    assert answer.status_code == 302
    published = PublishedFigures.objects.get(year=YEAR, stream="suggestion")
    rows = fg.unit_rows(fg.Scope(year=YEAR, stream="suggestion"))
    assert [r["unit"] for r in published.units] == [r.name for r in rows]
    assert published.units == public_unit_rows(YEAR, "suggestion")
    u1 = next(r for r in published.units if r["unit"] == "区教育局")
    row = next(r for r in rows if r.name == "区教育局")
    assert (u1["due"], u1["on_time"], u1["on_time_pct"]) == (row.due, row.on_time, str(row.on_time_rate.pct))
    assert AuditRecord.objects.filter(kind="published", user=year.staff).count() == 1
    page = client.get(reverse("disclosure:figures_year", args=[YEAR])).content.decode()
    assert "区教育局" in page and f"{row.on_time_rate.pct}%" in page and "人大代表建议" in page
    assert f"{YEAR}年度各单位办理情况" in client.get(reverse("disclosure:figures")).content.decode()


def test_the_public_table_names_units_only(client, year):
    publish(client, year.staff)
    page = client.get(reverse("disclosure:figures_year", args=[YEAR])).content.decode()
    for person in (year.staff, *year.handlers.values(), *year.heads.values()):
        assert person.display_name not in page


def test_withdrawing_takes_them_off_at_once_and_is_audited(client, year):
    publish(client, year.staff)
    assert client.get(reverse("disclosure:figures_year", args=[YEAR])).status_code == 200  # cached now
    published = PublishedFigures.objects.get()
    client.force_login(year.staff)
    client.post(reverse("reports:unpublish_figures", args=[published.pk]))
    client.logout()
    assert not PublishedFigures.objects.exists()
    assert AuditRecord.objects.filter(kind="unpublished").count() == 1
    assert client.get(reverse("disclosure:figures_year", args=[YEAR])).status_code == 404


def test_publishing_again_replaces_the_figures(client, year):
    publish(client, year.staff)
    PublishedFigures.objects.update(units=[])
    publish(client, year.staff)
    assert PublishedFigures.objects.get().units == public_unit_rows(YEAR, "suggestion")


def test_only_the_streams_staff_publish_or_withdraw(client, year):
    proposals_staff = f.UserFactory(username="p_staff", role=Role.PROPOSALS_STAFF)
    answer = publish(client, proposals_staff, stream="suggestion")  # not a choice of theirs
    assert answer.status_code == 302 and not PublishedFigures.objects.exists()
    assert publish(client, year.leader).status_code == 404
    publish(client, year.staff)
    client.force_login(proposals_staff)
    published = PublishedFigures.objects.get()
    assert client.post(reverse("reports:unpublish_figures", args=[published.pk])).status_code == 404
    assert PublishedFigures.objects.exists()


def test_the_disclosure_page_offers_publishing(client, year):
    publish(client, year.staff)
    client.force_login(year.staff)
    page = client.get(reverse("reports:disclosure")).content.decode()
    assert "公布各单位办理情况" in page and "从公开页面撤下" in page
