"""Writes for the handling steps: assignment, signing for it, re-assignment, contacts, the
reply's drafting, approval and issue, and the deputy's rating.

While a merged group (并案) is handled as one, each step is taken on the main suggestion and
mirrored onto every member here, each member getting its own assignment rows, events and, at
issue, its own copy of the reply; from the reply on, members go their own way (each deputy
rates, and one may send their copy to re-handling alone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Role, User
from handling import answering
from handling.models import (
    Assignment,
    ContactRecord,
    CoOpinion,
    Countersignature,
    PreSubmissionQuestion,
    Rating,
    ReassignmentRequest,
    Reply,
    ReplyAttachment,
    ReplyComment,
    ResultCategory,
    Satisfaction,
    Unit,
    reply_is_complete,
    units_yet_to_countersign,
)
from proposals import deadlines
from proposals import rules as access
from proposals.models import Notification, Proposal, ProposalState
from proposals.notify import notify, users_with_roles
from proposals.services import (
    ProposalError,
    apply_transition,
    deputy_users,
    lock_group,
    locked,
    record_event,
    refuse_merged_member,
    run_fsm,
)
from proposals.uploads import validate_upload

S = ProposalState
A = Assignment.Role


# --- reading helpers used by the steps below ---------------------------------------------------


def unit_people(unit_ids: Sequence[int], roles: Sequence[str] = (Role.UNIT_HANDLER, Role.UNIT_HEAD)) -> list[User]:
    return list(User.objects.filter(unit_membership__unit_id__in=unit_ids, role__in=roles, is_active=True))


def answering_assignments(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(is_active=True, role__in=(A.LEAD, A.SEPARATE)).order_by("pk"))


def units_yet_to_sign(proposal: Proposal) -> list[str]:
    """The answering units that have not signed for the suggestion yet: handling (and so the
    reply) starts once none is left."""
    unsigned = proposal.assignments.filter(is_active=True, role__in=(A.LEAD, A.SEPARATE), signed_at__isnull=True)
    return [a.unit.name for a in unsigned.select_related("unit").order_by("pk")]


def _issued_rounds(assignment: Assignment) -> set[int]:
    return set(assignment.replies.filter(state=Reply.State.ISSUED).values_list("round", flat=True))


def _answering_part(assignment: Assignment) -> answering.Part:
    """What an answering assignment owes, read from its issued replies and their ratings."""
    part = answering.Part(deadline=assignment.deadline, rehandling_deadline=assignment.rehandling_deadline)
    for round_, rating in assignment.replies.filter(state=Reply.State.ISSUED).values_list("round", "rating"):
        part.issued.add(round_)
        if rating is not None:
            part.rated.add(round_)
    return part


def answering_parts(proposal: Proposal) -> list[answering.Part]:
    """What each answering unit owes: the facts the suggestion's transitions are given."""
    return [_answering_part(a) for a in answering_assignments(proposal)]


def next_due_on(proposal: Proposal) -> dt.date | None:
    return answering.next_due_on(answering_parts(proposal))


def _all_answering_signed(proposal: Proposal) -> bool:
    return all(a.signed_at for a in answering_assignments(proposal))


def _require_unit(by: User, assignment: Assignment) -> None:
    if access.unit_id_of(by) != assignment.unit_id or not assignment.is_active:
        raise ProposalError(_("Only the people of %(unit)s can do this.") % {"unit": assignment.unit.name})


def _group(main: Proposal) -> list[Proposal]:
    """The main suggestion followed by the members merged into it, all locked."""
    return [main, *lock_group(main)]


def _twin(assignment: Assignment, proposal: Proposal) -> Assignment:
    """The member's active assignment mirroring `assignment` (same unit)."""
    return Assignment.objects.select_for_update().get(proposal=proposal, unit_id=assignment.unit_id, is_active=True)


# --- assignment ------------------------------------------------------------------------------------


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
        group = _group(main)
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
        _require_unit(by, assignment)
        if assignment.signed_at:
            raise ProposalError(_("Your unit has already signed for this suggestion."))
        now = timezone.now()
        for item in _group(main):
            mine = assignment if item is main else _twin(assignment, item)
            mine.signed_at, mine.signed_by = now, by
            mine.save(update_fields=["signed_at", "signed_by"])
            apply_transition(
                item,
                "sign",
                by=by,
                all_answering_signed=_all_answering_signed(item),
                data={"unit": assignment.unit.name, "role": assignment.role},
            )
    return assignment


def request_reassignment(
    *, assignment: Assignment, by: User, reason: str, suggested_unit: Unit | None = None
) -> ReassignmentRequest:
    """A unit asks to be replaced, within the working-day window after assignment."""
    with locked(assignment.proposal_id) as main:
        refuse_merged_member(main)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        _require_unit(by, assignment)
        if assignment.signed_at:
            raise ProposalError(
                _("Your unit has signed for this suggestion, so it can no longer ask for re-assignment.")
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
        for item in _group(main):
            apply_transition(
                item,
                "request_reassignment",
                by=by,
                note=reason,
                data={"unit": assignment.unit.name, "request": request.pk},
            )
        notify(
            users_with_roles(Role.STAFF, Role.SUPERVISION),
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
    afresh today) or refuse (with a reason) a unit's request."""
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

        today = timezone.localdate()
        now = timezone.now()
        request.status = ReassignmentRequest.Status.ACCEPTED if accept else ReassignmentRequest.Status.REFUSED
        request.decided_by, request.decided_at, request.decision_note = by, now, note.strip()
        for item in _group(main):
            if accept:
                ended = old if item is main else _twin(old, item)
                ended.is_active, ended.ended_at = False, now
                ended.save(update_fields=["is_active", "ended_at"])
                replacement = _new_assignment(
                    item, new_unit, ended.role, is_complex=ended.is_complex, assigned_on=today, by=by
                )
                if item is main:
                    request.new_assignment = replacement
            pending = ReassignmentRequest.objects.filter(
                assignment__proposal=main, status=ReassignmentRequest.Status.PENDING
            ).exclude(pk=request.pk)
            facts = {"requests_pending": pending.exists(), "all_answering_signed": _all_answering_signed(item)}
            data = {"from_unit": old.unit.name, "to_unit": new_unit.name if accept else None, "request": request.pk}
            if accept:
                apply_transition(
                    item, "accept_reassignment", by=by, note=note, due_on=next_due_on(item), data=data, **facts
                )
            else:
                apply_transition(item, "refuse_reassignment", by=by, note=note, data=data, **facts)
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "new_assignment"])
        if accept:
            message = _("The request of %(unit)s on %(item)s was accepted; %(new)s takes it over.") % {
                "unit": old.unit.name,
                "item": str(main),
                "new": new_unit.name,
            }
            notify(unit_people([old.unit_id, new_unit.pk]), Notification.Kind.REASSIGNMENT, message, proposal=main)
        else:
            message = _("The request of %(unit)s on %(item)s was refused: %(note)s") % {
                "unit": old.unit.name,
                "item": str(main),
                "note": note.strip(),
            }
            notify(unit_people([old.unit_id]), Notification.Kind.REASSIGNMENT, message, proposal=main)
    return request


# --- contacts ---------------------------------------------------------------------------------------

CONTACT_STATES = (S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED)


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
        _require_unit(by, assignment)
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


# --- co-handling units: opinions to the lead unit ------------------------------------------------------

CO_OPINION_STATES = (S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING, S.REHANDLING)


def submit_co_opinion(*, assignment: Assignment, by: User, body: str) -> CoOpinion:
    """A co-handling unit sends (or revises) its opinion to the lead unit (协办意见)."""
    with locked(assignment.proposal_id) as proposal:
        refuse_merged_member(proposal)
        assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
        _require_unit(by, assignment)
        if assignment.role != A.CO:
            raise ProposalError(_("Only a co-handling unit sends an opinion to the lead unit."))
        if not assignment.signed_at:
            raise ProposalError(_("Sign for the suggestion first."))
        if proposal.state not in CO_OPINION_STATES:
            raise ProposalError(_("Opinions are sent while the suggestion is being handled."))
        if not body.strip():
            raise ProposalError(_("Write the opinion before sending it."))
        round_ = 2 if proposal.state == S.REHANDLING else 1
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
        )
    return opinion


# --- replies ---------------------------------------------------------------------------------------

REPLY_FIELDS = (
    "reference_number",
    "signer",
    "contact_person",
    "contact_phone",
    "result_category",
    "body",
    "done_items",
    "promised_items",
    "promised_by",
    "not_adopted_reason",
    "is_public",
)


def _reply_step(reply: Reply, name: str, *, by: User, proposal: Proposal, note: str = "", **kwargs: Any) -> None:
    """Run a reply transition and audit it on the suggestion's trail."""
    from_state = run_fsm(reply, name, by=by, note=note, **kwargs)
    record_event(
        proposal,
        f"reply_{name}",
        by=by,
        note=note,
        data={
            "reply": reply.pk,
            "unit": reply.assignment.unit.name,
            "round": reply.round,
            "from": from_state,
            "to": reply.state,
        },
    )


def current_round(assignment: Assignment, proposal: Proposal) -> int:
    return 2 if proposal.state == S.REHANDLING and assignment.rehandling_deadline else 1


def save_reply_draft(*, assignment: Assignment, by: User, **fields: Any) -> Reply:
    """Create or update the unit's reply draft for the current round, exactly as typed."""
    unknown = set(fields) - set(REPLY_FIELDS)
    if unknown:
        raise ValueError(f"not reply fields: {sorted(unknown)}")
    with locked(assignment.proposal_id) as proposal:
        refuse_merged_member(proposal)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        _require_unit(by, assignment)
        if not assignment.answers:
            raise ProposalError(_("Co-handling units send their opinion to the lead unit instead of a reply."))
        if proposal.state not in (S.IN_HANDLING, S.REHANDLING):
            raise ProposalError(_("A reply can be written once the unit has signed for the suggestion."))
        round_ = current_round(assignment, proposal)
        if round_ == 1 and 1 in _issued_rounds(assignment):
            raise ProposalError(_("Your unit's reply has already been issued."))
        reply, created = Reply.objects.select_for_update().get_or_create(
            assignment=assignment, round=round_, defaults={"created_by": by}
        )
        if reply.state not in (Reply.State.DRAFT, Reply.State.RETURNED):
            raise ProposalError(_("This reply has been sent on and can no longer be edited."))
        changed = [name for name, value in fields.items() if getattr(reply, name) != value]
        for name, value in fields.items():
            setattr(reply, name, value)
        if changed and not created:
            reply.version += 1  # earlier countersignatures no longer cover this text
        if fields:
            reply.save(update_fields=[*fields, "version", "updated_at"])
    return reply


def _editable_reply(reply_pk: int, by: User) -> Reply:
    reply = Reply.objects.select_for_update().select_related("assignment__unit").get(pk=reply_pk)
    _require_unit(by, reply.assignment)
    if reply.state not in (Reply.State.DRAFT, Reply.State.RETURNED):
        raise ProposalError(_("This reply has been sent on and can no longer be edited."))
    return reply


def add_reply_attachment(*, reply: Reply, by: User, upload: Any) -> ReplyAttachment:
    """Attach a file to a reply draft: PDF, Word or an image, judged by its content, within
    the size limit (UPLOAD_MAX_MB)."""
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ProposalError(" ".join(exc.messages)) from exc
    with locked(reply.assignment.proposal_id):
        reply = _editable_reply(reply.pk, by)
        item = ReplyAttachment.objects.create(
            reply=reply, file=upload, name=upload.name[:200], size=upload.size, uploaded_by=by
        )
        reply.version += 1
        reply.save(update_fields=["version", "updated_at"])
    return item


def remove_reply_attachment(*, attachment: ReplyAttachment, by: User) -> None:
    with locked(attachment.reply.assignment.proposal_id):
        reply = _editable_reply(attachment.reply_id, by)
        ReplyAttachment.objects.filter(pk=attachment.pk, reply=reply).delete()
        reply.version += 1
        reply.save(update_fields=["version", "updated_at"])


def co_assignments(proposal: Proposal) -> list[Assignment]:
    return list(proposal.assignments.filter(role=A.CO, is_active=True).select_related("unit").order_by("pk"))


def request_countersign(*, reply: Reply, by: User) -> Reply:
    """The lead unit sends its finished draft to the co-handling units for countersigning."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = _editable_reply(reply.pk, by)
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
        )
    return reply


def countersign_reply(*, reply: Reply, by: User, agrees: bool, comment: str = "") -> Countersignature:
    """A co-handling unit countersigns (会签) the lead's current draft, or objects with reasons."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().select_related("assignment__unit").get(pk=reply.pk)
        unit_id = access.unit_id_of(by)
        mine = proposal.assignments.filter(unit_id=unit_id, role=A.CO, is_active=True).select_related("unit").first()
        if unit_id is None or mine is None or reply.assignment.proposal_id != proposal.pk:
            raise ProposalError(_("Only the co-handling units of this suggestion countersign its reply."))
        if reply.assignment.role != A.LEAD or not reply.assignment.is_active:
            raise ProposalError(_("Only a lead unit's reply is countersigned."))
        if not mine.signed_at:
            raise ProposalError(_("Sign for the suggestion first."))
        if reply.state not in (Reply.State.DRAFT, Reply.State.RETURNED):
            raise ProposalError(_("The draft has already gone to the unit head; it can no longer be countersigned."))
        if not reply_is_complete(reply):
            raise ProposalError(_("The lead unit has not finished the draft yet."))
        if not agrees and not comment.strip():
            raise ProposalError(_("Say what your unit does not agree with."))
        earlier = Countersignature.objects.filter(reply=reply, assignment=mine, version=reply.version).last()
        if earlier is not None and earlier.agrees:
            raise ProposalError(_("Your unit has already countersigned this version of the draft."))
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
            notify(unit_people([reply.assignment.unit_id]), Notification.Kind.REPLY_REVIEW, message, proposal=proposal)
    return signature


def reply_gaps(reply: Reply) -> list[str]:
    """What a letter of its result class still lacks before it goes to the unit head: a
    class B letter says what is promised and by when (the follow-up list is built from it);
    a class C or D letter says why the suggestion is not adopted."""
    gaps = []
    result_class = reply.result_category.result_class if reply.result_category_id else ""
    if result_class == "B" and not (reply.promised_items.strip() and reply.promised_by):
        gaps.append(_("A reply of class B says what is promised and by when."))
    if result_class in ("C", "D") and not reply.not_adopted_reason.strip():
        gaps.append(_("A reply of class C or D says why the suggestion is not adopted."))
    return gaps


def submit_reply(*, reply: Reply, by: User) -> Reply:
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        gaps = reply_gaps(reply) if reply.state in (Reply.State.DRAFT, Reply.State.RETURNED) else []
        if gaps and access.allowed(by, "draft_reply", reply):
            raise ProposalError(" ".join(gaps))
        missing = units_yet_to_countersign(reply) if reply.state in (Reply.State.DRAFT, Reply.State.RETURNED) else []
        if missing and access.allowed(by, "draft_reply", reply) and reply_is_complete(reply):
            raise ProposalError(
                _("These co-handling units have not countersigned the current draft yet: %(units)s")
                % {"units": "、".join(u.name for u in missing)}
            )
        _reply_step(reply, "submit_for_approval", by=by, proposal=proposal)
        notify(
            unit_people([reply.assignment.unit_id], roles=(Role.UNIT_HEAD,)),
            Notification.Kind.REPLY_REVIEW,
            _("A reply on %(item)s waits for your approval.") % {"item": str(proposal)},
            proposal=proposal,
        )
    return reply


def return_reply(*, reply: Reply, by: User, note: str) -> Reply:
    """The unit head sends the draft back to the handler with comments."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        _reply_step(reply, "return_to_handler", by=by, proposal=proposal, note=note)
        notify(
            unit_people([reply.assignment.unit_id], roles=(Role.UNIT_HANDLER,)),
            Notification.Kind.REPLY_REVIEW,
            _("The unit head returned the reply on %(item)s: %(note)s") % {"item": str(proposal), "note": note},
            proposal=proposal,
        )
    return reply


def approve_reply(*, reply: Reply, by: User) -> Reply:
    """The unit head approves and signs. Without staff review this also issues it."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        _reply_step(reply, "approve", by=by, proposal=proposal, approver=by)
        if settings.STAFF_REVIEWS_REPLIES:
            notify(
                users_with_roles(Role.STAFF),
                Notification.Kind.REPLY_REVIEW,
                _("An approved reply on %(item)s waits for your review.") % {"item": str(proposal)},
                proposal=proposal,
            )
        else:
            _issue(reply, proposal, by=by)
    return reply


def staff_return_reply(*, reply: Reply, by: User, note: str) -> Reply:
    """Congress staff send an approved reply back: it does not answer the suggestion's points."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        _reply_step(reply, "staff_return", by=by, proposal=proposal, note=note)
        notify(
            unit_people([reply.assignment.unit_id]),
            Notification.Kind.REPLY_REVIEW,
            _("Congress staff sent back the reply on %(item)s: %(note)s") % {"item": str(proposal), "note": note},
            proposal=proposal,
        )
    return reply


def correct_result_category(*, reply: Reply, by: User, result_category: ResultCategory, reason: str) -> Reply:
    """Congress staff correct an approved reply's result category, with the reason recorded."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        if not access.allowed(by, "review_reply", reply):
            raise ProposalError(_("Only congress staff can correct a result category."))
        if reply.state != Reply.State.APPROVED:
            raise ProposalError(_("The result category can be corrected while the reply waits for staff review."))
        if not reason.strip():
            raise ProposalError(_("Please give a reason for the correction."))
        old = reply.result_category
        reply.result_category = result_category
        reply.save(update_fields=["result_category", "updated_at"])
        record_event(
            proposal,
            "reply_result_corrected",
            by=by,
            note=reason,
            data={"reply": reply.pk, "from": old.name if old else None, "to": result_category.name},
        )
    return reply


def issue_reply(*, reply: Reply, by: User) -> Reply:
    """Issue an approved reply to the deputy (and to every deputy of a merged group)."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        _issue(reply, proposal, by=by)
    return reply


def _issue(reply: Reply, main: Proposal, *, by: User) -> None:
    _reply_step(reply, "issue", by=by, proposal=main, issuer=by)
    # A first reply on a merged group's main suggestion goes to every member as its own copy.
    members = lock_group(main) if reply.round == 1 else []
    members = [m for m in members if m.state in (S.IN_HANDLING, S.REHANDLING)]
    for member in members:
        twin = _twin(reply.assignment, member)
        copy = Reply.objects.create(
            assignment=twin,
            round=1,
            state=Reply.State.ISSUED,
            **{name: getattr(reply, name) for name in REPLY_FIELDS},
            copied_from=reply,
            created_by=reply.created_by,
            approved_by=reply.approved_by,
            approved_at=reply.approved_at,
            issued_by=by,
            issued_at=reply.issued_at,
        )
        record_event(member, "reply_copy", by=by, data={"reply": copy.pk, "copy_of": reply.pk, "unit": twin.unit.name})
    for item in [main, *members]:
        apply_transition(
            item,
            "issue_reply",
            by=by,
            all_answering_replied=next_due_on(item) is None,
            next_due_on=next_due_on(item),
            data={"reply": reply.pk, "unit": reply.assignment.unit.name, "round": reply.round},
        )
        kind = Notification.Kind.REHANDLING_REPLY_ISSUED if reply.round == 2 else Notification.Kind.REPLY_ISSUED
        notify(
            deputy_users([item]),
            kind,
            _("%(unit)s has replied to your suggestion “%(title)s”. Please read it and rate the handling.")
            % {"unit": reply.assignment.unit.name, "title": item.title},
            proposal=item,
        )


# --- rating ----------------------------------------------------------------------------------------


def rate_reply(
    *,
    reply: Reply,
    by: User,
    attitude: str,
    result: str,
    comment: str = "",
    paper_form: Any = None,
) -> Rating:
    """The lead deputy rates a reply: attitude and result. 不满意 on a first reply's result
    sends it to re-handling; the second reply's rating stands. Staff may enter a rating only
    from a signed paper feedback form, attached."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().select_related("assignment").get(pk=reply.pk)
        is_paper = not access.allowed(by, "rate_reply", reply)
        if is_paper and not (access.allowed(by, "record_paper_rating", proposal) and paper_form):
            if access.allowed(by, "record_paper_rating", proposal):
                raise ProposalError(_("Attach the deputy's signed feedback form to record a paper rating."))
            raise ProposalError(_("Only the lead deputy can rate the handling of this suggestion."))
        if reply.state != Reply.State.ISSUED:
            raise ProposalError(_("The reply has not been issued yet, so it cannot be rated."))
        if Rating.objects.filter(reply=reply).exists():
            raise ProposalError(_("This reply has already been rated."))
        valid = set(Satisfaction.values)
        if attitude not in valid or result not in valid:
            raise ProposalError(_("Rate both the attitude and the result."))
        if Satisfaction.UNSATISFIED in (attitude, result) and not comment.strip():
            raise ProposalError(_("Please say what you are not satisfied with."))
        rating = Rating.objects.create(
            reply=reply,
            proposal=proposal,
            attitude=attitude,
            result=result,
            comment=comment.strip(),
            rated_by=by,
            is_paper=is_paper,
            paper_form=paper_form or "",
        )
        assignment = reply.assignment
        if result == Satisfaction.UNSATISFIED and reply.round == 1:
            assignment.rehandling_deadline = deadlines.rehandling_deadline(timezone.localdate())
            assignment.save(update_fields=["rehandling_deadline"])
        parts = answering_parts(proposal)
        apply_transition(
            proposal,
            "rate",
            by=by,
            unrated_left=answering.unrated_left(parts),
            rehandling_due_on=answering.rehandling_due_on(parts),
            note=comment,
            data={"reply": reply.pk, "attitude": attitude, "result": result, "paper": is_paper, "round": reply.round},
        )
        if proposal.state == S.REHANDLING and result == Satisfaction.UNSATISFIED and reply.round == 1:
            message = _(
                "The deputy is not satisfied with your reply on %(item)s: handle it again and reply by %(date)s."
            ) % {
                "item": str(proposal),
                "date": assignment.rehandling_deadline.isoformat(),
            }
        else:
            message = _("The deputy rated your reply on %(item)s: attitude %(attitude)s, result %(result)s.") % {
                "item": str(proposal),
                "attitude": rating.get_attitude_display(),
                "result": rating.get_result_display(),
            }
        notify(unit_people([assignment.unit_id]), Notification.Kind.RATED, message, proposal=proposal)
    return rating


def record_paper_rating(
    *, reply: Reply, by: User, attitude: str, result: str, paper_form: Any, comment: str = ""
) -> Rating:
    """Staff key in a rating from the deputy's signed paper form (shown as a paper rating)."""
    if not paper_form:
        raise ProposalError(_("Attach the deputy's signed feedback form to record a paper rating."))
    return rate_reply(reply=reply, by=by, attitude=attitude, result=result, comment=comment, paper_form=paper_form)


# --- the deputy and the unit: questions before submitting, contacts, comments on replies --------


def ask_unit_before_submission(*, proposal: Proposal, unit: Unit, question: str, by: User) -> PreSubmissionQuestion:
    """The lead deputy asks a unit about a draft before submitting it (提出前沟通). The unit
    gets a copy of the draft as it stands, not access to the draft itself."""
    with locked(proposal) as current:
        if not access.allowed(by, "ask_unit_before_submission", current):
            raise ProposalError(_("Only the lead deputy can ask a unit about this draft."))
        if current.state not in (S.DRAFT, S.RETURNED):
            raise ProposalError(_("Questions to a unit are asked about a draft, before it is submitted."))
        if not unit.is_active:
            raise ProposalError(_("These units are no longer in use: %(units)s") % {"units": unit.name})
        if not question.strip():
            raise ProposalError(_("Write your question."))
        asked = PreSubmissionQuestion.objects.create(
            proposal=current,
            unit=unit,
            draft_title=current.title,
            draft_body=current.body,
            question=question.strip(),
            asked_by=by,
        )
        record_event(current, "draft_question", by=by, note=question, data={"question": asked.pk, "unit": unit.name})
        # No `proposal=` on the unit's notice: the unit may not open the draft, only the question.
        notify(
            unit_people([unit.pk]),
            Notification.Kind.DRAFT_QUESTION,
            _("Deputy %(name)s asks your unit about a draft suggestion before submitting it: “%(title)s”.")
            % {"name": current.lead_deputy.name, "title": current.title or _("(untitled draft)")},
            url=reverse("handling:question_answer", args=[asked.pk]),
        )
    return asked


def answer_draft_question(*, question: PreSubmissionQuestion, answer: str, by: User) -> PreSubmissionQuestion:
    with locked(question.proposal_id) as current:
        question = PreSubmissionQuestion.objects.select_for_update().get(pk=question.pk)
        if not access.allowed(by, "answer_draft_question", question):
            raise ProposalError(_("Only the people of %(unit)s can do this.") % {"unit": question.unit.name})
        if question.answered_at is not None:
            raise ProposalError(_("This question has already been answered."))
        if not answer.strip():
            raise ProposalError(_("Write your answer."))
        question.answer, question.answered_by, question.answered_at = answer.strip(), by, timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        record_event(
            current, "draft_answer", by=by, note=answer, data={"question": question.pk, "unit": question.unit.name}
        )
        notify(
            deputy_users([current]),
            Notification.Kind.DRAFT_ANSWER,
            _("%(unit)s answered your question about the draft “%(title)s”.")
            % {"unit": question.unit.name, "title": question.draft_title or _("(untitled draft)")},
            proposal=current,
            url=reverse("proposals:mine_detail", args=[current.pk]),
        )
    return question


def answer_contact(*, contact: ContactRecord, by: User, confirmed: bool, comment: str = "") -> ContactRecord:
    """The lead deputy confirms, or disputes, that a contact the unit recorded took place.
    The answer may be changed later; every answer stays on the trail. A dispute needs a word
    of explanation and is sent to the unit and to congress staff (contacts count in the
    units' yearly scores, so a contact that never happened must not go unnoticed)."""
    with locked(contact.proposal_id) as current:
        contact = ContactRecord.objects.select_for_update().select_related("assignment__unit").get(pk=contact.pk)
        if not access.allowed(by, "answer_contact", contact):
            raise ProposalError(_("Only the lead deputy can confirm or dispute a contact."))
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
            recipients = [*unit_people([unit.pk]), *users_with_roles(Role.STAFF)]
            message = _("Deputy %(name)s disputes the contact of %(date)s on %(item)s: %(comment)s") % {
                **facts,
                "comment": comment,
            }
        notify(recipients, Notification.Kind.CONTACT_ANSWER, message, proposal=current)
    return contact


def comment_on_reply(*, reply: Reply, by: User, body: str) -> ReplyComment:
    """The lead deputy or a co-signer comments on an issued reply (only the lead deputy rates)."""
    with locked(reply.assignment.proposal_id) as current:
        reply = Reply.objects.select_related("assignment__unit").get(pk=reply.pk)
        if not (access.allowed(by, "comment_on_reply", current) and access.allowed(by, "view_reply", reply)):
            raise ProposalError(_("Only the deputies of this suggestion can comment on its reply."))
        if reply.state != Reply.State.ISSUED:
            raise ProposalError(_("The reply has not been issued yet."))
        if not body.strip():
            raise ProposalError(_("Write your comment."))
        comment = ReplyComment.objects.create(reply=reply, proposal=current, author=by, body=body.strip())
        record_event(
            current,
            "reply_comment",
            by=by,
            note=body,
            data={"reply": reply.pk, "comment": comment.pk, "unit": reply.assignment.unit.name},
        )
        recipients = [u for u in [*unit_people([reply.assignment.unit_id]), *deputy_users([current])] if u != by]
        notify(
            recipients,
            Notification.Kind.REPLY_COMMENT,
            _("%(name)s commented on the reply of %(unit)s to “%(title)s”: %(body)s")
            % {
                "name": by.display_name,
                "unit": reply.assignment.unit.name,
                "title": current.title,
                "body": body.strip(),
            },
            proposal=current,
        )
    return comment


def unrated_replies() -> Any:
    """Issued replies still waiting for the deputy's rating, oldest first: the rating can only
    be given while the suggestion is replied (the latest round of each answering unit)."""
    return (
        Reply.objects.filter(
            state=Reply.State.ISSUED,
            rating__isnull=True,
            assignment__is_active=True,
            assignment__proposal__state=S.REPLIED,
        )
        .select_related("assignment__unit", "assignment__proposal__lead_deputy", "assignment__proposal__meeting")
        .order_by("issued_at", "pk")
    )
