"""Residents' matters forwarded to an undertaking unit as public-opinion items (民意件).

The station's staff or the matter's deputy (those who handle the matter, `deputies.matters`)
forward a new matter to one unit with its own deadline: `MATTER_REFERRAL_WORKDAYS` working
days after the day it is forwarded (`proposals.deadlines`, China's calendar). The matter
becomes "forwarded" through its own transition (`deputies.matters.mark_matters`), in the same
transaction as the referral is made; the unit answers it once (`answer_referral`). Both
steps are written to the matter's trail (`ResidentMatterEvent`); a refused step changes
nothing and is audited.

What the unit reads is the referral's `text`: the matter's text as the forwarder sent it
(prefilled, and editable so that personal details the resident typed can be left out), the
forwarder's note, the station and the deputy. Never the resident's phone, and not the photo
either: a photo shows people, homes and number plates, and the station can describe in the
note what it shows; the resident's data stay with the station and the deputy.

This app adds to the deputies app's pages by registering (`deputies` cannot import us): the
"forward to a unit" action on the matter's page, and the referral and the unit's answer on the
matter's outcome, which the resident's lookup and the matter's page show.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies import matters as resident_matters
from deputies.access import allowed
from deputies.models import MATTER_ACTIONS, ResidentMatter, User
from handling.models import MatterReferral, Unit
from handling.rules import unit_id_of
from proposals.deadlines import add_workdays

M = ResidentMatter.State
MatterError = resident_matters.MatterError
MAX_NOTE_CHARS = 1000
MAX_ANSWER_CHARS = 4000

# The unit's answer on the matter's trail (the forwarding itself is the matter's "forwarded").
MATTER_ACTIONS["referral_answered"] = gettext_lazy("The unit answered")


def referral_deadline(day: Any = None) -> Any:
    """The day a matter forwarded on `day` (today) is to be answered by."""
    return add_workdays(day or timezone.localdate(), settings.MATTER_REFERRAL_WORKDAYS)


def _checked(value: str, *, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise MatterError(_("Please write %(what)s.") % {"what": what})
    if len(value) > limit:
        raise MatterError(_("%(what)s may be at most %(limit)s characters.") % {"what": what, "limit": limit})
    return value


def forward_matter(*, matter: ResidentMatter, unit: Unit, text: str, note: str = "", by: User) -> MatterReferral:
    """Forward a new matter to `unit` (民意件): the referral with its deadline, and the matter
    "forwarded", in one transaction. Only someone who handles the matter may; a matter no
    longer new is refused with its state."""
    text = _checked(text, what=_("the matter for the unit"), limit=settings.RESIDENT_TEXT_MAX_CHARS)
    note = _checked(note, what=_("the note"), limit=MAX_NOTE_CHARS, required=False)
    if not unit.is_active:
        raise MatterError(_("%(unit)s is no longer in use; choose another unit.") % {"unit": unit.name})
    with transaction.atomic():
        # Locks the matter, refuses (audited) one `by` does not handle, and moves it on.
        (current,) = resident_matters.mark_matters(matters=[matter], transition="mark_forwarded", by=by, note=unit.name)
        return MatterReferral.objects.create(
            matter=current, unit=unit, text=text, note=note, deadline=referral_deadline(), forwarded_by=by
        )


def answer_referral(*, referral: MatterReferral, answer: str, by: User) -> MatterReferral:
    """The unit's answer to a matter forwarded to it, once; the resident's lookup shows it."""
    answer = _checked(answer, what=_("your answer"), limit=MAX_ANSWER_CHARS)
    with transaction.atomic():
        current = (
            MatterReferral.objects.select_for_update(of=("self",)).select_related("unit", "matter").get(pk=referral.pk)
        )
        if unit_id_of(by) != current.unit_id:
            raise resident_matters.MatterRefused(
                _("Only the people of %(unit)s can do this.") % {"unit": current.unit.name},
                by=by,
                what=f"answer_referral MatterReferral {current.pk}",
            )
        if current.is_answered:
            raise MatterError(_("This matter has already been answered."))
        current.answer, current.answered_by, current.answered_at = answer, by, timezone.now()
        current.save(update_fields=["answer", "answered_by", "answered_at"])
        resident_matters.record(
            current.matter, "referral_answered", by=by, from_state=current.matter.state, note=current.unit.name
        )
    return current


# --- what a unit and the people of a matter see ------------------------------------------------------------


def referrals_of_unit(unit_id: int) -> QuerySet[MatterReferral]:
    return MatterReferral.objects.filter(unit_id=unit_id).select_related("unit", "matter__station", "matter__deputy")


def waiting_count(unit_id: int) -> tuple[int, int]:
    """(unanswered, of which overdue) of a unit's referrals."""
    waiting = MatterReferral.objects.filter(unit_id=unit_id, answered_at__isnull=True)
    return waiting.count(), waiting.filter(MatterReferral.overdue_condition(timezone.localdate())).count()


def _outcomes(matter: ResidentMatter) -> list[resident_matters.Outcome]:
    """The unit a matter went to, by when, and its answer: for the resident's lookup (no
    names of people) and the matter's page."""
    if matter.state not in (M.FORWARDED, M.CLOSED):
        return []
    referral = MatterReferral.objects.filter(matter=matter).select_related("unit").first()
    if referral is None:
        return []
    found = [
        resident_matters.Outcome(
            _("Forwarded to a unit"),
            [
                _("%(unit)s is to answer by %(date)s.")
                % {"unit": referral.unit.name, "date": referral.deadline.isoformat()}
            ],
            when=referral.forwarded_at,
        )
    ]
    if referral.is_answered:
        found.append(
            resident_matters.Outcome(
                _("Answer of %(unit)s") % {"unit": referral.unit.name}, [referral.answer], when=referral.answered_at
            )
        )
    return found


def _action(request: HttpRequest, matter: ResidentMatter) -> dict[str, Any] | None:
    if matter.state != M.NEW or not allowed(request.user, "forward_matter", matter):
        return None
    return {
        "url": reverse("handling:forward_matter", args=[matter.pk]),
        "workdays": settings.MATTER_REFERRAL_WORKDAYS,
    }


resident_matters.register_outcome(_outcomes)
resident_matters.register_action(
    resident_matters.MatterAction("handling/matters/_forward_action.html", _action, order=20)
)
