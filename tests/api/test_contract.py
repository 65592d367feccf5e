"""A page action and its API twin change the same rows: each row of `TWINS` does one action once
on the page (the test client's POST) and once through the API, on two suggestions brought to
the same point, and compares what each wrote: the same tables, the same fields of the object
acted on, the same trail steps (ProposalEvent), notifications and audit records. Both go
through the same service, so a difference means one of them does something of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deputies.models import AuditRecord
from handling import services as hs
from handling.models import Assignment, Rating, Reply
from proposals import services as ps
from proposals.models import CoSignature, Notification, Proposal, ProposalState
from tests import factories as f
from tests.access.crawl import _written
from tests.api.conftest import bearer
from tests.workflow import Cast, advance, countersign_all

S = ProposalState
pytestmark = pytest.mark.django_db


@dataclass
class World:
    """What a row's functions get: the cast, the two suggestions' objects and test data."""

    cast: Cast
    cosigner: Any
    co_unit: Any
    objects: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Twin:
    """One page action and its API twin.

    state: where both suggestions are brought first; prepare: any further setup on one of
    them (returns the object acted on); actor: who acts (an attribute of the world's cast, or
    "cosigner"); page: (url, form data); api: (url, JSON body), both for the object acted on;
    page_also: tables only the page writes (it saves what was typed first, say)."""

    state: str
    actor: str
    prepare: Callable[[Proposal, World], Any]
    page: Callable[[Any, World], tuple[str, dict[str, Any]]]
    api: Callable[[Any, World], tuple[str, dict[str, Any]]]
    page_also: frozenset[str] = frozenset()


def the_proposal(p: Proposal, w: World) -> Proposal:
    return p


def the_assignment(p: Proposal, w: World) -> Assignment:
    return Assignment.objects.get(proposal=p, unit=w.cast.unit)


def invitation(p: Proposal, w: World) -> CoSignature:
    (signature,) = ps.invite_cosigners(proposal=p, deputies=[w.cosigner], by=w.cast.deputy_user)
    return signature


def the_reply(p: Proposal, w: World) -> Reply:
    return Reply.objects.get(assignment__proposal=p, round=1)


def reply_draft(p: Proposal, w: World) -> Reply:
    assignment = the_assignment(p, w)
    return hs.save_reply_draft(
        assignment=assignment, by=w.cast.handler, result_category=w.cast.result, body="答复正文", signer="局长"
    )


def reply_with_head(p: Proposal, w: World) -> Reply:
    reply = reply_draft(p, w)
    countersign_all(reply)
    hs.submit_reply(reply=reply, by=w.cast.handler)
    reply.refresh_from_db()
    return reply


def reply_approved(p: Proposal, w: World) -> Reply:
    reply = reply_with_head(p, w)
    hs.approve_reply(reply=reply, by=w.cast.head)
    reply.refresh_from_db()
    return reply


def rated(p: Proposal, w: World) -> Reply:
    reply = the_reply(p, w)
    hs.rate_reply(reply=reply, by=w.cast.deputy_user, attitude="satisfied", result="basic")
    return reply


def step(name: str) -> Callable[[Reply, World], tuple[str, dict[str, Any]]]:
    return lambda r, w: (reverse("handling:reply_step", args=[r.pk, name]), {})


CONTACT = {
    "kind": "phone",
    "stage": "during",
    "contact_date": "2026-02-01",
    "people": "代表本人",
    "summary": "电话沟通",
}
LETTER = {"body": "已列入明年计划。", "signer": "局长", "contact_phone": "0571-8888 1234"}
PLAN = {"mode": "lead", "assigned_on": "2026-02-01"}

TWINS: dict[str, Twin] = {
    "draft": Twin(
        S.DRAFT,
        "deputy_user",
        the_proposal,
        lambda p, w: (
            reverse("proposals:edit", args=[p.pk]),
            {
                "title": "关于增设学校周边信号灯的建议",
                "body": p.body,
                "channel": p.channel,
                "category": p.category_id,
                "source": p.source_id,
                "action": "save",
            },
        ),
        lambda p, w: (f"/api/v1/suggestions/{p.pk}/", {"title": "关于增设学校周边信号灯的建议"}),
    ),
    "submit": Twin(
        S.DRAFT,
        "deputy_user",
        the_proposal,
        lambda p, w: (
            reverse("proposals:edit", args=[p.pk]),
            {
                "title": p.title,
                "body": p.body,
                "channel": p.channel,
                "category": p.category_id,
                "source": p.source_id,
                "action": "submit",
            },
        ),
        lambda p, w: (f"/api/v1/suggestions/{p.pk}/submit/", {}),
        # The page saves the typed text before submitting it: the search index is written again.
        page_also=frozenset({"proposals_proposaltext"}),
    ),
    "co-sign answer": Twin(
        S.DRAFT,
        "cosigner",
        invitation,
        lambda s, w: (reverse("proposals:cosign_answer", args=[s.pk]), {"accept": "1"}),
        lambda s, w: (f"/api/v1/cosign-invitations/{s.pk}/accept/", {}),
    ),
    "register": Twin(
        S.SUBMITTED,
        "staff",
        the_proposal,
        lambda p, w: (reverse("proposals:register", args=[p.pk]), {"number": "", "category": p.category_id}),
        lambda p, w: (f"/api/v1/proposals/{p.pk}/register/", {"category": p.category_id}),
    ),
    "assign": Twin(
        S.REGISTERED,
        "staff",
        the_proposal,
        lambda p, w: (
            reverse("handling:assign", args=[p.pk]),
            {**PLAN, "lead_unit": w.cast.unit.pk, "co_units": [w.co_unit.pk], "confirm": "1"},
        ),
        lambda p, w: (
            f"/api/v1/proposals/{p.pk}/assign/",
            {**PLAN, "lead_unit": w.cast.unit.pk, "co_units": [w.co_unit.pk]},
        ),
    ),
    "sign": Twin(
        S.ASSIGNED,
        "handler",
        the_assignment,
        lambda a, w: (reverse("handling:sign", args=[a.pk]), {}),
        lambda a, w: (f"/api/v1/assignments/{a.pk}/sign/", {}),
    ),
    "contact": Twin(
        S.IN_HANDLING,
        "handler",
        the_assignment,
        lambda a, w: (reverse("handling:contact", args=[a.pk]), CONTACT),
        lambda a, w: (f"/api/v1/assignments/{a.pk}/contacts/", CONTACT),
    ),
    "reply draft": Twin(
        S.IN_HANDLING,
        "handler",
        the_assignment,
        lambda a, w: (reverse("handling:reply_edit", args=[a.pk]), {**LETTER, "is_public": "on", "action": "save"}),
        lambda a, w: (f"/api/v1/assignments/{a.pk}/reply/", LETTER),
    ),
    "reply to the head": Twin(
        S.IN_HANDLING,
        "handler",
        lambda p, w: (reply_draft(p, w), countersign_all(the_reply(p, w)))[0],
        step("submit"),
        lambda r, w: (f"/api/v1/replies/{r.pk}/submit/", {}),
    ),
    "reply returned by the head": Twin(
        S.IN_HANDLING,
        "head",
        reply_with_head,
        lambda r, w: (reverse("handling:reply_step", args=[r.pk, "return"]), {"return-note": "请补充数据"}),
        lambda r, w: (f"/api/v1/replies/{r.pk}/return/", {"note": "请补充数据"}),
    ),
    "reply approved": Twin(
        S.IN_HANDLING,
        "head",
        reply_with_head,
        step("approve"),
        lambda r, w: (f"/api/v1/replies/{r.pk}/approve/", {}),
    ),
    "reply issued": Twin(
        S.IN_HANDLING,
        "staff",
        reply_approved,
        step("issue"),
        lambda r, w: (f"/api/v1/replies/{r.pk}/issue/", {}),
    ),
    "rating": Twin(
        S.REPLIED,
        "deputy_user",
        the_reply,
        lambda r, w: (
            reverse("handling:rate", args=[r.pk]),
            {"attitude": "satisfied", "result": "basic", "comment": "", "confirmed": "1"},
        ),
        lambda r, w: (f"/api/v1/replies/{r.pk}/rating/", {"attitude": "satisfied", "result": "basic", "comment": ""}),
    ),
    "settle": Twin(
        S.REPLIED,
        "deputy_user",
        rated,
        lambda r, w: (reverse("handling:rate", args=[r.pk]), {"settle": "1"}),
        lambda r, w: (f"/api/v1/replies/{r.pk}/rating/settle/", {}),
    ),
}


# --- what an action wrote -------------------------------------------------------------------------------


def proposal_of(obj: Any) -> Proposal:
    if isinstance(obj, Proposal):
        return obj
    if isinstance(obj, Reply):
        return obj.assignment.proposal
    return obj.proposal


def snapshot(obj: Any) -> dict[str, Any]:
    fresh = type(obj).objects.get(pk=obj.pk)
    return model_to_dict(fresh)


@dataclass
class Done:
    tables: set[str]
    fields: set[str]
    state: str
    events: list[tuple[str, str, str]]
    notices: list[str]
    audits: list[str]
    extra: dict[str, Any]


def run(client: Any, method: str, url: str, data: dict[str, Any], obj: Any, **kwargs: Any) -> Done:
    proposal = proposal_of(obj)
    before = snapshot(obj)
    events_before = set(proposal.events.values_list("pk", flat=True))
    notices_before = set(Notification.objects.values_list("pk", flat=True))
    audits_before = set(AuditRecord.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, **kwargs)
    assert response.status_code < 400, response.content[:400]
    after = snapshot(obj)
    new_events = proposal.events.exclude(pk__in=events_before).order_by("pk")
    return Done(
        tables=_written(queries.captured_queries) - {"deputies_apitoken"},  # the token's last use
        fields={name for name in after if after[name] != before[name]} - {"updated_at", "version"},
        state=Proposal.objects.get(pk=proposal.pk).state,
        events=[(e.action, e.from_state, e.to_state) for e in new_events],
        notices=sorted(Notification.objects.exclude(pk__in=notices_before).values_list("kind", flat=True)),
        audits=sorted(AuditRecord.objects.exclude(pk__in=audits_before).values_list("kind", flat=True)),
        extra={
            "assignments": sorted(
                (a.unit_id, a.role) for a in Assignment.objects.filter(proposal=proposal, is_active=True)
            ),
            "rating": Rating.objects.filter(proposal=proposal).values_list("attitude", "result", "is_paper").first(),
            "replies": list(
                Reply.objects.filter(assignment__proposal=proposal)
                .order_by("pk")
                .values_list("state", "round", "body", "signer", "contact_phone", "is_public", "result_category")
            ),
            "contacts": list(proposal.contacts.order_by("pk").values_list("kind", "stage", "people", "summary")),
            "cosignatures": list(proposal.cosignatures.order_by("pk").values_list("status", flat=True)),
        },
    )


@pytest.mark.parametrize("name", list(TWINS))
def test_a_page_action_and_its_api_twin_change_the_same_rows(
    name, client, deputy, cosigner, cast, co_unit, meeting, category
):
    twin = TWINS[name]
    world = World(cast=cast, cosigner=cosigner, co_unit=co_unit)
    source = f.SourceFactory(name="专题调研")
    cast.co_units = [co_unit]
    on_page, by_api = (
        advance(
            f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, source=source), twin.state, cast
        )
        for _ in range(2)
    )
    page_obj, api_obj = twin.prepare(on_page, world), twin.prepare(by_api, world)
    actor = cosigner.user if twin.actor == "cosigner" else getattr(cast, twin.actor)
    client.force_login(actor)
    api = bearer(actor)
    api.get("/api/v1/notifications/")  # the token's first use is written before the comparison

    page_url, page_data = twin.page(page_obj, world)
    api_url, api_data = twin.api(api_obj, world)
    method = "patch" if name == "draft" else "post"
    by_page = run(client, "post", page_url, page_data, page_obj)
    by_the_api = run(api, method, api_url, api_data, api_obj, format="json")

    assert by_the_api.tables <= by_page.tables <= by_the_api.tables | twin.page_also
    assert by_the_api.fields == by_page.fields
    assert by_the_api.state == by_page.state
    assert by_the_api.events == by_page.events
    assert by_the_api.notices == by_page.notices
    assert by_the_api.audits == by_page.audits == []
    assert by_the_api.extra == by_page.extra
