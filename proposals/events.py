"""The steps on a suggestion's trail: what each is called, who may see it, and how it reads.

Every `ProposalEvent.action` is declared here once, by the app whose service writes it, in
that app's `events.py` (imported by its AppConfig, as Django's admin registers models):
`proposals/events.py` declares the suggestion's own steps below, `handling/events.py` the
units' steps, `supervision/events.py` the supervision steps, `reports/events.py` the history
import. Each declaration says:

- `label`: the step's name on the staff timeline (a transition of the suggestion's state
  machine is named by its own `custom["label"]`);
- `seen_by`: the audiences that may see it. Every person looking at a suggestion belongs to
  some of three audiences (`proposals.rules.audiences_of`): its deputies (the lead deputy and
  the co-signers), the units handling it, and the overseers (congress staff, the supervision
  office, leaders, special committees). The staff timeline, the deputy's timeline, the
  notifications and the page panels all read this one declaration;
- `sentence`: how the step reads on the deputy's phone, in plain words, with where to read
  more; `details`: the facts the staff timeline adds to the label;
- `shown`: False for a record kept in the trail but shown by another step at the same moment;
- `public`: how the step reads on the public progress page (proposals/public.py) when it is a
  public milestone, None when it is not. It reads only the step's own facts: the milestone,
  the unit where one is named, dates; never who did it, nor any note.

An action nobody declared is shown to the overseers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.db.models import Manager
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from deputies.models import User

_T = TypeVar("_T")


# proposals/models.py reads the declarations of this module, so it cannot import the models
# back: the step and the suggestion are named by what the sentences read of them.


class TrailEvent(Protocol):
    """A step of the trail: a `ProposalEvent`."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> User | None: ...
    @property
    def data(self) -> Any: ...  # the JSON details the step's app wrote
    @property
    def label(self) -> str: ...
    @property
    def to_state(self) -> str: ...
    @property
    def proposal(self) -> TrailProposal: ...


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class TrailProposal(Protocol):
    """The suggestion a story tells: a `Proposal`."""

    @property
    def meeting(self) -> _Named: ...
    @property
    def cosignatures(self) -> Manager[Any]: ...
    @property
    def number_label(self) -> str: ...


DEPUTIES = "deputies"
UNITS = "units"
OVERSEERS = "overseers"
AUDIENCES = (DEPUTIES, UNITS, OVERSEERS)
EVERYONE = frozenset(AUDIENCES)
# Working papers among the handlers: the units on the suggestion and those who oversee them.
AMONG_HANDLERS = frozenset({UNITS, OVERSEERS})


@dataclass
class Story:
    """What a deputy's timeline knows while it words the steps: the suggestion, whether the
    reader leads it, and a cache the sentences share (e.g. names loaded once)."""

    proposal: TrailProposal
    is_lead: bool
    # Whatever the sentences load once: each key is read back by the sentence that wrote it.
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, load: Callable[[], _T]) -> _T:
        if key not in self.cache:
            self.cache[key] = load()
        value: _T = self.cache[key]
        return value


Sentence = Callable[[TrailEvent, Story], tuple[str, str]]
Details = Callable[[TrailEvent], list[str]]
PublicLine = Callable[[TrailEvent], str]


@dataclass(frozen=True)
class EventKind:
    action: str
    label: StrOrPromise | None = None  # None: the name of the suggestion's transition of this name
    seen_by: frozenset[str] = EVERYONE
    sentence: Sentence | None = None
    details: Details | None = None
    shown: bool = True
    public: PublicLine | None = None

    def seen_by_any(self, audiences: Iterable[str]) -> bool:
        return self.shown and bool(self.seen_by & set(audiences))


_KINDS: dict[str, EventKind] = {}


def declare(*kinds: EventKind) -> None:
    for kind in kinds:
        if kind.action in _KINDS:
            raise ValueError(f"event {kind.action!r} is declared twice")
        _KINDS[kind.action] = kind


def kind_of(action: str) -> EventKind:
    return _KINDS.get(action) or EventKind(action, action, seen_by=frozenset({OVERSEERS}))


def declared() -> dict[str, EventKind]:
    return dict(_KINDS)


def visible_actions(audiences: Iterable[str]) -> tuple[list[str], bool]:
    """The declared actions these audiences may see, and whether undeclared ones are shown too."""
    audiences = set(audiences)
    return [a for a, kind in _KINDS.items() if kind.seen_by_any(audiences)], OVERSEERS in audiences


def public_actions() -> list[str]:
    """The actions declared as public milestones."""
    return [action for action, kind in _KINDS.items() if kind.public is not None]


def public_line(event: TrailEvent) -> str | None:
    """How the step reads to the public; None when it is no public milestone."""
    kind = kind_of(event.action)
    return kind.public(event) if kind.public is not None else None


def sentence_for(event: TrailEvent, story: Story) -> tuple[str, str]:
    kind = kind_of(event.action)
    if kind.sentence is None:
        return event.label, ""
    return kind.sentence(event, story)


def details_for(event: TrailEvent) -> list[str]:
    kind = kind_of(event.action)
    return kind.details(event) if kind.details is not None else unit_line(event)


# --- words the sentences share ---------------------------------------------------------------------


def actor_name(event: TrailEvent) -> str:
    return event.actor.display_name if event.actor else "—"


def day(value: dt.date | str | None) -> str:
    """A date as a deputy reads it: 2025年3月10日 (from a date, or one kept as text in an
    event's data)."""
    if not value:
        return "—"
    if isinstance(value, str):
        text = value
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            return text
    return date_format(value, "Y年n月j日")


def unit_line(event: TrailEvent) -> list[str]:
    """The unit a step was about (or the units a re-assignment moved it between), as most
    steps of the units and of supervision record it in their data."""
    data = event.data or {}
    if data.get("from_unit"):
        if data.get("to_unit"):
            return [_("From %(old)s to %(new)s") % {"old": data["from_unit"], "new": data["to_unit"]}]
        return [_("Unit: %(unit)s") % {"unit": data["from_unit"]}]
    if data.get("unit"):
        return [_("Unit: %(unit)s") % {"unit": data["unit"]}]
    return []


# --- the suggestion's own steps ----------------------------------------------------------------------


def _numbers(event: TrailEvent) -> list[str]:
    data = event.data or {}
    out = []
    if event.action == "register" and "number" in data:
        out.append(_("Number: No. %(n)s") % {"n": data["number"]})
    if event.action == "renumber":
        out.append(_("Number changed from %(old)s to %(new)s") % {"old": data.get("from"), "new": data.get("to")})
    if event.action == "merge_main" and data.get("numbers"):
        out.append(_("Merged: %(items)s") % {"items": "、".join(f"第{n}号" for n in data["numbers"])})
    if event.action == "merge_member" and data.get("main_number"):
        out.append(_("Main suggestion: No. %(n)s") % {"n": data["main_number"]})
    return out


def _invited(event: TrailEvent, story: Story) -> tuple[str, str]:
    names = story.once(
        "cosigner_names",
        lambda: dict(story.proposal.cosignatures.values_list("deputy_id", "deputy__name")),
    )
    listed = "、".join(names.get(pk, "—") for pk in (event.data or {}).get("deputies", []))
    return _("Invited %(names)s to co-sign") % {"names": listed or "—"}, ""


def _registered(event: TrailEvent, story: Story) -> tuple[str, str]:
    return (
        _("Registered as No. %(number)s of %(meeting)s")
        % {"number": (event.data or {}).get("number", "—"), "meeting": story.proposal.meeting.name},
        "",
    )


def _renumbered(event: TrailEvent, story: Story) -> tuple[str, str]:
    return (
        _("Number changed from %(old)s to %(new)s")
        % {"old": (event.data or {}).get("from"), "new": (event.data or {}).get("to")},
        "",
    )


def _merged_into_this(event: TrailEvent, story: Story) -> tuple[str, str]:
    return (
        _("Suggestions No. %(numbers)s were merged into this one")
        % {"numbers": "、".join(str(n) for n in (event.data or {}).get("numbers", []))},
        "",
    )


def _merged_into_other(event: TrailEvent, story: Story) -> tuple[str, str]:
    return (
        _("Merged into No. %(number)s: handled together with it; you get your own reply")
        % {"number": (event.data or {}).get("main_number", "—")},
        "",
    )


def _fixed(text: StrOrPromise) -> Sentence:
    return lambda event, story: (str(text), "")


def _by_actor(text: StrOrPromise) -> Sentence:
    return lambda event, story: (str(text) % {"name": actor_name(event)}, "")


def _listing(text: StrOrPromise) -> Sentence:
    return lambda event, story: (str(text) % {"names": "、".join((event.data or {}).get("names", []))}, "")


declare(
    EventKind("create", gettext_lazy("Drafted"), sentence=_by_actor(gettext_lazy("%(name)s started the draft"))),
    EventKind("invite_cosigners", gettext_lazy("Co-signers invited"), sentence=_invited),
    EventKind(
        "cosign_confirmed",
        gettext_lazy("Co-signing confirmed"),
        sentence=_by_actor(gettext_lazy("%(name)s confirmed co-signing")),
    ),
    EventKind(
        "cosign_declined",
        gettext_lazy("Co-signing declined"),
        sentence=_by_actor(gettext_lazy("%(name)s declined to co-sign")),
    ),
    EventKind(
        "attachment_added",
        gettext_lazy("Attachment added"),
        sentence=_listing(gettext_lazy("Attached %(names)s")),
    ),
    EventKind(
        "attachment_removed",
        gettext_lazy("Attachment removed"),
        sentence=_listing(gettext_lazy("Removed the attachment %(names)s")),
    ),
    EventKind("submit", None, sentence=_fixed(gettext_lazy("Submitted to congress staff"))),
    EventKind("withdraw", None, sentence=_fixed(gettext_lazy("Withdrawn by the lead deputy"))),
    EventKind(
        "discard_empty",
        gettext_lazy("Empty draft discarded"),
        sentence=_fixed(gettext_lazy("Left empty for more than a day, the draft was discarded")),
    ),
    EventKind(
        "return_for_revision",
        None,
        sentence=_fixed(gettext_lazy("Congress staff returned it for revision")),
    ),
    EventKind(
        "decline",
        None,
        sentence=_fixed(gettext_lazy("Congress staff found it is not a suggestion and referred it to another channel")),
    ),
    EventKind(
        "register",
        None,
        details=_numbers,
        sentence=_registered,
        public=lambda event: _("Registered as %(number)s") % {"number": event.proposal.number_label},
    ),
    EventKind(
        "renumber",
        gettext_lazy("Number changed"),
        details=_numbers,
        sentence=_renumbered,
    ),
    EventKind(
        "merge_main",
        gettext_lazy("Other suggestions merged into this one"),
        details=_numbers,
        sentence=_merged_into_this,
    ),
    EventKind(
        "merge_member",
        gettext_lazy("Merged into another suggestion"),
        details=_numbers,
        sentence=_merged_into_other,
        public=lambda event: (
            _("Merged into No. %(number)s and handled together with it")
            % {"number": (event.data or {}).get("main_number", "—")}
        ),
    ),
    # Staff keep an item off the public progress pages, or let it back (proposals/public.py).
    EventKind("withhold_public", gettext_lazy("Withheld from the public pages"), seen_by=frozenset({OVERSEERS})),
    EventKind("release_public", gettext_lazy("Shown on the public pages again"), seen_by=frozenset({OVERSEERS})),
)
