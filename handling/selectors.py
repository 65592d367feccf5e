"""Reads for handling: who answers a suggestion and what they still owe, what waits for a unit
(the workbench's counts and the list filtered by them agree, being one condition), everything
the units did on a suggestion as a reader may see it, and what the reader's own unit can do
on it now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.conf import settings
from django.db.models import Case, DateField, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from deputies.access import allowed
from deputies.models import Role, User, UserOrAnonymous
from deputies.pages import LOOKUP_LIMIT
from handling import answering
from handling.models import (
    Assignment,
    CoOpinion,
    Countersignature,
    DeadlineExtension,
    HandlingPlan,
    PlanStep,
    Rating,
    ReassignmentRequest,
    Reply,
    ReplyAttachment,
    Unit,
    reply_is_complete,
)
from handling.rules import assignable_condition, rateable_condition, unit_id_of
from proposals import deadlines
from proposals.fsm import source_states
from proposals.models import Proposal
from proposals.selectors import proposals_for
from proposals.states import ASSIGNED_STATES, GROUP_HANDLED_STATES, REPLY_DUE_STATES, REPLYING_STATES, ProposalState

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

S = ProposalState
A = Assignment.Role
R = Reply.State

# --- who answers and what is owed --------------------------------------------------------------------


def answering_assignments(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(is_active=True, role__in=Assignment.ANSWERING_ROLES).order_by("pk"))


def co_assignments(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(role=A.CO, is_active=True).select_related("unit").order_by("pk"))


def active_assignments() -> QuerySet[Assignment]:
    """A suggestion's active units: the lead (or separate) units first, then the co-handlers."""
    lead_first = Case(When(role=A.CO, then=Value(1)), default=Value(0), output_field=IntegerField())
    return Assignment.objects.filter(is_active=True).select_related("unit").order_by(lead_first, "pk")


def units_yet_to_sign(proposal: Proposal) -> list[str]:
    """The answering units that have not signed for the suggestion yet: handling (and so the
    reply) starts once none is left."""
    unsigned = proposal.assignments.filter(is_active=True, role__in=Assignment.ANSWERING_ROLES, signed_at__isnull=True)
    return [a.unit.name for a in unsigned.select_related("unit").order_by("pk")]


def all_answering_signed(proposal: Proposal) -> bool:
    return all(a.signed_at for a in answering_assignments(proposal))


def answering_replies() -> QuerySet[Reply]:
    """The issued replies of the units answering now (active lead or separate units)."""
    return Reply.objects.filter(
        state=R.ISSUED, assignment__is_active=True, assignment__role__in=Assignment.ANSWERING_ROLES
    )


def standing_replies(replies: Iterable[Reply]) -> dict[int, Reply]:
    """The standing reply of each assignment among these issued replies, by assignment id: its
    latest round (the reply after re-handling, once issued, replaces the first)."""
    standing: dict[int, Reply] = {}
    for reply in replies:
        current = standing.get(reply.assignment_id)
        if current is None or reply.round > current.round:
            standing[reply.assignment_id] = reply
    return standing


def answering_part(assignment: Assignment) -> answering.Part:
    """What an answering assignment owes, read from its issued replies and their ratings. A
    rating the deputy may still change has not taken effect: its reply still awaits one."""
    part = answering.Part(deadline=assignment.deadline, rehandling_deadline=assignment.rehandling_deadline)
    rows = assignment.replies.filter(state=R.ISSUED).values_list("round", "rating", "rating__changeable_until")
    for round_, rating, changeable_until in rows:
        part.issued.add(round_)
        if rating is not None and changeable_until is None:
            part.rated.add(round_)
    return part


class Owed(TypedDict):
    """What with_owed_on() annotates on each assignment."""

    r1: bool
    r2: bool
    owed_on: dt.date | None


def with_owed_on(assignments: QuerySet[Assignment]) -> QuerySet[WithAnnotations[Assignment, Owed]]:
    """`answering.Part.owed_on` in SQL, for scans over many assignments: each with the day its
    next reply is due (`owed_on`, None when it owes none), and whether its first and second
    replies are issued (`r1`, `r2`). tests/handling/test_owed_on.py runs both on random units."""
    issued = Reply.objects.filter(assignment=OuterRef("pk"), state=R.ISSUED)
    return assignments.annotate(r1=Exists(issued.filter(round=1)), r2=Exists(issued.filter(round=2))).annotate(
        owed_on=Case(
            When(r1=False, then=F("deadline")),
            When(r2=False, rehandling_deadline__isnull=False, then=F("rehandling_deadline")),
            default=None,
            output_field=DateField(),
        )
    )


def answering_parts(proposal: Proposal) -> list[answering.Part]:
    """What each answering unit owes: the facts the suggestion's transitions are given."""
    return [answering_part(a) for a in answering_assignments(proposal)]


def next_due_on(proposal: Proposal) -> dt.date | None:
    return answering.next_due_on(answering_parts(proposal))


def handled_here(proposal: Proposal) -> bool:
    """False for a merged group's member while the group is handled on its main suggestion."""
    return not (proposal.merged_into_id and proposal.state in GROUP_HANDLED_STATES)


def unrated_replies() -> QuerySet[Reply]:
    """Issued replies still waiting for the deputy's rating, oldest first: the rating can only
    be given while the suggestion is replied (the latest round of each answering unit)."""
    return (
        Reply.objects.filter(rateable_condition())
        # The unit, deputy and meeting are fetched for the page's rows only: joined into the
        # search, PostgreSQL (which expects almost every issued reply to be rated) looped over
        # every deputy and unit for each of thousands of unrated replies.
        .select_related("assignment__proposal")
        .prefetch_related("assignment__unit", "assignment__proposal__lead_deputy", "assignment__proposal__meeting")
        .order_by("issued_at", "pk")
    )


# --- what waits for a unit --------------------------------------------------------------------------


TODO_CHOICES = [
    ("sign", _("To sign for")),
    ("co_opinion", _("Co-handling opinion to send")),
    ("countersign", _("Reply drafts to countersign")),
    ("draft", _("Replies to write")),
    ("returned", _("Reply drafts returned")),
    ("approve", _("Replies to approve")),
    ("review_reply", _("Approved replies to review")),
    ("to_assign", _("To assign")),
]


def todo_condition(user: UserOrAnonymous, todo: str) -> Q:
    """What waits for `user` (or their unit) now, as a condition on suggestions. The workbench
    counts these and links to the list filtered by them, so figure and list always agree."""
    nothing = Q(pk__in=[])
    if todo == "to_assign":
        if not allowed(user, "assign_proposal"):
            return nothing
        return assignable_condition()
    if todo == "review_reply":
        if not (allowed(user, "review_reply", None) and settings.STAFF_REVIEWS_REPLIES):
            return nothing
        return Q(Exists(Reply.objects.filter(assignment__proposal=OuterRef("pk"), state=R.APPROVED)))
    unit_id = unit_id_of(user)
    if unit_id is None or not isinstance(user, User):  # (a unit is only ever a login's)
        return nothing
    mine = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)
    # Each condition is the list form of the step's own check (`can_proceed`, the refusals below).
    if todo == "sign":
        signable = Q(state__in=source_states(Proposal, "sign"), merged_into__isnull=True)
        return signable & Q(Exists(mine.filter(signed_at__isnull=True)))
    # The round each unit works on now, as `Assignment.current_round` says.
    now = Assignment.current_round_expression()
    if todo == "co_opinion":
        given = CoOpinion.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round_now"))
        owed = mine.filter(role=A.CO, signed_at__isnull=False).annotate(round_now=now).exclude(Exists(given))
        return Q(state__in=CO_OPINION_STATES, merged_into__isnull=True) & Q(Exists(owed))
    if todo == "countersign":
        agreed = Countersignature.objects.filter(
            reply=OuterRef("pk"), assignment__unit_id=unit_id, version=OuterRef("version"), agrees=True
        )
        asked = Reply.objects.filter(
            assignment__proposal=OuterRef(OuterRef("pk")),
            assignment__role=A.LEAD,
            assignment__is_active=True,
            state__in=Reply.EDITABLE_STATES,
            countersign_requested_version=F("version"),
        ).exclude(Exists(agreed))
        return Q(Exists(mine.filter(role=A.CO, signed_at__isnull=False).filter(Exists(asked))))
    answering = mine.filter(role__in=Assignment.ANSWERING_ROLES)
    if todo == "draft":
        # Owes a reply in the round it works on now and has none with the head, with staff or issued.
        sent = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round_now")).exclude(
            state__in=Reply.EDITABLE_STATES
        )
        owed = answering.annotate(round_now=now).exclude(Exists(sent))
        # A merged group's members are handled on the main one until the reply is issued.
        handled = Q(state=S.REHANDLING) | Q(merged_into__isnull=True)
        return Q(state__in=REPLYING_STATES) & handled & Q(Exists(owed))
    if todo == "returned":
        returned = Reply.objects.filter(assignment=OuterRef("pk"), state=R.RETURNED)
        return Q(Exists(answering.filter(Exists(returned))))
    if todo == "approve":
        if user.role != Role.UNIT_HEAD:
            return nothing
        pending = Reply.objects.filter(assignment=OuterRef("pk"), state=R.PENDING_APPROVAL)
        return Q(Exists(answering.filter(Exists(pending))))
    return nothing


def todo_count(user: User, todo: str) -> int:
    """How many suggestions the list filtered by `todo` shows `user`: what
    `proposals.selectors.count(user, "todo=<todo>")` gives, the same condition over the same
    suggestions, without building the list's filter form (a unit's workbench of six such
    counts spent more on the forms than on the counting)."""
    return proposals_for(user).filter(todo_condition(user, todo)).count()


# --- a suggestion's handling, as a reader may see it -------------------------------------------------


class _ShownReply(TypedDict):
    """What the staff and unit pages show with each reply."""

    the_rating: Rating | None
    files: list[ReplyAttachment]


def handling_of(proposal: Proposal, user: UserOrAnonymous, *, papers: bool) -> dict[str, Any]:
    """Everything the units did on a suggestion, as `user` may see it; `papers`: whether the
    user may read the handlers' working papers (rule `view_handling_papers`)."""
    assignments = list(
        Assignment.objects.filter(proposal=proposal)
        .select_related("unit", "signed_by", "assigned_by")
        .prefetch_related("co_opinions__submitted_by", "reassignment_requests__requested_by")
        .order_by("-is_active", "role", "pk")
    )
    loaded: list[Reply] = [
        reply
        for reply in Reply.objects.filter(assignment__proposal=proposal)
        .select_related(
            "assignment__unit", "assignment__proposal", "result_category", "approved_by", "issued_by", "copied_from"
        )
        .prefetch_related("attachments", "copied_from__attachments", "countersignatures__assignment__unit")
        .order_by("round", "assignment__pk")
        if allowed(user, "view_reply", reply)
    ]
    ratings = {r.reply_id: r for r in proposal.ratings.select_related("rated_by")}
    replies = cast("list[WithAnnotations[Reply, _ShownReply]]", loaded)  # given their attributes below
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

    assignment: Assignment | None = None
    can_sign: bool = False
    waiting_note: str = ""
    can_request_reassignment: bool = False
    reassignment_note: str = ""
    pending_request: ReassignmentRequest | None = None
    can_contact: bool = False
    can_co_opinion: bool = False
    # The co-handler's opinion of the current round, and when it is due (the first round only).
    my_opinion: CoOpinion | None = None
    opinion_due: dt.date | None = None
    reply: Reply | None = None
    can_write_reply: bool = False
    lead_reply: Reply | None = None
    my_countersign: Countersignature | None = None
    can_countersign: bool = False
    co_opinions: list[CoOpinion] = field(default_factory=list)
    # In the second round: the deputy's rating of the first reply, whose comment says why.
    unsatisfied_rating: Rating | None = None
    # Asking for more time (申请延期), and the handling plan (办理方案).
    can_request_extension: bool = False
    pending_extension: DeadlineExtension | None = None
    plan: HandlingPlan | None = None
    can_plan: bool = False


# Contacts are recorded from the assignment on, after the reply too (办后反馈).
CONTACT_STATES = ASSIGNED_STATES
# Co-handlers send their opinion while the lead unit works on a reply.
CO_OPINION_STATES = REPLY_DUE_STATES


def _reply_past_drafting(assignment: Assignment) -> bool:
    """The unit's reply is with its head, with staff or issued: too late to hand it over."""
    return assignment.replies.exclude(state__in=Reply.EDITABLE_STATES).exists()


def unit_panel(proposal: Proposal, user: User) -> UnitPanel | None:
    """The unit's actions on the suggestion page; None for people outside its units."""
    unit_id = unit_id_of(user)
    if unit_id is None:
        return None
    mine = Assignment.objects.filter(proposal=proposal, unit_id=unit_id, is_active=True).select_related("unit").first()
    if mine is None:
        return None
    panel = UnitPanel(assignment=mine)
    here = handled_here(proposal)
    # The unit is on the suggestion (its assignment is `mine`): it may sign while the `sign`
    # transition is open.
    signable = can_proceed(proposal.sign)
    panel.pending_request = mine.reassignment_requests.filter(status="pending").first()
    panel.can_sign = here and signable and not mine.signed_at
    if here and signable:
        # Signed for or not, the unit may ask to be replaced while the window is open.
        end = mine.reassignment_window_end
        if panel.pending_request:
            panel.reassignment_note = _("Your unit's request for re-assignment waits for a decision.")
        elif not mine.reassignment_window_open():
            panel.reassignment_note = _(
                "The re-assignment window closed on %(date)s (%(days)s working days after assignment): "
                "your unit handles this suggestion."
            ) % {"date": end.isoformat(), "days": settings.REASSIGNMENT_WINDOW_WORKDAYS}
        elif _reply_past_drafting(mine):
            panel.reassignment_note = _(
                "Your unit's reply has gone to the unit head or further, so it can no longer ask for re-assignment."
            )
        else:
            panel.can_request_reassignment = True
            panel.reassignment_note = _(
                "Re-assignment can be asked for until %(date)s (%(days)s working days after assignment)."
            ) % {"date": end.isoformat(), "days": settings.REASSIGNMENT_WINDOW_WORKDAYS}
    if here and mine.signed_at and mine.answers and proposal.state in (S.ASSIGNED, S.REASSIGN_REQUESTED):
        # Separate units: handling (and the reply) starts once every answering unit has signed.
        names = units_yet_to_sign(proposal)
        if names:
            panel.waiting_note = _("Handling starts once %(units)s has signed for it.") % {"units": "、".join(names)}
    panel.can_contact = proposal.state in CONTACT_STATES
    if here and mine.answers:
        panel.pending_extension = mine.extensions.filter(status=DeadlineExtension.Status.PENDING).first()
        panel.can_request_extension = not extension_refusal(mine, proposal, timezone.localdate())
        panel.plan = HandlingPlan.objects.filter(assignment=mine).first()
        panel.can_plan = not plan_refusal(mine, proposal.state)
    round_ = mine.current_round(proposal)
    if mine.role == A.CO:
        panel.my_opinion = mine.co_opinions.filter(round=round_).first()
        panel.opinion_due = mine.co_opinion_due if round_ == 1 else None
        panel.can_co_opinion = here and not co_opinion_refusal(mine, proposal)
        panel.lead_reply = (
            Reply.objects.filter(
                assignment__proposal=proposal,
                assignment__role=A.LEAD,
                assignment__is_active=True,
                state__in=Reply.EDITABLE_STATES,
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
            panel.can_countersign = not countersign_refusal(panel.lead_reply, mine)
    else:
        rehandling_owed = round_ == 2
        second_round = proposal.state == S.REHANDLING
        if rehandling_owed:
            panel.unsatisfied_rating = Rating.objects.filter(reply__assignment=mine, reply__round=1).first()
        if not second_round or rehandling_owed:
            panel.reply = Reply.objects.filter(assignment=mine, round=round_).first()
        if panel.reply is None:
            panel.reply = Reply.objects.filter(assignment=mine).order_by("-round").first()
        panel.can_write_reply = here and not reply_refusal(mine, proposal)
    return panel


# --- the lists' unit filter ---------------------------------------------------------------------------


def unit_options(words: str, limit: int = LOOKUP_LIMIT) -> list[tuple[int, str]]:
    """The units whose name or short name contains `words`, in the units' own order."""
    found = Unit.objects.all()
    if words:
        found = found.filter(Q(name__icontains=words) | Q(short_name__icontains=words))
    return list(found.order_by("order", "name", "pk").values_list("pk", "name")[:limit])


def unit_label(pk: int) -> str | None:
    return Unit.objects.filter(pk=pk).values_list("name", flat=True).first()


# --- deadline extensions (申请延期) ----------------------------------------------------------------

E = DeadlineExtension.Status


def owed_deadline(assignment: Assignment) -> tuple[int, dt.date] | None:
    """The reply round the unit owes now and its deadline (the date an extension moves), or
    None when it owes no reply."""
    if not assignment.is_active or not assignment.answers:
        return None
    part = answering_part(assignment)
    owed = part.owed_on
    if owed is None:
        return None
    return (1 if 1 not in part.issued else 2), owed


def latest_new_deadline(deadline: dt.date) -> dt.date:
    """The latest date an extension of `deadline` may ask for (EXTENSION_MAX_MONTHS later)."""
    return deadlines.add_months(deadline, settings.EXTENSION_MAX_MONTHS)


def extension_refusal(assignment: Assignment, proposal: Proposal, today: dt.date) -> str:
    """Why the unit cannot ask for an extension now, or "" when it can."""
    owed = owed_deadline(assignment) if proposal.state in REPLY_DUE_STATES else None
    if owed is None:
        return _("Your unit owes no reply now, so there is no deadline to extend.")
    _round, deadline = owed
    if today > deadline:
        return _("An extension is asked for before the deadline; it passed on %(date)s.") % {
            "date": deadline.isoformat()
        }
    if assignment.extensions.filter(status=E.PENDING).exists():
        return _("Your unit's request for an extension waits for a decision.")
    if assignment.extensions.filter(status=E.APPROVED).count() >= settings.EXTENSION_MAX_COUNT:
        return _("Your unit has had the extensions allowed (%(n)s) for this suggestion.") % {
            "n": settings.EXTENSION_MAX_COUNT
        }
    return ""


def pending_extensions() -> QuerySet[DeadlineExtension]:
    """Requests waiting for the assigning office, oldest first (the workbench tile and list).
    A request of a unit since replaced (re-assigned) has nothing left to decide."""
    return (
        DeadlineExtension.objects.filter(status=E.PENDING, assignment__is_active=True)
        .select_related("assignment__unit", "assignment__proposal__meeting", "requested_by")
        .order_by("requested_at", "pk")
    )


def approved_extensions(assignments: QuerySet[Assignment] | None = None) -> QuerySet[DeadlineExtension]:
    """The approved extensions, for the figures to list extended replies apart: narrowed to
    `assignments` when given (e.g. a year's or a unit's). Each row has the unit, the
    suggestion, the round, the original and the approved deadline. On-time needs nothing from
    here: an approval moves the assignment's own deadline, which the figures compare with."""
    queryset = DeadlineExtension.objects.filter(status=E.APPROVED)
    if assignments is not None:
        queryset = queryset.filter(assignment__in=assignments)
    return queryset.select_related("assignment__unit", "assignment__proposal__meeting").order_by(
        "assignment__unit__order", "assignment__unit__name", "assignment__proposal_id", "pk"
    )


# --- handling plans (办理方案) ----------------------------------------------------------------------

# A plan is kept while the unit works on its reply (the first or, after re-handling, the second).
PLAN_STATES = REPLY_DUE_STATES


def reply_refusal(assignment: Assignment, proposal: Proposal) -> str:
    """Why the unit cannot write its reply of the current round now (nor go on with its draft),
    or "" when it can. `proposal` as the caller locked or loaded it."""
    if not assignment.answers:
        return _("Co-handling units send their opinion to the lead unit instead of a reply.")
    if proposal.state not in REPLYING_STATES:
        if not assignment.signed_at:
            return _("A reply can be written once the unit has signed for the suggestion.")
        if proposal.state == S.ASSIGNED:
            return _("A reply can be written once every answering unit has signed for the suggestion.")
        return _("No reply can be written while the suggestion is “%(state)s”.") % {
            "state": proposal.get_state_display()
        }
    round_ = assignment.current_round(proposal)
    draft = Reply.objects.filter(assignment=assignment, round=round_).first()  # one a round
    if draft is None or draft.is_editable:
        return ""
    if round_ == 1 and draft.state == R.ISSUED:
        return _("Your unit's reply has already been issued.")
    return _("This reply has been sent on and can no longer be edited.")


def co_opinion_refusal(assignment: Assignment, proposal: Proposal) -> str:
    """Why the unit cannot send (or revise) its co-handling opinion of the current round now,
    or "" when it can."""
    if assignment.role != A.CO:
        return _("Only a co-handling unit sends an opinion to the lead unit.")
    if not assignment.signed_at:
        return _("Sign for the suggestion first.")
    if proposal.state not in CO_OPINION_STATES:
        return _("Opinions are sent while the suggestion is being handled.")
    return ""


def countersign_refusal(reply: Reply, mine: Assignment) -> str:
    """Why the co-handling unit of `mine` cannot countersign (会签) `reply` now, or "" when it
    can."""
    if mine.role != A.CO or not mine.is_active or mine.proposal_id != reply.assignment.proposal_id:
        return _("Only the co-handling units of this suggestion countersign its reply.")
    if reply.assignment.role != A.LEAD or not reply.assignment.is_active:
        return _("Only a lead unit's reply is countersigned.")
    if not mine.signed_at:
        return _("Sign for the suggestion first.")
    if not reply.is_editable:
        return _("The draft has already gone to the unit head; it can no longer be countersigned.")
    if not reply_is_complete(reply):
        return _("The lead unit has not finished the draft yet.")
    earlier = Countersignature.objects.filter(reply=reply, assignment=mine, version=reply.version).last()
    if earlier is not None and earlier.agrees:
        return _("Your unit has already countersigned this version of the draft.")
    return ""


def plan_refusal(assignment: Assignment, state: str) -> str:
    """Why the unit cannot record or revise its plan now, or "" when it can."""
    if not assignment.answers:
        return _("A handling plan is kept by a unit that answers the deputy.")
    if not assignment.signed_at:
        return _("Sign for the suggestion first; the handling plan follows the sign-for.")
    if state not in PLAN_STATES:
        return _("The plan can no longer be changed: no reply is being worked on.")
    return ""


def plans_of(proposal: Proposal) -> list[HandlingPlan]:
    """The handling plans of the suggestion's current answering units, each with its steps
    (`steps.all`) and its progress (`n_done`, `n_steps`)."""
    plans = list(
        HandlingPlan.objects.filter(assignment__proposal=proposal, assignment__is_active=True)
        .select_related("assignment__unit")
        .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("planned_on", "pk")))
        .order_by("assignment__role", "assignment_id")
    )
    for plan in plans:
        steps = list(plan.steps.all())
        plan.n_steps = len(steps)  # type: ignore[attr-defined]
        plan.n_done = sum(1 for step in steps if step.is_done)  # type: ignore[attr-defined]
    return plans
