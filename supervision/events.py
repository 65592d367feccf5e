"""Supervision's steps on a suggestion's trail, declared once with who may see them (see
proposals/events.py). Supervision is done in the open: the deputies follow it on their
phones as the units and the overseers do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from proposals.events import EventKind, PublicLine, TrailEvent, declare
from supervision.models import PromiseSurvey

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _answer(event: TrailEvent) -> list[str]:
    data = event.data or {}
    answers = {str(value): str(label) for value, label in PromiseSurvey.Answer.choices}
    return [f"{data.get('unit', '')}：{answers.get(data.get('answer', ''), '—')}"]


def _public(text: StrOrPromise) -> PublicLine:
    return lambda event: str(text)


declare(
    EventKind(
        "key_marked",
        gettext_lazy("Marked as a key suggestion"),
        public=_public(gettext_lazy("Chosen as a key suggestion for supervision")),
    ),
    EventKind("key_unmarked", gettext_lazy("No longer a key suggestion")),
    EventKind("supervision_record", gettext_lazy("Supervision record")),
    EventKind("progress_report", gettext_lazy("Progress reported by the unit")),
    EventKind("urging", gettext_lazy("Urging notice sent")),
    EventKind("urging_acknowledged", gettext_lazy("Urging notice acknowledged by the unit")),
    EventKind(
        "promise_done_reported",
        gettext_lazy("Promise reported as kept by the unit"),
        public=_public(gettext_lazy("The unit reported the promise kept")),
    ),
    EventKind(
        "promise_confirmed",
        gettext_lazy("Promise confirmed as kept"),
        public=_public(gettext_lazy("The promise was confirmed as kept")),
    ),
    EventKind("promise_reopened", gettext_lazy("Promise sent back: not yet kept")),
    EventKind("promise_superseded", gettext_lazy("Promise replaced by the unit's later reply")),
    EventKind("promise_resurvey", gettext_lazy("The deputy said whether the promise was kept"), details=_answer),
)
