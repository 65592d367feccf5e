"""The one write path every workflow step of every app goes through.

A service opens a transaction with the suggestion's row locked (`locked`), checks what it
must, runs one django-fsm transition (`apply_transition`, which checks the transition's
permission and conditions before changing anything, saves only the fields it changed and
writes a `ProposalEvent`) or audits a step that does not move the suggestion (`record_event`),
and queues its side effects with `transaction.on_commit` (`proposals.notify`).

A step that cannot be done raises `ProposalError`, with the reason in Chinese for the person
who tried; nothing is changed. A step the person may not take raises `Refused`, which is a
`ProposalError` that is also written to the security audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from deputies.access import allowed
from deputies.audit import note_refusal
from deputies.models import User
from deputies.streams import stream_words
from proposals.fsm import transition_label
from proposals.models import Proposal, ProposalEvent
from proposals.states import GROUP_HANDLED_STATES

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ProposalError(Exception):
    """A step that cannot be done. The message is for the person who tried, in Chinese."""


class Refused(ProposalError):
    """A step the person may not take. Raising it notes the refusal for the audit log (written
    once the request is answered, outside the transaction this refusal rolls back)."""

    def __init__(self, message: StrOrPromise, *, by: User, what: str) -> None:
        super().__init__(message)
        note_refusal(by, f"{what}: {message}")


def require(by: User, rule: str, obj: Model | None, message: StrOrPromise) -> None:
    """Refuse the step unless the access rule `rule` allows `by` on `obj`."""
    if not allowed(by, rule, obj):
        raise Refused(message, by=by, what=f"{rule} {type(obj).__name__} {getattr(obj, 'pk', '')}".strip())


@contextmanager
def locked(proposal: Proposal | int) -> Iterator[Proposal]:
    """Open a transaction and lock the suggestion's row; yields a fresh copy.

    The lock makes concurrent steps on one suggestion wait for each other; the second then
    sees the state the first left and is refused with a clear message if its step no longer
    applies. On SQLite (no row locks) IMMEDIATE transactions serialise writers instead.
    The step speaks its item's stream's words (its messages and notices: 建议 or 提案).
    """
    pk = proposal if isinstance(proposal, int) else proposal.pk
    with transaction.atomic():
        try:
            current = Proposal.objects.select_for_update().get(pk=pk)
            with stream_words(current.stream):
                yield current
        except ConcurrentTransition as exc:
            raise ProposalError(_("Someone else changed this at the same moment. Reload and try again.")) from exc


def lock_group(main: Proposal) -> list[Proposal]:
    """Lock a merged group's members (the main one is locked by the caller), in id order so
    two services never wait on each other's rows."""
    return list(Proposal.objects.select_for_update().filter(merged_into=main).order_by("pk"))


def run_fsm(obj: Any, name: str, *, by: User, note: str = "", expected_state: str | None = None, **kwargs: Any) -> str:
    """Check and run the django-fsm transition `name` on a locked `obj`, then save it.
    `obj` is a model instance with a django-fsm `state`: the suggestion, or a later app's
    (a reply), hence Any.

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
    # Who may take the step is asked first, whatever the state: someone who may not is refused
    # (and audited) even where the step would not apply anyway.
    if not any(t.has_perm(obj, by) for t in method._django_fsm.transitions.values()):
        raise Refused(
            _("You may not “%(action)s” here.") % {"action": label},
            by=by,
            what=f"{name} {type(obj).__name__} {obj.pk}",
        )
    transition = method._django_fsm.get_transition(obj.state)
    if transition is None:
        raise ProposalError(
            _("“%(action)s” is not possible while it is “%(state)s”.") % {"action": label, "state": state_label}
        )
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


def record_events(action: str, steps: Iterable[tuple[int, str, dict[str, Any]]], *, by: User | None = None) -> None:
    """`record_event` for a step a job takes on many suggestions at once: each step is the
    suggestion's id, its state and the step's data."""
    ProposalEvent.objects.bulk_create(
        ProposalEvent(proposal_id=pk, actor=by, action=action, from_state=state, to_state=state, data=data)
        for pk, state, data in steps
    )


def refuse_merged_member(proposal: Proposal) -> None:
    """While a merged group is handled as one, every step is taken on its main suggestion."""
    if proposal.merged_into_id and proposal.state in GROUP_HANDLED_STATES:
        main = proposal.merged_into
        assert main is not None  # merged_into_id is set
        raise ProposalError(
            _("This suggestion is merged into %(main)s: handle it there.") % {"main": main.number_label or main.title}
        )


def deputy_users(proposals: Iterable[Proposal]) -> list[User]:
    """The logins of the lead deputies of these suggestions (deputies without one get paper)."""
    users = (p.lead_deputy.user for p in proposals)
    return [user for user in users if user is not None and user.is_active]
