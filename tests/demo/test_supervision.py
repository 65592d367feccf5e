"""The demo shows every part of supervision: key items led by the demo leaders, supervision
records with photos, progress reports, urging notices, promises in every state, and the
reminders of a first daily scan."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from deputies.models import User
from proposals.models import REPLY_DUE_STATES
from supervision.models import KeyItem, ProgressReport, Promise, Reminder, SupervisionRecord, UrgingNotice
from supervision.reminders import run_daily_scan


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
            transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def test_key_items_are_led_by_the_demo_leaders(built):
    year = KeyItem.objects.order_by("-year").values_list("year", flat=True).first()
    items = list(KeyItem.objects.filter(year=year))  # this year's; last year's has its own (reports tests)
    assert len(items) == 3
    assert {item.leader.username for item in items} == {"leader", "leader2"}
    assert all(item.committee and item.proposals.count() >= 2 for item in items)
    today = timezone.localdate()
    open_ = [p for item in items for p in item.proposals.all() if p.state in REPLY_DUE_STATES]
    assert any(p.due_on < today for p in open_), "a leader should see an overdue key suggestion"
    assert "督办：重点建议 3 项" in built


def test_supervision_records_of_every_kind_with_photos(built):
    assert set(SupervisionRecord.objects.values_list("kind", flat=True)) == set(SupervisionRecord.Kind.values)
    assert SupervisionRecord.objects.filter(photos__isnull=False).exists()
    assert ProgressReport.objects.filter(key_item__isnull=False).count() >= 5


def test_urging_notices_one_acknowledged_and_one_waiting_at_the_demo_unit(built):
    assert UrgingNotice.objects.filter(acknowledged_at__isnull=False).exists()
    assert UrgingNotice.objects.filter(acknowledged_at__isnull=True, unit__name="区教育局").exists()


def test_promises_in_every_state(built):
    states = set(Promise.objects.values_list("state", flat=True))
    assert states == set(Promise.State.values)
    assert Promise.objects.filter(state="open", promised_by__lt=timezone.localdate()).exists()
    assert ProgressReport.objects.filter(promise__isnull=False).exists()


def test_the_first_scan_sent_every_kind_of_reminder_and_a_second_sends_none(built):
    kinds = set(Reminder.objects.values_list("kind", flat=True))
    assert kinds == set(Reminder.Kind.values)
    again = run_daily_scan()
    assert all(value == 0 for value in again.values())


def test_the_demo_pages_open_for_each_role(built, client):
    item = KeyItem.objects.filter(leader__username="leader").first()
    pages = {
        "staff": ["supervision:key_list", "supervision:followup", "supervision:urging_list"],
        "leader": ["supervision:my_items", "supervision:key_list"],
        "handler": ["supervision:key_list", "supervision:followup", "supervision:urging_list"],
        "committee": ["supervision:key_list"],
    }
    for username, names in pages.items():
        client.force_login(User.objects.get(username=username))
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, (username, name)
    client.force_login(User.objects.get(username="leader"))
    assert item.title in client.get(reverse("supervision:my_items")).content.decode()
