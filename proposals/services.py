"""Writes for the suggestion's own steps: drafting, co-signing, submission, review, numbering
and merging; and the one runner every step in every app goes through (`apply_transition`).

Each public service runs in one transaction with the suggestion's row locked, calls one
transition, saves only the fields it changed, writes a `ProposalEvent`, and queues side
effects (notifications, mail) with `transaction.on_commit`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from deputies.models import Deputy, Role, User
from proposals import rules as access
from proposals.models import (
    Category,
    CoSignature,
    Meeting,
    Notification,
    Proposal,
    ProposalAttachment,
    ProposalEvent,
    ProposalState,
    Source,
)
from proposals.notify import notify, users_with_roles
from proposals.states import COSIGNABLE_STATES

S = ProposalState


class ProposalError(Exception):
    """A step that cannot be done. The message is for the person who tried, in Chinese."""


# --- the runner -------------------------------------------------------------------------------


@contextmanager
def locked(proposal: Proposal | int) -> Iterator[Proposal]:
    """Open a transaction and lock the suggestion's row; yields a fresh copy.

    The lock makes concurrent steps on one suggestion wait for each other; the second then
    sees the state the first left and is refused with a clear message if its step no longer
    applies. On SQLite (no row locks) IMMEDIATE transactions serialise writers instead.
    """
    pk = proposal if isinstance(proposal, int) else proposal.pk
    with transaction.atomic():
        try:
            yield Proposal.objects.select_for_update().get(pk=pk)
        except ConcurrentTransition as exc:
            raise ProposalError(_("Someone else changed this at the same moment. Reload and try again.")) from exc


def lock_group(main: Proposal) -> list[Proposal]:
    """Lock a merged group's members (the main one is locked by the caller), in id order so
    two services never wait on each other's rows."""
    return list(Proposal.objects.select_for_update().filter(merged_into=main).order_by("pk"))


def transition_label(obj: Any, name: str) -> str:
    method = getattr(obj, name)
    for transition in method._django_fsm.transitions.values():
        return str((transition.custom or {}).get("label", name))
    return name


def run_fsm(obj: Any, name: str, *, by: User, note: str = "", expected_state: str | None = None, **kwargs: Any) -> str:
    """Check and run the django-fsm transition `name` on a locked `obj`, then save it.

    Returns the state it left. Every check comes before the change, so a refusal
    (ProposalError, with the reason in Chinese) changes nothing.
    """
    method = getattr(obj, name)
    label = transition_label(obj, name)
    state_label = obj.get_state_display()
    if expected_state is not None and obj.state != expected_state:
        raise ProposalError(
            _("This was changed by someone else meanwhile (it is now “%(state)s”). Reload and try again.")
            % {"state": state_label}
        )
    transition = method._django_fsm.get_transition(obj.state)
    if transition is None:
        raise ProposalError(
            _("“%(action)s” is not possible while it is “%(state)s”.") % {"action": label, "state": state_label}
        )
    if not transition.has_perm(obj, by):
        raise ProposalError(_("You may not “%(action)s” here.") % {"action": label})
    for condition in transition.conditions or []:
        if not condition(obj):
            raise ProposalError(str(getattr(condition, "message", _("The conditions for this step are not met."))))
    custom = transition.custom or {}
    if custom.get("note_required") and not note.strip():
        raise ProposalError(_("Please give a reason for “%(action)s”.") % {"action": label})
    from_state = obj.state
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:  # pragma: no cover - the checks above come first
        raise ProposalError(str(exc)) from exc
    fields = ["state", *custom.get("fields", [])]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    try:
        obj.save(update_fields=fields)
    except ConcurrentTransition as exc:
        raise ProposalError(_("Someone else changed this at the same moment. Reload and try again.")) from exc
    return from_state


def apply_transition(
    proposal: Proposal,
    name: str,
    *,
    by: User,
    note: str = "",
    data: dict[str, Any] | None = None,
    expected_state: str | None = None,
    **kwargs: Any,
) -> ProposalEvent:
    """Run the transition `name` on a suggestion locked by `locked()`, save it and audit it."""
    from_state = run_fsm(proposal, name, by=by, note=note, expected_state=expected_state, **kwargs)
    return ProposalEvent.objects.create(
        proposal=proposal,
        actor=by,
        action=name,
        from_state=from_state,
        to_state=proposal.state,
        note=note.strip(),
        data=data or {},
    )


def record_event(
    proposal: Proposal, action: str, *, by: User | None, note: str = "", data: dict[str, Any] | None = None
) -> ProposalEvent:
    """Audit a step that does not move the suggestion (a contact, a reply approval...)."""
    return ProposalEvent.objects.create(
        proposal=proposal,
        actor=by,
        action=action,
        from_state=proposal.state,
        to_state=proposal.state,
        note=note.strip(),
        data=data or {},
    )


def refuse_merged_member(proposal: Proposal) -> None:
    """While a merged group is handled as one, every step is taken on its main suggestion."""
    if proposal.merged_into_id and proposal.state in (S.REGISTERED, S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING):
        main = proposal.merged_into
        raise ProposalError(
            _("This suggestion is merged into %(main)s: handle it there.") % {"main": main.number_label or main.title}
        )


def deputy_users(proposals: Iterable[Proposal]) -> list[User]:
    """The logins of the lead deputies of these suggestions (deputies without one get paper)."""
    return [p.lead_deputy.user for p in proposals if p.lead_deputy.user_id and p.lead_deputy.user.is_active]


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
    with transaction.atomic():
        proposal = Proposal.objects.create(
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


def update_draft(*, proposal: Proposal, by: User, **fields: Any) -> Proposal:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with locked(proposal) as current:
        if current.state not in (S.DRAFT, S.RETURNED):
            raise ProposalError(_("Only a draft or a returned suggestion can be edited."))
        if not access.allowed(by, "edit_proposal", current):
            raise ProposalError(_("Only the lead deputy can edit this suggestion."))
        for name, value in fields.items():
            setattr(current, name, value.strip() if name == "title" else value)
        current.save(update_fields=[*fields, "updated_at"])
    return current


def invite_cosigners(*, proposal: Proposal, deputies: Sequence[Deputy], by: User) -> list[CoSignature]:
    with locked(proposal) as current:
        if current.state not in (S.DRAFT, S.RETURNED):
            raise ProposalError(_("Co-signers can only be invited before submission."))
        if not access.allowed(by, "invite_cosigner", current):
            raise ProposalError(_("Only the lead deputy can invite co-signers."))
        created = []
        for deputy in deputies:
            if deputy.pk == current.lead_deputy_id:
                raise ProposalError(_("The lead deputy cannot co-sign their own suggestion."))
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
        if access.deputy_id_of(by) != signature.deputy_id:
            raise ProposalError(_("Only the invited deputy can answer this invitation."))
        if current.state not in COSIGNABLE_STATES:
            raise ProposalError(_("This suggestion has gone past co-signing."))
        signature.status = CoSignature.Status.CONFIRMED if accept else CoSignature.Status.DECLINED
        signature.responded_at = timezone.now()
        signature.save(update_fields=["status", "responded_at"])
        record_event(current, "cosign_confirmed" if accept else "cosign_declined", by=by)
    return signature


# --- submission and review ------------------------------------------------------------------------


def submit_proposal(*, proposal: Proposal, by: User) -> Proposal:
    with locked(proposal) as current:
        apply_transition(current, "submit", by=by)
        staff = users_with_roles(Role.STAFF)
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
        if not access.allowed(by, "review_proposal", current):
            raise ProposalError(_("Only congress staff can change numbers."))
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
        if not access.allowed(by, "review_proposal", current):
            raise ProposalError(_("Only congress staff can merge suggestions."))
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


# --- issue 4: deputies on their phones ------------------------------------------------------------

# A suggestion carries a few supporting files (survey reports, photos), not an archive.
MAX_ATTACHMENTS = 10


def add_attachments(*, proposal: Proposal, files: Sequence[Any], by: User) -> list[ProposalAttachment]:
    """Attach files to a draft or returned suggestion. Each file is checked by its content
    (proposals.uploads); one bad file refuses them all, so nothing is half-attached."""
    from django.core.exceptions import ValidationError

    from proposals.uploads import validate_upload

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
                name=os.path.basename(upload.name)[:200],
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
        name = attachment.name
        attachment.file.delete(save=False)
        attachment.delete()
        record_event(current, "attachment_removed", by=by, data={"names": [name]})


def _require_editable(proposal: Proposal, by: User) -> None:
    if proposal.state not in (S.DRAFT, S.RETURNED):
        raise ProposalError(_("Only a draft or a returned suggestion can be edited."))
    if not access.allowed(by, "edit_proposal", proposal):
        raise ProposalError(_("Only the lead deputy can edit this suggestion."))


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
