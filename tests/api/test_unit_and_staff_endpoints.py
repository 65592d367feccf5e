"""Co-signing answers, the units' and staff's endpoints, figures and the public's replies: the
same rules and services as the pages. What the caller may not see or do answers 404 with
one audit record and changes nothing; a step the service refuses answers 409 in Chinese."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from deputies.models import AuditRecord
from handling.models import Assignment, ContactRecord, Reply
from proposals import services as ps
from proposals.models import CoSignature, ProposalEvent, ProposalState
from tests.api.conftest import bearer
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


def refusals(user):
    return AuditRecord.objects.filter(kind="access_refused", user=user).count()


# --- co-signing answers ------------------------------------------------------------------------------


@pytest.fixture
def invitation(draft, deputy, cosigner):
    (signature,) = ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    return signature


def test_the_invited_deputy_lists_and_accepts_an_invitation(invitation, cosigner, deputy, draft):
    api = bearer(cosigner.user)
    listed = api.get("/api/v1/cosign-invitations/?status=invited").json()
    assert [(i["id"], i["suggestion"], i["lead_deputy"]) for i in listed["results"]] == [
        (invitation.pk, draft.pk, deputy.name)
    ]
    answered = api.post(f"/api/v1/cosign-invitations/{invitation.pk}/accept/")
    assert answered.status_code == 200 and answered.json()["status"] == "confirmed"
    assert ProposalEvent.objects.filter(proposal=draft, action="cosign_confirmed").count() == 1
    assert deputy.user.notifications.filter(kind="cosign_answer").count() == 1
    assert api.get("/api/v1/cosign-invitations/?status=invited").json()["count"] == 0
    assert api.get("/api/v1/cosign-invitations/?status=maybe").status_code == 400


def test_declining_is_recorded_and_another_deputy_cannot_answer(invitation, cosigner, other_deputy):
    refused = bearer(other_deputy.user).post(f"/api/v1/cosign-invitations/{invitation.pk}/accept/")
    assert refused.status_code == 404 and refusals(other_deputy.user) == 1
    invitation.refresh_from_db()
    assert invitation.status == CoSignature.Status.INVITED
    declined = bearer(cosigner.user).post(f"/api/v1/cosign-invitations/{invitation.pk}/decline/")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"


def test_a_unit_has_no_invitations_list(unit_handler):
    assert bearer(unit_handler).get("/api/v1/cosign-invitations/").status_code == 404
    assert refusals(unit_handler) == 1


# --- a unit ---------------------------------------------------------------------------------------------


def test_the_unit_sees_its_assignments_filtered_and_signs_for_one(draft, cast, unit_handler, other_unit_handler):
    advance(draft, S.ASSIGNED, cast)
    api = bearer(unit_handler)
    waiting = api.get("/api/v1/assignments/?todo=sign").json()
    assert [a["suggestion"] for a in waiting["results"]] == [draft.pk]
    assert waiting["results"][0]["signed_at"] is None and waiting["results"][0]["role"] == "lead"
    assert api.get("/api/v1/assignments/?todo=nonsense").status_code == 400
    assert bearer(other_unit_handler).get("/api/v1/assignments/").json()["count"] == 0

    pk = waiting["results"][0]["id"]
    assert bearer(other_unit_handler).post(f"/api/v1/assignments/{pk}/sign/").status_code == 404
    assert refusals(other_unit_handler) == 1
    signed = api.post(f"/api/v1/assignments/{pk}/sign/")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    draft.refresh_from_db()
    assert draft.state == S.IN_HANDLING
    assert api.get("/api/v1/assignments/?signed=false").json()["count"] == 0
    again = api.post(f"/api/v1/assignments/{pk}/sign/")
    assert again.status_code == 409 and again.json()["detail"]


def test_the_unit_records_a_contact_with_the_pages_checks(draft, cast, unit_handler):
    advance(draft, S.IN_HANDLING, cast)
    assignment = Assignment.objects.get(proposal=draft, unit=cast.unit)
    api = bearer(unit_handler)
    url = f"/api/v1/assignments/{assignment.pk}/contacts/"
    contact = {
        "kind": "phone",
        "stage": "during",
        "contact_date": "2099-01-01",
        "people": "代表本人",
        "summary": "沟通",
    }
    future = api.post(url, contact, format="json")
    assert future.status_code == 400 and "contact_date" in future.json()
    assert not ContactRecord.objects.exists()

    made = api.post(url, {**contact, "contact_date": draft.meeting.opens_on.isoformat()}, format="json")
    assert made.status_code == 201, made.content
    assert [c["summary"] for c in api.get(url).json()] == ["沟通"]
    assert draft.events.filter(action="contact").count() == 1


def test_the_reply_letter_from_draft_through_the_head_to_issue(draft, cast, unit_handler, unit_head, staff, result_a):
    advance(draft, S.IN_HANDLING, cast)
    assignment = Assignment.objects.get(proposal=draft, unit=cast.unit)
    handler, head = bearer(unit_handler), bearer(unit_head)

    saved = handler.post(f"/api/v1/assignments/{assignment.pk}/reply/", {"body": "已列入计划。"}, format="json")
    assert saved.status_code == 200, saved.content
    reply = saved.json()
    assert reply["state"] == "draft" and reply["body"] == "已列入计划。" and reply["is_public"] is True
    incomplete = handler.post(f"/api/v1/replies/{reply['id']}/submit/")
    assert incomplete.status_code == 409 and incomplete.json()["detail"]

    more = {"result_category": result_a.pk, "signer": "局长", "contact_phone": "not a phone"}
    wrong = handler.post(f"/api/v1/assignments/{assignment.pk}/reply/", more, format="json")
    assert wrong.status_code == 400 and "contact_phone" in wrong.json()
    assert Reply.objects.get(pk=reply["id"]).signer == ""  # nothing of a refused save is kept
    more["contact_phone"] = "0571-8888 1234"
    assert handler.post(f"/api/v1/assignments/{assignment.pk}/reply/", more, format="json").status_code == 200
    assert Reply.objects.get(pk=reply["id"]).body == "已列入计划。"  # left out: kept

    assert handler.post(f"/api/v1/replies/{reply['id']}/approve/").status_code == 404  # a handler is no head
    assert handler.post(f"/api/v1/replies/{reply['id']}/submit/").json()["state"] == "pending_approval"
    returned = head.post(f"/api/v1/replies/{reply['id']}/return/", {"note": ""}, format="json")
    assert returned.status_code == 400 and "note" in returned.json()
    assert handler.post(f"/api/v1/replies/{reply['id']}/issue/").status_code == 404
    approved = head.post(f"/api/v1/replies/{reply['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    issued = bearer(staff).post(f"/api/v1/replies/{reply['id']}/issue/")
    assert issued.status_code == 200 and issued.json()["state"] == "issued"
    draft.refresh_from_db()
    assert draft.state == S.REPLIED


def test_a_lead_unit_and_its_co_handler_finish_a_reply_through_the_api(
    draft, cast, co_unit, co_handler, unit_handler, unit_head, result_a
):
    cast.co_units = [co_unit]
    advance(draft, S.IN_HANDLING, cast)
    lead = Assignment.objects.get(proposal=draft, unit=cast.unit)
    co = Assignment.objects.get(proposal=draft, unit=co_unit)
    handler, head, helper = bearer(unit_handler), bearer(unit_head), bearer(co_handler)
    assert helper.post(f"/api/v1/assignments/{co.pk}/sign/").status_code == 200

    assert helper.post(f"/api/v1/assignments/{co.pk}/co-opinion/", {"body": ""}, format="json").status_code == 400
    assert handler.post(f"/api/v1/assignments/{lead.pk}/co-opinion/", {"body": "x"}, format="json").status_code == 404
    sent = helper.post(f"/api/v1/assignments/{co.pk}/co-opinion/", {"body": "同意主办意见"}, format="json")
    assert sent.status_code == 200 and sent.json() == {"body": "同意主办意见"}

    letter = {"body": "已列入计划。", "result_category": result_a.pk, "signer": "局长"}
    reply = handler.post(f"/api/v1/assignments/{lead.pk}/reply/", letter, format="json").json()["id"]
    assert handler.post(f"/api/v1/replies/{reply}/submit/").status_code == 409  # not yet countersigned
    assert handler.post(f"/api/v1/replies/{reply}/request-countersign/").status_code == 200
    assert (
        handler.post(f"/api/v1/replies/{reply}/countersign/", {"decision": "agree"}, format="json").status_code == 404
    )
    objection = helper.post(f"/api/v1/replies/{reply}/countersign/", {"decision": "object"}, format="json")
    assert objection.status_code == 400 and "comment" in objection.json()  # an objection says why
    agreed = helper.post(f"/api/v1/replies/{reply}/countersign/", {"decision": "agree"}, format="json")
    assert agreed.status_code == 200, agreed.content
    assert handler.post(f"/api/v1/replies/{reply}/submit/").json()["state"] == "pending_approval"
    assert head.post(f"/api/v1/replies/{reply}/approve/").json()["state"] == "approved"
    assert draft.events.filter(action__in=["co_opinion", "countersign_request", "countersign"]).count() == 3


# --- staff -------------------------------------------------------------------------------------------


def test_staff_list_with_the_pages_filters_register_and_assign(draft, cast, staff, unit, co_unit, deputy):
    advance(draft, S.SUBMITTED, cast)
    api = bearer(staff)
    listed = api.get("/api/v1/proposals/?state=submitted").json()
    assert [p["id"] for p in listed["results"]] == [draft.pk]
    assert api.get("/api/v1/proposals/?state=registered").json()["count"] == 0
    assert "year" in api.get("/api/v1/proposals/?year=abc").json()

    too_big = {"category": draft.category_id, "number": 10**12}
    assert api.post(f"/api/v1/proposals/{draft.pk}/register/", too_big, format="json").status_code == 400
    registered = api.post(f"/api/v1/proposals/{draft.pk}/register/", {"category": draft.category_id}, format="json")
    assert registered.status_code == 200 and registered.json()["number"] == 1
    assert registered.json()["state"] == S.REGISTERED

    plan = {"mode": "lead", "lead_unit": unit.pk, "co_units": [unit.pk], "assigned_on": "2000-01-01"}
    clash = api.post(f"/api/v1/proposals/{draft.pk}/assign/", plan, format="json")
    assert clash.status_code == 400 and "co_units" in clash.json()
    plan["co_units"] = [co_unit.pk]
    made = api.post(f"/api/v1/proposals/{draft.pk}/assign/", plan, format="json")
    assert made.status_code == 201, made.content
    assert sorted((a["unit"], a["role"]) for a in made.json()) == sorted([(unit.name, "lead"), (co_unit.name, "co")])
    draft.refresh_from_db()
    assert draft.state == S.ASSIGNED
    again = api.post(f"/api/v1/proposals/{draft.pk}/assign/", plan, format="json")
    assert again.status_code == 409


def test_a_deputy_cannot_register_or_assign_and_is_audited(draft, cast, deputy, unit):
    advance(draft, S.SUBMITTED, cast)
    api = bearer(deputy.user)
    assert api.post(f"/api/v1/proposals/{draft.pk}/register/", {"category": 1}, format="json").status_code == 404
    plan = {"mode": "lead", "lead_unit": unit.pk, "assigned_on": "2000-01-01"}
    assert api.post(f"/api/v1/proposals/{draft.pk}/assign/", plan, format="json").status_code == 404
    assert refusals(deputy.user) == 2
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED


def test_the_proposals_committee_sees_only_its_streams_items(draft, proposal_draft, cast, proposal_cast):
    advance(draft, S.SUBMITTED, cast)
    advance(proposal_draft, S.SUBMITTED, proposal_cast)
    api = bearer(proposal_cast.staff)
    assert [p["id"] for p in api.get("/api/v1/proposals/").json()["results"]] == [proposal_draft.pk]
    assert api.post(f"/api/v1/proposals/{draft.pk}/register/", {"category": 1}, format="json").status_code == 404


def test_figures_for_a_year_and_a_unit_for_staff_only(draft, cast, staff, unit, deputy):
    advance(draft, S.REGISTERED, cast)
    api = bearer(staff)
    year = draft.meeting.year
    figures = api.get(f"/api/v1/figures/?year={year}").json()
    assert figures["scope"]["year"] == year and figures["counts"]["registered"] == 1
    assert api.get(f"/api/v1/figures/?year={year}&unit={unit.pk}").json()["scope"]["unit"] == unit.pk
    assert api.get("/api/v1/figures/?year=1800").status_code == 400
    assert bearer(deputy.user).get("/api/v1/figures/").status_code == 404


# --- the public -----------------------------------------------------------------------------------------


def test_the_public_reads_disclosed_replies_without_a_token(draft, cast):
    advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=draft)
    anyone = APIClient()
    listed = anyone.get("/api/v1/public/replies/").json()
    assert [r["id"] for r in listed["results"]] == [reply.pk]
    assert not {"contact_person", "contact_phone", "signer"} & set(listed["results"][0])
    assert anyone.get(f"/api/v1/public/replies/{reply.pk}/").json()["title"] == draft.title
    assert anyone.get(f"/api/v1/public/replies/?year={draft.meeting.year}").json()["count"] == 1
    assert anyone.get(f"/api/v1/public/replies/?category={draft.category_id + 1}").status_code == 400
    assert anyone.get("/api/v1/public/replies/?year=1800").status_code == 400

    Reply.objects.filter(pk=reply.pk).update(is_public=False)
    assert anyone.get(f"/api/v1/public/replies/{reply.pk}/").status_code == 404
    assert anyone.get("/api/v1/public/replies/").json()["count"] == 0


def test_the_public_endpoints_are_throttled_per_address(monkeypatch):
    from deputies.api.public import PublicRateThrottle

    monkeypatch.setattr(PublicRateThrottle, "THROTTLE_RATES", {"public": "2/minute"})
    answers = [APIClient().get("/api/v1/public/replies/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    assert APIClient(REMOTE_ADDR="10.0.0.9").get("/api/v1/public/replies/").status_code == 200
    # A header the client sets itself names no other address (the pages count the same way).
    forged = [
        APIClient(HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").get("/api/v1/public/replies/").status_code for n in range(3)
    ]
    assert forged[-1] == 429
