"""The reply letter (答复函): the handler's draft and its attachments, the unit head's approval
or return, congress staff's review, return or correction, and its issue to the deputy (and to
every deputy of a merged group, each receiving its own copy).

Later apps act on an issued reply in the same transaction by registering with `on_issue`
(supervision puts a B-class reply's promise on its follow-up list), as they register their
pages and rules: handling knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from deputies.access import allowed
from deputies.models import Role, User
from handling.models import (
    Assignment,
    Reply,
    ReplyAttachment,
    ResultCategory,
    reply_is_complete,
    units_yet_to_countersign,
)
from handling.selectors import next_due_on, reply_refusal
from handling.services.common import require_unit, twin_of, unit_people
from proposals.events import AMONG_HANDLERS
from proposals.models import Notification, Proposal
from proposals.notify import notify, office_staff
from proposals.states import REPLYING_STATES, ProposalState
from proposals.uploads import validate_upload
from proposals.workflow import (
    ProposalError,
    apply_transition,
    deputy_users,
    lock_group,
    locked,
    record_event,
    refuse_merged_member,
    require,
    run_fsm,
)

S = ProposalState

_ON_ISSUE: list[Callable[[Reply], None]] = []


def on_issue(action: Callable[[Reply], None]) -> None:
    """Have `action(reply)` run each time a reply is issued, inside the issuing transaction
    (a failure undoes the issue)."""
    if action not in _ON_ISSUE:
        _ON_ISSUE.append(action)


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


def save_reply_draft(*, assignment: Assignment, by: User, **fields: Any) -> Reply:
    """Create or update the unit's reply draft for the current round, exactly as typed."""
    unknown = set(fields) - set(Reply.LETTER_FIELDS)
    if unknown:
        raise ValueError(f"not reply fields: {sorted(unknown)}")
    with locked(assignment.proposal_id) as proposal:
        refuse_merged_member(proposal)
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        require_unit(by, assignment)
        refusal = reply_refusal(assignment, proposal)
        if refusal:
            raise ProposalError(refusal)
        reply, created = Reply.objects.select_for_update().get_or_create(
            assignment=assignment, round=assignment.current_round(proposal), defaults={"created_by": by}
        )
        changed = [name for name, value in fields.items() if getattr(reply, name) != value]
        for name, value in fields.items():
            setattr(reply, name, value)
        if changed and not created:
            reply.version += 1  # earlier countersignatures no longer cover this text
        if fields:
            reply.save(update_fields=[*fields, "version", "updated_at"])
    return reply


def editable_reply(reply_pk: int, by: User, proposal: Proposal) -> Reply:
    """The reply `reply_pk`, locked, if `by`'s unit wrote it and may still change it now (the
    same answer as for writing it: `reply_refusal`); `proposal` as the caller locked it."""
    reply = Reply.objects.select_for_update().select_related("assignment__unit").get(pk=reply_pk)
    require_unit(by, reply.assignment)
    if not reply.is_editable:
        raise ProposalError(_("This reply has been sent on and can no longer be edited."))
    refusal = reply_refusal(reply.assignment, proposal)
    if refusal:
        raise ProposalError(refusal)
    return reply


def add_reply_attachment(*, reply: Reply, by: User, upload: File[bytes]) -> ReplyAttachment:
    """Attach a file to a reply draft: PDF, Word or an image, judged by its content, within
    the size limit (UPLOAD_MAX_MB)."""
    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ProposalError(" ".join(exc.messages)) from exc
    with locked(reply.assignment.proposal_id) as proposal:
        reply = editable_reply(reply.pk, by, proposal)
        item = ReplyAttachment.objects.create(
            reply=reply, file=upload, name=(upload.name or "")[:200], size=upload.size, uploaded_by=by
        )
        reply.version += 1
        reply.save(update_fields=["version", "updated_at"])
    return item


def remove_reply_attachment(*, attachment: ReplyAttachment, by: User) -> None:
    with locked(attachment.reply.assignment.proposal_id) as proposal:
        reply = editable_reply(attachment.reply_id, by, proposal)
        item = ReplyAttachment.objects.filter(pk=attachment.pk, reply=reply).first()
        if item is None:
            return  # removed already, by a second click or another instance
        stored, storage = item.file.name, item.file.storage
        item.delete()
        reply.version += 1
        reply.save(update_fields=["version", "updated_at"])
        # The file goes once the row is gone for good: a rolled-back step keeps both.
        transaction.on_commit(lambda: storage.delete(stored))


def reply_gaps(reply: Reply) -> list[str]:
    """What a letter of its result class still lacks before it goes to the unit head: a
    class B letter says what is promised and by when (the follow-up list is built from it);
    a class C or D letter says why the suggestion is not adopted."""
    gaps = []
    category = reply.result_category  # no query when none is chosen
    result_class = category.result_class if category is not None else ""
    if result_class == "B" and not (reply.promised_items.strip() and reply.promised_by):
        gaps.append(_("A reply of class B says what is promised and by when."))
    if result_class in ("C", "D") and not reply.not_adopted_reason.strip():
        gaps.append(_("A reply of class C or D says why the suggestion is not adopted."))
    return gaps


def submit_reply(*, reply: Reply, by: User) -> Reply:
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        # Its writers are told what stops it here; anyone else is refused by the step itself.
        if reply.is_editable and allowed(by, "draft_reply", reply):
            refusal = reply_refusal(reply.assignment, proposal)
            if refusal:
                raise ProposalError(refusal)
            gaps = reply_gaps(reply)
            if gaps:
                raise ProposalError(" ".join(gaps))
            missing = units_yet_to_countersign(reply)
            if missing and reply_is_complete(reply):
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
            seen_by=AMONG_HANDLERS,
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
            seen_by=AMONG_HANDLERS,
        )
    return reply


def approve_reply(*, reply: Reply, by: User) -> Reply:
    """The unit head approves and signs. Without staff review this also issues it."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        _reply_step(reply, "approve", by=by, proposal=proposal, approver=by)
        if settings.STAFF_REVIEWS_REPLIES:
            notify(
                office_staff(proposal),
                Notification.Kind.REPLY_REVIEW,
                _("An approved reply on %(item)s waits for your review.") % {"item": str(proposal)},
                proposal=proposal,
                seen_by=AMONG_HANDLERS,
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
            seen_by=AMONG_HANDLERS,
        )
    return reply


def correct_result_category(*, reply: Reply, by: User, result_category: ResultCategory, reason: str) -> Reply:
    """Congress staff correct an approved reply's result category, with the reason recorded."""
    with locked(reply.assignment.proposal_id) as proposal:
        reply = Reply.objects.select_for_update().get(pk=reply.pk)
        require(by, "review_reply", reply, _("Only congress staff can correct a result category."))
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
    members = [m for m in members if m.state in REPLYING_STATES]
    for member in members:
        twin = twin_of(reply.assignment, member)
        copy = Reply.objects.create(
            assignment=twin,
            round=1,
            state=Reply.State.ISSUED,
            **{name: getattr(reply, name) for name in Reply.LETTER_FIELDS},
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
    for action in _ON_ISSUE:
        action(reply)
