"""The co-handling units' part (协办): their opinion to the lead unit, and countersigning
(会签) the lead unit's reply draft, which goes to the lead's head only once every co-handler
has agreed to its current version.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import User
from handling.models import Assignment, CoOpinion, Countersignature, Reply, reply_is_complete, units_yet_to_countersign
from handling.rules import unit_id_of
from handling.selectors import co_assignments, co_opinion_refusal, countersign_refusal
from handling.services.common import require_unit, unit_people
from handling.services.replies import editable_reply
from proposals.events import AMONG_HANDLERS
from proposals.models import Notification
from proposals.notify import notify
from proposals.workflow import ProposalError, locked, record_event, refuse_merged_member, require

A = Assignment.Role


def submit_co_opinion(*, assignment: Assignment, by: User, body: str) -> CoOpinion:
    """A co-handling unit sends (or revises) its opinion to the lead unit (协办意见)."""
    with locked(assignment.proposal_id) as proposal:
        refuse_merged_member(proposal)
        assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
        require_unit(by, assignment)
        refusal = co_opinion_refusal(assignment, proposal)
        if refusal:
            raise ProposalError(refusal)
        if not body.strip():
            raise ProposalError(_("Write the opinion before sending it."))
        round_ = assignment.current_round(proposal)
        opinion = CoOpinion.objects.filter(assignment=assignment, round=round_).first()
        revised = opinion is not None
        if opinion is None:
            opinion = CoOpinion(assignment=assignment, round=round_)
        opinion.body, opinion.submitted_by, opinion.submitted_at = body.strip(), by, timezone.now()
        opinion.save()
        record_event(
            proposal,
            "co_opinion",
            by=by,
            note=body,
            data={"unit": assignment.unit.name, "round": round_, "revised": revised, "opinion": opinion.pk},
        )
        leads = proposal.assignments.filter(role=A.LEAD, is_active=True).values_list("unit_id", flat=True)
        notify(
            unit_people(list(leads)),
            Notification.Kind.OTHER,
            _("%(unit)s sent its co-handling opinion on %(item)s.")
            % {"unit": assignment.unit.name, "item": str(proposal)},
            proposal=proposal,
            seen_by=AMONG_HANDLERS,
        )
    return opinion


def request_countersign(*, reply: Reply, by: User) -> Reply:
    """The lead unit sends its finished draft to the co-handling units for countersigning."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = editable_reply(reply.pk, by, proposal)
        if reply.assignment.role != A.LEAD:
            raise ProposalError(_("Only a lead unit's reply is countersigned."))
        co = co_assignments(proposal)
        if not co:
            raise ProposalError(_("This suggestion has no co-handling units, so no countersigning is needed."))
        if not reply_is_complete(reply):
            raise ProposalError(str(reply_is_complete.message))
        reply.countersign_requested_version = reply.version
        reply.save(update_fields=["countersign_requested_version", "updated_at"])
        record_event(
            proposal,
            "countersign_request",
            by=by,
            data={"reply": reply.pk, "version": reply.version, "units": [a.unit.name for a in co]},
        )
        notify(
            unit_people([a.unit_id for a in co]),
            Notification.Kind.REPLY_REVIEW,
            _("%(unit)s asks your unit to countersign its reply draft on %(item)s.")
            % {"unit": reply.assignment.unit.name, "item": str(proposal)},
            proposal=proposal,
            seen_by=AMONG_HANDLERS,
        )
    return reply


def countersign_reply(*, reply: Reply, by: User, agrees: bool, comment: str = "") -> Countersignature:
    """A co-handling unit countersigns (会签) the lead's current draft, or objects with reasons."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().select_related("assignment__unit").get(pk=reply.pk)
        require(
            by, "give_co_opinion", proposal, _("Only the co-handling units of this suggestion countersign its reply.")
        )
        unit_id = unit_id_of(by)
        assert unit_id is not None  # require() lets only a co-handling unit's people through
        mine = proposal.assignments.get(unit_id=unit_id, role=A.CO, is_active=True)
        refusal = countersign_refusal(reply, mine)
        if refusal:
            raise ProposalError(refusal)
        if not agrees and not comment.strip():
            raise ProposalError(_("Say what your unit does not agree with."))
        signature = Countersignature.objects.create(
            reply=reply, assignment=mine, version=reply.version, agrees=agrees, comment=comment.strip(), signed_by=by
        )
        record_event(
            proposal,
            "countersign" if agrees else "countersign_objection",
            by=by,
            note=comment,
            data={"reply": reply.pk, "version": reply.version, "unit": mine.unit.name},
        )
        # The lead unit hears of any objection, and when the last co-handler has agreed.
        if not agrees:
            message = _("%(unit)s does not agree with the reply draft on %(item)s: %(comment)s") % {
                "unit": mine.unit.name,
                "item": str(proposal),
                "comment": comment.strip(),
            }
        elif not units_yet_to_countersign(reply):
            message = _(
                "Every co-handling unit has countersigned the reply draft on %(item)s: it can go to the unit head."
            ) % {"item": str(proposal)}
        else:
            message = ""
        if message:
            recipients = unit_people([reply.assignment.unit_id])
            notify(recipients, Notification.Kind.REPLY_REVIEW, message, proposal=proposal, seen_by=AMONG_HANDLERS)
    return signature
