"""Every figure the reports state, computed in one place for a year, a meeting or a unit.

The dashboard, the annual report's PDF, the Excel export and `manage.py handling_stats` all
read from here, so they never disagree; the list behind each figure is the same condition
applied as a filter (`figure_queryset`), so a figure and its list agree too.

How it is counted (the domain brief's "figures a report states"):

- A scope counts one stream (deputies' suggestions or CPPCC members' proposals, `Scope.stream`)
  or both together (None): the same definitions, the same statement, narrowed by the item's
  stored stream, so the two streams' figures add up to the combined ones.
- Every suggestion counts once, merged members (并案) included: each keeps its number, its
  deputy, its own copy of the reply and its own rating.
- received (收到): every suggestion past its draft. registered (立案): registered or further
  (`REGISTERED_STATES`). meeting / between: registered ones by how they were made.
  assigned (交办): handed to a unit, whatever happened next (`ASSIGNED_STATES`).
- replied (办复): every answering unit (lead or separate; co-handlers answer the lead) has
  issued its first reply: states replied, rehandling, closed.
  done (办结): a reply stands: states replied (awaiting the rating) and closed. A suggestion in
  re-handling is not done.
- 办结率 completion rate = done ÷ assigned.
- 按时办复率 on-time rate = on time ÷ due. A suggestion's first reply is due once it is replied
  or once an answering unit's deadline has passed without its first reply; it is on time when
  it is replied and every answering unit's first reply was issued on or before that unit's
  deadline (re-assigned units' ended assignments do not count; the new unit's deadline does).
  An approved extension (申请延期) moves that deadline: on time is counted against the approved
  date, and the extensions are listed apart: extended (a suggestion with an approved
  extension of an answering unit; a merged member with its main suggestion's),
  on_time_extended (of those on time, the ones whose first reply's deadline was extended),
  each unit's `extended`, and `extensions` (each approved extension: suggestion, unit, round,
  old and new deadline).
- 联系率 / 面商率 = assigned suggestions with at least one contact record (of kind
  face-to-face for 面商率) ÷ assigned. A contact the deputy disputed does not count.
- The standing reply of an answering unit is its latest issued reply: the re-handling reply
  once issued, else the first. With several answering units (分办) the suggestion's result is
  the lowest class among the standing replies (A best, D lowest), and its rating the least
  satisfied of their ratings: nothing is counted better than its worst part.
- result shares: each class (A–D) and each result category ÷ replied.
- rated: replied and every standing reply rated, by a rating that has taken effect: one the
  deputy may still change (inside its window) is not counted yet. The second rating stands: after a
  re-handling reply is issued, the suggestion is unrated until the deputy rates it again; while
  it waits for that reply, the first (不满意) rating stands. Replies not rated count as replied,
  never as satisfied.
- 满意率 = 满意 ÷ rated; 满意或基本满意率 = (满意 + 基本满意) ÷ rated; on the result rating, and
  the same on the attitude rating where the report says so.
- category and source shares ÷ registered; the top five categories by count.
- units: for each unit, its active answering assignments (lead or separate) of the scope's
  suggestions; co-handled ones are counted apart. Its on-time rate, contact rates and ratings
  are those of its own assignment and its own standing reply.

Residents' matters (群众意见, left at a liaison station or with a deputy: `deputies.matters`)
are counted apart, by `matter_figures`, for the calendar year they were received in (local
time), not by meeting; a station's stream decides a matter's stream, or the deputy's for one
left with a deputy and no station. Each matter counts once, by what became of it:

- received (收到): every matter of the year, whatever its state.
- waiting: not handled yet (new). answered directly (直接答复): the station or the deputy
  answered the resident. forwarded (转交办理): sent to a unit as a public-opinion item
  (民意件), whatever happened next (closed after forwarding too); forwarded_answered: the unit
  has answered; forwarded_overdue: unanswered past its deadline, as of the day counted.
  suggested (转为建议): taken up in a suggestion. merged (合并): joined to another matter, whose
  outcome it follows. closed (不予办理): closed with a reason and never forwarded. So received
  = waiting + answered directly + forwarded + suggested + merged + closed.
- answered (已答复): the resident has an answer on the matter itself: answered directly, or
  forwarded and the unit has answered. A closed matter's reason is not counted as an answer,
  a matter turned into a suggestion is counted as suggested (its reply comes with the
  suggestion's), and a merged one is counted once, with the matter it was merged into.
- 答复率 = answered ÷ (received − merged); 转建议率 = suggested ÷ (received − merged).
- per station: the matters left at it; matters left with a deputy without a station are one
  line. Per deputy: the matters left with the deputy, and those left at a station that the
  deputy handled (answered, forwarded, merged or took up); the rest of a station's matters
  (new, or handled by its staff) are one line.

Shares are percentages to two decimals, rounded half up on the exact fraction (`share`):
121 of 670 is 18.0597…% and prints 18.06%; a share with no denominator is None, printed "—".
This is the only rounding rule: scores use it too (`round_half_up`).

The counting is done by the database. `suggestion_facts` is one SQL statement with a row of
facts per suggestion (its state, its worst standing result, its least satisfied rating,
whether a first reply was late or is missing, contacts, key item, overdue): the scope's
suggestions LEFT JOINed once to four GROUP BY subqueries written with the ORM. A GROUP BY over
it gives a small table (facts → count) from which each suggestion-level figure is summed with
its condition; the list behind a figure is the same condition as a WHERE on the same facts.
The units' table is one GROUP BY over `assignment_facts` likewise. Categories, sources and
meetings are a GROUP BY each. No loop over suggestions in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from deputies.models import Deputy, LiaisonStation, ResidentMatter
from deputies.planner import tuned
from handling.models import (
    Assignment,
    ContactRecord,
    DeadlineExtension,
    MatterReferral,
    Reply,
    ResultCategory,
    Satisfaction,
    Unit,
)
from handling.selectors import approved_extensions
from proposals.models import Category, Meeting, Proposal, ProposalQuerySet, Source
from proposals.states import ASSIGNED_STATES, REGISTERED_STATES, REPLIED_STATES, REPLY_DUE_STATES, ProposalState
from reports.models import ScoringScheme
from supervision.models import KeyItem

S = ProposalState
A = Assignment.Role
ISSUED = Reply.State.ISSUED
ANSWERING = Assignment.ANSWERING_ROLES

RECEIVED_STATES = tuple(s for s in S.values if s != S.DRAFT)
DONE_STATES = (S.REPLIED, S.CLOSED)
RESULT_CLASSES = tuple(ResultCategory.ResultClass.values)

# Satisfaction as a level, so the least satisfied of several ratings is the highest level.
LEVELS = {Satisfaction.SATISFIED: 1, Satisfaction.BASIC: 2, Satisfaction.UNSATISFIED: 3}


# --- the one rounding rule ----------------------------------------------------------------------


def _half_up(numerator: int, denominator: int) -> int:
    """numerator ÷ denominator rounded half up to a whole number, exactly (integers only)."""
    if numerator < 0:
        return -_half_up(-numerator, denominator)
    return (2 * numerator + denominator) // (2 * denominator)


def round_half_up(value: Fraction | int) -> Decimal:
    """Round an exact value to two decimals, halves away from zero: 18.055 → 18.06."""
    value = Fraction(value)
    return Decimal(_half_up(value.numerator * 100, value.denominator)).scaleb(-2)


def share(n: int, of: int | None) -> Decimal | None:
    """n ÷ of as a percentage with two decimals (the only rounding rule), None without a base."""
    if not of:
        return None
    return Decimal(_half_up(n * 10000, of)).scaleb(-2)


def part_of(points: Decimal, n: int, of: int) -> Decimal:
    """`points` × n ÷ of, by the same rule (points have two decimals)."""
    return Decimal(_half_up(int(points.scaleb(2)) * n, of)).scaleb(-2)


@dataclass
class Figure:
    """A count with the base its share is taken of (`of`), and the share in percent."""

    n: int
    of: int | None = None

    @property
    def pct(self) -> Decimal | None:
        return share(self.n, self.of)

    def as_dict(self) -> dict[str, Any]:
        pct = self.pct
        return {"n": self.n, "of": self.of, "pct": None if pct is None else str(pct)}


# --- what is counted ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A year, one meeting, or a unit's suggestions (of a year or a meeting), as of a day; of
    one stream or of both (`stream` None)."""

    year: int | None = None
    meeting_id: int | None = None
    unit_id: int | None = None
    as_of: dt.date = field(default_factory=timezone.localdate)
    stream: str | None = None

    def __post_init__(self) -> None:
        if self.year is None and self.meeting_id is None:
            raise ValueError("a scope needs a year or a meeting")

    @property
    def report_year(self) -> int:
        if self.year is not None:
            return self.year
        assert self.meeting_id is not None  # __post_init__ requires a year or a meeting
        return Meeting.objects.values_list("year", flat=True).get(pk=self.meeting_id)

    def narrow(self, prefix: str = "") -> Q:
        """The year or meeting condition, reached through `prefix` (e.g. "assignment__proposal__")."""
        q = Q()
        if self.year is not None:
            q &= Q(**{f"{prefix}meeting__year": self.year})
        if self.meeting_id is not None:
            q &= Q(**{f"{prefix}meeting_id": self.meeting_id})
        if self.stream is not None:
            q &= Q(**{f"{prefix}stream": self.stream})
        return q

    def of_stream(self, stream: str | None) -> Scope:
        """The same scope, of one stream (or of both)."""
        return replace(self, stream=stream)

    def proposals(self) -> ProposalQuerySet:
        queryset = Proposal.objects.filter(self.narrow())
        if self.unit_id is not None:
            mine = Assignment.objects.filter(unit_id=self.unit_id, is_active=True, role__in=ANSWERING)
            queryset = queryset.filter(pk__in=mine.values("proposal_id"))
        return queryset

    def query_string(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.year is not None:
            params["year"] = self.year
        if self.meeting_id is not None:
            params["meeting"] = self.meeting_id
        if self.unit_id is not None:
            params["unit"] = self.unit_id
        if self.stream is not None:
            params["stream"] = self.stream
        return params


def result_categories_worst_first() -> list[ResultCategory]:
    return list(ResultCategory.objects.order_by("-result_class", "-order", "-pk"))


def _level(lookup: str) -> Case:
    """A rating as a level (1 satisfied … 3 unsatisfied), so the least satisfied is the highest."""
    return Case(
        *[When(**{lookup: value}, then=Value(level)) for value, level in LEVELS.items()],
        default=Value(None),
        output_field=IntegerField(),
    )


def _sql(queryset: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _date(day: dt.date) -> str | None:
    return connection.ops.adapt_datefield_value(day)


def _in(values: Iterable[Any]) -> tuple[str, list[Any]]:
    values = list(values)
    return ", ".join(["%s"] * len(values)) or "NULL", values


# --- the facts every figure is a condition on ------------------------------------------------------
#
# `per_assignment` is one row per active assignment with what its replies say (first and second
# round: issued, late, result rank, rating levels, rated or not), one GROUP BY over the
# assignments LEFT JOINed to their replies and ratings, written with the ORM (which knows the
# backend's date and time-zone functions). The suggestions' facts group it by suggestion and
# join contacts and key items; the units' facts join contacts per assignment. Each is one SQL
# statement; counting GROUP BYs it once more, and a figure's list is a WHERE on it.


def per_assignment(scope: Scope, categories: list[ResultCategory]) -> QuerySet[Assignment, dict[str, Any]]:
    """One row per active assignment of the scope's year or meeting (every unit, every role)."""
    rank = Case(
        *[When(replies__result_category_id=c.pk, then=Value(i)) for i, c in enumerate(categories)],
        default=Value(None),
        output_field=IntegerField(),
    )
    first = Q(replies__round=1, replies__state=ISSUED)
    second = Q(replies__round=2, replies__state=ISSUED)
    # A rating counts once it has taken effect; one the deputy may still change is not yet one.
    counted = Q(replies__rating__changeable_until__isnull=True)
    not_rated = Q(replies__rating__isnull=True) | Q(replies__rating__changeable_until__isnull=False)
    # A merged group's members mirror the main suggestion's assignments: an extension approved
    # on the main one's moved their deadline too (same unit), so it counts for them as well.
    # Two EXISTS, each an index probe (an OR of both in one would scan the extensions per row).
    approved = DeadlineExtension.objects.filter(status=DeadlineExtension.Status.APPROVED)
    own = approved.filter(assignment=OuterRef("pk"))
    main = approved.filter(
        assignment__proposal_id=OuterRef("proposal__merged_into_id"),
        assignment__unit_id=OuterRef("unit_id"),
        assignment__is_active=True,
    )

    def extended(**narrow: Any) -> Case:
        either = [When(Exists(found.filter(**narrow)), then=Value(1)) for found in (own, main)]
        return Case(*either, default=Value(0), output_field=IntegerField())

    return (
        Assignment.objects.filter(scope.narrow("proposal__"), is_active=True)
        .order_by()
        .values("id", "unit_id", "role", "proposal_id", "deadline", "rehandling_deadline", state=F("proposal__state"))
        .annotate(
            extended=extended(),
            extended1=extended(round=1),
            first=Count("replies", filter=first),
            first_late=Count("replies", filter=first & Q(replies__issued_at__date__gt=F("deadline"))),
            second=Count("replies", filter=second),
            second_late=Count("replies", filter=second & Q(replies__issued_at__date__gt=F("rehandling_deadline"))),
            rank1=Min(rank, filter=first),
            rank2=Min(rank, filter=second),
            res1=Max(_level("replies__rating__result"), filter=first & counted),
            res2=Max(_level("replies__rating__result"), filter=second & counted),
            att1=Max(_level("replies__rating__attitude"), filter=first & counted),
            att2=Max(_level("replies__rating__attitude"), filter=second & counted),
            unrated1=Count("replies", filter=first & not_rated),
            unrated2=Count("replies", filter=second & not_rated),
        )
    )


def _with(scope: Scope, categories: list[ResultCategory]) -> tuple[str, list[Any]]:
    """The two common table expressions the facts read: `x`, the assignments with what their
    replies say, and `ct`, the contacts that count (not disputed by the deputy)."""
    contacts = (
        ContactRecord.objects.filter(scope.narrow("proposal__"))
        .exclude(deputy_response=ContactRecord.DeputyResponse.DISPUTED)
        .order_by()
        .values("proposal_id", "assignment_id", "kind")
    )
    x_sql, x_params = _sql(per_assignment(scope, categories))
    c_sql, c_params = _sql(contacts)
    return f"x AS ({x_sql}), ct AS ({c_sql})", x_params + c_params


def _standing(column: str, alias: str = "x") -> str:
    """The standing reply's value: the second round's once issued, else the first's."""
    return f"CASE WHEN {alias}.second > 0 THEN {alias}.{column}2 ELSE {alias}.{column}1 END"


FACT_COLUMNS = (
    "state",
    "channel",
    "category_id",
    "source_id",
    "meeting_id",
    "fieldwork",
    "result_cat",
    "unrated",
    "res",
    "att",
    "late",
    "missed",
    "contacted",
    "f2f",
    "is_key",
    "overdue",
    "extended",
    "extended1",
)
CUBE_DIMS: tuple[str, ...] = (
    "state",
    "channel",
    "result_cat",
    "unrated",
    "res",
    "att",
    "late",
    "missed",
    "contacted",
    "f2f",
)
CUBE_DIMS += ("is_key", "overdue", "extended", "extended1")


def _facts_select(scope: Scope, categories: list[ResultCategory]) -> tuple[str, list[Any]]:
    """SELECT of the per-suggestion facts (columns `id` and FACT_COLUMNS), reading `x` and `ct`."""
    keys = (
        KeyItem.proposals.through.objects.filter(scope.narrow("proposal__"))
        .order_by()
        .values(pid=F("proposal_id"))
        .annotate(n=Count("pk"))
    )
    base = (
        scope.proposals()
        .order_by()
        .values(
            "id",
            "state",
            "channel",
            "category_id",
            "source_id",
            "meeting_id",
            "due_on",
            is_fw=F("source__is_fieldwork"),
        )
    )
    p_sql, p_params = _sql(base)
    k_sql, k_params = _sql(keys)
    ranks = " ".join(f"WHEN {i} THEN %s" for i in range(len(categories)))
    due_states, due_params = _in(REPLY_DUE_STATES)
    answering, answering_params = _in(ANSWERING)
    sql = f"""
        SELECT p.id AS id, p.state AS state, p.channel AS channel, p.category_id AS category_id,
               p.source_id AS source_id, p.meeting_id AS meeting_id,
               CASE WHEN p.is_fw THEN 1 ELSE 0 END AS fieldwork,
               {f"CASE r.worst {ranks} ELSE NULL END" if categories else "NULL"} AS result_cat,
               CASE WHEN COALESCE(r.unrated, 0) > 0 THEN 1 ELSE 0 END AS unrated,
               r.res AS res, r.att AS att,
               CASE WHEN COALESCE(r.late, 0) > 0 THEN 1 ELSE 0 END AS late,
               CASE WHEN COALESCE(r.missed, 0) > 0 THEN 1 ELSE 0 END AS missed,
               CASE WHEN c.n IS NULL THEN 0 ELSE 1 END AS contacted,
               CASE WHEN COALESCE(c.f2f, 0) > 0 THEN 1 ELSE 0 END AS f2f,
               CASE WHEN k.n IS NULL THEN 0 ELSE 1 END AS is_key,
               CASE WHEN p.due_on < %s AND p.state IN ({due_states}) THEN 1 ELSE 0 END AS overdue,
               CASE WHEN COALESCE(r.extended, 0) > 0 THEN 1 ELSE 0 END AS extended,
               CASE WHEN COALESCE(r.extended1, 0) > 0 THEN 1 ELSE 0 END AS extended1
        FROM ({p_sql}) p
        LEFT JOIN (
            SELECT x.proposal_id AS pid,
                   MIN({_standing("rank")}) AS worst,
                   SUM({_standing("unrated")}) AS unrated,
                   MAX({_standing("res")}) AS res,
                   MAX({_standing("att")}) AS att,
                   SUM(x.first_late) AS late,
                   SUM(CASE WHEN x.deadline < %s AND x.first = 0 THEN 1 ELSE 0 END) AS missed,
                   SUM(x.extended) AS extended,
                   SUM(x.extended1) AS extended1
            FROM x
            WHERE x.role IN ({answering})
            GROUP BY x.proposal_id
        ) r ON r.pid = p.id
        LEFT JOIN (
            SELECT ct.proposal_id AS pid, COUNT(*) AS n, SUM(CASE WHEN ct.kind = %s THEN 1 ELSE 0 END) AS f2f
            FROM ct GROUP BY ct.proposal_id
        ) c ON c.pid = p.id
        LEFT JOIN ({k_sql}) k ON k.pid = p.id
    """
    params = [c.pk for c in categories] + [_date(scope.as_of), *due_params]
    params += p_params + [_date(scope.as_of), *answering_params, ContactRecord.Kind.FACE_TO_FACE] + k_params
    return sql, params


def suggestion_facts(scope: Scope, categories: list[ResultCategory] | None = None) -> tuple[str, list[Any]]:
    """The per-suggestion facts as one statement (what a figure's list filters)."""
    categories = result_categories_worst_first() if categories is None else categories
    with_sql, with_params = _with(scope, categories)
    facts, params = _facts_select(scope, categories)
    return f"WITH {with_sql} {facts}", with_params + params


def condition_sql(condition: Q, alias: str, columns: tuple[str, ...]) -> tuple[str, list[Any]]:
    """A figure's condition (exact, in and isnull lookups, AND/OR/NOT) as SQL on the facts."""
    parts, params = [], []
    for child in condition.children:
        if isinstance(child, Q):
            sql, more = condition_sql(child, alias, columns)
        else:
            assert isinstance(child, tuple)  # a Q's other children are (lookup, value) pairs
            lookup, value = child
            name, _sep, op = lookup.partition("__")
            if name not in columns:  # pragma: no cover - the figures use only fact columns
                raise ValueError(lookup)
            column = f"{alias}.{name}"
            plain = int(value) if isinstance(value, bool) else value
            if op == "isnull":
                sql, more = f"{column} IS {'NULL' if value else 'NOT NULL'}", []
            elif op == "in":
                placeholders, more = _in(int(v) if isinstance(v, bool) else v for v in value)
                sql = f"{column} IN ({placeholders})"
            elif op == "" and value is None:
                sql, more = f"{column} IS NULL", []
            elif op == "":
                sql, more = f"{column} = %s", [plain]
            else:  # pragma: no cover
                raise ValueError(lookup)
        parts.append(f"({sql})")
        params += more
    joined = f" {condition.connector} ".join(parts) or "1 = 1"
    return (f"NOT ({joined})" if condition.negated else joined), params


REPLIED = Q(state__in=REPLIED_STATES)
RATED = REPLIED & Q(result_cat__isnull=False, unrated=False)
DUE = Q(state__in=ASSIGNED_STATES) & (REPLIED | Q(missed=True) | Q(late=True))
ON_TIME = REPLIED & Q(late=False)

# Suggestion-level figures: each one condition on the facts, counted in the cube and used as
# the list's filter.
FIGURES: dict[str, tuple[Promise, Q]] = {
    "received": (_("Received"), Q(state__in=RECEIVED_STATES)),
    "registered": (_("Registered"), Q(state__in=REGISTERED_STATES)),
    "meeting": (_("Made during the meeting"), Q(state__in=REGISTERED_STATES, channel=Proposal.Channel.MEETING)),
    "between": (_("Made between meetings"), Q(state__in=REGISTERED_STATES, channel=Proposal.Channel.BETWEEN)),
    "not_accepted": (_("Not accepted"), Q(state=S.NOT_ACCEPTED)),
    "withdrawn": (_("Withdrawn"), Q(state=S.WITHDRAWN)),
    "under_review": (_("Waiting for review"), Q(state__in=(S.SUBMITTED, S.RETURNED))),
    "assigned": (_("Assigned"), Q(state__in=ASSIGNED_STATES)),
    "in_progress": (_("Being handled"), Q(state__in=REPLY_DUE_STATES)),
    "replied": (_("Replied"), REPLIED),
    "done": (_("Done (reply standing)"), Q(state__in=DONE_STATES)),
    "closed": (_("Closed"), Q(state=S.CLOSED)),
    "rehandling": (_("In re-handling"), Q(state=S.REHANDLING)),
    "due": (_("First replies due"), DUE),
    "on_time": (_("Replied on time"), ON_TIME),
    "not_on_time": (_("Late or missing first replies"), DUE & ~ON_TIME),
    "contacted": (_("With a contact record"), Q(state__in=ASSIGNED_STATES, contacted=True)),
    "face_to_face": (_("With a face-to-face consultation"), Q(state__in=ASSIGNED_STATES, f2f=True)),
    "rated": (_("Rated"), RATED),
    "unrated": (_("Replied, not rated yet"), REPLIED & ~RATED),
    "result_satisfied": (_("Result: satisfied"), RATED & Q(res=1)),
    "result_basic": (_("Result: basically satisfied"), RATED & Q(res=2)),
    "result_unsatisfied": (_("Result: unsatisfied"), RATED & Q(res=3)),
    "result_positive": (_("Result: satisfied or basically satisfied"), RATED & Q(res__in=(1, 2))),
    "attitude_satisfied": (_("Attitude: satisfied"), RATED & Q(att=1)),
    "attitude_basic": (_("Attitude: basically satisfied"), RATED & Q(att=2)),
    "attitude_unsatisfied": (_("Attitude: unsatisfied"), RATED & Q(att=3)),
    "attitude_positive": (_("Attitude: satisfied or basically satisfied"), RATED & Q(att__in=(1, 2))),
    "overdue": (_("Overdue now"), Q(overdue=True)),
    "key": (_("Key suggestions"), Q(is_key=True)),
    "extended": (_("With an approved deadline extension"), Q(state__in=ASSIGNED_STATES, extended=True)),
    "on_time_extended": (_("Replied on time against an extended deadline"), ON_TIME & Q(extended1=True)),
}
# Figures with a value: which category, source, result class or result category.
PARAMETRIC: dict[str, Promise] = {
    "category": _("Category"),
    "source": _("Source"),
    "fieldwork": _("From fieldwork"),
    "class": _("Result class"),
    "result_category": _("Result category"),
    "meeting_of": _("Meeting"),
    "key_state": _("Key suggestions"),
}
# Unit-level figures: conditions on the unit's own assignments (see `assignment_facts`).
UNIT_FIGURES: dict[str, Promise] = {
    "unit_count": _("Suggestions it answers"),
    "unit_co": _("Suggestions it co-handles"),
    "unit_due": _("Its first replies due"),
    "unit_on_time": _("Its replies on time"),
    "unit_not_on_time": _("Its late or missing replies"),
    "unit_rehandling_late": _("Its re-handling replies late or missing"),
    "unit_overdue": _("Its replies overdue now"),
    "unit_contacted": _("With its contact record"),
    "unit_face_to_face": _("With its face-to-face consultation"),
    "unit_rated": _("Its replies rated"),
    "unit_satisfied": _("Its replies rated satisfied"),
    "unit_basic": _("Its replies rated basically satisfied"),
    "unit_unsatisfied": _("Its replies rated unsatisfied"),
    "unit_extended": _("Its deadlines extended"),
}


class UnknownFigure(ValueError):
    pass


def _given_id(value: str | None) -> int:
    """The id a figure of one category, source, meeting... is given in the query string; a
    missing or malformed one raises ValueError (the figure is unknown)."""
    return int(value or "")


def figure_condition(name: str, value: str | None = None) -> Q:
    """The condition of a suggestion-level figure, on the facts."""
    if name in FIGURES:
        return FIGURES[name][1]
    try:
        if name == "category":
            return Q(state__in=REGISTERED_STATES, category_id=_given_id(value))
        if name == "source":
            return Q(state__in=REGISTERED_STATES, source_id=_given_id(value))
        if name == "fieldwork":
            return Q(state__in=REGISTERED_STATES, fieldwork=True)
        if name == "meeting_of":
            return Q(state__in=REGISTERED_STATES, meeting_id=_given_id(value))
        if name == "key_state":
            if value not in S.values:
                raise UnknownFigure(name)
            return Q(is_key=True, state=value)
        if name == "class":
            if value not in RESULT_CLASSES:
                raise UnknownFigure(name)
            ids = list(ResultCategory.objects.filter(result_class=value).values_list("pk", flat=True))
            return REPLIED & Q(result_cat__in=ids)
        if name == "result_category":
            return REPLIED & Q(result_cat=_given_id(value))
    except (TypeError, ValueError) as exc:
        raise UnknownFigure(name) from exc
    raise UnknownFigure(name)


def _matches(row: dict[str, Any], condition: Q) -> bool:
    """Evaluate a figure's condition on one row of the cube (the same Q the lists' SQL uses)."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_matches(row, child))
            continue
        assert isinstance(child, tuple)  # a Q's other children are (lookup, value) pairs
        lookup, expected = child
        name, _sep, op = lookup.partition("__")
        actual = row[name]
        if op == "":
            results.append(actual == expected)
        elif op == "in":
            results.append(actual in expected)
        elif op == "isnull":
            results.append((actual is None) == expected)
        else:  # pragma: no cover - the figures above use only these lookups
            raise ValueError(lookup)
    outcome = all(results) if condition.connector == Q.AND else any(results)
    return not outcome if condition.negated else outcome


def _fetch(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with tuned(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _count(cube: list[dict[str, Any]], condition: Q) -> int:
    return sum(row["n"] for row in cube if _matches(row, condition))


# --- units ------------------------------------------------------------------------------------------

ASSIGNMENT_COLUMNS = (
    "unit_id",
    "role",
    "state",
    "past_deadline",
    "has_rehandling",
    "rehandling_past",
    "first_issued",
    "first_on_time",
    "second_issued",
    "second_late",
    "res",
    "contacted",
    "f2f",
    "extended",
)


def _assignment_select(scope: Scope) -> tuple[str, list[Any]]:
    """SELECT of one row per active assignment (any role) with what the unit-level figures are
    conditions on: its own replies, standing rating and contacts; reads `x` and `ct`."""
    unit = "WHERE x.unit_id = %s" if scope.unit_id is not None else ""
    sql = f"""
        SELECT x.id AS id, x.unit_id AS unit_id, x.role AS role, x.proposal_id AS proposal_id, x.state AS state,
               CASE WHEN x.deadline < %s THEN 1 ELSE 0 END AS past_deadline,
               CASE WHEN x.rehandling_deadline IS NULL THEN 0 ELSE 1 END AS has_rehandling,
               CASE WHEN x.rehandling_deadline < %s THEN 1 ELSE 0 END AS rehandling_past,
               CASE WHEN x.first > 0 THEN 1 ELSE 0 END AS first_issued,
               CASE WHEN x.first > 0 AND x.first_late = 0 THEN 1 ELSE 0 END AS first_on_time,
               CASE WHEN x.second > 0 THEN 1 ELSE 0 END AS second_issued,
               CASE WHEN x.second_late > 0 THEN 1 ELSE 0 END AS second_late,
               {_standing("res")} AS res,
               CASE WHEN c.n IS NULL THEN 0 ELSE 1 END AS contacted,
               CASE WHEN COALESCE(c.f2f, 0) > 0 THEN 1 ELSE 0 END AS f2f,
               x.extended AS extended
        FROM x
        LEFT JOIN (
            SELECT ct.assignment_id AS aid, COUNT(*) AS n, SUM(CASE WHEN ct.kind = %s THEN 1 ELSE 0 END) AS f2f
            FROM ct GROUP BY ct.assignment_id
        ) c ON c.aid = x.id
        {unit}
    """
    params = [_date(scope.as_of), _date(scope.as_of), ContactRecord.Kind.FACE_TO_FACE]
    return sql, params + ([scope.unit_id] if scope.unit_id is not None else [])


def assignment_facts(scope: Scope) -> tuple[str, list[Any]]:
    """The per-assignment facts as one statement (what a unit figure's list filters)."""
    with_sql, with_params = _with(scope, [])
    facts, params = _assignment_select(scope)
    return f"WITH {with_sql} {facts}", with_params + params


ANSWERS = Q(role__in=ANSWERING)
UNIT_DUE = ANSWERS & (Q(first_issued=True) | Q(past_deadline=True))
UNIT_CONDITIONS: dict[str, Q] = {
    "unit_count": ANSWERS,
    "unit_co": Q(role=A.CO),
    "unit_due": UNIT_DUE,
    "unit_on_time": ANSWERS & Q(first_on_time=True),
    "unit_not_on_time": UNIT_DUE & Q(first_on_time=False),
    "unit_rehandling_late": ANSWERS
    & Q(has_rehandling=True)
    & (Q(second_late=True) | (Q(rehandling_past=True) & Q(second_issued=False))),
    "unit_overdue": ANSWERS
    & Q(state__in=REPLY_DUE_STATES)
    & ((Q(past_deadline=True) & Q(first_issued=False)) | (Q(rehandling_past=True) & Q(second_issued=False))),
    "unit_contacted": ANSWERS & Q(contacted=True),
    "unit_face_to_face": ANSWERS & Q(f2f=True),
    "unit_rated": ANSWERS & Q(res__isnull=False),
    "unit_satisfied": ANSWERS & Q(res=1),
    "unit_basic": ANSWERS & Q(res=2),
    "unit_unsatisfied": ANSWERS & Q(res=3),
    "unit_extended": ANSWERS & Q(extended=True),
}


@dataclass
class ScoreLine:
    label: str
    basis: str
    points: Decimal


@dataclass
class UnitRow:
    unit_id: int
    name: str
    count: int = 0
    co: int = 0
    due: int = 0
    on_time: int = 0
    not_on_time: int = 0
    rehandling_late: int = 0
    overdue: int = 0
    contacted: int = 0
    face_to_face: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    extended: int = 0
    score: Decimal = Decimal("0.00")
    scheme: ScoringScheme | None = field(default=None, repr=False, compare=False)

    @cached_property
    def breakdown(self) -> list[ScoreLine]:
        """The score line by line (empty before the row is scored)."""
        return [] if self.scheme is None else score_lines(self, self.scheme)

    @property
    def late_replies(self) -> int:
        """First replies due and not made on time, and re-handling replies late or missing."""
        return self.not_on_time + self.rehandling_late

    @property
    def on_time_rate(self) -> Figure:
        return Figure(self.on_time, self.due)

    @property
    def contact_rate(self) -> Figure:
        return Figure(self.contacted, self.count)

    @property
    def face_to_face_rate(self) -> Figure:
        return Figure(self.face_to_face, self.count)

    @property
    def satisfied_rate(self) -> Figure:
        return Figure(self.satisfied, self.rated)

    @property
    def positive_rate(self) -> Figure:
        return Figure(self.satisfied + self.basic, self.rated)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("scheme", "score")
        }
        data["score"] = str(self.score)
        data["breakdown"] = [
            {"label": line.label, "basis": line.basis, "points": str(line.points)} for line in self.breakdown
        ]
        for name in ("on_time_rate", "contact_rate", "face_to_face_rate", "satisfied_rate", "positive_rate"):
            data[name] = getattr(self, name).as_dict()
        return data


def _pct_text(figure: Figure) -> str:
    pct = figure.pct
    return "—" if pct is None else f"{pct}%"


SCORE_LABELS = (
    _("On-time replies"),
    _("Contact with the deputies"),
    _("Face-to-face consultations"),
    _("Satisfied ratings"),
    _("Basically satisfied ratings"),
    _("Late or missing replies"),
    _("Unsatisfied ratings"),
)
CENT = Decimal("0.01")


def _score_parts(row: UnitRow, scheme: ScoringScheme) -> tuple[list[tuple[Decimal, Figure]], list[tuple[int, Decimal]]]:
    """The scheme's rates (points, the unit's figure) and deductions (count, points each)."""
    rates = [
        (scheme.on_time_points, row.on_time_rate),
        (scheme.contact_points, row.contact_rate),
        (scheme.face_to_face_points, row.face_to_face_rate),
        (scheme.satisfied_points, row.satisfied_rate),
        (scheme.basic_points, Figure(row.basic, row.rated)),
    ]
    deductions = [(row.late_replies, scheme.overdue_deduction), (row.unsatisfied, scheme.unsatisfied_deduction)]
    return rates, deductions


def _earned(points: Decimal, figure: Figure) -> Decimal:
    return part_of(points, figure.n, figure.of) if figure.of else Decimal("0.00")


def _deducted(count: int, points: Decimal) -> Decimal:
    return (-(points * count) + 0).quantize(CENT)


def score_lines(row: UnitRow, scheme: ScoringScheme, labels: list[str] | None = None) -> list[ScoreLine]:
    """The score line by line: each rate's points earned, each deduction."""
    labels = labels or [str(label) for label in SCORE_LABELS]
    rates, deductions = _score_parts(row, scheme)
    lines = [
        ScoreLine(label, f"{_pct_text(figure)} × {points}", _earned(points, figure))
        for label, (points, figure) in zip(labels, rates, strict=False)
    ]
    for label, (count, points) in zip(labels[5:], deductions, strict=True):
        lines.append(ScoreLine(label, f"{count} × −{points}", _deducted(count, points)))
    return lines


def score_unit(row: UnitRow, scheme: ScoringScheme) -> None:
    """Fill the row's score from the scheme (see ScoringScheme); its breakdown, the same sum
    line by line, is written when it is read (`UnitRow.breakdown`)."""
    rates, deductions = _score_parts(row, scheme)
    total = sum((_earned(points, figure) for points, figure in rates), Decimal("0.00"))
    total += sum((_deducted(count, points) for count, points in deductions), Decimal("0.00"))
    row.score = max(Decimal("0.00"), total)
    row.scheme = scheme


def _unit_sums() -> tuple[list[str], list[Any]]:
    sums, params = [], []
    for name, condition in UNIT_CONDITIONS.items():
        sql, more = condition_sql(condition, "a", ASSIGNMENT_COLUMNS)
        sums.append(f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) AS {name.replace('unit_', 'u_')}")
        params += more
    return sums, params


def _rows_to_units(grouped: list[dict[str, Any]], scope: Scope, scheme: ScoringScheme | None) -> list[UnitRow]:
    names = dict(Unit.objects.filter(pk__in=[g["unit_id"] for g in grouped]).values_list("pk", "name"))
    scheme = scheme or ScoringScheme.for_year(scope.year if scope.year is not None else scope.report_year, scope.stream)
    rows = []
    for g in grouped:
        row = UnitRow(unit_id=g["unit_id"], name=names.get(g["unit_id"], ""))
        for name in UNIT_CONDITIONS:
            setattr(row, name.removeprefix("unit_"), int(g[name.replace("unit_", "u_")] or 0))
        score_unit(row, scheme)
        rows.append(row)
    rows.sort(key=lambda r: (-r.score, -r.count, r.name))
    return rows


def unit_rows(scope: Scope, scheme: ScoringScheme | None = None) -> list[UnitRow]:
    """The units' table alone, ranked by score, then by count."""
    with_sql, with_params = _with(scope, [])
    facts, params = _assignment_select(scope)
    sums, sum_params = _unit_sums()
    sql = f"WITH {with_sql}, a AS ({facts}) SELECT a.unit_id AS unit_id, {', '.join(sums)} FROM a GROUP BY a.unit_id"
    return _rows_to_units(_fetch(sql, with_params + params + sum_params), scope, scheme)


def _cube_and_units(
    scope: Scope, categories: list[ResultCategory]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The suggestions' cube (facts → count) and the units' sums in one statement: the
    assignments, replies, ratings and contacts of the year are read once for both."""
    with_sql, with_params = _with(scope, categories)
    facts, f_params = _facts_select(scope, categories)
    assignments, a_params = _assignment_select(scope)
    sums, sum_params = _unit_sums()
    unit_names = [name.replace("unit_", "u_") for name in UNIT_CONDITIONS]
    dims = ", ".join(f"f.{d}" for d in CUBE_DIMS)
    sql = f"""
        WITH {with_sql}, f AS ({facts}), a AS ({assignments})
        SELECT 'c' AS part, {dims}, COUNT(*) AS n, NULL AS unit_id, {", ".join(f"NULL AS {n}" for n in unit_names)}
        FROM f GROUP BY {dims}
        UNION ALL
        SELECT 'u' AS part, {", ".join(f"NULL AS {d}" for d in CUBE_DIMS)}, NULL AS n, a.unit_id AS unit_id,
               {", ".join(sums)}
        FROM a GROUP BY a.unit_id
    """
    rows = _fetch(sql, with_params + f_params + a_params + sum_params)
    return [r for r in rows if r["part"] == "c"], [r for r in rows if r["part"] == "u"]


# --- the whole set ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a breakdown (a category, source, meeting, result class or category)."""

    key: int | str | None  # a category's, source's or meeting's id, a result class, a state
    label: str
    figure: Figure

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **self.figure.as_dict()}


@dataclass
class ExtensionRow:
    """An approved deadline extension (申请延期) of one of the scope's answering units: which
    suggestion, which unit, which reply (first or re-handling) and its deadline before and after."""

    proposal_id: int
    proposal: str
    unit_id: int
    unit: str
    round: int
    original: dt.date
    extended_to: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {
            "proposal_id": self.proposal_id,
            "proposal": self.proposal,
            "unit_id": self.unit_id,
            "unit": self.unit,
            "round": self.round,
            "from": self.original.isoformat(),
            "to": self.extended_to.isoformat(),
        }


@dataclass
class Figures:
    scope: Scope
    counts: dict[str, int]
    rates: dict[str, Figure]
    categories: list[Row]
    sources: list[Row]
    meetings: list[Row]
    result_classes: list[Row]
    result_categories: list[Row]
    satisfaction: dict[str, dict[str, Figure]]
    units: list[UnitRow]
    scheme: ScoringScheme
    key_states: list[Row] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)

    @property
    def top_categories(self) -> list[Row]:
        return self.categories[:5]

    @property
    def units_involved(self) -> int:
        """How many units the scope's suggestions went to: answering or co-handling."""
        return sum(1 for u in self.units if u.count or u.co)

    def figure(self, name: str) -> Figure:
        """A count with its base, by name (rates and counts alike)."""
        if name in self.rates:
            return self.rates[name]
        return Figure(self.counts[name])

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": {
                "year": self.scope.year,
                "meeting": self.scope.meeting_id,
                "unit": self.scope.unit_id,
                "stream": self.scope.stream,
                "as_of": self.scope.as_of.isoformat(),
            },
            "rounding": "percent, two decimals, half up on the exact fraction",
            "counts": dict(self.counts),
            "rates": {k: v.as_dict() for k, v in self.rates.items()},
            "categories": [r.as_dict() for r in self.categories],
            "top_categories": [r.as_dict() for r in self.top_categories],
            "sources": [r.as_dict() for r in self.sources],
            "meetings": [r.as_dict() for r in self.meetings],
            "result_classes": [r.as_dict() for r in self.result_classes],
            "result_categories": [r.as_dict() for r in self.result_categories],
            "satisfaction": {
                side: {k: v.as_dict() for k, v in values.items()} for side, values in self.satisfaction.items()
            },
            "units_involved": self.units_involved,
            "units": [u.as_dict() for u in self.units],
            "key_states": [r.as_dict() for r in self.key_states],
            "extensions": [e.as_dict() for e in self.extensions],
            "scoring_scheme": str(self.scheme),
        }


def _grouped(scope: Scope, field_name: str) -> list[list[Any]]:
    """[key, count] of the scope's registered suggestions by one column (category, source...)."""
    grouped = (
        scope.proposals().filter(state__in=REGISTERED_STATES).order_by().values(field_name).annotate(n=Count("pk"))
    )
    return [[g[field_name], int(g["n"])] for g in grouped]


def _breakdown(pairs: list[list[Any]], labels: dict[Any, str], base: int, order: list[Any] | None = None) -> list[Row]:
    rows = [Row(key, labels.get(key, str(_("Not given"))), Figure(n, base)) for key, n in pairs]
    if order is None:
        rows.sort(key=lambda r: (-r.figure.n, r.label))
    else:
        position = {key: i for i, key in enumerate(order)}
        rows.sort(key=lambda r: position.get(r.key, len(position)))
    return rows


def _extensions(scope: Scope) -> list[list[Any]]:
    """[proposal id, unit id, round, old deadline, new deadline] of each approved extension of the
    scope's answering units (the assignments the figures count: active, lead or separate)."""
    assignments = Assignment.objects.filter(scope.narrow("proposal__"), is_active=True, role__in=ANSWERING)
    if scope.unit_id is not None:
        assignments = assignments.filter(unit_id=scope.unit_id)
    rows = approved_extensions(assignments).values_list(
        "assignment__proposal_id", "assignment__unit_id", "round", "original_deadline", "requested_deadline"
    )
    return [[pid, uid, round_, old.isoformat(), new.isoformat()] for pid, uid, round_, old, new in rows]


def count(scope: Scope) -> dict[str, Any]:
    """Every count the figures are made of, for `scope`, as plain JSON data (ids, no labels):
    what `reports.stored` keeps, and what `assemble` turns into the figures."""
    categories = result_categories_worst_first()
    cube, unit_sums = _cube_and_units(scope, categories)
    counts = {name: _count(cube, condition) for name, (_label, condition) in FIGURES.items()}
    by_category: dict[int, int] = {}
    key_counts: dict[str, int] = {}
    for row in cube:
        if row["result_cat"] is not None and row["state"] in REPLIED_STATES:
            by_category[row["result_cat"]] = by_category.get(row["result_cat"], 0) + int(row["n"])
        if row["is_key"]:
            key_counts[row["state"]] = key_counts.get(row["state"], 0) + int(row["n"])
    unit_names = [name.replace("unit_", "u_") for name in UNIT_CONDITIONS]
    return {
        "counts": counts,
        "result_categories": [[pk, n] for pk, n in by_category.items()],
        "key_states": key_counts,
        "categories": _grouped(scope, "category_id"),
        "sources": _grouped(scope, "source_id"),
        "meetings": _grouped(scope, "meeting_id"),
        "units": [[g["unit_id"], *(int(g[n] or 0) for n in unit_names)] for g in unit_sums],
        "extensions": _extensions(scope),
    }


def compute(scope: Scope) -> Figures:
    """Every figure for `scope`, counted now from the suggestions (the recount)."""
    return assemble(scope, count(scope))


def assemble(scope: Scope, data: dict[str, Any]) -> Figures:
    """The figures from the counts `count` gives (fresh or stored): rates, shares, labels, the
    units' scores. Labels and the scoring scheme are read now, so a renamed unit or category,
    or an edited scheme, shows at once."""
    categories = result_categories_worst_first()
    counts = dict(data["counts"])

    registered, assigned, replied = counts["registered"], counts["assigned"], counts["replied"]
    rated = counts["rated"]
    rates = {
        "meeting": Figure(counts["meeting"], registered),
        "between": Figure(counts["between"], registered),
        "completion": Figure(counts["done"], assigned),
        "on_time": Figure(counts["on_time"], counts["due"]),
        "contact": Figure(counts["contacted"], assigned),
        "face_to_face": Figure(counts["face_to_face"], assigned),
        "satisfied": Figure(counts["result_satisfied"], rated),
        "positive": Figure(counts["result_positive"], rated),
        "attitude_satisfied": Figure(counts["attitude_satisfied"], rated),
        "attitude_positive": Figure(counts["attitude_positive"], rated),
        "rated": Figure(rated, replied),
    }
    satisfaction = {
        side: {
            "satisfied": Figure(counts[f"{side}_satisfied"], rated),
            "basic": Figure(counts[f"{side}_basic"], rated),
            "unsatisfied": Figure(counts[f"{side}_unsatisfied"], rated),
            "positive": Figure(counts[f"{side}_positive"], rated),
            "unrated": Figure(counts["unrated"], replied),
        }
        for side in ("result", "attitude")
    }

    by_category = {c.pk: 0 for c in categories}
    for pk, n in data["result_categories"]:
        by_category[pk] = by_category.get(pk, 0) + n
    class_labels = dict(ResultCategory.ResultClass.choices)
    result_classes = [
        Row(
            klass,
            str(class_labels[klass]),
            Figure(sum(by_category[c.pk] for c in categories if c.result_class == klass), replied),
        )
        for klass in RESULT_CLASSES
    ]
    in_order = sorted(categories, key=lambda c: (c.order, c.result_class, c.name))
    result_categories = [
        Row(c.pk, c.name, Figure(by_category[c.pk], replied)) for c in in_order if by_category[c.pk] or c.is_active
    ]

    category_rows = _breakdown(data["categories"], dict(Category.objects.values_list("pk", "name")), registered)
    sources = list(Source.objects.values_list("pk", "name", "is_fieldwork"))
    source_rows = _breakdown(
        data["sources"], {pk: name for pk, name, _fw in sources}, registered, order=[pk for pk, _n, _fw in sources]
    )
    fieldwork_ids = {pk for pk, _name, fieldwork in sources if fieldwork}
    counts["fieldwork"] = sum(r.figure.n for r in source_rows if r.key in fieldwork_ids)
    rates["fieldwork"] = Figure(counts["fieldwork"], registered)
    meeting_names = dict(Meeting.objects.filter(pk__in=[k for k, _n in data["meetings"]]).values_list("pk", "name"))
    meeting_rows = _breakdown(data["meetings"], meeting_names, registered)

    # Key suggestions by state: how far the year's key items have come.
    key_counts: dict[str, int] = data["key_states"]
    state_labels = dict(S.choices)
    key_states = [
        Row(state, str(state_labels[state]), Figure(key_counts[state], counts["key"]))
        for state in S.values
        if key_counts.get(state)
    ]

    extensions = _extension_rows(data["extensions"])

    year = scope.year if scope.year is not None else scope.report_year
    scheme = ScoringScheme.for_year(year, scope.stream)
    unit_names = [name.replace("unit_", "u_") for name in UNIT_CONDITIONS]
    unit_sums = [{"unit_id": row[0], **dict(zip(unit_names, row[1:], strict=True))} for row in data["units"]]
    return Figures(
        scope=scope,
        counts=counts,
        rates=rates,
        categories=category_rows,
        sources=source_rows,
        meetings=meeting_rows,
        result_classes=result_classes,
        result_categories=result_categories,
        satisfaction=satisfaction,
        units=_rows_to_units(unit_sums, scope, scheme),
        scheme=scheme,
        key_states=key_states,
        extensions=extensions,
    )


def _extension_rows(kept: list[list[Any]]) -> list[ExtensionRow]:
    """The extensions kept by `count`, with the suggestions' numbers and titles and the units'
    names as they read now."""
    if not kept:
        return []
    proposals = {p.pk: str(p) for p in Proposal.objects.filter(pk__in={row[0] for row in kept})}
    units = dict(Unit.objects.filter(pk__in={row[1] for row in kept}).values_list("pk", "name"))
    return [
        ExtensionRow(
            proposal_id=pid,
            proposal=proposals.get(pid, ""),
            unit_id=uid,
            unit=units.get(uid, ""),
            round=round_,
            original=dt.date.fromisoformat(old),
            extended_to=dt.date.fromisoformat(new),
        )
        for pid, uid, round_, old, new in kept
    ]


# --- the lists behind the figures -------------------------------------------------------------------


def figure_label(name: str, value: str | None = None) -> str:
    if name in FIGURES:
        return str(FIGURES[name][0])
    if name in UNIT_FIGURES:
        return str(UNIT_FIGURES[name])
    if name not in PARAMETRIC:
        raise UnknownFigure(name)
    label = str(PARAMETRIC[name])
    detail = None
    try:
        if name == "category":
            detail = Category.objects.filter(pk=_given_id(value)).values_list("name", flat=True).first()
        elif name == "source":
            detail = Source.objects.filter(pk=_given_id(value)).values_list("name", flat=True).first()
        elif name == "result_category":
            detail = ResultCategory.objects.filter(pk=_given_id(value)).values_list("name", flat=True).first()
        elif name == "meeting_of":
            detail = Meeting.objects.filter(pk=_given_id(value)).values_list("name", flat=True).first()
        elif name == "class":
            detail = str(dict(ResultCategory.ResultClass.choices).get(value or "", ""))
        elif name == "key_state":
            detail = str(dict(S.choices).get(value or "", ""))
    except (TypeError, ValueError) as exc:
        raise UnknownFigure(name) from exc
    return f"{label}：{detail}" if detail else label


def figure_queryset(scope: Scope, name: str, value: str | None = None) -> QuerySet[Proposal]:
    """The suggestions behind a figure: exactly those it counts (its condition on the facts)."""
    if name in UNIT_FIGURES:
        if scope.unit_id is None:
            raise UnknownFigure(name)
        facts, params = assignment_facts(scope)
        where, more = condition_sql(UNIT_CONDITIONS[name], "f", ASSIGNMENT_COLUMNS)
        return Proposal.objects.filter(
            pk__in=RawSQL(f"SELECT f.proposal_id FROM ({facts}) f WHERE {where}", params + more)
        )
    condition = figure_condition(name, value)
    facts, params = suggestion_facts(scope)
    where, more = condition_sql(condition, "f", FACT_COLUMNS)
    return Proposal.objects.filter(pk__in=RawSQL(f"SELECT f.id FROM ({facts}) f WHERE {where}", params + more))


def key_suggestions(scope: Scope, proposals: QuerySet[Proposal] | None = None) -> QuerySet[KeyItem]:
    """The year's key items with their suggestions in scope (for the dashboard and the report)."""
    from django.db.models import Prefetch

    if proposals is None:
        proposals = scope.proposals().select_related("lead_deputy", "meeting").order_by("meeting", "number", "pk")
    items = KeyItem.objects.filter(year=scope.year if scope.year is not None else scope.report_year)
    if scope.stream is not None:  # a key item holds one body's items: that body's key items
        items = items.filter(pk__in=KeyItem.objects.filter(proposals__stream=scope.stream).values("pk"))
    return (
        items.select_related("leader", "committee")
        .prefetch_related(Prefetch("proposals", queryset=proposals))
        .order_by("pk")
    )


def overdue_suggestions(scope: Scope, limit: int = 20) -> QuerySet[Proposal]:
    return (
        scope.proposals()
        .overdue(scope.as_of)
        .select_related("meeting", "lead_deputy", "category")
        .order_by("due_on", "number", "pk")[:limit]
    )


# --- residents' matters (群众意见) ---------------------------------------------------------------------

MATTER_COUNTS = (
    "received",
    "waiting",
    "answered_directly",
    "forwarded",
    "forwarded_answered",
    "forwarded_overdue",
    "suggested",
    "merged",
    "closed",
)


def _matter_sums(as_of: dt.date) -> dict[str, Count]:
    M = ResidentMatter.State
    referred = Q(referral__isnull=False)
    return {
        "received": Count("pk"),
        "waiting": Count("pk", filter=Q(state=M.NEW)),
        "answered_directly": Count("pk", filter=Q(state=M.ANSWERED)),
        "forwarded": Count("pk", filter=referred),
        "forwarded_answered": Count("pk", filter=Q(referral__answered_at__isnull=False)),
        "forwarded_overdue": Count("pk", filter=referred & MatterReferral.overdue_condition(as_of, "referral__")),
        "suggested": Count("pk", filter=Q(state=M.SUGGESTED)),
        "merged": Count("pk", filter=Q(state=M.MERGED)),
        "closed": Count("pk", filter=Q(state=M.CLOSED) & ~referred),
    }


@dataclass
class MatterLine:
    """The matters of a year, of one station or deputy (or all): counts by what became of them."""

    key: int | None
    label: str
    counts: dict[str, int]

    @property
    def answered(self) -> int:
        return self.counts["answered_directly"] + self.counts["forwarded_answered"]

    @property
    def answered_rate(self) -> Figure:
        return Figure(self.answered, self.counts["received"] - self.counts["merged"])

    @property
    def suggested_rate(self) -> Figure:
        return Figure(self.counts["suggested"], self.counts["received"] - self.counts["merged"])

    def __getattr__(self, name: str) -> int:
        if name in MATTER_COUNTS:
            return self.counts[name]
        raise AttributeError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            **self.counts,
            "answered": self.answered,
            "answered_rate": self.answered_rate.as_dict(),
            "suggested_rate": self.suggested_rate.as_dict(),
        }


@dataclass
class MatterFigures:
    year: int
    stream: str | None
    total: MatterLine
    stations: list[MatterLine]
    deputies: list[MatterLine]

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "stream": self.stream,
            "total": self.total.as_dict(),
            "stations": [line.as_dict() for line in self.stations],
            "deputies": [line.as_dict() for line in self.deputies],
        }


def matters_of_year(year: int, stream: str | None = None) -> QuerySet[Any]:
    """The matters received in `year` (the local calendar year), of one stream: a station's
    stream, or the deputy's for a matter left with a deputy and no station."""
    queryset = ResidentMatter.objects.filter(received_at__year=year)
    if stream is not None:
        queryset = queryset.filter(Q(station__stream=stream) | Q(station__isnull=True, deputy__stream=stream))
    return queryset.annotate(of_deputy=Coalesce("deputy_id", "handled_by__deputy__id"))


def _matter_lines(cube: list[dict[str, Any]], column: str, model: Any, none_label: str) -> list[MatterLine]:
    """One line per value of `column` (a station's or a deputy's id) of the grouped counts,
    named from `model`."""
    sums: dict[Any, dict[str, int]] = {}
    for row in cube:
        line = sums.setdefault(row[column], dict.fromkeys(MATTER_COUNTS, 0))
        for k in MATTER_COUNTS:
            line[k] += int(row[k])
    keys = set(sums) - {None}
    labels: dict[Any, str] = dict(model.objects.filter(pk__in=keys).values_list("pk", "name")) if keys else {}
    lines = [MatterLine(key, labels.get(key, none_label), counts) for key, counts in sums.items()]
    return sorted(lines, key=lambda line: (line.key is None, -line.counts["received"], line.label))


def deputy_matters(deputy_id: int, year: int, *, as_of: dt.date | None = None) -> MatterLine:
    """One deputy's matters of `year` (its line of `matter_figures`), in one query."""
    sums = _matter_sums(as_of or timezone.localdate())
    total = matters_of_year(year).filter(of_deputy=deputy_id).order_by().aggregate(**sums)
    return MatterLine(deputy_id, "", {k: int(total[k] or 0) for k in MATTER_COUNTS})


def matter_figures(
    year: int, stream: str | None = None, *, as_of: dt.date | None = None, deputy_id: int | None = None
) -> MatterFigures:
    """The year's residents' matters: in all, per station and per deputy (see the module's
    head for what each count means); only one deputy's with `deputy_id`."""
    as_of = as_of or timezone.localdate()
    sums = _matter_sums(as_of)
    queryset = matters_of_year(year, stream)
    if deputy_id is not None:
        queryset = queryset.filter(of_deputy=deputy_id)
    # One GROUP BY by station and deputy: each line below is a sum of its small table.
    cube = list(queryset.order_by().values("station_id", "of_deputy").annotate(**sums))
    stations = _matter_lines(cube, "station_id", LiaisonStation, str(_("Left with a deputy")))
    deputies = _matter_lines(cube, "of_deputy", Deputy, str(_("Handled by the station's staff")))
    # Every matter is on one station's line (or on the line of those left with a deputy).
    total = {k: sum(line.counts[k] for line in stations) for k in MATTER_COUNTS}
    return MatterFigures(
        year=year,
        stream=stream,
        total=MatterLine(None, str(_("All matters")), total),
        stations=stations,
        deputies=deputies,
    )
