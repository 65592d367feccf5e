"""The units' progress reports on key suggestions, at the key item's interval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals.models import Notification, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from supervision import services
from supervision.models import ProgressReport
from tests.supervision.conftest import today

S = ProposalState
pytestmark = pytest.mark.django_db


def test_the_unit_reports_progress_and_the_leader_hears_of_it(key_item, handled, unit_handler, leader):
    report = services.report_key_progress(key_item=key_item, proposal=handled, by=unit_handler, body="已完成选址")
    assert (report.unit.name, report.key_item, report.body) == ("区教育局", key_item, "已完成选址")
    event = ProposalEvent.objects.filter(proposal=handled).latest("pk")
    assert event.action == "progress_report" and event.label == "承办单位报送进展" and event.note == "已完成选址"
    assert Notification.objects.filter(recipient=leader, proposal=handled, message__contains="报送了").exists()


def test_another_unit_may_not_report(key_item, handled, other_unit_handler):
    with pytest.raises(ProposalError, match="承办该建议的单位"):
        services.report_key_progress(key_item=key_item, proposal=handled, by=other_unit_handler, body="x")
    assert not ProgressReport.objects.exists()


def test_only_on_the_items_suggestions(key_item, make_proposal, unit_handler):
    outside = make_proposal(S.IN_HANDLING)
    with pytest.raises(ProposalError, match="不属于"):
        services.report_key_progress(key_item=key_item, proposal=outside, by=unit_handler, body="x")


def test_an_empty_report_is_refused(key_item, handled, unit_handler):
    with pytest.raises(ProposalError, match="进展"):
        services.report_key_progress(key_item=key_item, proposal=handled, by=unit_handler, body="  ")


def test_the_form_sends_a_report(client, key_item, handled, unit_handler):
    client.force_login(unit_handler)
    url = reverse("supervision:key_report", args=[key_item.pk])
    page = client.get(url)
    assert page.status_code == 200 and handled.title in page.content.decode()
    response = client.post(url, {"proposal": handled.pk, "body": "本月完成主体结构"})
    assert response.status_code == 302
    assert ProgressReport.objects.get().body == "本月完成主体结构"


def test_an_empty_form_keeps_the_choice_and_explains(client, key_item, handled, unit_handler):
    client.force_login(unit_handler)
    response = client.post(reverse("supervision:key_report", args=[key_item.pk]), {"proposal": handled.pk, "body": ""})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("who", ["leader", "other_unit_handler"])
def test_those_who_do_not_handle_it_cannot_reach_the_form(client, request, key_item, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("supervision:key_report", args=[key_item.pk])).status_code == 404


def test_the_detail_page_shows_when_the_next_report_is_due(client, key_item, handled, unit_handler):
    key_item.report_every_days = 20
    key_item.save()
    client.force_login(unit_handler)
    body = client.get(reverse("supervision:key_detail", args=[key_item.pk])).content.decode()
    assert (today() + dt.timedelta(days=20)).isoformat() in body
    assert "报送进展" in body
