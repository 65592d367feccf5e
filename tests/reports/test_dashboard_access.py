"""Who sees the dashboard and its lists; an empty installation; the query counts of the
dashboard and of a figure's list with 10 and with 200 suggestions (no crafted year here: the
module fixture of the crafted year would be visible to every later test of its module)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from deputies.models import AuditRecord
from proposals.models import Proposal
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["staff", "leader", "supervision", "committee_member", "admin_user"])
def test_overseers_see_the_dashboard(client, request, who, meeting):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:dashboard")).status_code == 200


@pytest.mark.parametrize("who", ["deputy", "unit_handler", "unit_head"])
def test_deputies_and_units_do_not(client, request, who, meeting):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    client.force_login(user)
    assert client.get(reverse("reports:dashboard")).status_code == 404
    assert client.get(reverse("reports:figure_list"), {"figure": "registered"}).status_code == 404
    assert client.get(reverse("reports:units")).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=user).count() == 3


def test_without_meetings_the_dashboard_says_so(client, staff):
    client.force_login(staff)
    assert "尚无会议" in client.get(reverse("reports:dashboard")).content.decode()


def _many(n):
    meeting = f.MeetingFactory()
    category = f.CategoryFactory(name="教科文卫体")
    deputy = f.DeputyFactory()
    Proposal.objects.bulk_create(
        [
            Proposal(meeting=meeting, number=i, title=f"关于第{i}件事的建议", body="正文", lead_deputy=deputy,
                     category=category, state="registered", created_by=deputy.user)
            for i in range(1, n + 1)
        ]
    )  # fmt: skip


@pytest.mark.parametrize("n", [10, 200])
def test_the_dashboard_and_a_list_take_the_same_queries_for_10_or_200_rows(
    client, staff, n, django_assert_max_num_queries
):
    _many(n)
    client.force_login(staff)
    # (one of them the residents' matters' section: one GROUP BY by station and deputy)
    with django_assert_max_num_queries(31):
        assert client.get(reverse("reports:dashboard")).status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("reports:figure_list"), {"figure": "registered", "year": 2026})
    assert f'<span class="muted">{n}</span>' in response.content.decode()


def test_the_navigation_marks_the_dashboard_on_its_lists(client, staff, meeting):
    client.force_login(staff)
    page = client.get(reverse("reports:figure_list"), {"figure": "registered"}).content.decode()
    assert re.search(r'href="/reports/dashboard/" class="active"', page)
    assert not re.search(r'href="/reports/annual/" class="active"', page)
