"""Contacts between a unit and the deputy (办前联系、办中沟通、办后反馈), and the deputy's answer
that a recorded contact took place or not.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import User
from handling.models import Assignment, ContactRecord
from handling.selectors import CONTACT_STATES
from handling.services.common import require_unit, unit_people
from proposals.models import Notification
from proposals.notify import notify, office_staff
from proposals.workflow import ProposalError, deputy_users, locked, record_event, require


def record_contact(
    *,
    assignment: Assignment,
    by: User,
    kind: str,
    stage: str,
    contact_date: dt.date,
    people: str,
    summary: str,
) -> ContactRecord:
    with locked(assignment.proposal_id) as proposal:
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_unit(by, assignment)
        if proposal.state not in CONTACT_STATES:
            raise ProposalError(_("Contacts are recorded once the suggestion is assigned."))
        if contact_date > timezone.localdate():
            raise ProposalError(_("A contact cannot be dated in the future."))
        if not people.strip() or not summary.strip():
            raise ProposalError(_("Say who took part and what was discussed."))
        contact = ContactRecord.objects.create(
            proposal=proposal,
            assignment=assignment,
            kind=kind,
            stage=stage,
            contact_date=contact_date,
            people=people.strip(),
            summary=summary.strip(),
            recorded_by=by,
        )
        record_event(
            proposal,
            "contact",
            by=by,
            note=summary,
            data={"contact": contact.pk, "kind": kind, "stage": stage, "unit": assignment.unit.name},
        )
        notify(
            deputy_users([proposal]),
            Notification.Kind.CONTACT,
            _("%(unit)s recorded a contact with you (%(kind)s, %(date)s) on “%(title)s”. Please confirm it happened.")
            % {
                "unit": assignment.unit.name,
                "kind": contact.get_kind_display(),
                "date": contact_date.isoformat(),
                "title": proposal.title,
            },
            proposal=proposal,
        )
    return contact


def answer_contact(*, contact: ContactRecord, by: User, confirmed: bool, comment: str = "") -> ContactRecord:
    """The lead deputy confirms, or disputes, that a contact the unit recorded took place.
    The answer may be changed later; every answer stays on the trail. A dispute needs a word
    of explanation and is sent to the unit and to congress staff (contacts count in the
    units' yearly scores, so a contact that never happened must not go unnoticed)."""
    with locked(contact.proposal_id) as current:
        contact = ContactRecord.objects.select_for_update().select_related("assignment__unit").get(pk=contact.pk)
        require(by, "answer_contact", contact, _("Only the lead deputy can confirm or dispute a contact."))
        comment = comment.strip()
        if not confirmed and not comment:
            raise ProposalError(_("Please say what did not happen as recorded."))
        response = ContactRecord.DeputyResponse.CONFIRMED if confirmed else ContactRecord.DeputyResponse.DISPUTED
        contact.deputy_response, contact.deputy_comment = response, comment[:500]
        contact.responded_at = timezone.now()
        contact.save(update_fields=["deputy_response", "deputy_comment", "responded_at"])
        unit = contact.assignment.unit
        record_event(
            current,
            "contact_confirmed" if confirmed else "contact_disputed",
            by=by,
            note=comment,
            data={"contact": contact.pk, "unit": unit.name, "date": contact.contact_date.isoformat()},
        )
        facts = {"name": current.lead_deputy.name, "date": contact.contact_date.isoformat(), "item": str(current)}
        if confirmed:
            recipients = unit_people([unit.pk])
            message = _("Deputy %(name)s confirmed the contact of %(date)s on %(item)s.") % facts
        else:
            recipients = [*unit_people([unit.pk]), *office_staff(current)]
            message = _("Deputy %(name)s disputes the contact of %(date)s on %(item)s: %(comment)s") % {
                **facts,
                "comment": comment,
            }
        notify(recipients, Notification.Kind.CONTACT_ANSWER, message, proposal=current)
    return contact
