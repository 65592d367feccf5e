"""Handling's access rules: who assigns and decides re-assignments, what a unit may do on the
suggestions assigned to it, who sees which reply, who approves, reviews and issues it, and who
may rate it (registered in `deputies.access`).

Handling also tells `proposals` who "the units" of a suggestion are: they may see it
(`add_viewer`) and they are its `units` audience, which sees the handlers' working papers
(co-handlers' opinions, countersignatures, reply drafts and their return notes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

import rules
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from deputies.access import (
    add_rule,
    is_active_login,
    is_congress_staff,
    is_overseer,
    is_supervision,
    is_unit_head,
    is_unit_person,
    remembered,
)
from deputies.backends import load_with_user
from deputies.matters import can_handle
from deputies.models import User, UserOrAnonymous
from deputies.rules import handles_matter
from handling.models import Assignment, MatterReferral, PlanStep, Rating, Reply
from proposals.events import UNITS
from proposals.models import Proposal, ProposalEvent
from proposals.public import public_condition
from proposals.rules import (
    OfProposal,
    add_audience_rule,
    add_viewer,
    can_view_proposal,
    is_cosigner,
    is_cosigner_of_item,
    is_lead_deputy,
    is_lead_deputy_of_item,
    oversees_it,
)
from proposals.states import REPLIED_STATES
from proposals.states import ProposalState as S


class AddressedToUnit(Protocol):
    """Something addressed to one unit (a question before submission, an urging notice, a promise)."""

    unit_id: int


def unit_id_of(user: UserOrAnonymous) -> int | None:
    """The id of the undertaking unit a handler or head belongs to, or None (cached)."""
    if not is_active_login(user) or not is_unit_person(user):
        return None
    return remembered(user, "_unit_id", lambda: _unit_id(user))


# Every page a unit person opens asks for their unit: loaded with the login (one query less).
load_with_user("unit_membership")


def _unit_id(user: User) -> int | None:
    try:
        return user.unit_membership.unit_id
    except ObjectDoesNotExist:
        return None


# --- the units of a suggestion --------------------------------------------------------------------


@rules.predicate
def is_assigned_unit(user: UserOrAnonymous, proposal: Proposal) -> bool:
    """The user's unit is (still) assigned to the suggestion, in any role."""
    unit_id = unit_id_of(user)
    return unit_id is not None and proposal.assignments.filter(unit_id=unit_id, is_active=True).exists()


def _assigned_condition(user: UserOrAnonymous) -> Q | None:
    unit_id = unit_id_of(user)
    if unit_id is None:
        return None
    return Q(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)))


add_viewer(is_assigned_unit, _assigned_condition)
add_audience_rule(UNITS, is_assigned_unit)


@rules.predicate
def is_co_unit(user: UserOrAnonymous, proposal: Proposal) -> bool:
    unit_id = unit_id_of(user)
    return (
        unit_id is not None
        and proposal.assignments.filter(unit_id=unit_id, role=Assignment.Role.CO, is_active=True).exists()
    )


@rules.predicate
def staff_review_is_off(user: UserOrAnonymous) -> bool:
    return not settings.STAFF_REVIEWS_REPLIES


# --- replies --------------------------------------------------------------------------------------


@rules.predicate
def is_in_reply_unit(user: UserOrAnonymous, reply: Reply) -> bool:
    unit_id = unit_id_of(user)
    return unit_id is not None and reply.assignment.unit_id == unit_id and reply.assignment.is_active


@rules.predicate
def is_unit_on_reply_proposal(user: UserOrAnonymous, reply: Reply) -> bool:
    """Any unit on the suggestion (lead, co-handler, separate) sees its replies, drafts included."""
    return is_assigned_unit(user, reply.assignment.proposal)


@rules.predicate
def is_co_unit_on_reply(user: UserOrAnonymous, reply: Reply) -> bool:
    return reply.assignment.role == Assignment.Role.LEAD and is_co_unit(user, reply.assignment.proposal)


@rules.predicate
def reply_is_issued(user: UserOrAnonymous, reply: Reply) -> bool:
    return reply.state == Reply.State.ISSUED


@rules.predicate
def reply_is_past_the_head(user: UserOrAnonymous, reply: Reply) -> bool:
    return reply.state in (Reply.State.APPROVED, Reply.State.ISSUED)


@rules.predicate
def can_view_reply_proposal(user: UserOrAnonymous, reply: Reply) -> bool:
    return can_view_proposal(user, reply.assignment.proposal)


# What makes an issued reply public: its suggestion is replied to and public itself (not withheld
# by staff: `proposals.public.public_condition`), the unit allowed it (`Reply.is_public`), and
# every condition a later app registers holds (reports: staff have not held the reply back).
# Everything that shows a reply to people who may not open its suggestion reads `public_replies()`.
_public_reply_conditions: list[Callable[[], Q]] = []


def add_public_reply_condition(condition: Callable[[], Q]) -> None:
    """Register one more condition an issued reply must meet to be public."""
    _public_reply_conditions.append(condition)


def public_replies(queryset: QuerySet[Reply] | None = None) -> QuerySet[Reply]:
    """The issued replies (of `queryset`, by default all) the public may read."""
    replies = (Reply.objects.all() if queryset is None else queryset).filter(
        public_condition("assignment__proposal__"),
        state=Reply.State.ISSUED,
        is_public=True,
        assignment__proposal__state__in=REPLIED_STATES,
    )
    for condition in _public_reply_conditions:
        replies = replies.filter(condition())
    return replies


def has_rating(reply: Reply) -> bool:
    try:
        return reply.rating is not None
    except ObjectDoesNotExist:
        return False


def is_rateable(reply: Reply) -> bool:
    """The one definition of "this reply can be rated now": it is issued, not rated yet, from
    a unit still on the suggestion, and the suggestion waits for its ratings (replied). A
    first reply rated unsatisfied is followed by a second one, so an unrated issued reply is
    always the latest of its unit. Uses loaded relations only (no query when the reply comes
    with `select_related("rating", "assignment__proposal")`)."""
    return (
        reply.state == Reply.State.ISSUED
        and reply.assignment.is_active
        and reply.assignment.proposal.state == S.REPLIED
        and not has_rating(reply)
    )


def is_assignable(proposal: Proposal) -> bool:
    """Staff may hand it to units now: registered, and not merged into another (a merged group
    is assigned on its main suggestion)."""
    return proposal.state == S.REGISTERED and not proposal.merged_into_id


def assignable_condition() -> Q:
    """`is_assignable` as a condition on suggestions (the bulk assignment, the to-do count)."""
    return Q(state=S.REGISTERED, merged_into__isnull=True)


def rateable_condition() -> Q:
    """`is_rateable` as a condition on replies, for pages that sort or count by it in SQL
    (tests/handling/test_rateable_condition.py runs both on random replies)."""
    return Q(
        state=Reply.State.ISSUED,
        assignment__is_active=True,
        assignment__proposal__state=S.REPLIED,
        rating__isnull=True,
    )


@rules.predicate
def reply_is_rateable(user: UserOrAnonymous, reply: Reply) -> bool:
    return is_rateable(reply)


# Who rates a suggestion's replies: its lead deputy, from their own login. Congress staff may key
# in a rating only from the deputy's signed paper feedback form (the service requires the form).
# Never a unit, never a co-signer (co-signers comment instead).
rater = is_lead_deputy
paper_rater = is_congress_staff


@rules.predicate
def is_rater_of_reply(user: UserOrAnonymous, reply: Reply) -> bool:
    return rater(user, reply.assignment.proposal)


may_rate = is_rater_of_reply & reply_is_rateable


def staff_acted_since(rating: Rating) -> bool:
    """Someone other than a deputy recorded a step on the suggestion after the rating (a unit
    issued a reply, staff closed or noted something...): the rating can no longer be changed,
    since they may have acted on it."""
    return ProposalEvent.objects.filter(
        proposal_id=rating.proposal_id,
        created_at__gt=rating.rated_at,
        actor__isnull=False,
        actor__deputy__isnull=True,
    ).exists()


def is_changeable(rating: Rating, today: dt.date | None = None) -> bool:
    """The deputy may still change this rating: it waits, its window is open, staff have not
    acted on the suggestion since."""
    today = today or timezone.localdate()
    until = rating.changeable_until
    return until is not None and today <= until and not staff_acted_since(rating)


@rules.predicate
def rating_is_pending(user: UserOrAnonymous, rating: Rating) -> bool:
    return rating.is_pending


may_record_paper_rating = paper_rater & reply_is_rateable

# --- rules ----------------------------------------------------------------------------------------

# The assigning office (交办): congress staff and the supervision office. It also decides the
# units' requests to be replaced and to have their reply deadline extended (申请延期).
assigning_office = is_congress_staff | is_supervision
add_rule("assign_proposal", assigning_office)
# The lists' unit filter looks units up by name: those whose navigation has the list.
add_rule("look_up_units", is_overseer | is_unit_person)
add_rule("decide_reassignment", assigning_office)
add_rule("decide_extension", assigning_office)
add_rule("act_as_unit", is_assigned_unit)
# With staff review on, congress staff issue an approved reply; with it off, the unit head's
# approval issues it.
add_rule(
    "issue_reply",
    (is_congress_staff & ~staff_review_is_off) | (staff_review_is_off & is_unit_head & is_assigned_unit),
)
add_rule(
    "view_reply",
    is_unit_on_reply_proposal
    | (is_congress_staff & reply_is_past_the_head)
    | (reply_is_issued & can_view_reply_proposal),
)
add_rule("draft_reply", is_in_reply_unit)
add_rule("approve_reply", is_unit_head & is_in_reply_unit)
add_rule("review_reply", is_congress_staff)
add_rule("rate_reply", may_rate)
add_rule("record_paper_rating", may_record_paper_rating)
# The `rate` transition: who enters ratings on a suggestion at all (which reply: `is_rateable`).
add_rule("enter_rating", rater | paper_rater)
# The page listing the replies that wait for a rating, from which paper forms are recorded.
add_rule("view_unrated_replies", paper_rater)
add_rule("comment_on_reply", is_lead_deputy | is_cosigner)
# A co-handling unit sends its opinion to the lead unit and countersigns the lead's draft.
add_rule("give_co_opinion", is_co_unit)
add_rule("countersign_reply", is_co_unit_on_reply)
# The handlers' working papers (co-handlers' opinions, countersignatures, drafts): the units on
# the suggestion and the overseers; the deputies see the issued reply.
add_rule("view_handling_papers", is_assigned_unit | oversees_it)
# Before submitting, the lead deputy may ask a unit about the draft (提出前沟通); the unit asked
# reads the question (with a copy of the draft) and answers it.


@rules.predicate
def is_addressed_to_users_unit(user: UserOrAnonymous, obj: AddressedToUnit | None) -> bool:
    """The user belongs to the unit something is addressed to: a question before submission
    here, an urging notice or a promise in supervision."""
    unit_id = unit_id_of(user)
    return unit_id is not None and obj is not None and obj.unit_id == unit_id


@rules.predicate
def can_view_item_proposal(user: UserOrAnonymous, item: OfProposal) -> bool:
    return can_view_proposal(user, item.proposal)


add_rule("ask_unit_before_submission", is_lead_deputy)
add_rule("view_draft_question", is_addressed_to_users_unit | is_lead_deputy_of_item | is_cosigner_of_item)
add_rule("answer_draft_question", is_addressed_to_users_unit)
# The lead deputy confirms or disputes that a contact the unit recorded happened.
add_rule("answer_contact", is_lead_deputy_of_item)
# A paper rating's signed feedback form: the deputy who signed it and the overseers.
# A rating that has not taken effect: its lead deputy changes or confirms it (whether the window
# is still open is the service's check, `handling.services.rating.is_changeable`).
add_rule("change_rating", is_lead_deputy_of_item & rating_is_pending)
add_rule("view_paper_form", is_lead_deputy_of_item | (is_overseer & can_view_item_proposal))
# A unit keeps its own handling plan (办理方案) and marks its steps done.


@rules.predicate
def is_plan_step_unit(user: UserOrAnonymous, step: PlanStep) -> bool:
    unit_id = unit_id_of(user)
    assignment = step.plan.assignment
    return unit_id is not None and assignment.is_active and assignment.unit_id == unit_id


add_rule("keep_handling_plan", is_plan_step_unit)
# A unit's list of questions from deputies.
add_rule("answer_questions", is_unit_person)
# A resident's matter forwarded to a unit (民意件, `handling.referrals`): the station's staff and
# the matter's deputy forward it (those who handle the matter) and follow it; the unit it was
# forwarded to reads it (a copy of the text, never the resident's phone or photo) and answers
# it. Nobody else: not the congress's staff, not leaders, not another unit.


@rules.predicate
def handles_referred_matter(user: UserOrAnonymous, referral: object) -> bool:
    return isinstance(referral, MatterReferral) and can_handle(user, referral.matter)


add_rule("forward_matter", handles_matter)
add_rule("view_referral", is_addressed_to_users_unit | handles_referred_matter)
add_rule("answer_referral", is_addressed_to_users_unit)  # once: referrals.answer_referral refuses a second
# A unit's list of the matters forwarded to it.
add_rule("answer_referrals", is_unit_person)
