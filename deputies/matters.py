"""Residents' matters (群众意见) left at a liaison station or with a deputy: who sees them, the
triage steps, what the resident's lookup shows, and the retention of their personal data.

Who sees a matter (`can_handle`, the rules `view_matter` and `handle_matter` in
`deputies/rules.py`): the staff of its station, its deputy, and, for a matter left at the
station itself (no deputy named), the deputies stationed there. Nobody else: not the
congress's staff, not units, not leaders, not an administrator. A refusal answers 404 and
is audited, like every other (`deputies.access.refuse`).

Every step is a service here, in one transaction with the matter's row locked, through its
django-fsm transition, written to the matter's trail (`ResidentMatterEvent`); a refused step
changes nothing. Later apps act on matters through `mark_matters` (proposals turns them into
a draft suggestion; handling forwards them to a unit) and add to two places, as Django's
admin lets apps register models:

- `register_outcome(fn)`: what the resident's lookup and the matter's page say of a matter's
  outcome beyond this app's own (the suggestion it became, the unit it was forwarded to);
- `register_action(action)`: a form on the matter's page (turn into a suggestion, forward).

The lookup code is shown to the resident once; only its SHA-256 is kept (`lookup_digest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from deputies.access import deputy_id_of, is_active_login, refuse
from deputies.audit import note_refusal
from deputies.models import (
    CODE_ALPHABET,
    Deputy,
    LiaisonStation,
    ResidentMatter,
    ResidentMatterEvent,
    User,
    UserOrAnonymous,
    new_code,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)

M = ResidentMatter.State


class MatterError(Exception):
    """A triage step that cannot be done; the message is for the person who tried (Chinese)."""


class MatterRefused(MatterError):
    """A step the person may not take: noted for the security audit log as well."""

    def __init__(self, message: StrOrPromise, *, by: User, what: str) -> None:
        super().__init__(message)
        note_refusal(by, f"{what}: {message}")


# --- codes ----------------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    """What the resident typed, as it was given: capitals, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest_of(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def looks_like_code(code: str) -> bool:
    code = normalize_code(code)
    return len(code) == 8 and all(ch in CODE_ALPHABET for ch in code)


def matter_by_code(code: str) -> ResidentMatter | None:
    if not looks_like_code(code):
        return None
    return ResidentMatter.objects.filter(lookup_digest=digest_of(code)).first()


# --- who sees what ------------------------------------------------------------------------------------


def stations_of(user: UserOrAnonymous) -> QuerySet[LiaisonStation]:
    """The stations whose staff `user` is, or where the user's deputy is stationed."""
    if not is_active_login(user):
        return LiaisonStation.objects.none()
    deputy_id = deputy_id_of(user)
    condition = Q(staff=user)
    if deputy_id is not None:
        condition |= Q(deputies=deputy_id)
    return LiaisonStation.objects.filter(condition).distinct()


def is_station_staff(user: UserOrAnonymous, station: LiaisonStation | None) -> bool:
    if station is None or not is_active_login(user):
        return False
    return station.staff.filter(pk=user.pk).exists()


def is_stationed(user: UserOrAnonymous, station: LiaisonStation | None) -> bool:
    deputy_id = deputy_id_of(user)
    if station is None or deputy_id is None or not is_active_login(user):
        return False
    return station.deputies.filter(pk=deputy_id).exists()


def is_matter_deputy(user: UserOrAnonymous, matter: ResidentMatter) -> bool:
    """The deputy the matter was left with; for one left at the station, any deputy stationed
    there."""
    deputy_id = deputy_id_of(user)
    if deputy_id is None or not is_active_login(user):
        return False
    if matter.deputy_id is not None:
        return matter.deputy_id == deputy_id
    return is_stationed(user, matter.station)


def can_handle(user: UserOrAnonymous, matter: object) -> bool:
    if not isinstance(matter, ResidentMatter) or not is_active_login(user):
        return False
    return is_matter_deputy(user, matter) or is_station_staff(user, matter.station)


def matter_condition(user: User) -> Q:
    """`can_handle` as a condition on the matters."""
    deputy_id = deputy_id_of(user)
    condition = Q(station__staff=user)
    if deputy_id is not None:
        condition |= Q(deputy_id=deputy_id) | Q(deputy__isnull=True, station__deputies=deputy_id)
    return condition


def matters_for(user: UserOrAnonymous) -> QuerySet[ResidentMatter]:
    if not is_active_login(user):
        return ResidentMatter.objects.none()
    ids = ResidentMatter.objects.filter(matter_condition(user)).values("pk")
    return ResidentMatter.objects.filter(pk__in=ids).select_related("station", "deputy")


def triages(user: UserOrAnonymous) -> bool:
    """Someone with an inbox of matters: station staff, and deputies (their own QR code)."""
    return is_active_login(user) and (deputy_id_of(user) is not None or user.liaison_stations.exists())


def matter_for(request: HttpRequest, pk: int) -> ResidentMatter:
    """The matter, for someone who handles it; else an audited 404."""
    matter = ResidentMatter.objects.select_related("station", "deputy", "merged_into").filter(pk=pk).first()
    if matter is None or not can_handle(request.user, matter):
        raise refuse(request, f"resident matter {pk}")
    return matter


# --- the write path -------------------------------------------------------------------------------------


@contextmanager
def locked(matter: ResidentMatter | int) -> Iterator[ResidentMatter]:
    pk = matter if isinstance(matter, int) else matter.pk
    with transaction.atomic():
        try:
            yield ResidentMatter.objects.select_for_update(of=("self",)).select_related("station", "deputy").get(pk=pk)
        except ConcurrentTransition as exc:
            raise MatterError(_("Someone else changed this at the same moment. Reload and try again.")) from exc


def record(
    matter: ResidentMatter, action: str, *, by: User | None, from_state: str = "", note: str = ""
) -> ResidentMatterEvent:
    return ResidentMatterEvent.objects.create(
        matter=matter, actor=by, action=action, from_state=from_state, to_state=matter.state, note=note
    )


def require_handler(matter: ResidentMatter, by: User) -> None:
    if not can_handle(by, matter):
        raise MatterRefused(
            _("You do not handle this matter."), by=by, what=f"handle_matter ResidentMatter {matter.pk}"
        )


def step(matter: ResidentMatter, name: str, *, by: User, note: str = "", fields: Sequence[str] = ()) -> None:
    """Run the transition `name` on a locked matter (after the caller set `fields`), save, and
    write the trail. A matter no longer new is refused with its state, changing nothing."""
    method = getattr(matter, name)
    if not any(t.has_perm(matter, by) for t in method._django_fsm.transitions.values()):  # pragma: no cover
        raise MatterRefused(_("You may not do this."), by=by, what=f"{name} ResidentMatter {matter.pk}")
    if method._django_fsm.get_transition(matter.state) is None:
        raise MatterError(
            _("This matter is already “%(state)s”; reload the page.") % {"state": matter.get_state_display()}
        )
    from_state = matter.state
    method()
    matter.handled_by = by
    matter.handled_at = timezone.now()
    try:
        matter.save(update_fields=["state", "handled_by", "handled_at", *fields])
    except ConcurrentTransition as exc:
        raise MatterError(_("Someone else changed this at the same moment. Reload and try again.")) from exc
    record(matter, name.removeprefix("mark_"), by=by, from_state=from_state, note=note)


def _text(value: str, *, what: StrOrPromise) -> str:
    value = (value or "").strip()
    if not value:
        raise MatterError(_("Please write %(what)s.") % {"what": what})
    if len(value) > settings.RESIDENT_TEXT_MAX_CHARS:
        raise MatterError(
            _("%(what)s may be at most %(limit)s characters.")
            % {"what": what, "limit": settings.RESIDENT_TEXT_MAX_CHARS}
        )
    return value


# --- the services -----------------------------------------------------------------------------------------


def receive_matter(
    *,
    text: str,
    phone: str = "",
    photo: UploadedFile | None = None,
    station: LiaisonStation | None = None,
    deputy: Deputy | None = None,
) -> tuple[ResidentMatter, str]:
    """A resident leaves a matter (no account). Returns it with its lookup code, which is
    shown to the resident once and kept only as a digest."""
    if station is None and deputy is None:
        raise ValueError("a matter is left at a station or with a deputy")
    text = _text(text, what=_("your matter"))
    for _attempt in range(5):
        code = new_code()
        try:
            with transaction.atomic():
                matter = ResidentMatter(
                    station=station, deputy=deputy, text=text, phone=phone.strip(), lookup_digest=digest_of(code)
                )
                if photo is not None:
                    matter.photo.save(photo.name or "photo.jpg", photo, save=False)
                matter.save()
                record(matter, "received", by=None)
            return matter, code
        except IntegrityError:  # the code's digest was taken (1 in 10^11): draw another
            continue
    raise MatterError(_("The matter could not be saved. Please try again."))  # pragma: no cover


def answer_matter(*, matter: ResidentMatter, answer: str, by: User) -> ResidentMatter:
    """Answer the resident directly (the lookup shows the answer)."""
    with locked(matter) as current:
        require_handler(current, by)
        current.answer = _text(answer, what=_("the answer"))
        current.answered_at = timezone.now()
        step(current, "mark_answered", by=by, fields=["answer", "answered_at"])
    return current


def close_matter(*, matter: ResidentMatter, reason: str, by: User) -> ResidentMatter:
    """Take a matter no further, with the reason for the resident."""
    with locked(matter) as current:
        require_handler(current, by)
        current.answer = _text(reason, what=_("the reason"))
        current.answered_at = timezone.now()
        step(current, "mark_closed", by=by, fields=["answer", "answered_at"])
    return current


def merge_matters(*, main: ResidentMatter, members: Sequence[ResidentMatter], by: User) -> ResidentMatter:
    """Join new matters about the same thing to `main`; each then follows main's outcome."""
    if not members:
        raise MatterError(_("Choose the matters to merge."))
    with transaction.atomic():
        # In id order, so two merges never wait on each other's rows.
        ids = sorted({main.pk, *(m.pk for m in members)})
        rows = {m.pk: m for m in ResidentMatter.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        target = rows[main.pk]
        require_handler(target, by)
        if target.state == M.MERGED:
            raise MatterError(_("A merged matter cannot take others; merge into the one it was merged into."))
        for pk in ids:
            if pk == target.pk:
                continue
            current = rows[pk]
            require_handler(current, by)
            current.merged_into = target
            step(current, "mark_merged", by=by, fields=["merged_into"], note=str(target.pk))
        joined = ", ".join(str(pk) for pk in ids if pk != main.pk)
        record(target, "merged_in", by=by, from_state=target.state, note=joined)
    return target


def mark_matters(
    *, matters: Sequence[ResidentMatter], transition: str, by: User, note: str = "", **fields: Any
) -> list[ResidentMatter]:
    """Move matters on for a later app (into a suggestion, to a unit): locked, checked, moved and
    written to their trails within the caller's transaction. Every matter must be one `by`
    handles and still new."""
    done = []
    for matter in sorted(matters, key=lambda m: m.pk):
        current = (
            ResidentMatter.objects.select_for_update(of=("self",)).select_related("station", "deputy").get(pk=matter.pk)
        )
        require_handler(current, by)
        for name, value in fields.items():
            setattr(current, name, value)
        step(current, transition, by=by, note=note, fields=list(fields))
        done.append(current)
    return done


def purge_resident_data(*, now: Any = None) -> int:
    """Remove the phone and the photo of every matter received more than `RESIDENT_DATA_DAYS`
    ago, and record it on each matter's trail. Safe to run again: a matter is done once."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RESIDENT_DATA_DAYS)
    due = ResidentMatter.objects.filter(received_at__lt=cutoff, personal_data_removed_at__isnull=True)
    done = 0
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            matter = ResidentMatter.objects.select_for_update().filter(pk=pk, personal_data_removed_at=None).first()
            if matter is None:  # another run did it meanwhile
                continue
            photo = matter.photo.name
            matter.phone = ""
            matter.photo = ""  # a FileField is cleared with an empty name
            matter.personal_data_removed_at = now
            matter.save(update_fields=["phone", "photo", "personal_data_removed_at"])
            record(matter, "personal_data_removed", by=None, from_state=matter.state)
            if photo:
                transaction.on_commit(partial(matter.photo.storage.delete, photo))
        done += 1
    return done


# --- what later apps add ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One line of a matter's outcome as the resident reads it: a heading, its text, and a
    link for the public (never one that needs a login)."""

    title: StrOrPromise
    lines: list[str] = field(default_factory=list)
    link_url: str = ""
    link_label: StrOrPromise = ""
    when: Any = None


OutcomeSource = Callable[[ResidentMatter], list[Outcome]]
_OUTCOMES: list[OutcomeSource] = []


def register_outcome(source: OutcomeSource) -> None:
    _OUTCOMES.append(source)


def registered_outcomes(matter: ResidentMatter) -> list[Outcome]:
    found: list[Outcome] = []
    for source in _OUTCOMES:
        found.extend(source(matter))
    return found


@dataclass(frozen=True)
class MatterAction:
    """A form on the matter's page offered by a later app: its template and its context for
    this request and matter (None: not offered)."""

    template: str
    context: Callable[[HttpRequest, ResidentMatter], dict[str, Any] | None]
    order: int = 100


_ACTIONS: list[MatterAction] = []


def register_action(action: MatterAction) -> None:
    _ACTIONS.append(action)
    _ACTIONS.sort(key=lambda a: a.order)


def actions_for(request: HttpRequest, matter: ResidentMatter) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for action in _ACTIONS:
        context = action.context(request, matter)
        if context is not None:
            shown.append((action.template, context))
    return shown


# --- the resident's lookup ---------------------------------------------------------------------------------


@dataclass
class Story:
    """What the lookup shows: the state in plain words and its outcome; never the phone, the
    photo, or anything of another resident's matter but its outcome."""

    received_at: Any
    state: str
    state_label: str
    summary: str
    outcomes: list[Outcome]


def outcome_of(matter: ResidentMatter) -> list[Outcome]:
    """This app's own outcome of a matter, then what later apps registered."""
    found: list[Outcome] = []
    if matter.state == M.ANSWERED:
        found.append(Outcome(_("Answered"), [matter.answer], when=matter.answered_at))
    elif matter.state == M.CLOSED:
        found.append(Outcome(_("Closed"), [matter.answer], when=matter.answered_at))
    found.extend(registered_outcomes(matter))
    return found


def story_of(matter: ResidentMatter) -> Story:
    where = matter.deputy.name if matter.deputy else (matter.station.name if matter.station else "")
    outcomes: list[Outcome] = []
    if matter.state == M.MERGED and matter.merged_into is not None:
        main = matter.merged_into
        outcomes.append(
            Outcome(
                _("Merged"),
                [_("Your matter was merged with others about the same thing; they are handled together.")],
                when=matter.handled_at,
            )
        )
        if main.state == M.NEW:
            outcomes.append(Outcome(_("Being handled"), [_("The matters are being looked into.")]))
        outcomes.extend(outcome_of(main))
    else:
        outcomes.extend(outcome_of(matter))
    if matter.state == M.NEW:
        outcomes.append(Outcome(_("Received"), [_("Your matter was received and will be looked into.")]))
    return Story(
        received_at=matter.received_at,
        state=matter.state,
        state_label=matter.get_state_display(),
        summary=_("Left with %(where)s") % {"where": where} if where else "",
        outcomes=outcomes,
    )
