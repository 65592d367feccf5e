"""Every notice the app sends opens for the person it is sent to: in the crawl's world (every
state, every app's steps) and after the daily scans of the weeks that follow, each
notification's link, followed as its recipient, ends on a page they may read (200), never on a
refusal or the login page. A link whose page's rule drifted from the notice's would show here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from proposals.models import Notification
from supervision.reminders import run_daily_scan

pytestmark = pytest.mark.django_db


def test_every_notification_opens_for_its_recipient(crawl_world, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    today = timezone.localdate()
    for days in (0, 20, 45, 100):  # deadlines near and passed, ratings waiting, promises due
        run_daily_scan(today + dt.timedelta(days=days))
    notices = list(Notification.objects.select_related("recipient").filter(recipient__is_active=True))
    assert len({n.kind for n in notices}) >= 5, "the world and the scans should send many kinds of notice"
    broken = []
    clients: dict[int, Client] = {}
    for notice in notices:
        client = clients.get(notice.recipient_id)
        if client is None:
            client = clients[notice.recipient_id] = Client()
            client.force_login(notice.recipient)
        answer = client.post(reverse("proposals:notification_open", args=[notice.pk]), follow=True)
        landed = answer.redirect_chain[-1][0] if answer.redirect_chain else ""
        if answer.status_code != 200 or "/accounts/login/" in landed:
            broken.append(
                f"{notice.recipient.username} · {notice.kind} · {notice.message[:30]} → {landed} {answer.status_code}"
            )
    assert not broken, "\n".join(broken)
