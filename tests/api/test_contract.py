"""A page action and its API twin change the same rows: the same tables written, the same
state, the same trail step and notifications (both go through the same service)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from handling.models import Rating, Reply
from proposals.models import Notification, ProposalState
from tests import factories as f
from tests.access.crawl import _written
from tests.api.conftest import bearer
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


def written(run) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        response = run()
    assert response.status_code < 400, response.content[:300]
    return _written(queries.captured_queries) - {"deputies_apitoken"}  # the token's last use


def trail(proposal):
    return [(e.action, e.from_state, e.to_state, e.actor_id) for e in proposal.events.order_by("pk")]


def notices(proposal):
    return sorted((n.recipient_id, n.kind) for n in Notification.objects.filter(proposal=proposal))


def test_submitting_on_the_page_and_through_the_api_changes_the_same_rows(client, deputy, meeting, category, staff):
    source = f.SourceFactory(name="专题调研")
    on_page, by_api = (
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, source=source) for _ in range(2)
    )
    client.force_login(deputy.user)
    api = bearer(deputy.user)
    api.get("/api/v1/suggestions/")  # the token's first use is written before the comparison

    data = {"title": on_page.title, "body": on_page.body, "category": category.pk, "source": source.pk}
    page_tables = written(
        lambda: client.post(
            reverse("proposals:edit", args=[on_page.pk]), {**data, "channel": "meeting", "action": "submit"}
        )
    )
    api_tables = written(lambda: api.post(f"/api/v1/suggestions/{by_api.pk}/submit/"))

    assert api_tables <= page_tables  # the page also saves the typed text first: an update of the same row
    assert "proposals_proposal" in api_tables and "proposals_proposalevent" in api_tables
    on_page.refresh_from_db()
    by_api.refresh_from_db()
    assert on_page.state == by_api.state == S.SUBMITTED
    assert [t[:3] for t in trail(on_page)] == [t[:3] for t in trail(by_api)]
    assert [r for r, _k in notices(on_page)] == [r for r, _k in notices(by_api)]


def test_rating_on_the_page_and_through_the_api_changes_the_same_rows(client, deputy, cast, meeting, category):
    on_page, by_api = (
        advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
        for _ in range(2)
    )
    page_reply = Reply.objects.get(assignment__proposal=on_page)
    api_reply = Reply.objects.get(assignment__proposal=by_api)
    client.force_login(deputy.user)
    api = bearer(deputy.user)
    api.get("/api/v1/suggestions/")
    choice = {"attitude": "satisfied", "result": "basic", "comment": ""}

    rate_url = reverse("handling:rate", args=[page_reply.pk])
    page_rated = written(lambda: client.post(rate_url, {**choice, "confirmed": "1"}))
    api_rated = written(lambda: api.post(f"/api/v1/replies/{api_reply.pk}/rating/", choice, format="json"))
    assert page_rated == api_rated

    page_settled = written(lambda: client.post(rate_url, {"settle": "1"}))
    api_settled = written(lambda: api.post(f"/api/v1/replies/{api_reply.pk}/rating/settle/"))
    assert page_settled == api_settled

    on_page.refresh_from_db()
    by_api.refresh_from_db()
    assert on_page.state == by_api.state == S.CLOSED
    fields = ("attitude", "result", "comment", "rated_by_id", "changeable_until", "is_paper")
    assert [getattr(Rating.objects.get(reply=page_reply), n) for n in fields] == [
        getattr(Rating.objects.get(reply=api_reply), n) for n in fields
    ]
    assert [t[:3] for t in trail(on_page)] == [t[:3] for t in trail(by_api)]
    assert len(notices(on_page)) == len(notices(by_api))
