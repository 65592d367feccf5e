"""A resident's matter answered or closed by a colleague while this person was typing: their
post is refused with why, on the page, and what they typed is still there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies import matters
from tests.deputies.matters_world import leave

pytestmark = pytest.mark.django_db


def test_answering_a_matter_a_colleague_answered_says_so_and_keeps_the_answer(client, stationed, station_staff, deputy):
    matter, _code = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="代表先答复了", by=deputy.user)
    client.force_login(station_staff)
    answered = client.post(reverse("matters:answer", args=[matter.pk]), {"answer": "我写好的一段答复"})
    page = answered.content.decode()
    assert answered.status_code == 400
    assert "我写好的一段答复" in page and "请刷新" in page


def test_closing_a_matter_a_colleague_closed_says_so_and_keeps_the_reason(client, stationed, station_staff, deputy):
    matter, _code = leave(station=stationed)
    matters.close_matter(matter=matter, reason="代表已处理", by=deputy.user)
    client.force_login(station_staff)
    closed = client.post(reverse("matters:close", args=[matter.pk]), {"reason": "我写的不再办理的理由"})
    page = closed.content.decode()
    assert closed.status_code == 400
    assert "我写的不再办理的理由" in page and "请刷新" in page
