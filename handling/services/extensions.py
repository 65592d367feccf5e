"""Deadline extensions (申请延期): an answering unit asks, before its reply deadline, for a new
date with a reason; the assigning office (whoever may assign: congress staff, the supervision
office) approves or refuses. Approval moves the assignment's deadline, and with it the
suggestion's `due_on`, which the lists, reminders and figures read; the extension keeps the
original date.

Within limits (settings): at most EXTENSION_MAX_COUNT approved extensions per assignment, the
new date at most EXTENSION_MAX_MONTHS after the deadline it moves. A merged group's members
mirror the main suggestion's assignments, so their deadlines move with it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Role, User
from handling.models import Assignment, DeadlineExtension
from handling.selectors import extension_refusal, latest_new_deadline, next_due_on, owed_deadline
from handling.services.common import group_of, require_unit, twin_of, unit_people
from proposals.models import Notification
from proposals.notify import notify, office_staff
from proposals.states import REPLY_DUE_STATES
from proposals.workflow import ProposalError, locked, record_event, refuse_merged_member, require

E = DeadlineExtension.Status


def request_extension(*, assignment: Assignment, by: User, reason: str, new_deadline: dt.date) -> DeadlineExtension:
    """An answering unit asks to move its reply deadline to `new_deadline`, with a reason."""
    with locked(assignment.proposal_id) as main:
        refuse_merged_member(main)
        assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
        require_unit(by, assignment)
        if not assignment.answers:
            raise ProposalError(_("Only a unit that answers the deputy has a reply deadline to extend."))
        refusal = extension_refusal(assignment, main, timezone.localdate())
        if refusal:
            raise ProposalError(refusal)
        owed = owed_deadline(assignment)
        assert owed is not None  # extension_refusal said it owes a reply
        round_, deadline = owed
        latest = latest_new_deadline(deadline)
        if new_deadline <= deadline:
            raise ProposalError(
                _("The new deadline must be later than the current one (%(date)s).") % {"date": deadline.isoformat()}
            )
        if new_deadline > latest:
            raise ProposalError(
                _("The new deadline may be at most %(n)s months after the current one: %(date)s at the latest.")
                % {"n": settings.EXTENSION_MAX_MONTHS, "date": latest.isoformat()}
            )
        if not reason.strip():
            raise ProposalError(_("Please give a reason for “%(action)s”.") % {"action": _("Ask for an extension")})
        extension = DeadlineExtension.objects.create(
            assignment=assignment,
            round=round_,
            original_deadline=deadline,
            requested_deadline=new_deadline,
            reason=reason.strip(),
            requested_by=by,
        )
        data = {
            "unit": assignment.unit.name,
            "extension": extension.pk,
            "from": deadline.isoformat(),
            "to": new_deadline.isoformat(),
        }
        for item in group_of(main):
            record_event(item, "request_extension", by=by, note=reason, data=data)
        notify(
            office_staff(main, Role.SUPERVISION),
            Notification.Kind.DEADLINE,
            _("%(unit)s asks to extend its reply deadline on %(item)s from %(from)s to %(to)s: %(reason)s")
            % {
                "unit": assignment.unit.name,
                "item": str(main),
                "from": deadline.isoformat(),
                "to": new_deadline.isoformat(),
                "reason": reason.strip(),
            },
            proposal=main,
        )
    return extension


def _move_deadline(assignment: Assignment, round_: int, new_deadline: dt.date) -> None:
    if round_ == 1:
        assignment.deadline = new_deadline
        assignment.save(update_fields=["deadline"])
    else:
        assignment.rehandling_deadline = new_deadline
        assignment.save(update_fields=["rehandling_deadline"])


def decide_extension(*, extension: DeadlineExtension, by: User, approve: bool, note: str = "") -> DeadlineExtension:
    """The assigning office approves (the deadline moves to the date asked for) or refuses
    (with a reason) a unit's request for an extension."""
    proposal_id = extension.assignment.proposal_id
    with locked(proposal_id) as main:
        require(by, "decide_extension", main, _("You may not decide on deadline extensions."))
        extension = (
            DeadlineExtension.objects.select_for_update().select_related("assignment__unit").get(pk=extension.pk)
        )
        if extension.status != E.PENDING:
            raise ProposalError(_("This request has already been decided."))
        assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=extension.assignment_id)
        if approve:
            owed = owed_deadline(assignment)
            if owed != (extension.round, extension.original_deadline) or main.state not in REPLY_DUE_STATES:
                raise ProposalError(
                    _("The unit's deadline changed since it asked (a reply was issued or it was re-assigned).")
                )
            approved = assignment.extensions.filter(status=E.APPROVED).count()
            if approved >= settings.EXTENSION_MAX_COUNT:
                raise ProposalError(
                    _("This unit has had the extensions allowed (%(n)s) for this suggestion.")
                    % {"n": settings.EXTENSION_MAX_COUNT}
                )
        elif not note.strip():
            raise ProposalError(_("Please give a reason for “%(action)s”.") % {"action": _("Refuse the extension")})
        extension.status = E.APPROVED if approve else E.REFUSED
        extension.decided_by, extension.decided_at, extension.decision_note = by, timezone.now(), note.strip()
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        data = {
            "unit": assignment.unit.name,
            "extension": extension.pk,
            "from": extension.original_deadline.isoformat(),
            "to": extension.requested_deadline.isoformat(),
        }
        for item in group_of(main):
            if approve:
                mine = assignment if item is main else twin_of(assignment, item)
                _move_deadline(mine, extension.round, extension.requested_deadline)
                # The suggestion's `due_on` is the earliest reply any unit owes: as the
                # handling services keep it at every step.
                item.due_on = next_due_on(item)
                item.save(update_fields=["due_on", "updated_at"])
            # The decision note goes in the data, not the step's note: the deputy sees the
            # approval on the timeline, but the office's words to the unit stay with the handlers.
            action = "approve_extension" if approve else "refuse_extension"
            record_event(item, action, by=by, data={**data, "note": note.strip()})
        if approve:
            message = _("The reply deadline of %(unit)s on %(item)s was extended to %(to)s.")
        else:
            message = _("The request of %(unit)s to extend its deadline on %(item)s was refused: %(note)s")
        facts = {"unit": assignment.unit.name, "item": str(main), "to": data["to"], "note": note.strip()}
        notify(unit_people([assignment.unit_id]), Notification.Kind.DEADLINE, message % facts, proposal=main)
    return extension
