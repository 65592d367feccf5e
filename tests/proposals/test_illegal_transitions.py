"""Every transition is allowed only from the states the domain allows; from any other state it
is refused with a clear message and nothing changes (state, fields, audit trail)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from proposals import services as ps
from proposals.models import Proposal, ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db

# The specification: which states each transition may start from.
ALLOWED_SOURCES = {
    "submit": {S.DRAFT, S.RETURNED},
    "withdraw": {S.DRAFT, S.SUBMITTED, S.RETURNED},
    "return_for_revision": {S.SUBMITTED},
    "decline": {S.SUBMITTED},
    "register": {S.SUBMITTED},
    "assign": {S.REGISTERED},
    "sign": {S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED},
    "request_reassignment": {S.ASSIGNED, S.IN_HANDLING, S.REASSIGN_REQUESTED},
    "accept_reassignment": {S.REASSIGN_REQUESTED},
    "refuse_reassignment": {S.REASSIGN_REQUESTED},
    "issue_reply": {S.IN_HANDLING, S.REHANDLING},
    "rate": {S.REPLIED},
}

ARGUMENTS = {
    "register": {"number": 99},
    "assign": {"due_on": dt.date(2026, 6, 1)},
    "sign": {"all_answering_signed": True},
    "accept_reassignment": {"requests_pending": False, "all_answering_signed": False, "due_on": None},
    "refuse_reassignment": {"requests_pending": False, "all_answering_signed": False},
    "issue_reply": {"all_answering_replied": True, "next_due_on": None},
    "rate": {"unrated_left": False, "rehandling_due_on": None},
}


def test_the_model_allows_exactly_the_specified_sources():
    for name, sources in ALLOWED_SOURCES.items():
        declared = set(getattr(Proposal, name)._django_fsm.transitions)
        assert declared == sources, name
    transitions = {attr for attr in dir(Proposal) if hasattr(getattr(Proposal, attr, None), "_django_fsm")}
    assert transitions == set(ALLOWED_SOURCES), "a transition was added without updating this table"


@pytest.mark.parametrize("state", list(S))
def test_every_transition_not_allowed_from_a_state_is_refused_and_changes_nothing(state, draft, cast, admin_user):
    proposal = advance(draft, state, cast)
    for name, sources in ALLOWED_SOURCES.items():
        if state in sources:
            continue
        before = model_to_dict(Proposal.objects.get(pk=proposal.pk))
        events_before = ProposalEvent.objects.count()
        with pytest.raises(ProposalError) as refused:
            with ps.locked(proposal) as current:
                ps.apply_transition(current, name, by=admin_user, note="理由", **ARGUMENTS.get(name, {}))
        assert str(refused.value), name
        assert model_to_dict(Proposal.objects.get(pk=proposal.pk)) == before, name
        assert ProposalEvent.objects.count() == events_before, name


def test_a_refused_step_mid_service_rolls_back_what_it_had_written(draft, cast, staff, other_deputy):
    """register_proposal sets the category before the transition; a refusal undoes it."""
    proposal = advance(draft, S.REGISTERED, cast)
    from tests.factories import CategoryFactory

    new_category = CategoryFactory(name="城乡建设与管理")
    with pytest.raises(ProposalError):
        ps.register_proposal(proposal=proposal, by=staff, category=new_category)
    proposal.refresh_from_db()
    assert proposal.category != new_category


def test_the_state_field_cannot_be_written_directly(draft):
    with pytest.raises(AttributeError):
        draft.state = S.CLOSED


def test_a_transition_from_a_stale_copy_is_refused(draft, cast, staff):
    """Two people looked at the same submitted suggestion; the second one's step is refused."""
    proposal = advance(draft, S.SUBMITTED, cast)
    ps.register_proposal(proposal=proposal, by=staff, expected_state=S.SUBMITTED)
    with pytest.raises(ProposalError, match="changed by someone else|已被他人"):
        ps.return_proposal(proposal=proposal, by=staff, reason="重复", expected_state=S.SUBMITTED)
    proposal.refresh_from_db()
    assert proposal.state == S.REGISTERED
