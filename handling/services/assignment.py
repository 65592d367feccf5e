"""Assigning a suggestion to units (交办), one by one or in bulk, the units signing for it,
and re-assignment: a unit asking to be replaced within its window, staff deciding.

While a merged group (并案) is handled as one, each step is taken on the main suggestion and
mirrored onto every member, each member getting its own assignment rows and events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Role, User
from handling.models import Assignment, ReassignmentRequest, Reply, Unit
from handling.selectors import all_answering_signed, next_due_on
from handling.services.common import group_of, require_unit, twin_of, unit_people
from proposals import deadlines
from proposals.models import Notification, Proposal
from proposals.notify import notify, office_staff
from proposals.states import ProposalState
from proposals.workflow import ProposalError, apply_transition, deputy_users, locked, refuse_merged_member

S = ProposalState
A = Assignment.Role


def build_assignment(
    proposal: Proposal, unit: Unit, role: str, *, is_complex: bool, assigned_on: dt.date, by: User
) -> Assignment:
    """One unit's assignment, not saved yet, its deadlines counted from `assigned_on` (a
    re-assignment starts them afresh for the new unit). The Excel history import builds its
    assignments with it too, and saves them in bulk."""
    return Assignment(
        proposal=proposal,
        unit=unit,
        role=role,
        is_complex=is_complex,
        assigned_on=assigned_on,
        deadline=deadlines.reply_deadline(assigned_on, complex_=is_complex),
        co_opinion_due=deadlines.co_opinion_deadline(assigned_on) if role == A.CO else None,
        assigned_by=by,
    )


def _new_assignment(
    proposal: Proposal, unit: Unit, role: str, *, is_complex: bool, assigned_on: dt.date, by: User
) -> Assignment:
    assignment = build_assignment(proposal, unit, role, is_complex=is_complex, assigned_on=assigned_on, by=by)
    assignment.save(force_insert=True)
    return assignment


def assign_proposal(
    *,
    proposal: Proposal,
    by: User,
    lead_unit: Unit | None = None,
    co_units: Sequence[Unit] = (),
    separate_units: Sequence[Unit] = (),
    is_complex: bool = False,
    assigned_on: dt.date | None = None,
    note: str = "",
    expected_state: str | None = None,
) -> list[Assignment]:
    """Hand a registered suggestion to units (交办): one lead unit with any co-handlers, or
    two or more separate units (分办). The reply deadline counts from `assigned_on`."""
    units = [u for u in [lead_unit, *co_units, *separate_units] if u is not None]
    if lead_unit is None and len(separate_units) < 2:
        raise ProposalError(_("Choose a lead unit, or at least two units that answer separately."))
    if lead_unit is not None and separate_units:
        raise ProposalError(_("A suggestion has either a lead unit or separate units, not both."))
    if separate_units and co_units:
        raise ProposalError(
            _("Co-handling units work with a lead unit; with separate units, add them as separate units.")
        )
    if len({u.pk for u in units}) != len(units):
        raise ProposalError(_("A unit can appear only once in one assignment."))
    inactive = [u.name for u in units if not u.is_active]
    if inactive:
        raise ProposalError(_("These units are no longer in use: %(units)s") % {"units": "、".join(inactive)})
    assigned_on = assigned_on or timezone.localdate()
    deadline = deadlines.reply_deadline(assigned_on, complex_=is_complex)
    plan = [(lead_unit, A.LEAD)] if lead_unit else []
    plan += [(u, A.CO) for u in co_units] + [(u, A.SEPARATE) for u in separate_units]

    with locked(proposal) as main:
        refuse_merged_member(main)
        created: list[Assignment] = []
        group = group_of(main)
        for item in group:
            for unit, role in plan:
                created.append(_new_assignment(item, unit, role, is_complex=is_complex, assigned_on=assigned_on, by=by))
            apply_transition(
                item,
                "assign",
                by=by,
                note=note,
                due_on=deadline,
                expected_state=expected_state if item is main else None,
                data={
                    "units": [[unit.pk, unit.name, role] for unit, role in plan],
                    "deadline": deadline.isoformat(),
                    "complex": is_complex,
                },
            )
        notify(
            unit_people([u.pk for u in units]),
            Notification.Kind.ASSIGNED,
            _("New suggestion assigned to your unit: %(item)s, reply due %(deadline)s.")
            % {"item": str(main), "deadline": deadline.isoformat()},
            proposal=main,
        )
        for item in group:
            notify(
                deputy_users([item]),
                Notification.Kind.ASSIGNED,
                _("Your suggestion “%(title)s” was assigned to %(units)s; the reply is due by %(deadline)s.")
                % {"title": item.title, "units": "、".join(u.name for u in units), "deadline": deadline.isoformat()},
                proposal=item,
            )
    return created


def assign_many(
    *,
    proposals: Sequence[Proposal],
    by: User,
    lead_unit: Unit,
    is_complex: bool = False,
    assigned_on: dt.date | None = None,
    note: str = "",
) -> list[Assignment]:
    """Bulk assignment (批量交办): many registered suggestions to one lead unit at once. All or
    none: if one cannot be assigned, nothing is, and the message names it."""
    if not proposals:
        raise ProposalError(_("Choose at least one suggestion to assign."))
    created: list[Assignment] = []
    with transaction.atomic():
        for proposal in sorted(proposals, key=lambda p: p.pk):
            try:
                created += assign_proposal(
                    proposal=proposal,
                    by=by,
                    lead_unit=lead_unit,
                    is_complex=is_complex,
                    assigned_on=assigned_on,
                    note=note,
                    expected_state=S.REGISTERED,
                )
            except ProposalError as exc:
                raise ProposalError(
                    _("%(item)s: %(reason)s Nothing was assigned.")
                    % {"item": proposal.number_label or proposal.title, "reason": exc}
                ) from exc
    return created


def sign_assignment(*, assignment: Assignment, by: User) -> Assignment:
    """The unit signs for its assignment (签收); handling starts when all answering units have."""
    with locked(assignment.proposal_id) as main:
        refuse_merged_member(main)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_unit(by, assignment)
        if assignment.signed_at:
            raise ProposalError(_("Your unit has already signed for this suggestion."))
        now = timezone.now()
        for item in group_of(main):
            mine = assignment if item is main else twin_of(assignment, item)
            mine.signed_at, mine.signed_by = now, by
            mine.save(update_fields=["signed_at", "signed_by"])
            apply_transition(
                item,
                "sign",
                by=by,
                all_answering_signed=all_answering_signed(item),
                data={"unit": assignment.unit.name, "role": assignment.role},
            )
    return assignment


def request_reassignment(
    *, assignment: Assignment, by: User, reason: str, suggested_unit: Unit | None = None
) -> ReassignmentRequest:
    """A unit asks to be replaced, within the working-day window after assignment, signed for
    or not; not once its reply has left the drafting desk (with the head, staff or issued)."""
    with locked(assignment.proposal_id) as main:
        refuse_merged_member(main)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_unit(by, assignment)
        if assignment.replies.exclude(state__in=Reply.EDITABLE_STATES).exists():
            raise ProposalError(
                _("Your unit's reply has gone to the unit head or further, so it can no longer ask for re-assignment.")
            )
        end = assignment.reassignment_window_end
        if timezone.localdate() > end:
            raise ProposalError(
                _("The re-assignment window closed on %(date)s (%(days)s working days after assignment).")
                % {"date": end.isoformat(), "days": settings.REASSIGNMENT_WINDOW_WORKDAYS}
            )
        if assignment.reassignment_requests.filter(status=ReassignmentRequest.Status.PENDING).exists():
            raise ProposalError(_("Your unit's request is already waiting for a decision."))
        if not reason.strip():
            raise ProposalError(_("Please give a reason for “%(action)s”.") % {"action": _("Ask for re-assignment")})
        request = ReassignmentRequest.objects.create(
            assignment=assignment, reason=reason.strip(), suggested_unit=suggested_unit, requested_by=by
        )
        for item in group_of(main):
            apply_transition(
                item,
                "request_reassignment",
                by=by,
                note=reason,
                data={"unit": assignment.unit.name, "request": request.pk},
            )
        notify(
            office_staff(main, Role.SUPERVISION),
            Notification.Kind.REASSIGNMENT,
            _("%(unit)s asks to be replaced on %(item)s: %(reason)s")
            % {"unit": assignment.unit.name, "item": str(main), "reason": reason.strip()},
            proposal=main,
        )
    return request


def decide_reassignment(
    *, request: ReassignmentRequest, by: User, accept: bool, new_unit: Unit | None = None, note: str = ""
) -> ReassignmentRequest:
    """Staff or the supervision office accept (naming the new unit; its deadline starts
    afresh today) or refuse (with a reason) a unit's request.

    Accepting ends the old assignment with its sign-for kept on it as history (who signed and
    when), and any reply draft of the old unit stays with it, unseen by the new unit. The new
    unit has not signed: handling waits for its sign-for again, so a suggestion that was in
    handling goes back to assigned until it signs."""
    with locked(request.assignment.proposal_id) as main:
        request = ReassignmentRequest.objects.select_for_update().select_related("assignment__unit").get(pk=request.pk)
        if request.status != ReassignmentRequest.Status.PENDING:
            raise ProposalError(_("This request has already been decided."))
        old = request.assignment
        if accept:
            if new_unit is None:
                raise ProposalError(_("Choose the unit that takes it over."))
            if new_unit.pk == old.unit_id:
                raise ProposalError(_("Choose a different unit from the one that asked to be replaced."))
            if main.assignments.filter(unit=new_unit, is_active=True).exists():
                raise ProposalError(_("%(unit)s already handles this suggestion.") % {"unit": new_unit.name})
            if not new_unit.is_active:
                raise ProposalError(_("These units are no longer in use: %(units)s") % {"units": new_unit.name})
        elif not note.strip():
            raise ProposalError(_("Please give a reason for “%(action)s”.") % {"action": _("Refuse re-assignment")})

        # The unit that takes over when accepting (required above); none when refusing.
        taker = new_unit if accept else None
        today = timezone.localdate()
        now = timezone.now()
        request.status = ReassignmentRequest.Status.ACCEPTED if accept else ReassignmentRequest.Status.REFUSED
        request.decided_by, request.decided_at, request.decision_note = by, now, note.strip()
        for item in group_of(main):
            if taker is not None:
                ended = old if item is main else twin_of(old, item)
                ended.is_active, ended.ended_at = False, now
                ended.save(update_fields=["is_active", "ended_at"])
                replacement = _new_assignment(
                    item, taker, ended.role, is_complex=ended.is_complex, assigned_on=today, by=by
                )
                if item is main:
                    request.new_assignment = replacement
            pending = ReassignmentRequest.objects.filter(
                assignment__proposal=main, status=ReassignmentRequest.Status.PENDING
            ).exclude(pk=request.pk)
            requests_pending, all_signed = pending.exists(), all_answering_signed(item)
            data = {"from_unit": old.unit.name, "to_unit": taker.name if taker else None, "request": request.pk}
            if taker is not None:
                apply_transition(
                    item,
                    "accept_reassignment",
                    by=by,
                    note=note,
                    due_on=next_due_on(item),
                    data=data,
                    requests_pending=requests_pending,
                    all_answering_signed=all_signed,
                )
            else:
                apply_transition(
                    item,
                    "refuse_reassignment",
                    by=by,
                    note=note,
                    data=data,
                    requests_pending=requests_pending,
                    all_answering_signed=all_signed,
                )
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "new_assignment"])
        if taker is not None:
            message = _("The request of %(unit)s on %(item)s was accepted; %(new)s takes it over.") % {
                "unit": old.unit.name,
                "item": str(main),
                "new": taker.name,
            }
            notify(unit_people([old.unit_id, taker.pk]), Notification.Kind.REASSIGNMENT, message, proposal=main)
        else:
            message = _("The request of %(unit)s on %(item)s was refused: %(note)s") % {
                "unit": old.unit.name,
                "item": str(main),
                "note": note.strip(),
            }
            notify(unit_people([old.unit_id]), Notification.Kind.REASSIGNMENT, message, proposal=main)
    return request
