"""The public progress page of an item lists the promises of its public replies (unit, date,
whether kept), on the page and in the public API; a reply the public may not read (its unit
kept it back, or staff held it) keeps its promise to itself."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from reports.models import DisclosureHold

pytestmark = pytest.mark.django_db


def shown(client, promise) -> tuple[bool, bool]:
    cache.clear()
    date = promise.promised_by.isoformat()
    page = client.get(reverse("public_progress:detail", args=[promise.proposal_id])).content.decode()
    api = client.get(reverse("api:public_suggestion", args=[promise.proposal_id])).json()
    return date in page, [p["promised_by"] for p in api.get("promises", [])] == [date]


def test_a_public_replys_promise_is_shown(client, promise):
    assert shown(client, promise) == (True, True)


def test_a_reply_its_unit_kept_back_keeps_its_promise_to_itself(client, promise):
    type(promise.reply).objects.filter(pk=promise.reply_id).update(is_public=False)
    assert shown(client, promise) == (False, False)


def test_a_reply_staff_held_back_keeps_its_promise_to_itself(client, promise, staff):
    hold = DisclosureHold.objects.create(reply=promise.reply, reason="涉及在办案件", held_by=staff)
    assert shown(client, promise) == (False, False)
    hold.delete()
    assert shown(client, promise) == (True, True)
