"""The suggestion's access rules: who sees a suggestion, who writes, submits and withdraws it,
who reviews it, and who follows it as its deputies (registered in `deputies.access`).

Both streams (deputies/streams.py) follow these rules: a CPPCC member is to their proposals
what a deputy is to their suggestions (lead or joint signer), and the proposals committee's
staff are to proposals what the congress's staff are to suggestions; each body's staff see and
set up their own stream only (`deputies.access.streams_of`), everyone else who oversees sees
both.

Later apps extend two things here rather than reaching back: who else may see a suggestion
(`add_viewer`: handling adds the units assigned to it), and who belongs to the audiences of a
suggestion (`add_audience_rule`: handling says who "the units" are). Each rule has two forms
that must agree, a predicate for one object and a queryset filter for lists
(`visible_proposals`); tests/proposals/test_access.py checks that they do for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet
from rules.predicates import Predicate

from deputies.access import (
    ALL_STREAMS,
    OVERSEER_ROLES,
    add_rule,
    allowed,
    deputy_id_of,
    is_active_login,
    is_congress_staff,
    is_deputy,
    is_overseer,
    is_unit_person,
    streams_of,
)
from deputies.models import Deputy, UserOrAnonymous
from proposals.events import AUDIENCES, DEPUTIES, OVERSEERS
from proposals.models import CoSignature, Proposal
from proposals.public import public_condition
from proposals.states import ProposalState as S


class OfProposal(Protocol):
    """An object of a later app that belongs to one suggestion (a contact, a rating, a
    question...): the rules here read its `proposal` without importing that app."""

    @property
    def proposal(self) -> Proposal: ...


# --- predicates on a suggestion -------------------------------------------------------------------


@rules.predicate
def is_lead_deputy(user: UserOrAnonymous, proposal: Proposal) -> bool:
    deputy_id = deputy_id_of(user)
    return deputy_id is not None and proposal.lead_deputy_id == deputy_id


def takes_cosigners(lead: Deputy) -> bool:
    """Whether an item led by `lead` may have co-signers: a CPPCC body's collective proposal
    is the body's alone (no member co-signs it)."""
    return not lead.is_organisation


@rules.predicate
def is_cosigner(user: UserOrAnonymous, proposal: Proposal) -> bool:
    deputy_id = deputy_id_of(user)
    if deputy_id is None:
        return False
    return proposal.cosignatures.filter(deputy_id=deputy_id).exclude(status=CoSignature.Status.DECLINED).exists()


@rules.predicate
def is_draft(user: UserOrAnonymous, proposal: Proposal) -> bool:
    return proposal.state == S.DRAFT


is_its_deputy = is_lead_deputy | is_cosigner
oversees_it = ~is_draft & is_overseer


@rules.predicate
def is_lead_deputy_of_item(user: UserOrAnonymous, item: OfProposal) -> bool:
    """Of an object that carries a `proposal` (a contact, a rating, a question...)."""
    return is_lead_deputy(user, item.proposal)


@rules.predicate
def is_cosigner_of_item(user: UserOrAnonymous, item: OfProposal) -> bool:
    return is_cosigner(user, item.proposal)


@rules.predicate
def is_invited_deputy(user: UserOrAnonymous, signature: CoSignature) -> bool:
    deputy_id = deputy_id_of(user)
    return deputy_id is not None and signature.deputy_id == deputy_id


# --- who else sees a suggestion: registered by later apps -------------------------------------------

# (predicate on one suggestion, condition on a queryset for a user or None when it adds nothing)
Viewer = Predicate | Callable[[UserOrAnonymous, Proposal], bool]
_viewers: list[tuple[Viewer, Callable[[UserOrAnonymous], Q | None]]] = []


def add_viewer(predicate: Viewer, condition: Callable[[UserOrAnonymous], Q | None]) -> None:
    """Let more people see suggestions: `predicate(user, proposal)` for one, and
    `condition(user)` (a Q on Proposal, or None) for lists; the two must agree."""
    _viewers.append((predicate, condition))


@rules.predicate
def is_registered_viewer(user: UserOrAnonymous, proposal: Proposal) -> bool:
    return any(predicate(user, proposal) for predicate, _condition in _viewers)


can_view_proposal = is_its_deputy | oversees_it | is_registered_viewer


def visible_proposals(user: UserOrAnonymous, queryset: QuerySet[Proposal] | None = None) -> QuerySet[Proposal]:
    """The suggestions `user` may see: the list form of the `view_proposal` rule."""
    queryset = Proposal.objects.all() if queryset is None else queryset
    if not is_active_login(user):
        return queryset.none()
    condition = Q(pk__in=[])
    if user.role in OVERSEER_ROLES:
        streams = streams_of(user)
        condition |= ~Q(state=S.DRAFT) if streams == ALL_STREAMS else ~Q(state=S.DRAFT) & Q(stream__in=streams)
    deputy_id = deputy_id_of(user)
    if deputy_id is not None:
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), deputy_id=deputy_id).exclude(
            status=CoSignature.Status.DECLINED
        )
        condition |= Q(lead_deputy_id=deputy_id) | Q(Exists(cosigned))
    for _predicate, viewer_condition in _viewers:
        extra = viewer_condition(user)
        if extra is not None:
            condition |= extra
    return queryset.filter(condition)


# --- audiences --------------------------------------------------------------------------------------

_AUDIENCE_RULES = {name: f"audience_{name}" for name in AUDIENCES}


def add_audience_rule(audience: str, predicate: Predicate | Callable[..., bool]) -> None:
    """Say who belongs to one of the suggestion's audiences (see proposals/events.py)."""
    add_rule(_AUDIENCE_RULES[audience], predicate)


def audiences_of(user: UserOrAnonymous, proposal: Proposal) -> frozenset[str]:
    """The audiences of `proposal` that `user` belongs to: what of it they may see."""
    return frozenset(name for name, rule in _AUDIENCE_RULES.items() if allowed(user, rule, proposal))


def in_audience(user: UserOrAnonymous, proposal: Proposal, seen_by: frozenset[str]) -> bool:
    return any(allowed(user, _AUDIENCE_RULES[name], proposal) for name in seen_by)


add_audience_rule(DEPUTIES, is_its_deputy)
add_audience_rule(OVERSEERS, oversees_it)

# --- rules ------------------------------------------------------------------------------------------

add_rule("view_proposal", can_view_proposal)
# A deputy's own pages: "my suggestions", a new draft.
add_rule("draft_proposal", is_deputy)
# The deputy's own page of one suggestion: its lead deputy and its co-signers.
add_rule("follow_proposal", is_its_deputy)
add_rule("edit_proposal", is_lead_deputy)
add_rule("submit_proposal", is_lead_deputy)
add_rule("withdraw_proposal", is_lead_deputy)
add_rule("invite_cosigner", is_lead_deputy)
add_rule("answer_cosign_invitation", is_invited_deputy)
add_rule("review_proposal", is_congress_staff)
# Keep an item off the public progress pages (proposals/public.py), or let it back: its body's staff.
add_rule("withhold_from_public", ~is_draft & is_congress_staff)
# The lists' deputy filter looks deputies up by name: those whose navigation has the list.
add_rule("look_up_deputies", is_overseer | is_unit_person)


# --- titles of others' suggestions ---------------------------------------------------------------


# Registered suggestions are numbered and listed by the congress: their title (and, through the
# units, a reply made public) may be shown to any deputy beside a draft on the same matter, even
# when the suggestion itself is not theirs to open, as long as the public may read it (staff may
# withhold one). Earlier states are the authors' own.
def listed_titles(user: UserOrAnonymous) -> Q:
    """The suggestions whose title `user` may read without seeing the suggestion (similar items
    beside a draft): any public one, for a deputy; nothing more for others."""
    if not is_active_login(user) or deputy_id_of(user) is None:
        return Q(pk__in=[])
    return public_condition()
