"""Writes for the suggestion's own steps: drafting with attachments, co-signing, submission,
withdrawal, review, numbering and merging.

Each service goes through the one write path (`proposals.workflow`): one transaction with the
suggestion's row locked, one transition or audited step, notifications after commit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import Deputy, User
from deputies.public import forget_public_pages
from proposals.models import (
    Category,
    CoSignature,
    Meeting,
    Notification,
    Proposal,
    ProposalAttachment,
    ProposalState,
    Source,
)
from proposals.notify import notify, office_staff
from proposals.rules import takes_cosigners
from proposals.states import COSIGNABLE_STATES, EDITABLE_STATES
from proposals.uploads import validate_upload
from proposals.workflow import (
    ProposalError,
    apply_transition,
    deputy_users,
    locked,
    record_event,
    require,
)

if TYPE_CHECKING:
    from django.core.files import File

S = ProposalState


# --- drafting and co-signing --------------------------------------------------------------------


def create_draft(
    *,
    lead_deputy: Deputy,
    meeting: Meeting,
    title: str,
    body: str,
    by: User,
    channel: str = Proposal.Channel.MEETING,
    category: Category | None = None,
    source: Source | None = None,
) -> Proposal:
    _check_category(category, lead_deputy.stream)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            stream=lead_deputy.stream,
            lead_deputy=lead_deputy,
            meeting=meeting,
            title=title.strip(),
            body=body,
            channel=channel,
            category=category,
            source=source,
            created_by=by,
        )
        record_event(proposal, "create", by=by)
    return proposal


EDITABLE_FIELDS = ("title", "body", "channel", "category", "source", "meeting")


def _check_category(category: Category | None, stream: str) -> None:
    """Each body files its items under its own categories (or those both use)."""
    if category is not None and not category.serves(stream):
        raise ProposalError(
            _("“%(category)s” is the other body's category: choose one of this item's.") % {"category": category.name}
        )


def update_draft(*, proposal: Proposal, by: User, **fields: Any) -> Proposal:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with locked(proposal) as current:
        _require_editable(current, by)
        _check_category(fields.get("category"), current.stream)
        for name, value in fields.items():
            setattr(current, name, value.strip() if name == "title" else value)
        current.save(update_fields=[*fields, "updated_at"])
    return current


def invite_cosigners(*, proposal: Proposal, deputies: Sequence[Deputy], by: User) -> list[CoSignature]:
    with locked(proposal) as current:
        if current.state not in EDITABLE_STATES:
            raise ProposalError(_("Co-signers can only be invited before submission."))
        require(by, "invite_cosigner", current, _("Only the lead deputy can invite co-signers."))
        if deputies and not takes_cosigners(current.lead_deputy):
            raise ProposalError(_("A collective proposal is the body's own: no member can co-sign it."))
        created = []
        for deputy in deputies:
            if deputy.pk == current.lead_deputy_id:
                raise ProposalError(_("The lead deputy cannot co-sign their own suggestion."))
            if deputy.stream != current.stream:
                raise ProposalError(
                    _("%(name)s cannot co-sign: only people of the same body co-sign an item.") % {"name": deputy.name}
                )
            signature, made = CoSignature.objects.get_or_create(proposal=current, deputy=deputy)
            if not made and signature.status == CoSignature.Status.DECLINED:
                signature.status = CoSignature.Status.INVITED
                signature.responded_at = None
                signature.save(update_fields=["status", "responded_at"])
                made = True
            if made:
                created.append(signature)
        record_event(current, "invite_cosigners", by=by, data={"deputies": [s.deputy_id for s in created]})
        recipients = [s.deputy.user for s in created if s.deputy.user_id]
        notify(
            recipients,
            Notification.Kind.COSIGN_INVITATION,
            _("%(name)s invites you to co-sign “%(title)s”.")
            % {"name": current.lead_deputy.name, "title": current.title},
            proposal=current,
        )
    return created


def answer_cosign_invitation(*, signature: CoSignature, accept: bool, by: User) -> CoSignature:
    with locked(signature.proposal_id) as current:
        signature = CoSignature.objects.select_for_update().get(pk=signature.pk)
        require(by, "answer_cosign_invitation", signature, _("Only the invited deputy can answer this invitation."))
        if current.state not in COSIGNABLE_STATES:
            raise ProposalError(_("This suggestion has gone past co-signing."))
        if signature.status != CoSignature.Status.INVITED:  # answered once; the lead may invite again
            raise ProposalError(_("You have already answered this invitation."))
        signature.status = CoSignature.Status.CONFIRMED if accept else CoSignature.Status.DECLINED
        signature.responded_at = timezone.now()
        signature.save(update_fields=["status", "responded_at"])
        record_event(current, "cosign_confirmed" if accept else "cosign_declined", by=by)
    return signature


# --- submission and review ------------------------------------------------------------------------


def submit_proposal(*, proposal: Proposal, by: User) -> Proposal:
    with locked(proposal) as current:
        apply_transition(current, "submit", by=by)
        staff = office_staff(current)
        notify(
            staff,
            Notification.Kind.OTHER,
            _("New suggestion to review: “%(title)s”.") % {"title": current.title},
            proposal=current,
        )
    return current


def withdraw_proposal(*, proposal: Proposal, by: User, note: str = "") -> Proposal:
    with locked(proposal) as current:
        apply_transition(current, "withdraw", by=by, note=note)
    return current


def return_proposal(*, proposal: Proposal, by: User, reason: str, expected_state: str | None = None) -> Proposal:
    with locked(proposal) as current:
        apply_transition(current, "return_for_revision", by=by, note=reason, expected_state=expected_state)
        notify(
            deputy_users([current]),
            Notification.Kind.RETURNED,
            _("Your suggestion “%(title)s” was returned for revision: %(reason)s")
            % {"title": current.title, "reason": reason},
            proposal=current,
        )
    return current


def decline_proposal(*, proposal: Proposal, by: User, reason: str, expected_state: str | None = None) -> Proposal:
    with locked(proposal) as current:
        apply_transition(current, "decline", by=by, note=reason, expected_state=expected_state)
        notify(
            deputy_users([current]),
            Notification.Kind.NOT_ACCEPTED,
            _("Your suggestion “%(title)s” was not accepted as a suggestion and is referred elsewhere: %(reason)s")
            % {"title": current.title, "reason": reason},
            proposal=current,
        )
    return current


def next_number(meeting: Meeting) -> int:
    current = Proposal.objects.filter(meeting=meeting).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def _check_number_free(meeting: Meeting, number: int, exclude_pk: int | None) -> None:
    if number < 1:
        raise ProposalError(_("A number is a whole number from 1."))
    taken = Proposal.objects.filter(meeting=meeting, number=number).exclude(pk=exclude_pk)
    if taken.exists():
        raise ProposalError(
            _("Number %(number)s is already used in %(meeting)s.") % {"number": number, "meeting": meeting.name}
        )


def register_proposal(
    *,
    proposal: Proposal,
    by: User,
    category: Category | None = None,
    number: int | None = None,
    expected_state: str | None = None,
) -> Proposal:
    """Register and number a submitted suggestion (立案). Numbers run per meeting; without
    one given, the next free number is taken."""
    with locked(proposal) as current:
        # Lock the meeting too: two registrations in one meeting must not take the same number.
        meeting = Meeting.objects.select_for_update().get(pk=current.meeting_id)
        if category is not None and current.state == S.SUBMITTED:
            _check_category(category, current.stream)
            current.category = category
            current.save(update_fields=["category"])
        if number is None:
            number = next_number(meeting)
        else:
            _check_number_free(meeting, number, current.pk)
        apply_transition(
            current, "register", by=by, number=number, expected_state=expected_state, data={"number": number}
        )
        notify(
            deputy_users([current]),
            Notification.Kind.REGISTERED,
            _("Your suggestion “%(title)s” was registered as No. %(number)s.")
            % {"title": current.title, "number": number},
            proposal=current,
        )
    return current


def renumber_proposal(*, proposal: Proposal, number: int, by: User) -> Proposal:
    """Change a registered suggestion's number; possible until it is assigned."""
    with locked(proposal) as current:
        require(by, "review_proposal", current, _("Only congress staff can change numbers."))
        if current.state != S.REGISTERED:
            raise ProposalError(_("The number can only be changed before the suggestion is assigned."))
        Meeting.objects.select_for_update().get(pk=current.meeting_id)
        _check_number_free(current.meeting, number, current.pk)
        old = current.number
        current.number = number
        try:
            with transaction.atomic():
                current.save(update_fields=["number", "updated_at"])
        except IntegrityError as exc:  # pragma: no cover - checked above under the meeting lock
            raise ProposalError(_("Number %(number)s is already used.") % {"number": number}) from exc
        record_event(current, "renumber", by=by, data={"from": old, "to": number})
    return current


def merge_proposals(*, main: Proposal, members: Sequence[Proposal], by: User, note: str = "") -> Proposal:
    """Merge registered suggestions into `main` (并案): they are handled as one, each keeps its
    number and deputy, and each receives the reply and is rated by its own deputy."""
    member_ids = sorted({m.pk for m in members} - {main.pk})
    if not member_ids:
        raise ProposalError(_("Choose at least one other suggestion to merge."))
    with transaction.atomic():
        # Lock every row of the future group in id order, the main one included.
        rows = {
            p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[main.pk, *member_ids]).order_by("pk")
        }
        current = rows[main.pk]
        require(by, "review_proposal", current, _("Only congress staff can merge suggestions."))
        for proposal in rows.values():
            if proposal.state != S.REGISTERED:
                raise ProposalError(
                    _("Only registered suggestions can be merged; %(item)s is “%(state)s”.")
                    % {"item": proposal.number_label or proposal.title, "state": proposal.get_state_display()}
                )
            if proposal.meeting_id != current.meeting_id:
                raise ProposalError(_("Only suggestions of the same meeting can be merged."))
        if current.merged_into_id:
            raise ProposalError(_("The main suggestion is itself merged into another one."))
        for pk in member_ids:
            member = rows[pk]
            if member.merged_into_id and member.merged_into_id != current.pk:
                raise ProposalError(
                    _("%(item)s is already merged into another suggestion.") % {"item": member.number_label}
                )
            if member.merged_members.exists():
                raise ProposalError(
                    _("%(item)s is the main suggestion of another group.") % {"item": member.number_label}
                )
        Proposal.objects.filter(pk__in=member_ids).update(merged_into=current)
        numbers = [rows[pk].number for pk in member_ids]
        record_event(current, "merge_main", by=by, note=note, data={"members": member_ids, "numbers": numbers})
        for pk in member_ids:
            rows[pk].merged_into = current
            record_event(
                rows[pk], "merge_member", by=by, note=note, data={"main": current.pk, "main_number": current.number}
            )
    return current


# --- attachments -----------------------------------------------------------------------------------

# A suggestion carries a few supporting files (survey reports, photos), not an archive.
MAX_ATTACHMENTS = 10


def add_attachments(*, proposal: Proposal, files: Sequence[File[bytes]], by: User) -> list[ProposalAttachment]:
    """Attach files to a draft or returned suggestion. Each file is checked by its content
    (proposals.uploads); one bad file refuses them all, so nothing is half-attached."""
    with locked(proposal) as current:
        _require_editable(current, by)
        if current.attachments.count() + len(files) > MAX_ATTACHMENTS:
            raise ProposalError(
                _("A suggestion can have at most %(n)s attachments; remove one first.") % {"n": MAX_ATTACHMENTS}
            )
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                raise ProposalError(" ".join(exc.messages)) from exc
        rows = [
            ProposalAttachment.objects.create(
                proposal=current,
                file=upload,
                name=os.path.basename(upload.name or "")[:200],
                size=upload.size,
                uploaded_by=by,
            )
            for upload in files
        ]
        if rows:
            record_event(current, "attachment_added", by=by, data={"names": [row.name for row in rows]})
    return rows


def remove_attachment(*, attachment: ProposalAttachment, by: User) -> None:
    with locked(attachment.proposal_id) as current:
        _require_editable(current, by)
        attachment = ProposalAttachment.objects.get(pk=attachment.pk, proposal=current)
        name, stored, storage = attachment.name, attachment.file.name, attachment.file.storage
        attachment.delete()
        record_event(current, "attachment_removed", by=by, data={"names": [name]})
        # The file goes once the row is gone for good: a rolled-back step keeps both.
        transaction.on_commit(lambda: storage.delete(stored))


def _require_editable(proposal: Proposal, by: User) -> None:
    if proposal.state not in EDITABLE_STATES:
        raise ProposalError(_("Only a draft or a returned suggestion can be edited."))
    require(by, "edit_proposal", proposal, _("Only the lead deputy can edit this suggestion."))


# --- co-signing answers -----------------------------------------------------------------------------


def respond_to_cosign_invitation(*, signature: CoSignature, accept: bool, by: User) -> CoSignature:
    """The invited deputy confirms or declines co-signing; the lead deputy is told."""
    with transaction.atomic():
        signature = answer_cosign_invitation(signature=signature, accept=accept, by=by)
        proposal = Proposal.objects.select_related("lead_deputy__user").get(pk=signature.proposal_id)
        if accept:
            message = _("%(name)s confirmed co-signing your suggestion “%(title)s”.")
        else:
            message = _("%(name)s declined to co-sign your suggestion “%(title)s”.")
        notify(
            deputy_users([proposal]),
            Notification.Kind.COSIGN_ANSWER,
            message % {"name": signature.deputy.name, "title": proposal.title or _("(untitled draft)")},
            proposal=proposal,
            url=reverse("proposals:mine_detail", args=[proposal.pk]),
        )
        # Answered: the invitation no longer waits in the invited deputy's unread notices.
        Notification.objects.filter(
            recipient=by, proposal=proposal, kind=Notification.Kind.COSIGN_INVITATION, read_at__isnull=True
        ).update(read_at=timezone.now())
    return signature


# --- the public progress pages ----------------------------------------------------------------------


def withhold_from_public(*, proposal: Proposal, by: User, reason: str) -> Proposal:
    """Keep an item off the public progress pages (proposals/public.py), with the reason; the
    trail records who and when. Its public page then answers 404."""
    reason = reason.strip()
    with locked(proposal) as current:
        require(by, "withhold_from_public", current, _("Only the staff of its own body can withhold it."))
        if not reason:
            raise ProposalError(_("Give the reason it is withheld from the public."))
        if current.withheld_at is not None:
            raise ProposalError(_("It is already withheld from the public pages."))
        current.withheld_at = timezone.now()
        current.withheld_reason = reason
        current.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
        record_event(current, "withhold_public", by=by, note=reason)
    forget_public_pages()  # once committed: the next visitor reads it afresh
    return current


def release_to_public(*, proposal: Proposal, by: User) -> Proposal:
    """Show a withheld item on the public progress pages again (once it is registered)."""
    with locked(proposal) as current:
        require(by, "withhold_from_public", current, _("Only the staff of its own body can release it."))
        if current.withheld_at is None:
            raise ProposalError(_("It is not withheld from the public pages."))
        reason = current.withheld_reason
        current.withheld_at = None
        current.withheld_reason = ""
        current.save(update_fields=["withheld_at", "withheld_reason", "updated_at"])
        record_event(current, "release_public", by=by, data={"reason": reason})
    forget_public_pages()
    return current
