"""A deputy's yearly record (履职档案): what the deputy did with suggestions in one year, read from
every earlier app (the reports may read them all).

A year is the year of the suggestion's meeting, as in `reports.figures`: a suggestion made
between meetings belongs to the meeting it was made after. The record holds:

- the suggestions the deputy led (past their draft) and co-signed (confirmed), each with the
  result class and category of each answering unit's standing reply and, for those led, the
  deputy's ratings;
- the contacts and face-to-face talks (面商) of the units with the deputy on the suggestions
  they led, and on those they co-signed where the record names them among the people present;
  a contact the deputy disputed is listed but not counted;
- the key items (重点督办) their suggestions are in;
- the residents' matters of the year left with the deputy or handled by them at a liaison
  station (`reports.figures.deputy_matters`: received, answered, forwarded, turned into
  suggestions), counted by the calendar year they were received in;
- the promises (B-class replies) of the suggestions they led, with their follow-up state; the
  deputy's own answer to the promise re-survey (回头看) has its place beside each.

A rating is late (评价超时) when the deputy rated a reply more than RATING_REMINDER_DAYS days
after it was issued, that is after the rating reminder went out (supervision/reminders.py);
a reply still unrated past that time counts as late too, while it waits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from deputies.models import Deputy
from handling.models import ContactRecord, Rating, Reply
from handling.rules import rateable_condition
from handling.selectors import answering_replies, standing_replies
from proposals.models import CoSignature, Meeting, Proposal
from proposals.states import ProposalState as S
from reports.figures import MatterLine, deputy_matters
from supervision.models import KeyItem, Promise

COUNTED_CONTACT = ~Q(deputy_response=ContactRecord.DeputyResponse.DISPUTED)


def rating_window() -> dt.timedelta:
    return dt.timedelta(days=settings.RATING_REMINDER_DAYS)


def record_years() -> list[int]:
    return sorted(set(Meeting.objects.values_list("year", flat=True)), reverse=True)


def default_year() -> int:
    years = record_years()
    today = timezone.localdate().year
    return today if today in years or not years else years[0]


@dataclass
class RatingLine:
    unit: str
    round: int
    result: str
    attitude: str
    issued_on: dt.date | None
    rated_on: dt.date
    late: bool
    paper: bool


@dataclass
class SuggestionLine:
    proposal: Proposal
    led: bool
    results: list[str] = field(default_factory=list)
    ratings: list[RatingLine] = field(default_factory=list)
    key_items: list[str] = field(default_factory=list)
    waiting_late: int = 0  # its replies unrated past the rating window


@dataclass
class PromiseLine:
    promise: Promise
    # The deputy's answer to the promise re-survey (回头看), once that survey exists.
    resurvey: Any = None


@dataclass
class DeputyRecord:
    deputy: Deputy
    year: int
    led: list[SuggestionLine]
    cosigned: list[SuggestionLine]
    contacts: list[ContactRecord]
    key_items: list[KeyItem]
    promises: list[PromiseLine]
    matters: MatterLine | None = None

    @property
    def contacts_counted(self) -> int:
        return sum(1 for c in self.contacts if c.deputy_response != ContactRecord.DeputyResponse.DISPUTED)

    @property
    def face_to_face(self) -> int:
        return sum(
            1
            for c in self.contacts
            if c.kind == ContactRecord.Kind.FACE_TO_FACE and c.deputy_response != ContactRecord.DeputyResponse.DISPUTED
        )

    @property
    def ratings(self) -> list[RatingLine]:
        return [r for line in self.led for r in line.ratings]

    @property
    def rated_late(self) -> int:
        return sum(1 for r in self.ratings if r.late)

    @property
    def waiting_late(self) -> int:
        return sum(line.waiting_late for line in self.led)

    @property
    def result_classes(self) -> list[tuple[str, int]]:
        counter = Counter(result.split(" ", 1)[0] for line in self.led for result in line.results)
        return sorted(counter.items())

    @property
    def rating_counts(self) -> list[tuple[str, int]]:
        counter = Counter(r.result for r in self.ratings)
        return list(counter.items())

    @property
    def promise_states(self) -> list[tuple[str, int]]:
        counter = Counter(p.promise.get_state_display() for p in self.promises)
        return list(counter.items())


def _year_proposals(year: int) -> QuerySet[Proposal]:
    return Proposal.objects.filter(meeting__in=Meeting.ids_of_year(year)).exclude(state=S.DRAFT)


def deputy_record(deputy: Deputy, year: int, *, now: dt.datetime | None = None) -> DeputyRecord:
    """The deputy's record for `year` (a fixed number of queries, whatever the deputy did)."""
    now = now or timezone.now()
    window = rating_window()
    of_year = _year_proposals(year)
    led = list(of_year.filter(lead_deputy=deputy).select_related("meeting").order_by("meeting", "number", "pk"))
    cosigned_ids = CoSignature.objects.filter(deputy=deputy, status=CoSignature.Status.CONFIRMED).values("proposal_id")
    cosigned = list(
        of_year.filter(pk__in=cosigned_ids)
        .exclude(lead_deputy=deputy)
        .select_related("meeting", "lead_deputy")
        .order_by("meeting", "number", "pk")
    )
    ids = [p.pk for p in led + cosigned]
    replies = list(
        answering_replies()
        .filter(assignment__proposal_id__in=ids)
        .select_related("assignment__unit", "result_category", "rating")
        .order_by("assignment_id", "round", "pk")
    )
    standing = standing_replies(replies)
    by_proposal: dict[int, list[Reply]] = defaultdict(list)
    for reply in replies:
        by_proposal[reply.assignment.proposal_id].append(reply)
    keys = KeyItem.objects.filter(proposals__in=ids).distinct().order_by("pk")
    key_items = list(keys)
    key_titles: dict[int, list[str]] = defaultdict(list)
    for pid, title in KeyItem.objects.filter(proposals__in=ids).values_list("proposals", "title"):
        key_titles[pid].append(title)

    def line(p: Proposal, is_led: bool) -> SuggestionLine:
        entry = SuggestionLine(proposal=p, led=is_led, key_items=key_titles.get(p.pk, []))
        for reply in by_proposal.get(p.pk, []):
            if standing.get(reply.assignment_id) is reply and reply.result_category is not None:
                category = reply.result_category
                entry.results.append(f"{category.result_class} {category.name}")
            if not is_led:
                continue
            rating: Rating | None = getattr(reply, "rating", None)
            issued = reply.issued_at
            if rating is not None:
                entry.ratings.append(
                    RatingLine(
                        unit=reply.assignment.unit.name,
                        round=reply.round,
                        result=rating.get_result_display(),
                        attitude=rating.get_attitude_display(),
                        issued_on=timezone.localtime(issued).date() if issued else None,
                        rated_on=timezone.localtime(rating.rated_at).date(),
                        late=bool(issued and rating.rated_at > issued + window),
                        paper=rating.is_paper,
                    )
                )
            elif (
                standing.get(reply.assignment_id) is reply
                and p.state == S.REPLIED
                and issued is not None
                and now > issued + window
            ):
                entry.waiting_late += 1
        return entry

    own_name = Q(people__contains=deputy.name)
    contacts = list(
        ContactRecord.objects.filter(
            Q(proposal__in=[p.pk for p in led]) | (Q(proposal__in=[p.pk for p in cosigned]) & own_name)
        )
        .select_related("assignment__unit", "proposal")
        .order_by("contact_date", "pk")
    )
    promises = [
        PromiseLine(promise=promise)
        for promise in Promise.objects.filter(Promise.FOLLOWED, proposal__in=[p.pk for p in led])
        .select_related("unit", "proposal")
        .order_by("promised_by", "pk")
    ]
    return DeputyRecord(
        deputy=deputy,
        year=year,
        led=[line(p, True) for p in led],
        cosigned=[line(p, False) for p in cosigned],
        contacts=contacts,
        key_items=key_items,
        promises=promises,
        matters=deputy_matters(deputy.pk, year),
    )


# --- every deputy of a year, for staff -------------------------------------------------------


@dataclass
class RecordRow:
    deputy: Deputy
    led: int = 0
    cosigned: int = 0
    contacts: int = 0
    face_to_face: int = 0
    rated: int = 0
    rated_late: int = 0
    waiting_late: int = 0
    key: int = 0
    promises: int = 0

    @property
    def late(self) -> int:
        return self.rated_late + self.waiting_late


FILTERS = ("none", "late")


def _counts(queryset: QuerySet[Any], key: str) -> dict[int, int]:
    return {row[key]: row["n"] for row in queryset.values(key).annotate(n=Count("pk", distinct=True)).order_by()}


def record_rows(
    year: int, *, of: QuerySet[Deputy] | None = None, only: str = "", now: dt.datetime | None = None
) -> list[RecordRow]:
    """Each serving deputy's counts for `year` (one GROUP BY per count), of the deputies `of`
    (default: all). `only="none"`: those who led no suggestion that year; `only="late"`: those
    with a late rating or a reply waiting for their rating past the window."""
    now = now or timezone.now()
    window = rating_window()
    of_year = _year_proposals(year)
    led = _counts(of_year, "lead_deputy")
    cosigned = _counts(
        CoSignature.objects.filter(status=CoSignature.Status.CONFIRMED, proposal__in=of_year).exclude(
            proposal__lead_deputy=F("deputy")
        ),
        "deputy",
    )
    contacts_of = ContactRecord.objects.filter(COUNTED_CONTACT, proposal__in=of_year)
    contacts = _counts(contacts_of, "proposal__lead_deputy")
    face = _counts(contacts_of.filter(kind=ContactRecord.Kind.FACE_TO_FACE), "proposal__lead_deputy")
    ratings = Rating.objects.filter(proposal__in=of_year, reply__state=Reply.State.ISSUED)
    rated = _counts(ratings, "proposal__lead_deputy")
    late = _counts(ratings.filter(rated_at__gt=F("reply__issued_at") + window), "proposal__lead_deputy")
    waiting = _counts(
        Reply.objects.filter(rateable_condition(), issued_at__lt=now - window, assignment__proposal__in=of_year),
        "assignment__proposal__lead_deputy",
    )
    key = _counts(of_year.filter(key_items__isnull=False), "lead_deputy")
    promises = _counts(Promise.objects.filter(Promise.FOLLOWED, proposal__in=of_year), "proposal__lead_deputy")
    rows = []
    serving = (Deputy.objects.all() if of is None else of).filter(is_active=True)
    for deputy in serving.select_related("delegation").order_by("delegation", "name"):
        pk = deputy.pk
        row = RecordRow(
            deputy=deputy,
            led=led.get(pk, 0),
            cosigned=cosigned.get(pk, 0),
            contacts=contacts.get(pk, 0),
            face_to_face=face.get(pk, 0),
            rated=rated.get(pk, 0),
            rated_late=late.get(pk, 0),
            waiting_late=waiting.get(pk, 0),
            key=key.get(pk, 0),
            promises=promises.get(pk, 0),
        )
        if only == "none" and row.led:
            continue
        if only == "late" and not row.late:
            continue
        rows.append(row)
    return rows
