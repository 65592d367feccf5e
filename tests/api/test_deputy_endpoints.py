"""The deputy's endpoints: the same lists, rules and services as the deputy's pages. What the
caller may not see answers 404 with one audit record; a refused step answers with a Chinese
message and changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deputies.models import AuditRecord
from handling.models import Rating, Reply
from proposals import services as ps
from proposals.models import Notification, Proposal, ProposalState
from tests import factories as f
from tests.api.conftest import bearer
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return f.SourceFactory(name="专题调研")


def refusals(user):
    return AuditRecord.objects.filter(kind="access_refused", user=user).count()


def test_my_suggestions_are_paginated_with_stable_fields(api, deputy, meeting, category):
    for _ in range(3):
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    f.ProposalFactory(meeting=meeting)  # another deputy's

    body = api.get("/api/v1/suggestions/?page_size=2").json()

    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert set(body["results"][0]) == {
        "id",
        "number",
        "title",
        "state",
        "state_text",
        "group",
        "is_lead",
        "units",
        "asks",
        "updated_at",
    }


def test_the_list_takes_the_same_number_of_queries_for_few_and_many(api, deputy, other_deputy, meeting, category, cast):
    """The bench's row (bench/ratios.py `api`) times it at 100,000 suggestions; here its
    queries are counted: one drafted suggestion, then a full page of every kind."""

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/suggestions/").status_code == 200
        return len(queries)

    f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    count()  # the token's first use of the minute writes its last use
    few = count()
    for state in (S.DRAFT, S.SUBMITTED, S.REGISTERED, S.IN_HANDLING, S.REPLIED, S.CLOSED):
        advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), state, cast)
    theirs = f.ProposalFactory(lead_deputy=other_deputy, meeting=meeting, category=category)
    ps.invite_cosigners(proposal=theirs, deputies=[deputy], by=other_deputy.user)
    for _ in range(30):
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    body = api.get("/api/v1/suggestions/").json()
    assert body["count"] == 37 and len(body["results"]) == 30
    assert count() == few


def test_one_suggestion_with_the_timeline_the_deputy_sees(api, deputy, draft, cast):
    advance(draft, S.REGISTERED, cast)
    body = api.get(f"/api/v1/suggestions/{draft.pk}/").json()
    assert body["id"] == draft.pk and body["state"] == S.REGISTERED
    assert len(body["timeline"]) >= 2 and all(step["text"] for step in body["timeline"])


def test_another_deputys_suggestion_answers_404_with_one_audit_row(api, deputy, meeting):
    foreign = f.ProposalFactory(meeting=meeting)
    for method, url in [
        ("get", f"/api/v1/suggestions/{foreign.pk}/"),
        ("get", f"/api/v1/suggestions/{foreign.pk}/replies/"),
        ("patch", f"/api/v1/suggestions/{foreign.pk}/"),
        ("post", f"/api/v1/suggestions/{foreign.pk}/submit/"),
    ]:
        before = refusals(deputy.user)
        response = getattr(api, method)(url, {"title": "改"}, format="json")
        assert response.status_code == 404 and response.json() == {"detail": "未找到。"}, url
        assert refusals(deputy.user) == before + 1, url
    foreign.refresh_from_db()
    assert foreign.state == S.DRAFT and foreign.title != "改"


def test_a_non_deputy_is_refused_the_deputy_list_with_404(staff):
    assert bearer(staff).get("/api/v1/suggestions/").status_code == 404
    assert refusals(staff) == 1


def test_draft_created_edited_and_submitted_through_the_api(api, deputy, meeting, category, source, staff):
    empty = api.post("/api/v1/suggestions/", {"title": "  "}, format="json")
    assert empty.status_code == 400 and "空草稿不会保存" in empty.json()["detail"]
    assert not Proposal.objects.exists()

    created = api.post(
        "/api/v1/suggestions/", {"title": "关于增设信号灯的建议", "body": "学校门口车多。"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert Proposal.objects.get(pk=pk).lead_deputy == deputy

    # Not complete yet: the page's form says what is missing, nothing changes.
    refused = api.post(f"/api/v1/suggestions/{pk}/submit/")
    assert refused.status_code == 400 and "提交前必须填写" in str(refused.json())
    assert Proposal.objects.get(pk=pk).state == S.DRAFT

    edited = api.patch(
        f"/api/v1/suggestions/{pk}/",
        {"category": category.pk, "source": source.pk, "channel": "between"},
        format="json",
    )
    assert edited.status_code == 200 and edited.json()["category"] == category.pk
    assert edited.json()["title"] == "关于增设信号灯的建议"  # a field left out keeps its value

    submitted = api.post(f"/api/v1/suggestions/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == S.SUBMITTED
    again = api.patch(f"/api/v1/suggestions/{pk}/", {"title": "再改"}, format="json")
    assert again.status_code == 409 and again.json()["detail"]  # the service's own refusal, in Chinese
    assert Proposal.objects.get(pk=pk).title == "关于增设信号灯的建议"


def test_replies_and_rating_with_the_pages_change_window_then_settled(api, deputy, draft, cast):
    advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=draft, round=1)

    replies = api.get(f"/api/v1/suggestions/{draft.pk}/replies/").json()
    assert [r["id"] for r in replies] == [reply.pk] and replies[0]["rating"] is None

    url = f"/api/v1/replies/{reply.pk}/rating/"
    bad = api.post(url, {"attitude": "basic", "result": "unsatisfied", "comment": ""}, format="json")
    assert bad.status_code == 400 and "不满意" in str(bad.json())
    for not_an_object in (["satisfied"], "satisfied"):  # a body that is no object: told, as any bad input
        assert api.post(url, not_an_object, format="json").status_code == 400
    assert not Rating.objects.exists()

    rated = api.post(url, {"attitude": "satisfied", "result": "basic"}, format="json")
    assert rated.status_code == 201 and rated.json()["pending"] is True and rated.json()["changeable_until"]
    changed = api.post(url, {"attitude": "satisfied", "result": "satisfied"}, format="json")
    assert changed.status_code == 200 and changed.json()["result"] == "satisfied"

    settled = api.post(url + "settle/")
    assert settled.status_code == 200 and settled.json()["pending"] is False
    draft.refresh_from_db()
    assert draft.state == S.CLOSED
    late = api.post(url, {"attitude": "basic", "result": "basic"}, format="json")
    assert late.status_code == 409 and "不能" in late.json()["detail"]


def test_another_deputy_cannot_rate_a_reply_404_audited_nothing_changes(deputy, other_deputy, draft, cast):
    advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=draft, round=1)
    response = bearer(other_deputy.user).post(
        f"/api/v1/replies/{reply.pk}/rating/", {"attitude": "satisfied", "result": "satisfied"}, format="json"
    )
    assert response.status_code == 404
    assert refusals(other_deputy.user) == 1
    assert not Rating.objects.exists()


def test_notifications_listed_and_marked_read_only_ones_own(api, deputy, other_deputy):
    mine = Notification.objects.create(recipient=deputy.user, kind="other", message="您的建议已登记")
    theirs = Notification.objects.create(recipient=other_deputy.user, kind="other", message="别人的")

    listed = api.get("/api/v1/notifications/?unread=1").json()
    assert [n["id"] for n in listed["results"]] == [mine.pk]
    read = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert api.get("/api/v1/notifications/?unread=1").json()["count"] == 0

    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert refusals(deputy.user) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_schema_and_its_docs_are_served_from_local_files(client, deputy):
    client.force_login(deputy.user)
    assert client.get(reverse("api:schema")).status_code == 200
    docs = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert not [host for host in ("jsdelivr", "unpkg", "cdnjs") if host in docs]
    assert "<script>" not in docs  # its script is a file of its own, as the pages' policy wants
    assert client.get(reverse("api:docs") + "?script=").status_code == 200


def test_a_members_api_answers_speak_of_the_proposals_committee_as_the_pages_do(
    client, member, proposal_draft, proposal_cast
):
    advance(proposal_draft, S.SUBMITTED, proposal_cast)
    row = bearer(member.user).get("/api/v1/suggestions/").json()["results"][0]
    client.force_login(member.user)
    page = client.get(reverse("proposals:mine")).content.decode()
    assert "提案委员会" in row["state_text"] and row["state_text"] in page
    timeline = str(bearer(member.user).get(f"/api/v1/suggestions/{proposal_draft.pk}/").json()["timeline"])
    assert "提案委员会" in timeline and "代表工作" not in timeline
