"""Every named route × every kind of person × an object they may and may not see.

`ROUTES` says, for each named route of the project (found by walking the URL map), the kind of
object its URL names and the access rule (`deputies.access`, declared by each app's rules.py)
that decides who may open it; for an
action (a POST that changes something) also the rule that decides who may do it. From it:

- `open_route()` opens a route as each person, on objects they may see (the telling ones
  first) and on one they may not, and checks each answer;
- `post_route()` posts an action as each person, on an object they may see, inside a savepoint
  rolled back at once, and checks that a person the action's rule refuses changed nothing.

What is checked (each failure is a `Finding`, its `problem` one of the constants below):
- never a 500;
- what a person may not see answers 404 (the public: the login page), what they may see does not;
- a 403 or 404 writes exactly one `AuditRecord(kind="access_refused")`, any other answer none;
- a refused action changes nothing but the audit log, is not answered as done, and is audited once;
- a deputy (and the public) never reads the handlers' internal texts: a co-handler's opinion,
  a countersignature's comment, the head's or staff's return notes, a correction's reason, the
  text of a reply not issued yet, nor the names of those steps;
- a unit never reads the title of a suggestion never assigned to it, a deputy never one they
  neither lead nor co-sign, one body's staff never one of the other stream (the public
  pages and the API's public endpoints aside: what they show is public).

Which objects a person "may see" is decided by the app's own rules (`deputies.access.allowed`),
never by a copy of them here. Used by tests/access/test_routes.py (a built world) and by
scripts/leak_scan.py (any database). Nothing here imports pytest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as levels
from django.db import connection, transaction
from django.db.models import Q
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from deputies import access
from handling.rules import is_rater_of_reply, unit_id_of

# --- the problems a visit can show --------------------------------------------------------------

SERVER_ERROR = "server error"
NOT_REFUSED = "not refused"
NOT_404 = "refused, but not with 404"
WRONGLY_REFUSED = "refused what its rule allows"
NOT_TO_LOGIN = "anonymous not sent to the login page"
UNAUDITED = "refusal not audited"
AUDITED_TWICE = "refusal audited more than once"
AUDITED_SUCCESS = "audit record on an answer that is no refusal"
INTERNAL_TO_DEPUTY = "internal text shown to a deputy"
INTERNAL_TO_PUBLIC = "internal text shown to the public"
FOREIGN_TO_UNIT = "suggestion of another unit shown"
FOREIGN_TO_DEPUTY = "suggestion of another deputy shown"
FOREIGN_TO_STREAM = "item of another stream shown to one body's staff"
ACTION_CHANGED = "refused action changed the database"
ACTION_DONE = "refused action answered as done"
ACTION_UNAUDITED = "refused action not audited"
ACTION_SILENT = "refused action answered without a refusal"

LEAKS = (INTERNAL_TO_DEPUTY, INTERNAL_TO_PUBLIC, FOREIGN_TO_UNIT, FOREIGN_TO_DEPUTY, FOREIGN_TO_STREAM)
UNAUDITED_PROBLEMS = (UNAUDITED, ACTION_UNAUDITED)

# Steps among the handlers and overseers: a deputy's page never names them.
INTERNAL_STEPS = (
    "co_opinion",
    "countersign_request",
    "countersign",
    "countersign_objection",
    "reply_submit_for_approval",
    "reply_return_to_handler",
    "reply_approve",
    "reply_staff_return",
    "reply_result_corrected",
    "request_extension",
    "refuse_extension",
)
# Of those, the ones whose note is a handler's or overseer's own words.
INTERNAL_NOTES = (
    "request_extension",
    "co_opinion",
    "countersign",
    "countersign_objection",
    "reply_return_to_handler",
    "reply_staff_return",
    "reply_result_corrected",
)


def model(label: str) -> Any:
    return apps.get_model(*label.split("."))


# --- who may: the app's rules, by name ---------------------------------------------------------------


class Check:
    """Who may see or do something: a test on (user, object) with a name for the reports."""

    def __init__(self, label: str, test: Callable[[Any, Any], bool], rules: Iterable[str] = ()) -> None:
        self.label = label
        self.test = test
        self.rules = frozenset(rules)

    def __call__(self, user: Any, obj: Any) -> bool:
        return bool(self.test(user, obj))

    def __and__(self, other: Check) -> Check:
        return Check(f"{self.label} & {other.label}", lambda u, o: self(u, o) and other(u, o), self.rules | other.rules)

    def __or__(self, other: Check) -> Check:
        return Check(
            f"({self.label} | {other.label})", lambda u, o: self(u, o) or other(u, o), self.rules | other.rules
        )

    def __repr__(self) -> str:
        return self.label


def rule(name: str, of: Callable[[Any], Any] | None = None, on: str = "") -> Check:
    """The app's rule `name`, tested on the route's object (or on `of(object)`, named `on`)."""
    label = f"{name}({on})" if on else name
    return Check(label, lambda user, obj: access.allowed(user, name, of(obj) if of else obj), [name])


def user_rule(name: str) -> Check:
    """The app's rule `name` on the user alone."""
    return Check(name, lambda user, obj: access.allowed(user, name, None), [name])


def _proposal(obj: Any) -> Any:
    return obj.proposal


def _reply_proposal(reply: Any) -> Any:
    return reply.assignment.proposal


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


anyone = Check("anyone", lambda user, obj: True)
signed_in = Check("signed in", lambda user, obj: _active(user))
# The checks below have no access rule of their own; they say what the views test, with
# the apps' own helpers.
in_a_unit = Check("in a unit", lambda user, obj: unit_id_of(user) is not None)
a_leader = Check("a leader", lambda user, obj: _active(user) and user.role == "leader")
own_assignment = Check(
    "the user's unit holds it",
    lambda user, a: a.is_active and unit_id_of(user) is not None and unit_id_of(user) == a.unit_id,
)
answering = Check("an answering assignment", lambda user, a: a.answers)
rater_of_reply = Check("the rater of the reply's suggestion", is_rater_of_reply)
own_token = Check("the user's API token", lambda user, t: t.user_id == getattr(user, "pk", None))
own_notification = Check("the user's notification", lambda user, n: n.recipient_id == getattr(user, "pk", None))
reply_or_copy = Check(
    "view_reply(reply or a copy)",
    lambda user, item: any(access.allowed(user, "view_reply", r) for r in [item.reply, *item.reply.copies.all()]),
    ["view_reply"],
)


def _public(user: Any, reply: Any) -> bool:
    from handling.rules import public_replies

    return public_replies().filter(pk=reply.pk).exists()


public_reply = Check("a disclosed reply", _public)


def _public_item(user: Any, proposal: Any) -> bool:
    from proposals.public import public_proposals

    return public_proposals().filter(pk=proposal.pk).exists()


public_item = Check("a public item (proposals.public)", _public_item)


def _reports_on(user: Any, key_item: Any) -> bool:
    from supervision.services import key_item_units

    return bool(key_item_units(key_item, user))


reports_progress = Check("report_progress(one of its suggestions)", _reports_on, ["report_progress"])

view_proposal = rule("view_proposal")
view_matter = rule("view_matter")


def _same_place(matter: Any) -> list[int]:
    """Another new matter of the same station or deputy: one to merge into `matter`."""
    others = model("deputies.ResidentMatter").objects.filter(state="new").exclude(pk=matter.pk)
    place = {"station_id": matter.station_id} if matter.station_id else {"deputy_id": matter.deputy_id}
    return list(others.filter(**place).values_list("pk", flat=True)[:1])


view_reply = rule("view_reply")


# --- kinds of object --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """The objects a route's URL can name, and the suggestion each belongs to (for ordering)."""

    model: str | None
    where: dict[str, Any] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    proposal_id: Callable[[Any], int | None] = lambda obj: None

    def queryset(self) -> Any:
        return model(self.model).objects.filter(**self.where).select_related(*self.related).order_by("pk")


KINDS: dict[str, Kind] = {
    "none": Kind(None),
    "proposal": Kind("proposals.Proposal", proposal_id=lambda o: o.pk),
    "proposal attachment": Kind(
        "proposals.ProposalAttachment", related=("proposal",), proposal_id=lambda o: o.proposal_id
    ),
    "co-signature": Kind("proposals.CoSignature", related=("proposal",), proposal_id=lambda o: o.proposal_id),
    "notification": Kind("proposals.Notification", proposal_id=lambda o: o.proposal_id),
    "assignment": Kind("handling.Assignment", related=("proposal",), proposal_id=lambda o: o.proposal_id),
    "re-assignment request": Kind(
        "handling.ReassignmentRequest",
        related=("assignment__proposal",),
        proposal_id=lambda o: o.assignment.proposal_id,
    ),
    "deadline extension": Kind(
        "handling.DeadlineExtension",
        related=("assignment__proposal",),
        proposal_id=lambda o: o.assignment.proposal_id,
    ),
    "plan step": Kind(
        "handling.PlanStep",
        related=("plan__assignment__proposal",),
        proposal_id=lambda o: o.plan.assignment.proposal_id,
    ),
    "reply": Kind("handling.Reply", related=("assignment__proposal",), proposal_id=lambda o: o.assignment.proposal_id),
    "reply attachment": Kind(
        "handling.ReplyAttachment",
        related=("reply__assignment__proposal",),
        proposal_id=lambda o: o.reply.assignment.proposal_id,
    ),
    "paper rating": Kind("handling.Rating", {"is_paper": True}, ("proposal",), proposal_id=lambda o: o.proposal_id),
    "contact": Kind("handling.ContactRecord", related=("proposal",), proposal_id=lambda o: o.proposal_id),
    "question": Kind("handling.PreSubmissionQuestion", related=("proposal",), proposal_id=lambda o: o.proposal_id),
    "key item": Kind("supervision.KeyItem"),
    "supervision photo": Kind("supervision.SupervisionPhoto", related=("record__key_item",)),
    "leader": Kind("deputies.User", {"role": "leader"}),
    "deputy": Kind("deputies.Deputy"),
    "urging notice": Kind("supervision.UrgingNotice"),
    "promise": Kind("supervision.Promise", related=("proposal",), proposal_id=lambda o: o.proposal_id),
    "import batch": Kind("reports.ImportBatch"),
    "api token": Kind("deputies.ApiToken"),
    "liaison station": Kind("deputies.LiaisonStation"),
    "resident matter": Kind("deputies.ResidentMatter", related=("station", "deputy")),
    "resident matter photo": Kind("deputies.ResidentMatter", {"photo__startswith": "matters/"}),
    "report job": Kind("reports.ReportJob"),
    "finished report job": Kind("reports.ReportJob", {"status": "done"}),
    "published figures": Kind("reports.PublishedFigures"),
    "matter referral": Kind("handling.MatterReferral", related=("matter", "unit")),
}


# --- minimal plausible form data for the actions ----------------------------------------------------------


def _today() -> str:
    return timezone.localdate().isoformat()


def _record_a_contact() -> Route:
    """A phone contact recorded on an assignment of the user's unit in handling: the page's form
    and the API's endpoint take the same fields."""
    return form(
        Route("assignment", own_assignment, target=proposal_state(*IN_HANDLING)),
        lambda a: {
            "kind": "phone",
            "stage": "during",
            "contact_date": _today(),
            "people": "代表本人",
            "summary": "电话沟通",
        },
    )


def _first_pk(label: str, **where: Any) -> int | None:
    return model(label).objects.filter(**where).order_by("pk").values_list("pk", flat=True).first()


def _year() -> int:
    year = model("proposals.Meeting").objects.order_by("-year").values_list("year", flat=True).first()
    return year or timezone.localdate().year


def _other_deputy(proposal: Any) -> list[int]:
    pk = (
        model("deputies.Deputy")
        .objects.exclude(pk=proposal.lead_deputy_id)
        .filter(user__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return [pk] if pk else []


def _first_of_key_item(key_item: Any) -> Any:
    return key_item.proposals.order_by("pk").values_list("pk", flat=True).first()


def _registered() -> list[int]:
    return list(model("proposals.Proposal").objects.filter(state="registered").values_list("pk", flat=True)[:3])


# --- the table ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One row of the table.

    kind: what the URL names; see: who may open the page (for a POST-only route: who may see
    the object it acts on, so that refusals are tried on objects the person sees); act: for
    an action, who may do it; data: its minimal form data; target: the objects it is meant
    for (tried first); every: open every object the person may see, not a sample.
    """

    kind: str
    see: Check
    act: Check | None = None
    data: Callable[[Any], dict[str, Any]] | None = None
    target: Callable[[Any], bool] | None = None
    url_args: Callable[[Any], dict[str, Any]] | None = None
    extra: dict[str, str] = field(default_factory=dict)
    query: str = ""
    every: bool = False
    public: bool = False
    post_only: bool = False
    api: bool = False  # an endpoint of /api/v1/: the public is answered 401, not sent to log in

    def kwargs(self, obj: Any) -> dict[str, Any]:
        if self.kind == "none":
            args: dict[str, Any] = {}
        elif self.url_args:
            args = self.url_args(obj)
        else:
            args = {"pk": obj.pk}
        return {**self.extra, **args}


def form(route: Route, data: Callable[[Any], dict[str, Any]] = lambda obj: {}, **options: Any) -> Route:
    """A page with a form: the page's rule decides who may post it, unless `act` says more."""
    return Route(**{**route.__dict__, "act": options.pop("act", None) or route.see, "data": data, **options})


def action(
    kind: str, see: Check, act: Check, data: Callable[[Any], dict[str, Any]] = lambda obj: {}, **options: Any
) -> Route:
    """A POST-only route (a GET answers 405)."""
    return Route(kind, see=see, act=act, data=data, post_only=True, **options)


def api(route: Route) -> Route:
    """An endpoint of the HTTP API (deputies/api/)."""
    return Route(**{**route.__dict__, "api": True})


def variants(name: str, param: str, rows: dict[str, Route]) -> dict[str, Route]:
    """A route with a fixed extra argument (`step`, `kind`): one row per value."""
    return {f"{name}[{value}]": Route(**{**row.__dict__, "extra": {param: value}}) for value, row in rows.items()}


def state(*states: str) -> Callable[[Any], bool]:
    return lambda obj: obj.state in states


def proposal_state(*states: str) -> Callable[[Any], bool]:
    return lambda obj: obj.proposal.state in states


EDITABLE = ("draft", "returned")
IN_HANDLING = ("in_handling", "rehandling")
staff_only = user_rule("manage_reports")


def imports(kind: str) -> Check:
    """Staff who may import workbooks of `kind` (their own body's people, and units)."""
    return Check(
        f"manage_reports(a {kind} workbook)",
        lambda user, obj: access.allowed(user, "manage_reports", model("reports.ImportBatch")(kind=kind)),
        ["manage_reports"],
    )


overseers_or_units = user_rule("view_leader_page") | in_a_unit
reply_in_draft = state("draft", "returned")


def _unrated(reply: Any) -> bool:
    return reply.state == "issued" and not model("handling.Rating").objects.filter(reply=reply).exists()


def _rated(user: Any, reply: Any) -> bool:
    return model("handling.Rating").objects.filter(reply=reply).exists()


def _step(act: Check, target: Callable[[Any], bool], data: Callable[[Any], dict[str, Any]] = lambda r: {}) -> Route:
    return action("reply", view_reply, view_reply & act, data, target=target)


# One row per named route of the URL map (a route with a fixed extra argument: one per value).
# A new route fails tests/access/test_routes.py until it has a row saying the kind of object its
# URL names, the rule that decides who may open it and, for an action, the rule that decides
# who may do it (with minimal form data and the objects it is meant for).
ROUTES: dict[str, Route] = {
    # --- config -----------------------------------------------------------------------------------------
    "home": Route("none", signed_in),
    "login": Route("none", anyone, public=True),
    "logout": Route("none", anyone, public=True),
    # The phone-code login, the password reset by code and the second factor (deputies/phone_views.py):
    # for anyone; a step out of order goes back to its first page.
    "login_sms": Route("none", anyone, public=True),
    "login_second_factor": Route("none", anyone, public=True),
    "password_reset_sms": Route("none", anyone, public=True),
    "password_reset_sms_set": Route("none", anyone, public=True),
    "password_change": form(Route("none", signed_in)),
    # --- deputies: the security audit log ---------------------------------------------------------------
    "audit:records": Route("none", user_rule("view_audit_log")),
    "audit:export": Route("none", user_rule("view_audit_log")),
    # --- proposals --------------------------------------------------------------------------------------
    "proposals:list": Route("none", signed_in),
    "proposals:deputy_lookup": Route("none", user_rule("look_up_deputies")),
    "proposals:detail": Route("proposal", view_proposal, every=True),
    "proposals:attachment": Route("proposal attachment", rule("view_proposal", _proposal, "its suggestion")),
    "proposals:review_queue": form(Route("none", user_rule("review_proposal"))),
    "proposals:review": Route("proposal", view_proposal & user_rule("review_proposal"), target=state("submitted")),
    "proposals:register": action(
        "proposal",
        view_proposal,
        view_proposal & user_rule("review_proposal"),
        lambda p: {"number": 901, "category": p.category_id or _first_pk("proposals.Category")},
        target=state("submitted"),
    ),
    "proposals:return": action(
        "proposal",
        view_proposal,
        view_proposal & user_rule("review_proposal"),
        lambda p: {"return-reason": "请补充调研数据"},
        target=state("submitted"),
    ),
    "proposals:decline": action(
        "proposal",
        view_proposal,
        view_proposal & user_rule("review_proposal"),
        lambda p: {"decline-reason": "属个人诉求"},
        target=state("submitted"),
    ),
    "proposals:withhold_public": action(
        "proposal",
        view_proposal,
        rule("withhold_from_public"),
        lambda p: {"withhold-reason": "涉及个人信息"},
        target=lambda p: p.withheld_at is None and p.state == "registered",
    ),
    "proposals:release_public": action(
        "proposal", view_proposal, rule("withhold_from_public"), target=lambda p: p.withheld_at is not None
    ),
    "proposals:renumber": action(
        "proposal",
        view_proposal,
        view_proposal & user_rule("review_proposal"),
        lambda p: {"number": 902},
        target=state("registered"),
    ),
    "proposals:mine": Route("none", user_rule("draft_proposal")),
    "proposals:similar_hint": action(
        "none",
        user_rule("draft_proposal"),
        user_rule("draft_proposal"),
        lambda obj: {"title": "关于缓解学校周边交通拥堵的建议", "body": "上下学时段学校门口接送车辆拥堵。"},
    ),
    "proposals:new": form(
        Route("none", user_rule("draft_proposal")),
        lambda obj: {"title": "关于新事项的建议", "body": "正文", "channel": "meeting", "draft_token": "crawl"},
    ),
    "proposals:mine_detail": Route("proposal", rule("follow_proposal"), every=True),
    "proposals:edit": form(
        Route("proposal", rule("edit_proposal"), target=state(*EDITABLE)),
        lambda p: {"title": p.title, "body": p.body, "channel": p.channel},
    ),
    "proposals:invite": form(
        Route("proposal", rule("invite_cosigner"), target=state(*EDITABLE)), lambda p: {"deputies": _other_deputy(p)}
    ),
    "proposals:withdraw": form(
        Route("proposal", rule("withdraw_proposal"), target=state("submitted", *EDITABLE)),
        lambda p: {"reason": "不再提出"},
    ),
    "proposals:remove_attachment": action(
        "proposal attachment",
        rule("view_proposal", _proposal, "its suggestion"),
        rule("edit_proposal", _proposal, "its suggestion"),
        target=proposal_state(*EDITABLE),
        url_args=lambda a: {"pk": a.proposal_id, "attachment_pk": a.pk},
    ),
    "proposals:cosign_answer": action(
        "co-signature",
        rule("view_proposal", _proposal, "its suggestion"),
        rule("answer_cosign_invitation"),
        lambda s: {"accept": "1"},
        target=lambda s: s.status == "invited",
    ),
    "proposals:notifications": Route("none", signed_in),
    "proposals:notification_open": action("notification", own_notification, own_notification),
    "proposals:notifications_read_all": action("none", signed_in, signed_in),
    # --- the HTTP API (a session is let in as a token is; each endpoint asks the page's rule) -----------
    "api_tokens": form(Route("none", signed_in), lambda o: {"name": "对接系统", "scope": "read", "days": 30}),
    "api_token_revoke": action("api token", own_token, own_token),
    "wechat_unbind": action("none", signed_in, signed_in),
    # The API's login (deputies/api/login.py): a phone code or a WeChat code for a token, for
    # anyone; binding one's WeChat, signed in.
    "api:auth_sms": api(Route("none", anyone, public=True)),
    "api:auth_token": api(Route("none", anyone, public=True)),
    "api:auth_wechat": api(Route("none", anyone, public=True)),
    "api:auth_wechat_bind": api(Route("none", signed_in)),
    "api:schema": api(Route("none", signed_in)),
    "api:docs": api(Route("none", signed_in)),
    "api:suggestions": api(
        form(Route("none", user_rule("draft_proposal")), lambda o: {"title": "关于增设公交站的建议"})
    ),
    "api:suggestion": api(Route("proposal", rule("follow_proposal"), every=True)),
    "api:suggestion_submit": api(
        action("proposal", rule("follow_proposal"), rule("edit_proposal"), target=state(*EDITABLE))
    ),
    "api:suggestion_replies": api(Route("proposal", rule("follow_proposal"))),
    "api:notifications": api(Route("none", signed_in)),
    "api:notification_read": api(action("notification", own_notification, own_notification)),
    "api:cosign_invitations": api(Route("none", user_rule("draft_proposal"))),
    **{
        f"api:cosign_{answer}": api(
            action(
                "co-signature",
                rule("view_proposal", _proposal, "its suggestion"),
                rule("answer_cosign_invitation"),
                target=lambda s: s.status == "invited",
            )
        )
        for answer in ("accept", "decline")
    },
    "api:proposals": api(Route("none", signed_in)),
    "api:proposal_register": api(
        action(
            "proposal",
            view_proposal,
            view_proposal & user_rule("review_proposal"),
            lambda p: {"category": p.category_id or _first_pk("proposals.Category")},
            target=state("submitted"),
        )
    ),
    # --- handling ---------------------------------------------------------------------------------------
    "handling:reply_attachment": Route("reply attachment", reply_or_copy),
    "handling:assign": form(
        Route("proposal", view_proposal & rule("assign_proposal"), target=state("registered")),
        lambda p: {"mode": "lead", "lead_unit": _first_pk("handling.Unit", is_active=True), "assigned_on": _today()},
    ),
    "handling:bulk_assign": action(
        "none",
        user_rule("assign_proposal"),
        user_rule("assign_proposal"),
        lambda obj: {"stage": "choose", "ids": _registered()},
    ),
    "handling:reassignment_requests": Route("none", user_rule("decide_reassignment")),
    "handling:unit_lookup": Route("none", user_rule("look_up_units")),
    "handling:decide_reassignment": form(
        Route(
            "re-assignment request",
            rule("decide_reassignment", lambda r: r.assignment.proposal, "its suggestion"),
            target=lambda r: r.status == "pending",
        ),
        lambda r: {"decision": "refuse", "refuse-note": "职责明确，由原单位办理"},
    ),
    "handling:sign": action(
        "assignment",
        rule("view_proposal", _proposal, "its suggestion"),
        own_assignment,
        target=lambda a: a.is_active and not a.signed_at,
    ),
    "handling:request_reassignment": form(
        Route("assignment", own_assignment, target=lambda a: a.is_active),
        lambda a: {"reason": "不属于本单位职责"},
    ),
    "handling:extensions": Route("none", user_rule("decide_extension")),
    "handling:decide_extension": form(
        Route(
            "deadline extension",
            rule("decide_extension", lambda e: e.assignment.proposal, "its suggestion"),
            target=lambda e: e.status == "pending",
        ),
        lambda e: {"decision": "refuse", "note": "期限内可以完成"},
    ),
    "handling:request_extension": form(
        Route("assignment", own_assignment & answering, target=proposal_state(*IN_HANDLING)),
        lambda a: {"new_deadline": (a.deadline + dt.timedelta(days=20)).isoformat(), "reason": "需要调研"},
    ),
    "handling:plan_edit": form(
        Route("assignment", own_assignment & answering, target=proposal_state(*IN_HANDLING)),
        lambda a: {
            "handler_name": "王科长",
            "leader_name": "李副局长",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-title": "调研",
            "steps-0-planned_on": _today(),
        },
    ),
    "handling:plan_step_done": action(
        "plan step",
        rule("view_proposal", lambda s: s.plan.assignment.proposal, "its suggestion"),
        rule("keep_handling_plan"),
        target=lambda s: s.done_on is None,
    ),
    "handling:contact": _record_a_contact(),
    "handling:co_opinion": form(
        Route(
            "assignment",
            own_assignment & rule("give_co_opinion", _proposal, "its suggestion"),
            target=lambda a: a.role == "co" and bool(a.signed_at),
        ),
        lambda a: {"body": "协办意见"},
    ),
    "handling:reply_edit": form(
        Route("assignment", own_assignment & answering, target=proposal_state(*IN_HANDLING)),
        lambda a: {"body": "答复稿", "action": "save"},
    ),
    "handling:reply": Route("reply", view_reply, every=True),
    **variants(
        "handling:reply_step",
        "step",
        {
            "submit": _step(rule("draft_reply"), reply_in_draft),
            "request_countersign": _step(rule("draft_reply"), reply_in_draft),
            "approve": _step(rule("approve_reply"), state("pending_approval")),
            "return": _step(rule("approve_reply"), state("pending_approval"), lambda r: {"return-note": "请修改"}),
            "issue": _step(rule("issue_reply", _reply_proposal, "its suggestion"), state("approved")),
            "staff_return": _step(rule("review_reply"), state("approved"), lambda r: {"staff-note": "请修改"}),
            "correct": _step(
                rule("review_reply"),
                state("approved"),
                lambda r: {
                    "result_category": _first_pk("handling.ResultCategory", is_active=True),
                    "reason": "类别有误",
                },
            ),
            "countersign": _step(
                rule("countersign_reply"), reply_in_draft, lambda r: {"decision": "object", "comment": "不同意"}
            ),
        },
    ),
    "handling:reply_attachment_delete": action(
        "reply attachment",
        reply_or_copy,
        rule("draft_reply", lambda a: a.reply, "its reply"),
        target=lambda a: a.reply.state in ("draft", "returned"),
    ),
    "handling:reply_reviews": Route("none", user_rule("review_reply")),
    "handling:rate": form(
        Route("reply", view_reply & rule("rate_reply"), target=_unrated),
        lambda r: {"attitude": "satisfied", "result": "satisfied"},
    ),
    "api:reply_rating": api(
        action(
            "reply",
            view_reply,
            view_reply & rule("rate_reply"),
            lambda r: {"attitude": "satisfied", "result": "satisfied"},
            target=_unrated,
        )
    ),
    "api:reply_rating_settle": api(action("reply", view_reply, view_reply & rater_of_reply)),
    "api:assignments": api(Route("none", in_a_unit)),
    "api:assignment_sign": api(
        action(
            "assignment",
            rule("view_proposal", _proposal, "its suggestion"),
            own_assignment,
            target=lambda a: a.is_active and not a.signed_at,
        )
    ),
    "api:assignment_contacts": api(_record_a_contact()),
    "api:assignment_reply": api(
        action(
            "assignment",
            rule("view_proposal", _proposal, "its suggestion"),
            own_assignment & answering,
            lambda a: {"body": "答复稿"},
            target=proposal_state(*IN_HANDLING),
        )
    ),
    "api:assignment_co_opinion": api(
        action(
            "assignment",
            rule("view_proposal", _proposal, "its suggestion"),
            own_assignment & rule("give_co_opinion", _proposal, "its suggestion"),
            lambda a: {"body": "协办意见"},
            target=lambda a: a.role == "co" and bool(a.signed_at),
        )
    ),
    "api:reply_request_countersign": api(_step(rule("draft_reply"), reply_in_draft)),
    "api:reply_countersign": api(
        _step(rule("countersign_reply"), reply_in_draft, lambda r: {"decision": "object", "comment": "不同意"})
    ),
    "api:reply_submit": api(_step(rule("draft_reply"), reply_in_draft)),
    "api:reply_approve": api(_step(rule("approve_reply"), state("pending_approval"))),
    "api:reply_return": api(_step(rule("approve_reply"), state("pending_approval"), lambda r: {"note": "请修改"})),
    "api:reply_issue": api(_step(rule("issue_reply", _reply_proposal, "its suggestion"), state("approved"))),
    "api:proposal_assign": api(
        action(
            "proposal",
            view_proposal,
            view_proposal & rule("assign_proposal"),
            lambda p: {
                "mode": "lead",
                "lead_unit": _first_pk("handling.Unit", is_active=True),
                "assigned_on": _today(),
            },
            target=state("registered"),
        )
    ),
    "handling:reply_comment": form(
        Route(
            "reply", view_reply & rule("comment_on_reply", _reply_proposal, "its suggestion"), target=state("issued")
        ),
        lambda r: {"body": "谢谢"},
    ),
    "handling:paper_rating": form(
        Route(
            "reply",
            view_reply & (rule("record_paper_rating") | (user_rule("view_unrated_replies") & Check("rated", _rated))),
            target=_unrated,
        ),
        lambda r: {"attitude": "satisfied", "result": "satisfied"},
    ),
    "handling:unrated_replies": Route("none", user_rule("view_unrated_replies")),
    "handling:paper_form": Route("paper rating", rule("view_paper_form")),
    "handling:contact_answer": form(
        Route("contact", rule("answer_contact"), target=lambda c: not c.deputy_response),
        lambda c: {"response": "confirmed"},
    ),
    "handling:ask_unit": form(
        Route("proposal", view_proposal & rule("ask_unit_before_submission"), target=state(*EDITABLE)),
        lambda p: {"unit": _first_pk("handling.Unit", is_active=True), "question": "是否已有规划？"},
    ),
    "handling:forward_matter": form(
        Route("resident matter", rule("forward_matter"), target=state("new")),
        lambda m: {"unit": _first_pk("handling.Unit"), "text": "转交给单位的内容"},
    ),
    "handling:referrals": Route("none", user_rule("answer_referrals") & in_a_unit),
    "handling:referral": form(
        Route("matter referral", rule("view_referral"), target=lambda r: r.answered_at is None),
        lambda r: {"answer": "已安排处理"},
        act=rule("answer_referral"),
    ),
    "handling:questions": Route("none", user_rule("answer_questions")),
    "handling:question_answer": form(
        Route("question", rule("view_draft_question"), target=lambda q: q.answered_at is None),
        lambda q: {"answer": "已有规划"},
        act=rule("view_draft_question") & rule("answer_draft_question"),
    ),
    # --- supervision ------------------------------------------------------------------------------------
    "supervision:key_list": Route("none", overseers_or_units),
    "supervision:key_new": form(Route("none", user_rule("mark_key"))),
    "supervision:key_detail": Route("key item", rule("view_key_item"), every=True),
    "supervision:key_edit": form(Route("key item", rule("mark_key"))),
    "supervision:record_new": form(
        Route("key item", rule("record_supervision")),
        lambda k: {"kind": "meeting", "held_on": _today(), "participants": "有关人员", "notes": "座谈"},
    ),
    "supervision:key_report": form(
        Route("key item", rule("view_key_item") & reports_progress),
        lambda k: {"proposal": _first_of_key_item(k), "body": "进展"},
    ),
    "supervision:photo": Route("supervision photo", rule("view_key_item", lambda p: p.record.key_item, "its key item")),
    "supervision:my_items": Route("none", a_leader),
    "supervision:leader_page": Route("leader", user_rule("view_leader_page"), url_args=lambda u: {"user_id": u.pk}),
    "supervision:urging_list": Route("none", overseers_or_units),
    "supervision:urging_new": form(Route("none", user_rule("urge"))),
    "supervision:urging_detail": Route("urging notice", rule("view_urging"), every=True),
    "supervision:urging_acknowledge": action(
        "urging notice",
        rule("view_urging"),
        rule("view_urging") & rule("acknowledge_urging"),
        lambda n: {"answer": "已安排专人办理"},
        target=lambda n: n.acknowledged_at is None,
    ),
    "supervision:followup": Route("none", overseers_or_units),
    "supervision:promise_detail": Route("promise", rule("view_promise"), every=True),
    "supervision:promise_survey": form(
        Route("promise", rule("answer_promise_survey"), target=state("done_reported", "kept")),
        lambda p: {"answer": "partly", "comment": "操场只完成了一半"},
    ),
    "supervision:promise_report": action(
        "promise",
        rule("view_promise"),
        rule("view_promise") & rule("report_promise"),
        lambda p: {"body": "进展"},
        target=state("open"),
    ),
    "supervision:promise_confirm": action(
        "promise",
        rule("view_promise"),
        rule("view_promise") & rule("confirm_promise"),
        lambda p: {"note": "已核实"},
        target=state("done_reported"),
    ),
    "supervision:promise_reopen": action(
        "promise",
        rule("view_promise"),
        rule("view_promise") & rule("confirm_promise"),
        lambda p: {"note": "尚未完工"},
        target=state("done_reported"),
    ),
    # --- reports ----------------------------------------------------------------------------------------
    "reports:index": Route("none", signed_in),
    "reports:dashboard": Route("none", user_rule("view_dashboard")),
    "reports:figure_list": Route("none", user_rule("view_dashboard"), query="?figure=registered"),
    "reports:units": Route("none", user_rule("view_dashboard")),
    "reports:export_proposals": Route("none", user_rule("export_proposals")),
    **variants(
        "reports:export_reference",
        "kind",
        {k: Route("none", imports(k)) for k in ("units", "deputies", "members")},
    ),
    "reports:import": form(Route("none", staff_only), lambda obj: {"kind": "units"}),
    **variants(
        "reports:import_template", "kind", {k: Route("none", staff_only) for k in ("units", "deputies", "suggestions")}
    ),
    "reports:import_batch": Route("import batch", rule("manage_reports")),
    "reports:import_apply": action(
        "import batch", rule("manage_reports"), rule("manage_reports"), target=lambda b: b.status == "checked"
    ),
    "reports:annual_report": form(
        Route("none", staff_only),
        lambda obj: {"action": "save", "year": _year(), "title": "", "practices": "做法", "plans": "打算"},
    ),
    "reports:annual_generate": action("none", staff_only, staff_only, lambda obj: {"year": _year()}),
    "reports:annual_preview": Route("none", staff_only),
    # A report of one stream, or of both: its staff (the rule asked about the job's stream).
    "reports:report_job": Route("report job", rule("manage_reports")),
    "reports:report_pdf": Route("finished report job", rule("manage_reports")),
    "reports:deputy_records": Route("none", user_rule("view_deputy_records")),
    "reports:my_record": Route("none", user_rule("view_own_record")),
    "reports:deputy_record": Route("deputy", rule("view_deputy_record")),
    "reports:deputy_record_pdf": Route("deputy", rule("view_deputy_record")),
    "reports:reply_letter": Route("reply", rule("print_reply_letter")),
    "reports:disclosure": Route("none", staff_only),
    "reports:disclosure_hold": action(
        "reply",
        view_reply,
        rule("manage_reports"),
        lambda r: {"reason": "涉及个人信息"},
        target=lambda r: r.state == "issued" and r.is_public,
    ),
    "reports:disclosure_release": action(
        "reply",
        view_reply,
        rule("manage_reports"),
        target=lambda r: model("reports.DisclosureHold").objects.filter(reply=r).exists(),
    ),
    "reports:publish_figures": action(
        "none", staff_only, staff_only, lambda obj: {"year": _year(), "stream": "suggestion"}
    ),
    "reports:unpublish_figures": action("published figures", rule("manage_reports"), rule("manage_reports")),
    # --- the public pages ---------------------------------------------------------------------------------
    "disclosure:replies": Route("none", anyone, public=True),
    "disclosure:reply": Route("reply", public_reply, public=True, target=lambda r: _public(None, r)),
    "disclosure:figures": Route("none", anyone, public=True),
    "disclosure:figures_year": Route("published figures", anyone, public=True, url_args=lambda f: {"year": f.year}),
    "public_progress:list": Route("none", anyone, public=True),
    "public_progress:detail": Route("proposal", public_item, public=True, every=True),
    "api:figures": api(Route("none", user_rule("view_dashboard"))),
    "api:public_replies": api(Route("none", anyone, public=True)),
    "api:public_reply": api(Route("reply", public_reply, public=True, target=lambda r: _public(None, r))),
    "api:public_figures": api(Route("none", anyone, public=True)),
    "api:public_figures_year": api(
        Route("published figures", anyone, public=True, url_args=lambda f: {"year": f.year})
    ),
    "api:public_suggestions": api(Route("none", anyone, public=True)),
    "api:public_suggestion": api(Route("proposal", public_item, public=True, every=True)),
    # --- residents' matters: the public intake and lookup; the triage of station staff and deputies ------
    "intake:station": Route("liaison station", anyone, public=True, url_args=lambda s: {"code": s.code}),
    "intake:deputy": Route("deputy", anyone, public=True, url_args=lambda d: {"code": d.public_code}),
    "intake:received": Route("none", anyone, public=True),
    "intake:lookup": Route("none", anyone, public=True),
    "matters:inbox": Route("none", user_rule("triage_matters")),
    "matters:cards": Route("none", user_rule("triage_matters")),
    "matters:station_qr": Route("liaison station", rule("print_intake_card")),
    "matters:deputy_qr": Route("deputy", rule("print_intake_card")),
    "matters:detail": Route("resident matter", view_matter, every=True),
    "matters:photo": Route("resident matter photo", view_matter),
    "matters:answer": action(
        "resident matter", view_matter, rule("handle_matter"), lambda m: {"answer": "已答复。"}, target=state("new")
    ),
    "matters:close": action(
        "resident matter", view_matter, rule("handle_matter"), lambda m: {"reason": "非本站事项。"}, target=state("new")
    ),
    "matters:merge": action(
        "resident matter",
        view_matter,
        rule("handle_matter"),
        lambda m: {"members": _same_place(m)},
        target=state("new"),
    ),
    "proposals:draft_from_matter": action(
        "resident matter", view_matter, rule("suggest_from_matter"), target=state("new")
    ),
}


# --- the URL map ----------------------------------------------------------------------------------------

# A named group written as a plain alternation, `(?P<step>submit|approve)`: its values are known.
ALTERNATION = re.compile(r"\(\?P<(\w+)>(\w+(?:\|\w+)*)\)")


@dataclass(frozen=True)
class FoundRoute:
    name: str
    params: tuple[str, ...]
    choices: dict[str, tuple[str, ...]]


def url_map() -> list[FoundRoute]:
    """Every named route of the project's apps: the URL map walked recursively, without the
    admin and the static and media files."""
    found: list[FoundRoute] = []

    def walk(patterns: Sequence[Any], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin" or entry.app_name == "admin":
                    continue
                inner = ":".join(n for n in (namespace, entry.namespace) if n)
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                if getattr(entry.callback, "__module__", "").startswith(
                    ("django.views.static", "django.contrib.staticfiles")
                ):
                    continue
                regex = entry.pattern.regex
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                choices = {m[0]: tuple(m[1].split("|")) for m in ALTERNATION.findall(regex.pattern)}
                found.append(FoundRoute(name, tuple(regex.groupindex), choices))

    walk(get_resolver().url_patterns, "")
    return found


def base_name(key: str) -> str:
    return key.split("[", 1)[0]


def route_keys() -> list[str]:
    """The table's keys for every route of the URL map: a route whose argument has fixed
    values (a regex alternation) needs a row per value; one that takes a free value (a slug)
    at least one row. Keys the table lacks are included, so that their tests fail."""
    keys: list[str] = []
    for route in url_map():
        if route.choices:
            (param, values), *_ = route.choices.items()
            keys += [f"{route.name}[{value}]" for value in values]
            continue
        rows = [k for k in ROUTES if base_name(k) == route.name]
        keys += rows or [route.name]
    return keys


def table_problems() -> list[str]:
    """What keeps the table from matching the URL map and the rules."""
    problems = []
    keys = route_keys()
    for key in keys:
        if key not in ROUTES:
            problems.append(
                f"new route {key}: say what object it takes and which rule decides who may see it "
                "(and, for an action, who may do it) in tests/access/crawl.py ROUTES"
            )
    for key in ROUTES:
        if key not in keys:
            problems.append(f"route {key} is no longer in the URL map: remove it from tests/access/crawl.py ROUTES")
    for key, route in ROUTES.items():
        if route.kind not in KINDS:
            problems.append(f"{key}: unknown kind of object {route.kind!r}")
        known = getattr(access, "RULES", None)
        for check in (route.see, route.act):
            for name in check.rules if check else ():
                if known is not None and not known.rule_exists(name):
                    problems.append(f"{key}: no app declares the access rule {name!r}")
    return problems


# --- people ---------------------------------------------------------------------------------------------


@dataclass
class Person:
    """Someone the crawl acts as. `watch` says which leak checks apply: a deputy's pages must
    show no internal text and no suggestion outside `own`, a unit's no suggestion outside `own`,
    the public's no internal text."""

    label: str
    group: str
    user: Any  # None: the public
    watch: str  # "deputy", "unit", "stream", "public" or ""
    own: frozenset[int] = frozenset()

    @property
    def principal(self) -> Any:
        return self.user if self.user is not None else AnonymousUser()


def person(label: str, user: Any) -> Person:
    if user is None:
        return Person(label, "anonymous", None, "public")
    Proposal = model("proposals.Proposal")
    deputy_id, unit_id = access.deputy_id_of(user), unit_id_of(user)
    own: set[int] = set()
    if deputy_id is not None:
        mine = set(
            Proposal.objects.filter(Q(lead_deputy_id=deputy_id) | Q(cosignatures__deputy_id=deputy_id)).values_list(
                "pk", flat=True
            )
        )
        # A merged group is handled as one: its deputies read each other's titles.
        groups = set(
            Proposal.objects.filter(pk__in=mine).exclude(merged_into=None).values_list("merged_into", flat=True)
        )
        groups |= mine
        own = mine | set(
            Proposal.objects.filter(Q(pk__in=groups) | Q(merged_into__in=groups)).values_list("pk", flat=True)
        )
        return Person(label, user.role, user, "deputy", frozenset(own))
    if unit_id is not None:
        own = set(model("handling.Assignment").objects.filter(unit_id=unit_id).values_list("proposal_id", flat=True))
        own |= set(
            model("handling.PreSubmissionQuestion")
            .objects.filter(unit_id=unit_id)
            .values_list("proposal_id", flat=True)
        )
        return Person(label, user.role, user, "unit", frozenset(own))
    if user.role == "station_staff":  # the station's matters only: no suggestion's title, no internal text
        return Person(label, user.role, user, "deputy", frozenset())
    streams = access.streams_of(user)
    if streams != access.ALL_STREAMS:  # one body's staff: their own stream's items only
        own = set(Proposal.objects.filter(stream__in=streams).values_list("pk", flat=True))
        return Person(label, user.role, user, "stream", frozenset(own))
    return Person(label, user.role, user, "")


# --- what may not show ----------------------------------------------------------------------------------


def fragment(text: str, length: int = 30) -> str:
    """A piece of a stored text that a page showing it contains: its first line, cut short."""
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return line[:length]


@dataclass
class Markers:
    """What a page may not show: `internal` maps a piece of text to what it is; `titles` maps
    each suggestion to the pieces that show it."""

    internal: dict[str, str]
    titles: dict[int, tuple[str, ...]]
    internal_pattern: re.Pattern[str] | None = None

    @classmethod
    def from_database(
        cls, title_token: re.Pattern[str] | None = None, internal_pattern: re.Pattern[str] | None = None
    ) -> Markers:
        """The real internal texts of the database, and each suggestion's title (or, when
        titles carry a token such as T0007, the token)."""
        Proposal, Reply, Event = model("proposals.Proposal"), model("handling.Reply"), model("proposals.ProposalEvent")
        internal: dict[str, str] = {}

        def add(text: str, what: str) -> None:
            piece = fragment(text)
            if len(piece) >= 6:
                internal.setdefault(piece, what)

        for body in model("handling.CoOpinion").objects.values_list("body", flat=True):
            add(body, "co-handler's opinion")
        for comment in model("handling.Countersignature").objects.exclude(comment="").values_list("comment", flat=True):
            add(comment, "countersignature comment")
        for action, note in (
            Event.objects.filter(action__in=INTERNAL_NOTES).exclude(note="").values_list("action", "note")
        ):
            add(note, f"note of {action}")
        for body in Reply.objects.exclude(state="issued").exclude(body="").values_list("body", flat=True):
            add(body, "reply not issued")
        # Text the deputies may read anyway (an issued reply, the suggestion, a public step's
        # note) is no evidence of a leak, even where an internal text starts the same way.
        public = set(Reply.objects.filter(state="issued").values_list("body", flat=True))
        public |= set(Proposal.objects.values_list("body", flat=True))
        public |= set(Event.objects.exclude(action__in=INTERNAL_STEPS).exclude(note="").values_list("note", flat=True))
        internal = {piece: what for piece, what in internal.items() if not any(piece in text for text in public)}
        with translation.override(settings.LANGUAGE_CODE):
            for action in INTERNAL_STEPS:
                label = str(Event(action=action).label)
                if label and label != action:
                    internal.setdefault(label, f"the step “{action}”")
        titles: dict[int, tuple[str, ...]] = {}
        all_titles = dict(Proposal.objects.values_list("pk", "title"))
        for pk, title in all_titles.items():
            found = title_token.search(title) if title_token else None
            if found:
                titles[pk] = (found.group(0),)
                continue
            if len(title) < 8 or any(title in other for k, other in all_titles.items() if k != pk):
                continue  # too short, or another suggestion's title contains it: not telling
            titles[pk] = (title,)
        return cls(internal, titles, internal_pattern)

    def internal_in(self, text: str) -> list[str]:
        """The internal texts `text` shows (by their token, where they carry one)."""
        found = [piece for piece in self.internal if piece in text or _escaped(piece) in text]
        if self.internal_pattern is None:
            return found
        tokens = set(self.internal_pattern.findall(text))
        return sorted(tokens) + [piece for piece in found if not self.internal_pattern.search(piece)]

    def titles_in(self, text: str, own: frozenset[int]) -> list[str]:
        shown = []
        for pk, pieces in self.titles.items():
            if pk not in own and any(_stands_in(piece, text) or _stands_in(_escaped(piece), text) for piece in pieces):
                shown.append(pieces[0])
        return shown


def _escaped(text: str) -> str:
    return html.escape(text, quote=True)


def _stands_in(piece: str, text: str) -> bool:
    """Is `piece` in `text` as a word of its own? A title's token (T0013) is short enough to turn
    up by chance inside a random run of letters and digits, such as the CSRF token every page
    carries; there it shows nothing."""
    start = text.find(piece)
    while start >= 0:
        end = start + len(piece)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if not (_ascii_alnum(before) and _ascii_alnum(piece[0])) and not (
            _ascii_alnum(after) and _ascii_alnum(piece[-1])
        ):
            return True
        start = text.find(piece, start + 1)
    return False


def _ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


# --- the objects to try -----------------------------------------------------------------------------------


class Catalogue:
    """The objects of each kind, the telling ones first."""

    def __init__(self, objects: dict[str, list[Any]]) -> None:
        self.objects = objects

    @classmethod
    def from_database(cls, first: Sequence[int] = ()) -> Catalogue:
        """Every object of each kind, those of the suggestions in `first` first (in its order)."""
        rank = {pk: i for i, pk in enumerate(first)}
        objects: dict[str, list[Any]] = {"none": [None]}
        for name, kind in KINDS.items():
            if kind.model is None:
                continue
            rows = list(kind.queryset())
            rows.sort(key=lambda o, kind=kind: (rank.get(kind.proposal_id(o), len(rank)), o.pk))
            objects[name] = rows
        return cls(objects)

    def of(self, kind: str) -> list[Any]:
        return self.objects.get(kind, [])


def objects_to_open(route: Route, who: Person, catalogue: Catalogue, sample: int, every: bool = False) -> list[Any]:
    """The objects to open the route on as `who`: those meant for it first, then the others
    they may see, and one they may not. A deputy, a unit or the public open every object they
    may see on an `every` route (their pages are read for leaks); others a `sample`."""
    if route.kind == "none":
        return [None]
    objects = catalogue.of(route.kind)
    if route.post_only:  # a GET answers 405 without looking: one try is enough
        return objects[:1]
    if route.target:
        objects = sorted(objects, key=lambda o: not route.target(o))
    limit = None if every or (route.every and who.watch) else sample
    user = who.principal
    seen: list[Any] = []
    unseen: list[Any] = []
    for obj in objects:
        if limit is not None and len(seen) >= limit and unseen:
            break
        if route.see(user, obj):
            if limit is None or len(seen) < limit:
                seen.append(obj)
        elif not unseen:
            unseen.append(obj)
    return seen + unseen


def objects_to_post(route: Route, who: Person, catalogue: Catalogue) -> list[Any]:
    """An object the action is meant for that `who` may see; else any they may see; else one
    the action is meant for (refused as unseen). On a POST-only route, whose refusals of
    unseen objects no GET tries, also one they may not see."""
    if route.kind == "none":
        return [None]
    objects = catalogue.of(route.kind)
    meant = [o for o in objects if route.target(o)] if route.target else objects
    user = who.principal
    seen = next((o for pool in (meant, objects) for o in pool if route.see(user, o)), None)
    unseen = next((o for pool in (meant, objects) for o in pool if not route.see(user, o)), None)
    if seen is None:
        return [unseen] if unseen is not None else []
    return [seen, unseen] if route.post_only and unseen is not None else [seen]


# --- one request -------------------------------------------------------------------------------------------

SKIP_TABLES = ("django_session", "axes_")


@dataclass
class Answer:
    status: int
    location: str
    text: str
    audits: int
    messages: list[tuple[int, str]]
    changed: list[str]
    error: str = ""


def refusals() -> int:
    return model("deputies.AuditRecord").objects.filter(kind="access_refused").count()


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _written(queries: Iterable[dict[str, Any]]) -> set[str]:
    audit = model("deputies.AuditRecord")._meta.db_table
    tables = {m.group(1) for q in queries if (m := WRITE.match(q["sql"]))}
    return {t for t in tables if t != audit and not t.startswith(SKIP_TABLES)}


def _dump(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # a table name of ours
        return [tuple(str(v) for v in row) for row in cursor.fetchall()]


def _text(response: Any) -> str:
    # Read to the end, a streamed file is closed by the test client itself, which keeps the
    # request_finished signal from closing the database connection mid-transaction.
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        return _xlsx_text(content)
    return content.decode("utf-8", "ignore")


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True)
    except Exception:  # not a workbook after all: read it as bytes
        return content.decode("utf-8", "ignore")
    return "\n".join(
        str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row if value
    )


def _queued_messages(response: Any) -> list[tuple[int, str]]:
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    return [(m.level, str(m)) for m in getattr(storage, "_queued_messages", [])]


@contextlib.contextmanager
def files_kept() -> Iterator[None]:
    """A posted action is rolled back with its savepoint, but a file it deleted (removing an
    attachment deletes the file at once) would stay deleted: while it runs, storages keep files."""
    from django.core.files.storage import FileSystemStorage

    original = FileSystemStorage.delete
    FileSystemStorage.delete = lambda self, name: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        FileSystemStorage.delete = original  # type: ignore[method-assign]


def send(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> Answer:
    """One request in a savepoint rolled back at once: what it answered, the refusals it
    audited, and (for a POST) the tables it really changed."""
    watch = method == "POST"
    with transaction.atomic():
        before = refusals()
        with CaptureQueriesContext(connection) if watch else contextlib.nullcontext() as queries, files_kept():
            response = client.post(url, data or {}) if watch else client.get(url)
        audits = refusals() - before
        written = _written(queries.captured_queries) if watch else set()
        after = {table: _dump(table) for table in written}
        answer = Answer(
            status=response.status_code,
            location=response.get("Location", ""),
            text=_text(response),
            audits=audits,
            messages=_queued_messages(response),
            changed=[],
            error=_error(response),
        )
        transaction.set_rollback(True)
    answer.changed = sorted(table for table in written if _dump(table) != after[table])
    # Messages travel in a cookie to the next page: one request's must not show in the next.
    client.cookies.pop(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"), None)
    return answer


def _error(response: Any) -> str:
    info = getattr(response, "exc_info", None)
    if not info:
        return ""
    return "".join(traceback.format_exception_only(info[0], info[1])).strip()[:300]


def _reaches_login(client: Client, answer: Answer) -> bool:
    login = resolve_url(settings.LOGIN_URL)
    for _hop in range(3):
        if answer.status not in (301, 302) or not answer.location:
            return False
        if answer.location.startswith(login):
            return True
        answer = send(client, "GET", answer.location)
    return False


def _refuses_the_public(client: Client, route: Route, answer: Answer) -> bool:
    """A page sends the public to the login page; an API endpoint answers 401."""
    return answer.status == 401 if route.api else _reaches_login(client, answer)


# --- the checks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    route: str
    person: str
    obj: str
    method: str
    status: int
    problem: str
    detail: str = ""


@dataclass
class Visit:
    route: str
    person: Person
    method: str
    status: int
    findings: list[Finding]


def describe(obj: Any) -> str:
    if obj is None:
        return "—"
    proposal_id = next(
        (kind.proposal_id(obj) for kind in KINDS.values() if kind.model and isinstance(obj, model(kind.model))), None
    )
    name = type(obj).__name__
    if proposal_id is None:
        return f"{name} {obj.pk}"
    proposal = model("proposals.Proposal").objects.filter(pk=proposal_id).values("title", "number", "state").first()
    token = re.search(r"T\d{4}", proposal["title"]) if proposal else None
    which = (
        token.group(0)
        if token
        else f"No.{proposal['number']}"
        if proposal and proposal["number"]
        else f"#{proposal_id}"
    )
    state = obj.state if hasattr(obj, "state") and isinstance(obj.state, str) else proposal["state"] if proposal else ""
    return f"{name} {obj.pk} of {which} ({state})"


def url_of(key: str, route: Route, obj: Any) -> str:
    return reverse(base_name(key), kwargs=route.kwargs(obj)) + route.query


def _body_findings(key: str, who: Person, answer: Answer, add: Callable[[str, str], None], markers: Markers) -> None:
    if who.watch in ("deputy", "public"):
        internal = markers.internal_in(answer.text)
        if internal:
            add(INTERNAL_TO_DEPUTY if who.watch == "deputy" else INTERNAL_TO_PUBLIC, _listed(internal))
    # The public pages show anyone what is public (titles included), whoever reads them.
    if who.watch in ("deputy", "unit", "stream") and not (key in ROUTES and ROUTES[key].public):
        foreign = markers.titles_in(answer.text, who.own)
        if foreign:
            problem = {"deputy": FOREIGN_TO_DEPUTY, "unit": FOREIGN_TO_UNIT}.get(who.watch, FOREIGN_TO_STREAM)
            add(problem, _listed(foreign))


def _listed(items: list[str], most: int = 4) -> str:
    items = sorted(set(items))
    return "、".join(items[:most]) + (f" (+{len(items) - most})" if len(items) > most else "")


def check_get(client: Client, key: str, route: Route, who: Person, obj: Any, markers: Markers) -> Visit:
    answer = send(client, "GET", url_of(key, route, obj))
    findings: list[Finding] = []

    def add(problem: str, detail: str = "") -> None:
        findings.append(Finding(key, who.label, describe(obj), "GET", answer.status, problem, detail))

    refused = answer.status in (403, 404)
    if answer.status >= 500:
        add(SERVER_ERROR, answer.error)
    elif who.user is None and not route.public:
        if not _refuses_the_public(client, route, answer):
            add(NOT_TO_LOGIN, f"answered {answer.status}")
    elif answer.status != 405:  # a method not allowed never looks at the object
        allowed = route.see(who.principal, obj)
        if not allowed and answer.status != 404:
            add(NOT_404 if refused else NOT_REFUSED, f"{route.see.label} refuses it; answered {answer.status}")
        if allowed and refused:
            add(WRONGLY_REFUSED, f"{route.see.label} allows it; answered {answer.status}")
        if refused and answer.audits == 0:
            add(UNAUDITED, f"answered {answer.status}, no access_refused record")
        if refused and answer.audits > 1:
            add(AUDITED_TWICE, f"{answer.audits} records")
        if not refused and answer.audits:
            add(AUDITED_SUCCESS, f"answered {answer.status}, {answer.audits} record(s)")
    _body_findings(key, who, answer, add, markers)
    return Visit(key, who, "GET", answer.status, findings)


def check_post(client: Client, key: str, route: Route, who: Person, obj: Any, markers: Markers) -> Visit:
    assert route.act is not None and route.data is not None
    data = route.data(obj)
    answer = send(client, "POST", url_of(key, route, obj), data)
    findings: list[Finding] = []

    def add(problem: str, detail: str = "") -> None:
        findings.append(Finding(key, who.label, describe(obj), "POST", answer.status, problem, detail))

    errors = [text for level, text in answer.messages if level >= levels.ERROR]
    done = [text for level, text in answer.messages if level == levels.SUCCESS]
    if answer.status >= 500:
        add(SERVER_ERROR, answer.error)
    elif who.user is None and not route.public:
        if not _refuses_the_public(client, route, answer):
            add(NOT_TO_LOGIN, f"answered {answer.status}")
        if answer.changed:
            add(ACTION_CHANGED, ", ".join(answer.changed))
    elif route.act(who.principal, obj):
        # Judged only where the action is meant to work: elsewhere a state may refuse it.
        if answer.status in (403, 404) and (route.target is None or route.target(obj)):
            add(WRONGLY_REFUSED, f"{route.act.label} allows it; answered {answer.status}")
    else:
        how = f"answered {answer.status}" + (f" “{errors[0][:60]}”" if errors else "")
        if answer.changed:
            add(ACTION_CHANGED, ", ".join(answer.changed))
        if done:
            add(ACTION_DONE, f"“{done[0][:60]}”")
        if answer.audits == 0:
            add(ACTION_UNAUDITED, f"{route.act.label} refuses it; {how}")
        elif answer.audits > 1:
            add(AUDITED_TWICE, f"{answer.audits} records")
        if answer.status not in (400, 403, 404) and not errors and answer.status != 200:
            add(ACTION_SILENT, how)
    _body_findings(key, who, answer, add, markers)
    return Visit(key, who, "POST", answer.status, findings)


# --- whole routes -------------------------------------------------------------------------------------------


def clients(people: Iterable[Person]) -> Iterator[tuple[Person, Client]]:
    for who in people:
        client = Client(raise_request_exception=False)
        if who.user is not None:
            client.force_login(who.user)
        yield who, client


def open_route(
    key: str, people: Sequence[Person], catalogue: Catalogue, markers: Markers, sample: int = 2
) -> list[Visit]:
    route = ROUTES[key]
    visits = []
    for who, client in clients(people):
        for obj in objects_to_open(route, who, catalogue, sample):
            visits.append(check_get(client, key, route, who, obj, markers))
    return visits


def post_route(key: str, people: Sequence[Person], catalogue: Catalogue, markers: Markers) -> list[Visit]:
    route = ROUTES[key]
    return [
        check_post(client, key, route, who, obj, markers)
        for who, client in clients(people)
        for obj in objects_to_post(route, who, catalogue)
    ]


def crawl(
    people: Sequence[Person],
    catalogue: Catalogue,
    markers: Markers,
    *,
    keys: Sequence[str] | None = None,
    sample: int = 1,
    every: bool = False,
    posts: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[Visit]:
    """Every route of `keys` (all) as every person: a GET on the objects to open (`every`:
    all they may see), a POST of each action. POST-only routes are only posted (a GET is a 405)."""
    keys = [k for k in (keys or ROUTES) if k in ROUTES]
    visits: list[Visit] = []
    for who, client in clients(people):
        if progress:
            progress(who.label)
        for key in keys:
            route = ROUTES[key]
            if not route.post_only:
                for obj in objects_to_open(route, who, catalogue, sample, every):
                    visits.append(check_get(client, key, route, who, obj, markers))
            if posts and route.act is not None:
                for obj in objects_to_post(route, who, catalogue):
                    visits.append(check_post(client, key, route, who, obj, markers))
    return visits


def findings_table(findings: Sequence[Finding]) -> str:
    """The findings as a table, grouped by problem, columns fitted to their content."""
    rows = [
        (f.problem, f"{f.method} {f.route}", f.person, f.obj, f"{f.status} {f.detail}")
        for f in sorted(findings, key=lambda f: (f.problem, f.route, f.person, f.obj))
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else []
    lines = [f"{len(rows)} problem(s):"]
    for row in rows:
        lines.append(
            "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4]
        )
    return "\n".join(lines)
