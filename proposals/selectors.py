"""Reads for suggestions: what a user sees, with what lists and pages need in few queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Role
from proposals import rules as access
from proposals.forms import SORTS, ProposalFilterForm
from proposals.models import REPLY_DUE_STATES, CoSignature, Proposal, ProposalEvent, S


def search_words(queryset: QuerySet, text: str, *fields: str, extra: Q | None = None) -> QuerySet:
    """Keep the rows in which every word of `text` (split at spaces) appears in one of `fields`
    (icontains). `extra` is one more way for the whole text to match (e.g. a number)."""
    words = Q()
    for word in text.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        words &= any_field
    return queryset.filter(words | extra if extra is not None else words)


def proposals_for(user: Any) -> QuerySet[Proposal]:
    return access.visible_proposals(user).select_related("meeting", "lead_deputy", "category")


def state_counts(user: Any) -> dict[str, int]:
    rows = access.visible_proposals(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def timeline(proposal: Proposal) -> QuerySet[ProposalEvent]:
    return proposal.events.select_related("actor").order_by("created_at", "pk")


def filter_proposals(user: Any, data: Any) -> tuple[QuerySet[Proposal], ProposalFilterForm]:
    """The suggestions `user` may see, filtered by the query-string `data`.

    One function for every list: the list page, its Excel export and the dashboard's links
    all call it, so a figure and the list behind it always agree.
    """
    form = ProposalFilterForm(data or None)
    form.is_valid()  # invalid fields are left out of cleaned_data and shown as errors
    values = getattr(form, "cleaned_data", {})
    queryset = proposals_for(user)
    today = timezone.localdate()
    if values.get("q"):
        # Words typed with spaces between them must each appear, in the title or the body.
        queryset = search_words(queryset, values["q"], "title", "body")
    if values.get("meeting"):
        queryset = queryset.filter(meeting=values["meeting"])
    if values.get("year"):
        queryset = queryset.filter(meeting__year=values["year"])
    if values.get("category"):
        queryset = queryset.filter(category=values["category"])
    if values.get("state"):
        queryset = queryset.filter(state__in=values["state"])
    if values.get("unit"):
        Assignment = apps.get_model("handling", "Assignment")
        queryset = queryset.filter(
            Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=values["unit"], is_active=True))
        )
    if values.get("deputy"):
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), deputy_id=values["deputy"]).exclude(
            status=CoSignature.Status.DECLINED
        )
        queryset = queryset.filter(Q(lead_deputy_id=values["deputy"]) | Q(Exists(cosigned)))
    if values.get("key") in ("0", "1"):
        KeyItem = apps.get_model("supervision", "KeyItem")
        is_key = Exists(KeyItem.proposals.through.objects.filter(proposal_id=OuterRef("pk")))
        queryset = queryset.filter(is_key if values["key"] == "1" else ~is_key)
    if values.get("overdue"):
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__lt=today)
    if values.get("due_within") is not None:
        horizon = today + dt.timedelta(days=values["due_within"])
        queryset = queryset.filter(state__in=REPLY_DUE_STATES, due_on__gte=today, due_on__lte=horizon)
    if values.get("todo"):
        queryset = queryset.filter(todo_condition(user, values["todo"], today))
    default = ("-meeting__year", F("number").asc(nulls_last=True), "-created_at")
    order = SORTS.get(values.get("sort") or "", default)
    return queryset.order_by(*order, "pk"), form


def todo_condition(user: Any, todo: str, today: dt.date) -> Q:
    """What waits for `user` (or their unit) now, as a condition on suggestions. The workbench
    counts these and links to the list filtered by them, so figure and list always agree."""
    Assignment = apps.get_model("handling", "Assignment")
    Reply = apps.get_model("handling", "Reply")
    CoOpinion = apps.get_model("handling", "CoOpinion")
    Countersignature = apps.get_model("handling", "Countersignature")
    R = Reply.State
    nothing = Q(pk__in=[])
    if todo == "to_assign":
        if not access.allowed(user, "assign_proposal"):
            return nothing
        return Q(state=S.REGISTERED, merged_into__isnull=True)
    if todo == "review_reply":
        if not (access.allowed(user, "review_reply", None) and settings.STAFF_REVIEWS_REPLIES):
            return nothing
        waiting = Reply.objects.filter(assignment__proposal=OuterRef("pk"), state=R.APPROVED)
        return Q(Exists(waiting))
    unit_id = access.unit_id_of(user)
    if unit_id is None:
        return nothing
    mine = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)
    if todo == "sign":
        return Q(merged_into__isnull=True) & Q(Exists(mine.filter(signed_at__isnull=True)))
    if todo == "co_opinion":
        given = CoOpinion.objects.filter(assignment=OuterRef("pk"), round=1)
        owed = mine.filter(role="co").exclude(Exists(given))
        return Q(state__in=(S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING), merged_into__isnull=True) & Q(
            Exists(owed)
        )
    if todo == "countersign":
        agreed = Countersignature.objects.filter(
            reply=OuterRef("pk"), assignment__unit_id=unit_id, version=OuterRef("version"), agrees=True
        )
        asked = Reply.objects.filter(
            assignment__proposal=OuterRef(OuterRef("pk")),
            assignment__role="lead",
            assignment__is_active=True,
            state__in=(R.DRAFT, R.RETURNED),
            countersign_requested_version=F("version"),
        ).exclude(Exists(agreed))
        return Q(Exists(mine.filter(role="co").filter(Exists(asked))))
    answering = mine.filter(role__in=("lead", "separate"))
    if todo == "draft":
        # Owes a reply in this round and has none with the head, with staff or issued.
        sent_first = Reply.objects.filter(assignment=OuterRef("pk"), round=1).exclude(state__in=(R.DRAFT, R.RETURNED))
        sent_second = Reply.objects.filter(assignment=OuterRef("pk"), round=2).exclude(state__in=(R.DRAFT, R.RETURNED))
        # A merged group's members are handled on the main one until the reply is issued.
        first = Q(state=S.IN_HANDLING, merged_into__isnull=True) & Q(Exists(answering.exclude(Exists(sent_first))))
        second = Q(state=S.REHANDLING) & Q(
            Exists(answering.filter(rehandling_deadline__isnull=False).exclude(Exists(sent_second)))
        )
        return first | second
    if todo == "returned":
        returned = Reply.objects.filter(assignment=OuterRef("pk"), state=R.RETURNED)
        return Q(Exists(answering.filter(Exists(returned))))
    if todo == "approve":
        if user.role != Role.UNIT_HEAD:
            return nothing
        pending = Reply.objects.filter(assignment=OuterRef("pk"), state=R.PENDING_APPROVAL)
        return Q(Exists(answering.filter(Exists(pending))))
    return nothing


# --- the list page -----------------------------------------------------------------------------


def list_rows(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a list row shows, in a fixed number of queries whatever the length: the units
    (one prefetch), whether it is a key suggestion (a subquery), the meeting, deputy, category."""
    Assignment = apps.get_model("handling", "Assignment")
    KeyItem = apps.get_model("supervision", "KeyItem")
    # Lead or separate units first ("separate" > "lead" > "co"), then co-handlers.
    active = Assignment.objects.filter(is_active=True).select_related("unit").order_by("-role", "pk")
    return (
        queryset.select_related("meeting", "lead_deputy", "category", "merged_into")
        .annotate(is_key=Exists(KeyItem.proposals.through.objects.filter(proposal_id=OuterRef("pk"))))
        .prefetch_related(Prefetch("assignments", queryset=active, to_attr="active_assignments"))
    )


# --- the workbench (工作台) ---------------------------------------------------------------------------


@dataclass
class Tile:
    key: str
    label: Any
    count: int
    url: str
    alert: bool = False


def _url(name: str, query: str = "", args: list[Any] | None = None) -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _count(user: Any, query: str) -> int:
    return filter_proposals(user, QueryDict(query))[0].count()


def workbench(user: Any) -> list[Tile]:
    """What waits for `user` now, by role: one count per kind of work, each linking to the
    list of exactly those suggestions (or to the page where that work is done)."""
    tiles: list[Tile] = []

    def add(
        key: str,
        label: Any,
        query: str,
        *,
        page: str = "proposals:list",
        alert: bool = False,
        count: int | None = None,
    ) -> None:
        url = _url(page, query if page == "proposals:list" else "")
        if url is None:
            url = _url("proposals:list", query) or ""
        tiles.append(Tile(key, label, _count(user, query) if count is None else count, url, alert))

    role = user.role
    if role in (Role.STAFF, Role.ADMIN):
        add("review", _("To review"), "state=submitted", page="proposals:review_queue")
        add("to_assign", _("To assign"), "todo=to_assign")
    if role == Role.SUPERVISION:
        add("to_assign", _("To assign"), "todo=to_assign")
    if role in (Role.STAFF, Role.ADMIN, Role.SUPERVISION):
        ReassignmentRequest = apps.get_model("handling", "ReassignmentRequest")
        pending = ReassignmentRequest.objects.filter(status="pending").count()
        add(
            "reassignment",
            _("Re-assignment requests"),
            "state=reassign_requested",
            page="handling:reassignment_requests",
            count=pending,
        )
        if settings.STAFF_REVIEWS_REPLIES and role != Role.SUPERVISION:
            add("review_reply", _("Approved replies to review"), "todo=review_reply", page="handling:reply_reviews")
    if role in (Role.UNIT_HANDLER, Role.UNIT_HEAD):
        if role == Role.UNIT_HEAD:
            add("approve", _("Replies to approve"), "todo=approve")
        add("sign", _("To sign for"), "todo=sign")
        add("draft", _("Replies to write"), "todo=draft")
        add("returned", _("Reply drafts returned"), "todo=returned", alert=True)
        add("co_opinion", _("Co-handling opinion to send"), "todo=co_opinion")
        add("countersign", _("Reply drafts to countersign"), "todo=countersign")
    if role in (Role.LEADER, Role.COMMITTEE):
        add(
            "key",
            _("Key suggestions in handling"),
            "key=1&state=assigned&state=reassign_requested&state=in_handling&state=rehandling",
        )
    add("due_soon", _("Due within 7 days"), "due_within=7&sort=due")
    add("overdue", _("Overdue"), "overdue=on&sort=due", alert=True)
    if role in (Role.STAFF, Role.ADMIN, Role.LEADER, Role.COMMITTEE, Role.SUPERVISION):
        add("replied", _("Replied, awaiting the deputy's rating"), "state=replied")
    return tiles


def due_soon(user: Any, limit: int = 10) -> QuerySet[Proposal]:
    """The suggestions whose reply is due first (overdue ones on top)."""
    return list_rows(proposals_for(user).filter(state__in=REPLY_DUE_STATES, due_on__isnull=False)).order_by(
        "due_on", "pk"
    )[:limit]


def recently_changed(user: Any, limit: int = 10) -> QuerySet[Proposal]:
    return list_rows(proposals_for(user)).order_by("-updated_at", "-pk")[:limit]


# --- the detail page ----------------------------------------------------------------------------------

# Steps among the handlers (drafts, the head's and staff's comments, co-handlers' papers): shown
# to the units and the overseers; a deputy's timeline shows the issued reply, not its drafting.
INTERNAL_ACTIONS = {
    "reply_submit_for_approval",
    "reply_return_to_handler",
    "reply_approve",
    "reply_staff_return",
    "reply_result_corrected",
    "co_opinion",
    "countersign_request",
    "countersign",
    "countersign_objection",
}


def _choices(app_model: str, field: str) -> dict[str, str]:
    model = apps.get_model(*app_model.split("."))
    return {k: str(v) for k, v in model._meta.get_field(field).choices}


def event_details(event: ProposalEvent) -> list[str]:
    """The facts a timeline entry adds to its label: numbers, units, deadlines, ratings."""
    data = event.data or {}
    out: list[str] = []
    roles = _choices("handling.Assignment", "role")
    if "number" in data and event.action == "register":
        out.append(_("Number: No. %(n)s") % {"n": data["number"]})
    if event.action == "renumber":
        out.append(_("Number changed from %(old)s to %(new)s") % {"old": data.get("from"), "new": data.get("to")})
    if event.action == "merge_main" and data.get("numbers"):
        out.append(_("Merged: %(items)s") % {"items": "、".join(f"第{n}号" for n in data["numbers"])})
    if event.action == "merge_member" and data.get("main_number"):
        out.append(_("Main suggestion: No. %(n)s") % {"n": data["main_number"]})
    if data.get("units") and event.action == "assign":
        out.append("；".join(f"{roles.get(role, role)}：{name}" for _pk, name, role in data["units"]))
    if data.get("units") and event.action == "countersign_request":
        out.append(_("Co-handling units: %(units)s") % {"units": "、".join(data["units"])})
    if data.get("deadline"):
        complex_ = _("complex, six months") if data.get("complex") else _("normal")
        out.append(_("Reply due %(date)s (%(kind)s)") % {"date": data["deadline"], "kind": complex_})
    if data.get("from_unit"):
        if data.get("to_unit"):
            out.append(_("From %(old)s to %(new)s") % {"old": data["from_unit"], "new": data["to_unit"]})
        else:
            out.append(_("Unit: %(unit)s") % {"unit": data["from_unit"]})
    elif data.get("unit"):
        out.append(_("Unit: %(unit)s") % {"unit": data["unit"]})
    if data.get("kind") and event.action == "contact":
        kinds, stages = _choices("handling.ContactRecord", "kind"), _choices("handling.ContactRecord", "stage")
        out.append(f"{kinds.get(data['kind'], data['kind'])} · {stages.get(data.get('stage', ''), '')}")
    if event.action == "rate":
        levels = _choices("handling.Rating", "attitude")
        out.append(
            _("Attitude: %(a)s; result: %(r)s")
            % {"a": levels.get(data.get("attitude", ""), ""), "r": levels.get(data.get("result", ""), "")}
        )
        if data.get("paper"):
            out.append(_("Entered by staff from the deputy's signed paper form"))
    if data.get("round") == 2 and event.action.startswith(("reply_", "issue_reply", "rate")):
        out.append(_("Second reply, after re-handling"))
    if data.get("version") and event.action.startswith("countersign"):
        out.append(_("Draft version %(v)s") % {"v": data["version"]})
    return out


@dataclass
class TimelineEntry:
    event: ProposalEvent
    details: list[str] = field(default_factory=list)


# Audit records kept but not shown twice: a reply's own "issued" step is always followed, at the
# same moment and by the same person, by the suggestion's `issue_reply` transition (答复代表).
SHOWN_BY_ANOTHER = ("reply_issue",)


def timeline_for(proposal: Proposal, user: Any) -> list[TimelineEntry]:
    papers = access.allowed(user, "view_handling_papers", proposal)
    events = timeline(proposal).exclude(action__in=SHOWN_BY_ANOTHER)
    if not papers:
        events = events.exclude(action__in=INTERNAL_ACTIONS)
    return [TimelineEntry(event, event_details(event)) for event in events]


def handling_of(proposal: Proposal, user: Any) -> dict[str, Any]:
    """Everything the units did on a suggestion, as `user` may see it."""
    Assignment = apps.get_model("handling", "Assignment")
    Reply = apps.get_model("handling", "Reply")
    papers = access.allowed(user, "view_handling_papers", proposal)
    assignments = list(
        Assignment.objects.filter(proposal=proposal)
        .select_related("unit", "signed_by", "assigned_by")
        .prefetch_related("co_opinions__submitted_by", "reassignment_requests__requested_by")
        .order_by("-is_active", "role", "pk")
    )
    replies = [
        reply
        for reply in Reply.objects.filter(assignment__proposal=proposal)
        .select_related(
            "assignment__unit", "assignment__proposal", "result_category", "approved_by", "issued_by", "copied_from"
        )
        .prefetch_related("attachments", "copied_from__attachments", "countersignatures__assignment__unit")
        .order_by("round", "assignment__pk")
        if access.allowed(user, "view_reply", reply)
    ]
    ratings = {r.reply_id: r for r in proposal.ratings.select_related("rated_by")}
    for reply in replies:
        reply.the_rating = ratings.get(reply.pk)
        reply.files = list((reply.copied_from or reply).attachments.all())
    contacts = list(proposal.contacts.select_related("assignment__unit", "recorded_by").order_by("contact_date", "pk"))
    return {
        "assignments": assignments,
        "active_assignments": [a for a in assignments if a.is_active],
        "requests": [r for a in assignments for r in a.reassignment_requests.all()],
        "co_opinions": [o for a in assignments for o in a.co_opinions.all()] if papers else [],
        "replies": replies,
        "contacts": contacts,
        "papers": papers,
    }


@dataclass
class UnitPanel:
    """What the user's own unit can do on one suggestion now, and why not when it cannot."""

    assignment: Any = None
    can_sign: bool = False
    waiting_note: str = ""
    can_request_reassignment: bool = False
    reassignment_note: str = ""
    pending_request: Any = None
    can_contact: bool = False
    can_co_opinion: bool = False
    my_opinion: Any = None
    reply: Any = None
    can_write_reply: bool = False
    lead_reply: Any = None
    my_countersign: Any = None
    can_countersign: bool = False
    co_opinions: list[Any] = field(default_factory=list)


def unit_panel(proposal: Proposal, user: Any) -> UnitPanel | None:
    """The unit's actions on the suggestion page; None for people outside its units."""
    unit_id = access.unit_id_of(user)
    if unit_id is None:
        return None
    Assignment = apps.get_model("handling", "Assignment")
    Reply = apps.get_model("handling", "Reply")
    mine = Assignment.objects.filter(proposal=proposal, unit_id=unit_id, is_active=True).select_related("unit").first()
    if mine is None:
        return None
    panel = UnitPanel(assignment=mine)
    handled_here = not (
        proposal.merged_into_id and proposal.state in (S.REGISTERED, S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING)
    )
    open_states = (S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING)
    panel.pending_request = mine.reassignment_requests.filter(status="pending").first()
    if handled_here and proposal.state in open_states and not mine.signed_at:
        panel.can_sign = True
        end = mine.reassignment_window_end
        if panel.pending_request:
            panel.reassignment_note = _("Your unit's request for re-assignment waits for a decision.")
        elif mine.reassignment_window_open():
            panel.can_request_reassignment = True
            panel.reassignment_note = _(
                "Re-assignment can be asked for until %(date)s (%(days)s working days after assignment)."
            ) % {"date": end.isoformat(), "days": settings.REASSIGNMENT_WINDOW_WORKDAYS}
        else:
            panel.reassignment_note = _(
                "The re-assignment window closed on %(date)s (%(days)s working days after assignment): "
                "your unit handles this suggestion."
            ) % {"date": end.isoformat(), "days": settings.REASSIGNMENT_WINDOW_WORKDAYS}
    elif mine.signed_at and proposal.state in open_states:
        panel.reassignment_note = _("Your unit has signed for it, so re-assignment can no longer be asked for.")
    if handled_here and mine.signed_at and mine.answers and proposal.state in (S.ASSIGNED, S.REASSIGN_REQUESTED):
        # Separate units: handling (and the reply) starts once every answering unit has signed.
        from handling.services import units_yet_to_sign

        names = units_yet_to_sign(proposal)
        if names:
            panel.waiting_note = _("Handling starts once %(units)s has signed for it.") % {"units": "、".join(names)}
    panel.can_contact = proposal.state in (
        S.ASSIGNED,
        S.REASSIGN_REQUESTED,
        S.IN_HANDLING,
        S.REPLIED,
        S.REHANDLING,
        S.CLOSED,
    )
    in_reply_states = proposal.state in (S.IN_HANDLING, S.REHANDLING)
    round_ = 2 if proposal.state == S.REHANDLING else 1
    if mine.role == "co":
        panel.my_opinion = mine.co_opinions.filter(round=round_).first() or mine.co_opinions.order_by("-round").first()
        panel.can_co_opinion = handled_here and bool(mine.signed_at) and proposal.state in (*open_states, S.REHANDLING)
        panel.lead_reply = (
            Reply.objects.filter(
                assignment__proposal=proposal,
                assignment__role="lead",
                assignment__is_active=True,
                state__in=("draft", "returned"),
            )
            .select_related("assignment__unit", "result_category")
            .order_by("-round")
            .first()
        )
        if panel.lead_reply is not None:
            panel.my_countersign = (
                panel.lead_reply.countersignatures.filter(assignment=mine, version=panel.lead_reply.version)
                .order_by("-pk")
                .first()
            )
            complete = bool(
                panel.lead_reply.result_category_id
                and panel.lead_reply.body.strip()
                and panel.lead_reply.signer.strip()
            )
            panel.can_countersign = (
                complete and bool(mine.signed_at) and not (panel.my_countersign and panel.my_countersign.agrees)
            )
    else:
        rehandling_owed = round_ == 2 and mine.rehandling_deadline is not None
        if round_ == 1 or rehandling_owed:
            panel.reply = Reply.objects.filter(assignment=mine, round=round_).first()
        if panel.reply is None:
            panel.reply = Reply.objects.filter(assignment=mine).order_by("-round").first()
        panel.can_write_reply = (
            handled_here
            and in_reply_states
            and (round_ == 1 or rehandling_owed)
            and (panel.reply is None or panel.reply.round != round_ or panel.reply.state in ("draft", "returned"))
            and not (round_ == 1 and Reply.objects.filter(assignment=mine, round=1, state="issued").exists())
        )
    return panel
