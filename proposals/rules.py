"""Who may see and do what: every object-level access rule of the product, in one place.

Two forms of the same rules live here side by side: predicates for one object (`allowed`),
and a queryset filter for lists (`visible_proposals`). tests/proposals/test_access.py checks
that the two agree for every role and object. Later steps' objects (assignments, replies)
are reached through reverse relations and `apps.get_model`, never by importing rightwards.

The rules use their own RuleSet rather than Django's permissions, so no superuser shortcut
applies: an administrator cannot, for instance, rate a reply on a deputy's behalf.
"""

from __future__ import annotations

from typing import Any

import rules
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet

from deputies.models import Role
from proposals.states import ProposalState as S

_MISSING = object()


def deputy_id_of(user: Any) -> int | None:
    """The id of the deputy record behind a login, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_deputy_id", _MISSING)
    if cached is _MISSING:
        try:
            cached = user.deputy.id
        except ObjectDoesNotExist:
            cached = None
        user._deputy_id = cached
    return cached  # type: ignore[return-value]


def unit_id_of(user: Any) -> int | None:
    """The id of the undertaking unit a handler or head belongs to, or None."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.UNIT_HANDLER, Role.UNIT_HEAD):
        return None
    cached = getattr(user, "_unit_id", _MISSING)
    if cached is _MISSING:
        try:
            cached = user.unit_membership.unit_id
        except ObjectDoesNotExist:
            cached = None
        user._unit_id = cached
    return cached  # type: ignore[return-value]


# --- predicates on the user alone ----------------------------------------------------------------


def _has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def check(user: Any) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)

    return check


is_congress_staff = _has_role(Role.STAFF, Role.ADMIN)
is_supervision = _has_role(Role.SUPERVISION)
is_leader = _has_role(Role.LEADER)
is_committee = _has_role(Role.COMMITTEE)
is_unit_head = _has_role(Role.UNIT_HEAD)
is_overseer = is_congress_staff | is_supervision | is_leader | is_committee


# --- predicates on a suggestion -------------------------------------------------------------------


@rules.predicate
def is_lead_deputy(user: Any, proposal: Any) -> bool:
    deputy_id = deputy_id_of(user)
    return deputy_id is not None and proposal.lead_deputy_id == deputy_id


@rules.predicate
def is_cosigner(user: Any, proposal: Any) -> bool:
    deputy_id = deputy_id_of(user)
    if deputy_id is None:
        return False
    return proposal.cosignatures.filter(deputy_id=deputy_id).exclude(status="declined").exists()


@rules.predicate
def is_draft(user: Any, proposal: Any) -> bool:
    return proposal.state == S.DRAFT


@rules.predicate
def is_assigned_unit(user: Any, proposal: Any) -> bool:
    unit_id = unit_id_of(user)
    return unit_id is not None and proposal.assignments.filter(unit_id=unit_id, is_active=True).exists()


@rules.predicate
def staff_review_is_off(user: Any) -> bool:
    return not settings.STAFF_REVIEWS_REPLIES


# --- predicates on a reply ---------------------------------------------------------------------------


@rules.predicate
def is_in_reply_unit(user: Any, reply: Any) -> bool:
    unit_id = unit_id_of(user)
    return unit_id is not None and reply.assignment.unit_id == unit_id and reply.assignment.is_active


@rules.predicate
def is_lead_deputy_of_reply(user: Any, reply: Any) -> bool:
    return is_lead_deputy(user, reply.assignment.proposal)


can_view_proposal = is_lead_deputy | is_cosigner | (~is_draft & is_overseer) | is_assigned_unit


@rules.predicate
def is_unit_on_reply_proposal(user: Any, reply: Any) -> bool:
    """Any unit on the suggestion (lead, co-handler, separate) sees its replies, drafts included."""
    return is_assigned_unit(user, reply.assignment.proposal)


@rules.predicate
def reply_is_issued(user: Any, reply: Any) -> bool:
    return reply.state == "issued"


@rules.predicate
def reply_is_past_the_head(user: Any, reply: Any) -> bool:
    return reply.state in ("approved", "issued")


@rules.predicate
def can_view_reply_proposal(user: Any, reply: Any) -> bool:
    return can_view_proposal(user, reply.assignment.proposal)


RULES = rules.RuleSet()
# Suggestions
RULES.add_rule("view_proposal", can_view_proposal)
RULES.add_rule("edit_proposal", is_lead_deputy)
RULES.add_rule("submit_proposal", is_lead_deputy)
RULES.add_rule("withdraw_proposal", is_lead_deputy)
RULES.add_rule("invite_cosigner", is_lead_deputy)
RULES.add_rule("review_proposal", is_congress_staff)
RULES.add_rule("assign_proposal", is_congress_staff | is_supervision)
RULES.add_rule("decide_reassignment", is_congress_staff | is_supervision)
RULES.add_rule("act_as_unit", is_assigned_unit)
# With staff review on, congress staff issue an approved reply; with it off, the unit head's
# approval issues it.
RULES.add_rule(
    "issue_reply", (is_congress_staff & ~staff_review_is_off) | (staff_review_is_off & is_unit_head & is_assigned_unit)
)
RULES.add_rule("rate_proposal", is_lead_deputy)
RULES.add_rule("record_paper_rating", is_congress_staff)
# Who may enter a rating at all: the lead deputy, or staff keying in a signed paper form
# (the service refuses staff without the form). Never a unit.
RULES.add_rule("enter_rating", is_lead_deputy | is_congress_staff)
RULES.add_rule("comment_on_reply", is_lead_deputy | is_cosigner)
RULES.add_rule("urge", is_congress_staff | is_supervision)
RULES.add_rule("mark_key", is_congress_staff)
# Replies (the object is a handling.Reply)
RULES.add_rule(
    "view_reply",
    is_unit_on_reply_proposal
    | (is_congress_staff & reply_is_past_the_head)
    | (reply_is_issued & can_view_reply_proposal),
)
RULES.add_rule("draft_reply", is_in_reply_unit)
RULES.add_rule("approve_reply", is_unit_head & is_in_reply_unit)
RULES.add_rule("review_reply", is_congress_staff)
RULES.add_rule("rate_reply", is_lead_deputy_of_reply)
# --- issue 6: reports (rules on the user alone) ---
# The dashboard and the lists behind its figures: everyone who oversees the handling.
RULES.add_rule("view_dashboard", is_overseer)
# The Excel export of a list: those who see lists; it holds only what they may see.
RULES.add_rule("export_proposals", is_overseer | _has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD))
# Imports, the annual report, exports of units and deputies, disclosure holds: congress staff.
RULES.add_rule("manage_reports", is_congress_staff)
# --- end issue 6 ---


# --- issue 3: co-handling units (opinions, countersigning) and what stays among the handlers ---


@rules.predicate
def is_co_unit(user: Any, proposal: Any) -> bool:
    unit_id = unit_id_of(user)
    return unit_id is not None and proposal.assignments.filter(unit_id=unit_id, role="co", is_active=True).exists()


@rules.predicate
def is_co_unit_on_reply(user: Any, reply: Any) -> bool:
    return reply.assignment.role == "lead" and is_co_unit(user, reply.assignment.proposal)


# A co-handling unit sends its opinion to the lead unit and countersigns the lead's draft.
RULES.add_rule("give_co_opinion", is_co_unit)
RULES.add_rule("countersign_reply", is_co_unit_on_reply)
# Co-handlers' opinions, countersignatures and drafts are the handlers' working papers: the
# units on the suggestion and the overseers see them, the deputies see the issued reply.
RULES.add_rule("view_handling_papers", is_assigned_unit | (~is_draft & is_overseer))
# --- supervision (issue 5): key items, urging notices, promises -------------------------------
# Objects: supervision.KeyItem, supervision.UrgingNotice, supervision.Promise (reached by their
# attributes and apps.get_model, never imported). The list forms are the visible_* functions below.


@rules.predicate
def is_unit_on_key_item(user: Any, key_item: Any) -> bool:
    unit_id = unit_id_of(user)
    if unit_id is None or key_item is None:
        return False
    Assignment = apps.get_model("handling", "Assignment")
    return Assignment.objects.filter(proposal__key_items=key_item, unit_id=unit_id, is_active=True).exists()


@rules.predicate
def leads_key_item(user: Any, key_item: Any) -> bool:
    return key_item is not None and key_item.leader_id == user.pk


@rules.predicate
def follows_key_item(user: Any, key_item: Any) -> bool:
    committee_id = getattr(user, "committee_id", None)
    return key_item is not None and committee_id is not None and key_item.committee_id == committee_id


@rules.predicate
def is_unit_of_object(user: Any, obj: Any) -> bool:
    """The user belongs to the unit an urging notice or a promise is addressed to."""
    unit_id = unit_id_of(user)
    return unit_id is not None and obj is not None and obj.unit_id == unit_id


RULES.add_rule("view_key_item", is_overseer | is_unit_on_key_item)
RULES.add_rule(
    "record_supervision",
    is_congress_staff | is_supervision | (is_leader & leads_key_item) | (is_committee & follows_key_item),
)
RULES.add_rule("report_progress", is_assigned_unit)
RULES.add_rule("view_leader_page", is_overseer)
RULES.add_rule("view_urging", is_overseer | is_unit_of_object)
RULES.add_rule("acknowledge_urging", is_unit_of_object)
RULES.add_rule("view_promise", is_overseer | is_unit_of_object)
RULES.add_rule("report_promise", is_unit_of_object)
RULES.add_rule("confirm_promise", is_congress_staff | is_supervision)


def visible_key_items(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The key items `user` may see: the list form of `view_key_item`."""
    KeyItem = apps.get_model("supervision", "KeyItem")
    queryset = KeyItem.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.role in (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE):
        return queryset
    unit_id = unit_id_of(user)
    if unit_id is None:
        return queryset.none()
    Assignment = apps.get_model("handling", "Assignment")
    involved = Assignment.objects.filter(proposal__key_items=OuterRef("pk"), unit_id=unit_id, is_active=True)
    return queryset.filter(Exists(involved))


def visible_unit_objects(user: Any, queryset: QuerySet) -> QuerySet:
    """Urging notices or promises `user` may see: overseers all, unit people their unit's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.role in (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE):
        return queryset
    unit_id = unit_id_of(user)
    return queryset.filter(unit_id=unit_id) if unit_id is not None else queryset.none()


# --- end of issue 5 block ----------------------------------------------------------------------


def allowed(user: Any, name: str, obj: Any = None) -> bool:
    return RULES.test_rule(name, user, obj)


def visible_proposals(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The suggestions `user` may see: the list form of the `view_proposal` rule."""
    Proposal = apps.get_model("proposals", "Proposal")
    queryset = Proposal.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    condition = Q(pk__in=[])
    if user.role in (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE):
        condition |= ~Q(state=S.DRAFT)
    deputy_id = deputy_id_of(user)
    if deputy_id is not None:
        CoSignature = apps.get_model("proposals", "CoSignature")
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), deputy_id=deputy_id).exclude(status="declined")
        condition |= Q(lead_deputy_id=deputy_id) | Q(Exists(cosigned))
    unit_id = unit_id_of(user)
    if unit_id is not None:
        Assignment = apps.get_model("handling", "Assignment")
        assigned = Assignment.objects.filter(proposal=OuterRef("pk"), unit_id=unit_id, is_active=True)
        condition |= Q(Exists(assigned))
    return queryset.filter(condition)


# --- issue 4: deputies on their phones --------------------------------------------------------------
# Objects here carry a `proposal` (a contact record, a question before submission, a rating) or
# are a co-signing invitation; the rules read their attributes only.


@rules.predicate
def is_lead_deputy_of_item(user: Any, item: Any) -> bool:
    return is_lead_deputy(user, item.proposal)


@rules.predicate
def is_cosigner_of_item(user: Any, item: Any) -> bool:
    return is_cosigner(user, item.proposal)


@rules.predicate
def is_unit_of_question(user: Any, question: Any) -> bool:
    unit_id = unit_id_of(user)
    return unit_id is not None and question.unit_id == unit_id


@rules.predicate
def is_invited_deputy(user: Any, signature: Any) -> bool:
    deputy_id = deputy_id_of(user)
    return deputy_id is not None and signature.deputy_id == deputy_id


@rules.predicate
def can_view_item_proposal(user: Any, item: Any) -> bool:
    return can_view_proposal(user, item.proposal)


@rules.predicate
def is_deputy(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and deputy_id_of(user) is not None)


# Who has a "my suggestions" page and may start a draft: an active login linked to a deputy.
RULES.add_rule("draft_proposal", is_deputy)
RULES.add_rule("answer_cosign_invitation", is_invited_deputy)
# The deputy's own page of one suggestion: its lead deputy and its co-signers.
RULES.add_rule("follow_proposal", is_lead_deputy | is_cosigner)
# Before submitting, the lead deputy may ask a unit about the draft (提出前沟通); the unit asked
# reads the question (with a copy of the draft) and answers it.
RULES.add_rule("ask_unit_before_submission", is_lead_deputy)
RULES.add_rule("view_draft_question", is_unit_of_question | is_lead_deputy_of_item | is_cosigner_of_item)
RULES.add_rule("answer_draft_question", is_unit_of_question)
# The lead deputy confirms or disputes that a contact the unit recorded happened.
RULES.add_rule("answer_contact", is_lead_deputy_of_item)
# A paper rating's signed feedback form: the deputy who signed it and the overseers.
RULES.add_rule("view_paper_form", is_lead_deputy_of_item | (is_overseer & can_view_item_proposal))
