"""A resident's matter answered or closed by a colleague while this person was typing: their
post is refused with why, on the page, and what they typed is still there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies import matters
from tests.deputies.matters_world import leave

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "step", "field", "typed"),
    [
        (lambda m, by: matters.answer_matter(matter=m, answer="代表先答复了", by=by), "answer", "answer", "我写的答复"),
        (lambda m, by: matters.close_matter(matter=m, reason="代表已处理", by=by), "close", "reason", "我写的理由"),
    ],
    ids=["answer", "close"],
)
def test_a_step_a_colleague_took_first_is_refused_with_why_and_keeps_what_was_typed(
    client, stationed, station_staff, deputy, first, step, field, typed
):
    matter, _code = leave(station=stationed)
    first(matter, deputy.user)
    client.force_login(station_staff)
    late = client.post(reverse(f"matters:{step}", args=[matter.pk]), {field: typed})
    page = late.content.decode()
    assert late.status_code == 400
    assert typed in page and "请刷新" in page
