"""What handling adds to the suggestion's pages (registered in `proposals.hooks`): the units,
contacts, co-handlers' opinions and replies on a suggestion's page, the unit's own actions and
staff's assignment buttons; the replies to rate, the contacts to confirm and the questions on
the deputy's pages; the workbench's counts of the units' and staff's handling work; the
units column, unit and "waiting for me" filters and bulk assignment of the lists; the
navigation to the units' questions and the unrated replies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.access import STAFF_ROLES, UNIT_ROLES, allowed, of_users_streams
from deputies.models import Role, User, UserOrAnonymous
from handling import referrals
from handling.models import (
    Assignment,
    ContactRecord,
    DeadlineExtension,
    Rating,
    ReassignmentRequest,
    Reply,
    ReplyAttachment,
)
from handling.rules import has_rating, is_assignable, is_changeable, is_rateable, rateable_condition, unit_id_of
from handling.selectors import (
    PLAN_STATES,
    TODO_CHOICES,
    handling_of,
    pending_extensions,
    plans_of,
    todo_condition,
    todo_count,
    unit_label,
    unit_panel,
)
from proposals import hooks
from proposals.events import AMONG_HANDLERS, EVERYONE, day
from proposals.models import Proposal
from proposals.selectors import page_url
from proposals.states import FINAL_STATES
from proposals.states import ProposalState as S

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations


class _IssuedReplies(TypedDict):
    issued_replies: list[Reply]


class _Followed(TypedDict):
    """What _load_follow prefetches onto each suggestion (to_attr)."""

    active_assignments: list[WithAnnotations[Assignment, _IssuedReplies]]
    open_contacts: list[ContactRecord]
    latest_ratings: list[Rating]


class _ShownReply(TypedDict):
    """What the deputy's page of a suggestion shows with each reply."""

    can_rate: bool
    can_change_rating: bool
    can_confirm_rating: bool
    rating_or_none: Rating | None
    shown_attachments: list[ReplyAttachment]


# --- the staff page of a suggestion -------------------------------------------------------------------


def _handling(page: hooks.Page) -> dict[str, Any]:
    papers = bool(page.audiences & AMONG_HANDLERS)
    return page.once("handling", lambda: handling_of(page.proposal, page.user, papers=papers))


def _with_handling(page: hooks.Page) -> dict[str, Any]:
    return {"handling": _handling(page)}


def _assign_button(page: hooks.Page) -> dict[str, Any] | None:
    proposal = page.proposal
    if not is_assignable(proposal) or not allowed(page.user, "assign_proposal", proposal):
        return None
    return {}


def _decisions(page: hooks.Page) -> dict[str, Any] | None:
    proposal = page.proposal
    if proposal.state != S.REASSIGN_REQUESTED or not allowed(page.user, "decide_reassignment", proposal):
        return None
    pending = [r for r in _handling(page)["requests"] if r.status == ReassignmentRequest.Status.PENDING]
    return {"pending_requests": pending} if pending else None


def _unit_actions(page: hooks.Page) -> dict[str, Any] | None:
    panel = unit_panel(page.proposal, page.user)
    return {"panel": panel} if panel is not None else None


def _replies_to_review(page: hooks.Page) -> dict[str, Any] | None:
    waiting = [
        r
        for r in _handling(page)["replies"]
        if r.state == Reply.State.APPROVED and allowed(page.user, "review_reply", r)
    ]
    return {"approved_replies": waiting} if waiting else None


def _plans(page: hooks.Page) -> dict[str, Any] | None:
    plans = plans_of(page.proposal)
    if not plans:
        return None
    unit_id = unit_id_of(page.user)
    open_ = page.proposal.state in PLAN_STATES
    for plan in plans:
        plan.can_mark = open_ and unit_id == plan.assignment.unit_id  # type: ignore[attr-defined]
    return {"plans": plans, "today": timezone.localdate()}


def _extensions(page: hooks.Page) -> dict[str, Any] | None:
    extensions = list(
        DeadlineExtension.objects.filter(assignment__proposal=page.proposal)
        .select_related("assignment__unit")
        .order_by("-requested_at", "-pk")
    )
    if not extensions:
        return None
    return {"extensions": extensions, "can_decide": allowed(page.user, "decide_extension", page.proposal)}


for place, template, context, seen_by, order in (
    ("main", "handling/detail_units.html", _with_handling, EVERYONE, 10),
    ("main", "handling/detail_extensions.html", _extensions, AMONG_HANDLERS, 12),
    ("main", "handling/detail_plans.html", _plans, EVERYONE, 15),
    ("main", "handling/detail_contacts.html", _with_handling, EVERYONE, 20),
    ("main", "handling/detail_co_opinions.html", _with_handling, AMONG_HANDLERS, 30),
    ("main", "handling/detail_replies.html", _with_handling, EVERYONE, 40),
    ("actions", "handling/detail_assign.html", _assign_button, EVERYONE, 10),
    ("actions", "handling/detail_decide.html", _decisions, EVERYONE, 20),
    ("actions", "handling/_unit_panel.html", _unit_actions, AMONG_HANDLERS, 30),
    ("side", "handling/detail_review_replies.html", _replies_to_review, AMONG_HANDLERS, 20),
):
    hooks.panel(hooks.Panel("detail", place, template, context, seen_by=seen_by, order=order))

# --- the deputy's pages ----------------------------------------------------------------------------------

# The lead unit first, then units answering separately, then co-handlers.
ROLE_ORDER: dict[str, int] = {Assignment.Role.LEAD: 0, Assignment.Role.SEPARATE: 1, Assignment.Role.CO: 2}


def unit_names(assignments: Sequence[Assignment]) -> str:
    ordered = sorted(assignments, key=lambda a: (not a.is_active, ROLE_ORDER.get(a.role, 9), a.pk))
    return "、".join(_("%(unit)s (%(role)s)") % {"unit": a.unit.name, "role": a.get_role_display()} for a in ordered)


def _load_follow(queryset: QuerySet[Proposal], deputy_id: int) -> QuerySet[Proposal]:
    issued = Reply.objects.filter(state=Reply.State.ISSUED).select_related("rating").order_by("round", "pk")
    active = (
        Assignment.objects.filter(is_active=True)
        .select_related("unit")
        .prefetch_related(Prefetch("replies", queryset=issued, to_attr="issued_replies"))
        .order_by("role", "pk")
    )
    return queryset.prefetch_related(
        Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        Prefetch(
            "contacts",
            queryset=ContactRecord.objects.filter(deputy_response="").order_by("contact_date", "pk"),
            to_attr="open_contacts",
        ),
        Prefetch("ratings", queryset=Rating.objects.order_by("-rated_at", "-pk"), to_attr="latest_ratings"),
    )


def _fill_follow(row: Proposal, is_lead: bool, facts: hooks.FollowFacts) -> None:
    proposal = cast("WithAnnotations[Proposal, _Followed]", row)  # loaded by _load_follow
    facts.units = unit_names(proposal.active_assignments)
    if proposal.latest_ratings:
        facts.result_rating = proposal.latest_ratings[0].get_result_display()
    waiting = [r.changeable_until for r in proposal.latest_ratings if r.changeable_until is not None]
    if waiting and not any(is_rateable(r) for a in proposal.active_assignments for r in a.issued_replies):
        facts.rating_changeable_until = max(waiting)
    if not is_lead:
        return
    for assignment in proposal.active_assignments:
        for reply in assignment.issued_replies:
            if is_rateable(reply):
                text = _("Read the reply of %(unit)s and rate it") % {"unit": assignment.unit.name}
                facts.asks.append(hooks.Ask(text, reverse("handling:rate", args=[reply.pk])))
            elif has_rating(reply) and reply.rating.changeable_until is not None:
                text = _("Your rating of %(unit)s waits: change it until %(date)s, or confirm it") % {
                    "unit": assignment.unit.name,
                    "date": day(reply.rating.changeable_until),
                }
                detail = reverse("proposals:mine_detail", args=[proposal.pk])
                facts.asks.append(hooks.Ask(text, f"{detail}#reply-{reply.pk}"))
    # Contacts are asked about while the suggestion is being handled; on a finished one the
    # deputy may still answer from its page, but it no longer counts as something to do.
    if proposal.state in FINAL_STATES:
        return
    detail = reverse("proposals:mine_detail", args=[proposal.pk])
    for contact in proposal.open_contacts:
        text = _("Confirm or dispute the contact of %(date)s") % {"date": day(contact.contact_date)}
        facts.asks.append(hooks.Ask(text, f"{detail}#contact-{contact.pk}"))


def _asks_when(deputy_id: int, today: dt.date) -> Q:
    """The suggestions for which `_fill_follow` asks the lead deputy something: an issued reply
    of a unit still on it to rate, or whose rating waits in its change window; an open
    contact to confirm while it is handled."""
    # Each subquery narrowed to the deputy's own suggestions as well: PostgreSQL may run it once
    # for all rows (a hashed subplan) rather than once a row, and should then read only theirs.
    issued = Reply.objects.filter(
        assignment__proposal=OuterRef("pk"),
        assignment__proposal__lead_deputy_id=deputy_id,
        assignment__is_active=True,
        state=Reply.State.ISSUED,
    )
    contacts = ContactRecord.objects.filter(
        proposal=OuterRef("pk"), proposal__lead_deputy_id=deputy_id, deputy_response=""
    )
    return Q(lead_deputy_id=deputy_id) & (
        Q(Exists(issued.filter(rateable_condition())))
        | Q(Exists(issued.filter(rating__changeable_until__isnull=False)))
        | (~Q(state__in=FINAL_STATES) & Q(Exists(contacts)))
    )


hooks.follow_facts(_load_follow, _fill_follow, _asks_when)


def _follow_replies(page: hooks.Page) -> dict[str, Any] | None:
    loaded = list(
        Reply.objects.filter(assignment__proposal=page.proposal, state=Reply.State.ISSUED)
        .select_related(
            "assignment__unit", "assignment__proposal", "result_category", "rating__rated_by", "copied_from"
        )
        .prefetch_related("attachments", "copied_from__attachments", "comments__author")
        .order_by("assignment__role", "assignment_id", "round")
    )
    if not loaded:
        return None
    replies = cast("list[WithAnnotations[Reply, _ShownReply]]", loaded)  # given their attributes below
    for reply in replies:
        reply.can_rate = allowed(page.user, "rate_reply", reply)
        rating = reply.rating if has_rating(reply) else None
        reply.rating_or_none = rating
        reply.can_confirm_rating = rating is not None and allowed(page.user, "change_rating", rating)
        reply.can_change_rating = rating is not None and reply.can_confirm_rating and is_changeable(rating)
        reply.shown_attachments = list(reply.source.attachments.all())
    return {"replies": replies, "can_comment": allowed(page.user, "comment_on_reply", page.proposal)}


def _follow_contacts(page: hooks.Page) -> dict[str, Any] | None:
    contacts = list(page.proposal.contacts.select_related("assignment__unit").order_by("-contact_date", "-pk"))
    return {"contacts": contacts} if contacts else None


def _questions(page: hooks.Page) -> dict[str, Any] | None:
    questions = list(page.proposal.unit_questions.select_related("unit").order_by("-asked_at", "-pk"))
    return {"questions": questions}


def _draft_questions(page: hooks.Page) -> dict[str, Any] | None:
    return _questions(page) if allowed(page.user, "ask_unit_before_submission", page.proposal) else None


hooks.panel(hooks.Panel("follow", "main", "handling/deputy/follow_plans.html", _plans, order=5))
hooks.panel(hooks.Panel("follow", "main", "handling/deputy/follow_replies.html", _follow_replies, order=10))
hooks.panel(hooks.Panel("follow", "main", "handling/deputy/follow_contacts.html", _follow_contacts, order=20))
hooks.panel(hooks.Panel("follow", "end", "handling/deputy/follow_questions.html", _questions, order=10))
hooks.panel(hooks.Panel("draft", "end", "handling/deputy/draft_questions.html", _draft_questions, order=10))

# --- the workbench -------------------------------------------------------------------------------------


def _tiles(user: User) -> list[hooks.Tile]:
    found: list[hooks.Tile] = []

    def todo(key: str, label: StrOrPromise, order: int, *, page: str = "proposals:list", alert: bool = False) -> None:
        query = f"todo={key}"
        found.append(hooks.Tile(key, label, todo_count(user, key), page_url(page, query), alert=alert, order=order))

    if user.role in (*STAFF_ROLES, Role.SUPERVISION):
        todo("to_assign", _("To assign"), 20)
        requests = ReassignmentRequest.objects.filter(status=ReassignmentRequest.Status.PENDING)
        pending = of_users_streams(user, requests, "assignment__proposal__").count()
        url = page_url("handling:reassignment_requests", "state=reassign_requested")
        found.append(hooks.Tile("reassignment", _("Re-assignment requests"), pending, url, order=30))
    if allowed(user, "decide_extension"):
        extensions = of_users_streams(user, pending_extensions(), "assignment__proposal__").count()
        url = page_url("handling:extensions", "")
        found.append(hooks.Tile("extensions", _("Deadline extension requests"), extensions, url, order=31))
        if settings.STAFF_REVIEWS_REPLIES and user.role in STAFF_ROLES:
            todo("review_reply", _("Approved replies to review"), 35, page="handling:reply_reviews")
    if user.role in UNIT_ROLES:
        if user.role == Role.UNIT_HEAD:
            todo("approve", _("Replies to approve"), 40)
        todo("sign", _("To sign for"), 41)
        todo("draft", _("Replies to write"), 42)
        todo("returned", _("Reply drafts returned"), 43, alert=True)
        todo("co_opinion", _("Co-handling opinion to send"), 44)
        todo("countersign", _("Reply drafts to countersign"), 45)
    return found


hooks.tiles(_tiles)


def _referral_tiles(user: User) -> list[hooks.Tile]:
    """Residents' matters forwarded to the user's unit (民意件) and not answered yet."""
    unit_id = unit_id_of(user)
    if unit_id is None or user.role not in UNIT_ROLES:
        return []
    waiting, overdue = referrals.waiting_count(unit_id)
    url = reverse("handling:referrals")
    return [hooks.Tile("referrals", _("Residents' matters to answer"), waiting, url, alert=overdue > 0, order=46)]


hooks.tiles(_referral_tiles)

# --- the suggestion lists -----------------------------------------------------------------------------


def _by_unit(queryset: QuerySet[Proposal], unit_id: int, user: UserOrAnonymous) -> QuerySet[Proposal]:
    return queryset.filter(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)))


def _waiting_for(queryset: QuerySet[Proposal], todo: str, user: UserOrAnonymous) -> QuerySet[Proposal]:
    return queryset.filter(todo_condition(user, todo))


hooks.list_filter(
    hooks.ListFilter(
        "unit",
        forms.IntegerField(label=gettext_lazy("Unit"), required=False, min_value=1),
        _by_unit,
        template="handling/_unit_filter.html",
        order=10,
        label=unit_label,
    )
)
hooks.list_filter(
    hooks.ListFilter(
        "todo",
        forms.ChoiceField(label=gettext_lazy("Waiting for me"), required=False, choices=[("", "—"), *TODO_CHOICES]),
        _waiting_for,
        order=90,
    )
)
hooks.slot("list.filters_end", "handling/_todo_notice.html")


def _units_cells(proposals: Sequence[Proposal]) -> list[SafeString]:
    """The units on each list row, lead or separate first ("separate" > "lead" > "co"), then
    co-handlers: one query for the table, of the names the cell shows only."""
    active = (
        Assignment.objects.filter(is_active=True, proposal_id__in=[p.pk for p in proposals])
        .order_by("-role", "pk")
        .values_list("proposal_id", "role", "unit__name", "unit__short_name")
    )
    # str() first: escape() keeps a lazy label lazy, and it was translated again in every cell.
    roles = {value: escape(str(label)) for value, label in Assignment.Role.choices}
    co = format_html("<small>（{}）</small>", _("co"))
    chips: dict[int, list[str]] = {}
    for proposal_id, role, name, short_name in active:
        chips.setdefault(proposal_id, []).append(
            f'<span class="unit-chip role-{escape(role)}" title="{roles.get(role, escape(role))}">'
            f"{escape(short_name or name)}{co if role == Assignment.Role.CO else ''}</span>"
        )
    none = SafeString('<td class="units"><span class="muted">—</span></td>')
    return [SafeString(f'<td class="units">{"".join(chips[p.pk])}</td>') if p.pk in chips else none for p in proposals]


hooks.list_column(hooks.ListColumn(gettext_lazy("Units"), _units_cells, order=10))
hooks.bulk_action(
    hooks.BulkAction(
        url_name="handling:bulk_assign",
        label=gettext_lazy("Assign the ticked suggestions to one unit"),
        note=gettext_lazy("Only registered suggestions can be ticked."),
        allowed=lambda user: allowed(user, "assign_proposal"),
        selectable=is_assignable,
        hidden=(("stage", "choose"),),
    )
)
hooks.slot("review.registered_row", "handling/_assign_button.html")

# --- the navigation -----------------------------------------------------------------------------------

hooks.nav(hooks.NavEntry("handling:referrals", gettext_lazy("Residents' matters forwarded"), UNIT_ROLES, order=91))
hooks.nav(hooks.NavEntry("handling:questions", gettext_lazy("Questions from deputies"), UNIT_ROLES, order=90))
hooks.nav(hooks.NavEntry("handling:unrated_replies", gettext_lazy("Unrated replies"), STAFF_ROLES, False, order=120))
