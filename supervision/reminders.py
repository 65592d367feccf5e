"""The daily scan: every reminder the product sends by itself.

`run_daily_scan(today)` is run every morning by Celery beat (`supervision.tasks.daily_scan`,
scheduled by a django-celery-beat row editable in the admin), or by cron through
`manage.py daily_scan` where there is no Celery. Its rules (thresholds are settings):

1. deadline   the unit handlers, 15, 7 and 1 days before a reply is due (REMINDER_DAYS_BEFORE);
2. overdue    the unit head and congress staff, the day after, then every OVERDUE_REPEAT_DAYS;
3. escalation the supervision office, once an item is overdue by more than ESCALATE_AFTER_DAYS;
4. rating     the lead deputy, when a reply stays unrated RATING_REMINDER_DAYS (staff, to
              collect the paper form, when the deputy has no login);
5. promise    the unit, every PROMISE_REMINDER_MONTHS, of each B-class promise not reported kept;
6. progress   the unit handlers, when a progress report on a key suggestion is due;
7. urging     the unit again, when an urging notice is left unacknowledged URGING_ACK_DAYS;
8. plan step  the unit handlers, once a step of their handling plan is past its date undone;
9. resurvey   the lead deputy, once per promise past its date or reported kept (回头看;
              registered into RULES by supervision/resurvey.py).
10. referral  the unit, once per residents' matter forwarded to it (民意件) and unanswered
              past its deadline (registered by supervision/referral_reminders.py).

Exactly once per item, occasion and recipient: each rule computes its candidates in a few
queries (never one per item), then `deliver` inserts them into the `Reminder` table with
INSERT … ON CONFLICT DO NOTHING RETURNING and writes notifications only for the rows it
inserted, in the same transaction. A second scan running at the same moment blocks on the
unique index until the first commits and then inserts nothing; a scan that crashes half-way
rolls back the rule it was in (nothing of it was sent: e-mails and text messages leave after
commit), and the retry sends exactly what is still missing. A scan that did not run for some
days catches up with the most recent occasion only (no pile of stale reminders).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from deputies.access import streams_of
from deputies.models import Role, User
from deputies.streams import KEEP_CLOSE, KEEP_OPEN, Stream, told_for, words_of
from handling.models import Assignment, PlanStep, Reply, Unit
from handling.rules import rateable_condition
from handling.selectors import Owed, with_owed_on
from proposals import notify
from proposals.models import REPLY_DUE_STATES, Notification, Proposal, ProposalState
from proposals.states import GROUP_HANDLED_STATES
from supervision.models import KeyItem, ProgressReport, Promise, Reminder, UrgingNotice
from supervision.services import sync_promises

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

log = logging.getLogger(__name__)
S = ProposalState
A = Assignment.Role
K = Reminder.Kind
OVERDUE = Notification.Kind.OVERDUE


class Candidate:
    """One reminder the rules want sent. `key` is what makes it unique (computed once: the
    scan builds and sorts hundreds of thousands of them).

    With an `audience` it is the same reminder to each of those people (congress staff, the
    supervision office: every overdue item of the district goes to each of them), claimed for
    each in the database rather than made in Python once per person; `recipient_id` is then 0.

    `stream` is the stream of its item, as the rule read it with the item ("": not read, or no
    item), so that delivery need not ask the database again which items are proposals.
    """

    __slots__ = (
        "kind",
        "subject",
        "threshold",
        "recipient_id",
        "proposal_id",
        "message",
        "url",
        "notification_kind",
        "key",
        "label",
        "audience",
        "stream",
    )

    def __init__(
        self,
        kind: str,
        subject: str,
        threshold: str,
        recipient_id: int,
        proposal_id: int | None,
        message: str,
        url: str,
        notification_kind: str,
        label: str = "",
        audience: tuple[int, ...] = (),
        stream: str = "",
    ) -> None:
        self.kind, self.subject, self.threshold, self.recipient_id = kind, subject, threshold, recipient_id
        self.proposal_id, self.message, self.url, self.notification_kind = proposal_id, message, url, notification_kind
        self.key = (kind, subject, threshold, recipient_id)
        self.label = label  # the item in a few words, for a digest
        self.audience = audience
        self.stream = stream

    def to(self, recipient_id: int) -> Candidate:
        """This reminder, to one person (of its audience)."""
        if recipient_id == self.recipient_id:
            return self
        return Candidate(
            self.kind,
            self.subject,
            self.threshold,
            recipient_id,
            self.proposal_id,
            self.message,
            self.url,
            self.notification_kind,
            self.label,
            stream=self.stream,
        )


@dataclass
class Directory:
    """The people reminders go to, loaded once per scan (one query)."""

    users: dict[int, User] = field(default_factory=dict)
    handlers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    heads: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    staff: list[int] = field(default_factory=list)
    supervision: list[int] = field(default_factory=list)
    # Each body's staff hear of their own stream's items only (deputies.access.streams_of).
    staff_of: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> Directory:
        people = cls()
        roles = (Role.UNIT_HANDLER, Role.UNIT_HEAD, Role.STAFF, Role.PROPOSALS_STAFF, Role.SUPERVISION)
        # The deputy record too (absent for these roles): phone_of() then asks no query.
        users = User.objects.filter(is_active=True, role__in=roles).select_related("unit_membership", "deputy")
        for user in users.order_by("pk"):
            people.users[user.pk] = user
            if user.role in (Role.STAFF, Role.PROPOSALS_STAFF):
                people.staff.append(user.pk)
                for stream in streams_of(user):
                    people.staff_of[stream].append(user.pk)
            elif user.role == Role.SUPERVISION:
                people.supervision.append(user.pk)
            else:
                unit_id = getattr(getattr(user, "unit_membership", None), "unit_id", None)
                if unit_id is not None:
                    (people.handlers if user.role == Role.UNIT_HANDLER else people.heads)[unit_id].append(user.pk)
        return people

    def unit_handlers(self, unit_id: int) -> list[int]:
        """The unit's handlers; its heads when it has none (someone must hear of it)."""
        return self.handlers.get(unit_id) or self.heads.get(unit_id, [])

    def unit_heads(self, unit_id: int) -> list[int]:
        return self.heads.get(unit_id) or self.handlers.get(unit_id, [])

    def unit_all(self, unit_id: int) -> list[int]:
        return [*self.handlers.get(unit_id, []), *self.heads.get(unit_id, [])]


class Links:
    """URLs built without one reverse() per row (100,000 reverses take seconds)."""

    def __init__(self) -> None:
        marker = 987654321
        self._proposal = reverse("proposals:detail", args=[marker]).replace(str(marker), "{}")
        self._promise = reverse("supervision:promise_detail", args=[marker]).replace(str(marker), "{}")
        self._key_item = reverse("supervision:key_detail", args=[marker]).replace(str(marker), "{}")
        self._urging = reverse("supervision:urging_detail", args=[marker]).replace(str(marker), "{}")
        self._survey = reverse("supervision:promise_survey", args=[marker]).replace(str(marker), "{}")

    def proposal(self, pk: int) -> str:
        return self._proposal.format(pk)

    def promise(self, pk: int) -> str:
        return self._promise.format(pk)

    def key_item(self, pk: int) -> str:
        return self._key_item.format(pk)

    def urging(self, pk: int) -> str:
        return self._urging.format(pk)

    def promise_survey(self, pk: int) -> str:
        return self._survey.format(pk)


def item_label(number: int | None, title: str, stream: str = Stream.SUGGESTION) -> str:
    """第12号“标题” or 第0012号提案“标题”: numbered as its stream numbers it. Marked as data: a
    proposal's notices are told in its stream's words, its title as written."""
    label = f"{words_of(stream).number(number)}“{title}”" if number else f"“{title}”"
    return f"{KEEP_OPEN}{label}{KEEP_CLOSE}"


# --- the rules -------------------------------------------------------------------------------------


def owed_assignments(due: Q | None = None) -> QuerySet[WithAnnotations[Assignment, Owed], dict[str, Any]]:
    """Active answering assignments that owe a reply, with the day it is due (`owed_on`):
    the first deadline until a first reply is issued, then the re-handling deadline if the
    deputy sent it back, until the second reply. One query, whatever the number of rows.

    `due` narrows by the suggestion's `due_on` first (indexed with the state): it is the
    earliest reply any of its units owes, so an assignment owing on day D belongs to a
    suggestion due on or before D.
    """
    queryset = Assignment.objects.filter(
        is_active=True, role__in=Assignment.ANSWERING_ROLES, proposal__state__in=REPLY_DUE_STATES
    )
    if due is not None:
        queryset = queryset.filter(due)
    # A merged group's members mirror its main suggestion while it is handled as one: the
    # main suggestion is reminded, once.
    queryset = queryset.exclude(proposal__merged_into__isnull=False, proposal__state__in=GROUP_HANDLED_STATES)
    return (
        with_owed_on(queryset)
        .exclude(owed_on=None)
        .values(
            "pk",
            "unit_id",
            "proposal_id",
            "proposal__number",
            "proposal__title",
            "proposal__stream",
            "owed_on",
        )
    )


def deadline_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    thresholds = sorted(settings.REMINDER_DAYS_BEFORE)
    if not thresholds:
        return []
    horizon = today + dt.timedelta(days=thresholds[-1])
    out = []
    rows = owed_assignments(Q(proposal__due_on__lte=horizon)).filter(owed_on__gte=today, owed_on__lte=horizon)
    # The messages' wording is translated once per scan, not once per row.
    wording = _("Reply deadline: the reply to %(item)s is due on %(date)s (%(when)s).")
    due_today, days_left = _("due today"), _("%(n)s days left")
    for row in rows.order_by("pk"):
        left = (row["owed_on"] - today).days
        # The tightest threshold reached: 10 days left is the "15 days" reminder, 5 the "7".
        threshold = next(t for t in thresholds if t >= left)
        when = due_today if left == 0 else days_left % {"n": left}
        item = item_label(row["proposal__number"], row["proposal__title"], row["proposal__stream"])
        message = wording % {"item": item, "date": row["owed_on"].isoformat(), "when": when}
        label = f"{item}（{row['owed_on'].isoformat()}）"
        for user_id in people.unit_handlers(row["unit_id"]):
            out.append(
                Candidate(
                    K.DEADLINE,
                    f"a{row['pk']}",
                    f"{threshold}d@{row['owed_on'].isoformat()}",
                    user_id,
                    row["proposal_id"],
                    message,
                    links.proposal(row["proposal_id"]),
                    Notification.Kind.DEADLINE,
                    label,
                    stream=row["proposal__stream"],
                )
            )
    return out


def overdue_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    """Overdue: the unit head and staff the day after the deadline and then every
    OVERDUE_REPEAT_DAYS while it stays overdue; the supervision office once it is more than
    ESCALATE_AFTER_DAYS overdue."""
    repeat = max(1, settings.OVERDUE_REPEAT_DAYS)
    escalate_after = settings.ESCALATE_AFTER_DAYS
    to_unit_wording = _("Overdue: your unit's reply to %(item)s was due on %(date)s and is %(n)s days late.")
    to_staff_wording = _("Overdue: the reply of %(unit)s to %(item)s was due on %(date)s and is %(n)s days late.")
    escalation_wording = _(
        "Escalated: the reply of %(unit)s to %(item)s was due on %(date)s and is %(n)s days late (more than %(limit)s)."
    )
    label_wording = _("%(item)s (%(unit)s, %(n)s days late)")
    supervision = tuple(people.supervision)
    # The units' names apart (a few hundred rows): joined to each owed assignment, PostgreSQL
    # underestimated the rows and scanned the units again for every one of them.
    units = dict(Unit.objects.values_list("pk", "name"))
    out = []
    for row in owed_assignments(Q(proposal__due_on__lt=today)).filter(owed_on__lt=today).order_by("pk"):
        late = (today - row["owed_on"]).days
        week = (late - 1) // repeat
        facts = {
            "item": item_label(row["proposal__number"], row["proposal__title"], row["proposal__stream"]),
            "unit": units.get(row["unit_id"], ""),
            "date": row["owed_on"].isoformat(),
            "n": late,
        }
        subject, due, stream = f"a{row['pk']}", row["owed_on"].isoformat(), row["proposal__stream"]
        url = links.proposal(row["proposal_id"])
        to_unit = to_unit_wording % facts
        to_staff = to_staff_wording % facts
        label = label_wording % facts
        for user_id in people.unit_heads(row["unit_id"]):
            out.append(
                Candidate(
                    K.OVERDUE,
                    subject,
                    f"w{week}@{due}",
                    user_id,
                    row["proposal_id"],
                    to_unit,
                    url,
                    OVERDUE,
                    label,
                    stream=stream,
                )
            )
        staff = tuple(people.staff_of[stream])
        if staff:
            out.append(
                Candidate(
                    K.OVERDUE,
                    subject,
                    f"w{week}@{due}",
                    0,
                    row["proposal_id"],
                    to_staff,
                    url,
                    OVERDUE,
                    label,
                    staff,
                    stream=stream,
                )
            )
        if late > escalate_after and supervision:
            message = escalation_wording % {**facts, "limit": escalate_after}
            out.append(
                Candidate(
                    K.ESCALATION,
                    subject,
                    f"@{due}",
                    0,
                    row["proposal_id"],
                    message,
                    url,
                    OVERDUE,
                    label,
                    supervision,
                    stream=stream,
                )
            )
    return out


def rating_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    days = settings.RATING_REMINDER_DAYS
    # Issued on or before `today - days`: before the start of the following day, local time.
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min))
    rows = (
        Reply.objects.filter(rateable_condition(), issued_at__lt=cutoff)
        .values(
            "pk",
            "issued_at",
            "assignment__unit__name",
            "assignment__proposal_id",
            "assignment__proposal__number",
            "assignment__proposal__title",
            "assignment__proposal__stream",
            "assignment__proposal__lead_deputy__name",
            "assignment__proposal__lead_deputy__user_id",
            "assignment__proposal__lead_deputy__user__is_active",
        )
        .order_by("pk")
    )
    to_deputy = _(
        "Please rate the reply of %(unit)s to your suggestion %(item)s, issued on %(date)s: "
        "how satisfied are you with the attitude and the result?"
    )
    to_staff = _(
        "Deputy %(deputy)s has no login and has not rated the reply of %(unit)s to %(item)s "
        "(issued on %(date)s): please collect the signed paper feedback form."
    )
    out = []
    for row in rows:
        facts = {
            "item": item_label(
                row["assignment__proposal__number"],
                row["assignment__proposal__title"],
                row["assignment__proposal__stream"],
            ),
            "unit": row["assignment__unit__name"],
            "date": timezone.localdate(row["issued_at"]).isoformat(),
            "deputy": row["assignment__proposal__lead_deputy__name"],
        }
        proposal_id = row["assignment__proposal_id"]
        user_id = row["assignment__proposal__lead_deputy__user_id"]
        if user_id and row["assignment__proposal__lead_deputy__user__is_active"]:
            recipients, message = [user_id], to_deputy % facts
        else:
            recipients, message = people.staff_of[row["assignment__proposal__stream"]], to_staff % facts
        for recipient in recipients:
            out.append(
                Candidate(
                    K.RATING,
                    f"r{row['pk']}",
                    f"{days}d",
                    recipient,
                    proposal_id,
                    message,
                    links.proposal(proposal_id),
                    Notification.Kind.RATING_REMINDER,
                    facts["item"],
                    stream=row["assignment__proposal__stream"],
                )
            )
    return out


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (31 Jan → 28 Feb is not yet a month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def promise_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    every = max(1, settings.PROMISE_REMINDER_MONTHS)
    rows = (
        Promise.objects.filter(state=Promise.State.OPEN)
        .annotate(last_report=Max("reports__created_at"))
        .values(
            "pk",
            "unit_id",
            "proposal_id",
            "proposal__number",
            "proposal__stream",
            "proposal__title",
            "promised_items",
            "promised_by",
            "replied_on",
            "last_report",
        )
        .order_by("pk")
    )
    wording = _(
        "Follow-up of a promise: on %(item)s your unit promised “%(promise)s” by %(date)s "
        "(last progress report: %(last)s). Report progress, or report it kept."
    )
    none_yet = _("none yet")
    out = []
    for row in rows:
        period = months_between(row["replied_on"], today) // every
        if period < 1:
            continue
        items = row["promised_items"].strip().replace("\n", " ")
        facts = {
            "item": item_label(row["proposal__number"], row["proposal__title"], row["proposal__stream"]),
            "promise": (items[:80] + "…") if len(items) > 80 else items or "—",
            "date": row["promised_by"].isoformat() if row["promised_by"] else "—",
            "last": timezone.localdate(row["last_report"]).isoformat() if row["last_report"] else none_yet,
        }
        message = wording % facts
        for user_id in people.unit_all(row["unit_id"]):
            out.append(
                Candidate(
                    K.PROMISE,
                    f"p{row['pk']}",
                    f"m{period * every}",
                    user_id,
                    row["proposal_id"],
                    message,
                    links.promise(row["pk"]),
                    Notification.Kind.DEADLINE,
                    facts["item"],
                    stream=row["proposal__stream"],
                )
            )
    return out


def progress_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    """Progress reports on key suggestions: due `report_every_days` after the last report
    (or after the item was made key, or the unit assigned), while the unit owes a reply."""
    Through = KeyItem.proposals.through
    memberships = list(
        Through.objects.filter(proposal__state__in=REPLY_DUE_STATES)
        .exclude(proposal__merged_into__isnull=False, proposal__state__in=GROUP_HANDLED_STATES)
        .values(
            "keyitem_id",
            "keyitem__title",
            "keyitem__created_at",
            "keyitem__report_every_days",
            "proposal_id",
            "proposal__number",
            "proposal__stream",
            "proposal__title",
        )
    )
    if not memberships:
        return []
    proposal_ids = {m["proposal_id"] for m in memberships}
    assignments = defaultdict(list)
    for row in Assignment.objects.filter(
        proposal_id__in=proposal_ids, is_active=True, role__in=Assignment.ANSWERING_ROLES
    ).values("proposal_id", "unit_id", "assigned_on"):
        assignments[row["proposal_id"]].append(row)
    last = {
        (r["key_item_id"], r["proposal_id"], r["unit_id"]): r["last"]
        for r in ProgressReport.objects.filter(key_item__isnull=False, proposal_id__in=proposal_ids)
        .values("key_item_id", "proposal_id", "unit_id")
        .annotate(last=Max("created_at"))
    }
    out = []
    for m in memberships:
        every = m["keyitem__report_every_days"]
        for a in assignments[m["proposal_id"]]:
            reported = last.get((m["keyitem_id"], m["proposal_id"], a["unit_id"]))
            start = max(timezone.localdate(m["keyitem__created_at"]), a["assigned_on"])
            since = timezone.localdate(reported) if reported else start
            elapsed = (today - since).days
            if elapsed < every:
                continue
            # The latest report day missed: a unit that stays silent is reminded every interval.
            due = since + dt.timedelta(days=elapsed // every * every)
            item = item_label(m["proposal__number"], m["proposal__title"], m["proposal__stream"])
            message = _(
                "Progress report due: %(item)s is a key suggestion (“%(title)s”); your unit reports every "
                "%(n)s days, and the next report was due on %(date)s."
            ) % {
                "item": item,
                "title": m["keyitem__title"],
                "n": every,
                "date": due.isoformat(),
            }
            for user_id in people.unit_handlers(a["unit_id"]):
                out.append(
                    Candidate(
                        K.PROGRESS,
                        f"k{m['keyitem_id']}p{m['proposal_id']}u{a['unit_id']}",
                        f"@{due.isoformat()}",
                        user_id,
                        m["proposal_id"],
                        message,
                        links.key_item(m["keyitem_id"]),
                        Notification.Kind.DEADLINE,
                        item,
                        stream=m["proposal__stream"],
                    )
                )
    return out


def urging_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    days = settings.URGING_ACK_DAYS
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min))
    rows = UrgingNotice.objects.filter(acknowledged_at__isnull=True, sent_at__lt=cutoff).values(
        "pk", "unit_id", "sent_at", "message"
    )
    out = []
    for row in rows.order_by("pk"):
        sent_on = timezone.localdate(row["sent_at"]).isoformat()
        message = _("The urging notice of %(date)s is still not acknowledged: %(message)s") % {
            "date": sent_on,
            "message": row["message"][:200],
        }
        for user_id in people.unit_all(row["unit_id"]):
            out.append(
                Candidate(
                    K.URGING,
                    f"u{row['pk']}",
                    f"{days}d",
                    user_id,
                    None,
                    message,
                    links.urging(row["pk"]),
                    Notification.Kind.URGING,
                    sent_on,
                )
            )
    return out


def plan_step_rule(today: dt.date, people: Directory, links: Links) -> list[Candidate]:
    """Steps of a unit's handling plan (办理方案) left undone past their planned date, while the
    unit still owes its reply: its handlers, once per step and planned date (a step the unit
    moves to a later date is reminded again if that one passes too)."""
    rows = (
        PlanStep.objects.filter(
            done_on__isnull=True,
            planned_on__lt=today,
            plan__assignment__is_active=True,
            plan__assignment__proposal__state__in=REPLY_DUE_STATES,
        )
        .values(
            "pk",
            "title",
            "planned_on",
            "plan__assignment__unit_id",
            "plan__assignment__proposal_id",
            "plan__assignment__proposal__number",
            "plan__assignment__proposal__stream",
            "plan__assignment__proposal__title",
        )
        .order_by("pk")
    )
    wording = _("Handling plan: the step “%(step)s” of %(item)s was planned for %(date)s and is not marked done.")
    out = []
    for row in rows:
        proposal_id = row["plan__assignment__proposal_id"]
        facts = {
            "step": row["title"][:80],
            "item": item_label(
                row["plan__assignment__proposal__number"],
                row["plan__assignment__proposal__title"],
                row["plan__assignment__proposal__stream"],
            ),
            "date": row["planned_on"].isoformat(),
        }
        message = wording % facts
        for user_id in people.unit_handlers(row["plan__assignment__unit_id"]):
            out.append(
                Candidate(
                    K.PLAN_STEP,
                    f"s{row['pk']}",
                    f"@{row['planned_on'].isoformat()}",
                    user_id,
                    proposal_id,
                    message,
                    links.proposal(proposal_id),
                    Notification.Kind.DEADLINE,
                    f"{facts['item']}：{facts['step']}",
                    stream=row["plan__assignment__proposal__stream"],
                )
            )
    return out


Rule = Callable[[dt.date, Directory, Links], list[Candidate]]
RULES: list[tuple[str, Rule]] = []
# What the scan's report calls each of its counts: the follow-up list's, and each rule's.
LABELS: dict[str, StrOrPromise] = {
    "promises_created": gettext_lazy("New promises on the follow-up list"),
    "promises": gettext_lazy("Bringing the follow-up list up to date"),
}


def add_rule(name: str, label: StrOrPromise, rule: Rule) -> None:
    """A rule of the daily scan, in the order they run; a later app adds its own."""
    RULES.append((name, rule))
    LABELS[name] = label


add_rule("deadline", gettext_lazy("Reply deadline reminders"), deadline_rule)
add_rule("overdue", gettext_lazy("Overdue reminders (escalated to the supervision office)"), overdue_rule)
add_rule("rating", gettext_lazy("Rating reminders"), rating_rule)
add_rule("promise", gettext_lazy("Quarterly promise reminders"), promise_rule)
add_rule("progress", gettext_lazy("Key suggestion progress report reminders"), progress_rule)
add_rule("urging", gettext_lazy("Reminders of unacknowledged urging notices"), urging_rule)
add_rule("plan_step", gettext_lazy("Reminders of overdue handling plan steps"), plan_step_rule)


# --- delivery -------------------------------------------------------------------------------------


def _claim(candidates: list[Candidate], now: dt.datetime) -> set[tuple[str, str, str, int]]:
    """Insert the candidates into the reminder log, one row per recipient (each of its
    audience for a candidate that has one); return the keys actually inserted.

    One INSERT whatever the number of rows. On PostgreSQL the rows reach it by COPY into a
    temporary table (a hundred thousand claims on the first morning: COPY reads them in a
    fraction of the time of one JSON parameter) and an audience is unnested there; on SQLite
    they travel as one JSON parameter. A key already there (sent before, or being sent by a
    concurrent scan, whose insert this one waits for) is skipped by ON CONFLICT DO NOTHING and
    not returned.
    """
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = "kind, subject, threshold, recipient_id, proposal_id, created_at"
    returning = "RETURNING kind, subject, threshold, recipient_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Dropped at commit; emptied first when one transaction claims for several rules.
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS reminder_claim (kind text, subject text, threshold text,"
                " recipient_id bigint, proposal_id bigint, audience bigint[]) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE reminder_claim")
            with cursor.cursor.copy("COPY reminder_claim FROM STDIN") as copy:
                copy.write(_copy_rows(candidates))
            # In the candidates' order (a seq scan of the rows as copied), each audience in its
            # order: see deliver().
            cursor.execute(
                f"INSERT INTO {table} ({columns})"
                " SELECT c.kind, c.subject, c.threshold, a.recipient_id, c.proposal_id, %s FROM reminder_claim c"
                " CROSS JOIN LATERAL unnest(coalesce(c.audience, ARRAY[c.recipient_id])) AS a(recipient_id)"
                f" ON CONFLICT DO NOTHING {returning}",
                [connection.ops.adapt_datetimefield_value(now)],
            )
        else:
            payload = json.dumps(
                [
                    [c.kind, c.subject, c.threshold, recipient_id, c.proposal_id]
                    for c in candidates
                    for recipient_id in c.audience or (c.recipient_id,)
                ],
                ensure_ascii=False,
            )
            # SQLite (3.35+): json_each; "WHERE true" lets the parser tell ON CONFLICT from a join.
            cursor.execute(
                f"""
                INSERT INTO {table} ({columns})
                SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                       json_extract(value, '$[3]'), json_extract(value, '$[4]'), %s
                FROM json_each(%s) WHERE true
                ON CONFLICT DO NOTHING {returning}
                """,
                [connection.ops.adapt_datetimefield_value(now), payload],
            )
        return {(kind, subject, threshold, int(recipient)) for kind, subject, threshold, recipient in cursor.fetchall()}


def _copy_rows(candidates: list[Candidate]) -> str:
    """The candidates in COPY's text format. Kinds, subjects and thresholds are made of ids and
    dates: the rows are joined as they are, and escaped only if a value ever holds a tab, a line
    break or a backslash (counted once over the whole text, not per value)."""
    rows = "".join(
        f"{c.kind}\t{c.subject}\t{c.threshold}\t{c.recipient_id}\t{_NULL if c.proposal_id is None else c.proposal_id}"
        f"\t{_array(c.audience)}\n"
        for c in candidates
    )
    n = len(candidates)
    plain = rows.count("\t") == 5 * n and rows.count("\n") == n and "\r" not in rows
    if plain and rows.count("\\") == rows.count("\\N\t") + rows.count("\\N\n"):
        return rows
    return "".join(_escaped_row(c) for c in candidates)


_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped_row(c: Candidate) -> str:
    kind, subject, threshold = (v.translate(_COPY_ESCAPES) for v in (c.kind, c.subject, c.threshold))
    proposal = _NULL if c.proposal_id is None else str(c.proposal_id)
    return f"{kind}\t{subject}\t{threshold}\t{c.recipient_id}\t{proposal}\t{_array(c.audience)}\n"


def _array(ids: tuple[int, ...]) -> str:
    return "{" + ",".join(map(str, ids)) + "}" if ids else _NULL


def _of_proposal_stream(candidates: Iterable[Candidate]) -> frozenset[int]:
    """Which of the candidates' items are proposals: as the rules read them with their items,
    and those a rule did not say in one query (asking for all of them, a hundred thousand ids
    on the first morning, took a second)."""
    proposals, unknown = set(), set()
    for c in candidates:
        if not c.proposal_id:
            continue
        if c.stream == Stream.PROPOSAL:
            proposals.add(c.proposal_id)
        elif not c.stream:
            unknown.add(c.proposal_id)
    if unknown:
        proposals.update(Proposal.objects.filter(pk__in=unknown, stream=Stream.PROPOSAL).values_list("pk", flat=True))
    return frozenset(proposals)


def _insert_notifications(
    chosen: list[Candidate], now: dt.datetime, proposals: frozenset[int]
) -> list[tuple[int, int]]:
    """Write the notifications of the claimed reminders in one statement, as `_claim` does
    (Django's bulk_create spends seconds building 100,000 model instances and their SQL);
    returns (id, recipient id) of each. The sentences are written in the congress's words: a
    proposal's (`proposals`) are told in its own; a digest is told already."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    as_proposal, as_suggestion = told_for(Stream.PROPOSAL), told_for(Stream.SUGGESTION)
    payload = json.dumps(
        [
            {
                "recipient_id": c.recipient_id,
                "kind": c.notification_kind,
                "proposal_id": c.proposal_id,
                "message": (as_proposal if c.proposal_id in proposals else as_suggestion)(c.message)[:500],
                "url": c.url,
            }
            for c in chosen
        ],
        ensure_ascii=False,
    )
    columns = "recipient_id, kind, proposal_id, message, url, created_at"
    if connection.vendor == "postgresql":
        sql = f"""
            INSERT INTO {table} ({columns})
            SELECT r.recipient_id, r.kind, r.proposal_id, r.message, r.url, %s
            FROM json_to_recordset(%s::json)
                AS r(recipient_id bigint, kind text, proposal_id bigint, message text, url text)
            RETURNING id, recipient_id
        """
    else:
        sql = f"""
            INSERT INTO {table} ({columns})
            SELECT json_extract(value, '$.recipient_id'), json_extract(value, '$.kind'),
                   json_extract(value, '$.proposal_id'), json_extract(value, '$.message'),
                   json_extract(value, '$.url'), %s
            FROM json_each(%s)
            RETURNING id, recipient_id
        """
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), payload])
        return [(int(pk), int(recipient)) for pk, recipient in cursor.fetchall()]


# Congress staff and the supervision office hear of the overdue replies as one list per scan.
OFFICE_LISTS = (K.OVERDUE, K.ESCALATION)
DIGEST_SHOWN = 5
# Where a list of the items of one kind is (a deputy's go to their own page).
DIGEST_PAGES: dict[str, str] = {
    K.DEADLINE: "proposals:list",
    K.OVERDUE: "proposals:list",
    K.ESCALATION: "proposals:list",
    K.RATING: "handling:unrated_replies",
    K.PROMISE: "supervision:followup",
    K.PROGRESS: "supervision:key_list",
    K.URGING: "supervision:urging_list",
    K.PLAN_STEP: "proposals:list",
    K.REFERRAL: "handling:referrals",
}


def _digested(
    chosen: list[tuple[int, Candidate]], people: Directory, proposals: frozenset[int] = frozenset()
) -> list[Candidate]:
    """What the notifications say: one notice per reminder, except that a person who would get
    more than REMINDER_DIGEST_AFTER reminders of one kind in one scan gets one notice that
    lists them (the first few by name, and how many more) with a link to where they are, and
    congress staff and the supervision office always get the overdue replies as one list (the
    unit heads hear of their own unit's items). A morning of sixty overdue replies is one
    notice and one text message, not sixty. The reminder log keeps one row per item all the
    same, so each item still goes out exactly once per occasion. A list holds one stream's
    items and speaks its words (`proposals`: the items of the proposal stream): proposals
    staff hear of 提案, and the supervision office gets one list per stream."""
    office = {*people.staff, *people.supervision}
    limit = max(1, settings.REMINDER_DIGEST_AFTER)
    groups: dict[tuple[int, str, str, str], list[Candidate]] = defaultdict(list)
    for recipient_id, candidate in chosen:
        stream: str = Stream.PROPOSAL if candidate.proposal_id in proposals else Stream.SUGGESTION
        groups[(recipient_id, candidate.kind, candidate.notification_kind, stream)].append(candidate)
    out: list[Candidate] = []
    for (recipient_id, kind, notification_kind, stream), items in groups.items():
        listed = kind in OFFICE_LISTS and recipient_id in office
        if len(items) <= (1 if listed else limit):
            out.extend(c.to(recipient_id) for c in items)
            continue
        shown = "；".join(c.label or c.message[:40] for c in items[:DIGEST_SHOWN])
        more = _("and %(n)s more") % {"n": len(items) - DIGEST_SHOWN} if len(items) > DIGEST_SHOWN else ""
        facts: dict[str, Any] = {"n": len(items), "items": shown + (f"；{more}" if more else "")}
        if kind == K.OVERDUE:
            facts["new"] = sum(1 for c in items if c.threshold.startswith("w0@"))
            message = _("Overdue replies: %(n)s suggestions (%(new)s newly overdue): %(items)s.") % facts
        elif kind == K.ESCALATION:
            facts["limit"] = settings.ESCALATE_AFTER_DAYS
            message = _("Escalated: %(n)s suggestions are more than %(limit)s days overdue: %(items)s.") % facts
        else:
            facts["what"] = K(kind).label
            message = _("%(what)s: %(n)s items: %(items)s.") % facts
        url = _digest_url(kind, recipient_id, people, stream)
        out.append(Candidate(kind, "digest", "", recipient_id, None, told_for(stream)(message), url, notification_kind))
    return out


def _digest_url(kind: str, recipient_id: int, people: Directory, stream: str) -> str:
    if recipient_id not in people.users:  # a deputy (the directory holds the unit people and the office)
        return reverse("proposals:mine")
    url = reverse(DIGEST_PAGES[kind])
    # The list of the stream the notice speaks of (the supervision office gets one per stream).
    return f"{url}?overdue=on&stream={stream}" if kind in OFFICE_LISTS else url


def deliver(candidates: Iterable[Candidate], people: Directory) -> int:
    """Claim and send the candidates, in one transaction; returns how many were sent now."""
    unique = {c.key: c for c in candidates}
    if not unique:
        return 0
    # The same order in every scan: two concurrent scans then wait on each other's rows in
    # one direction only, never in a cycle (no deadlock).
    ordered = [unique[key] for key in sorted(unique)]
    with transaction.atomic():
        now = timezone.now()
        claimed = _claim(ordered, now)
        # (recipient, reminder) of each row inserted: one of an audience's reminders for each
        # of its people it was claimed for.
        chosen = [
            (recipient_id, c)
            for c in ordered
            for recipient_id in c.audience or (c.recipient_id,)
            if (c.kind, c.subject, c.threshold, recipient_id) in claimed
        ]
        if not chosen:
            return 0
        proposals = _of_proposal_stream(c for _r, c in chosen)
        _deliver(_insert_notifications(_digested(chosen, people, proposals), now, proposals), people)
    return len(chosen)


def _deliver(notifications: list[tuple[int, int]], people: Directory) -> None:
    """E-mails and text messages leave after commit, by the one path of every notification."""
    users = _recipients({recipient for _pk, recipient in notifications}, people)
    notify.deliver([(pk, users[recipient]) for pk, recipient in notifications], text=True)


def _recipients(recipient_ids: set[int], people: Directory) -> dict[int, User]:
    """The recipients as users: unit people and staff are in the directory; the deputies of
    rating reminders are loaded in one query (with their deputy record, for the phone)."""
    users = dict(people.users)
    missing = recipient_ids - set(users)
    if missing:
        # Only what sending reads (notify.deliver: the address and the mobile number), for
        # the thousands of deputies of the first morning.
        found = User.objects.filter(pk__in=missing).select_related("deputy")
        for user in found.only("email", "phone", "deputy__phone"):
            users[user.pk] = user
    return users


class ScanIncomplete(RuntimeError):
    """Some of the scan's rules failed; the others ran and sent what they had to."""

    def __init__(self, failed: list[str], summary: dict[str, int]) -> None:
        super().__init__(f"the daily scan's rules {', '.join(failed)} failed (see the log); the others sent {summary}")
        self.failed, self.summary = failed, summary


def run_daily_scan(today: dt.date | None = None, *, only: Iterable[str] | None = None) -> dict[str, int]:
    """Run every rule for `today` (default: the local date); returns how many reminders each
    rule sent now. Safe to run again, or twice at once: what was sent is not sent again.

    Each rule is sent in its own transaction, and one that fails (a bug, a row it cannot
    read) keeps no other rule's reminders from going out: its error is logged and, once every
    rule has run, `ScanIncomplete` names it, so the task fails visibly and a re-run sends
    what is missing."""
    today = today or timezone.localdate()
    summary: dict[str, int] = {}
    failed: list[str] = []
    try:
        summary["promises_created"] = sync_promises(today)["created"]
    except Exception:
        log.exception("daily scan for %s: bringing the follow-up list up to date failed", today.isoformat())
        failed.append("promises")
    people = Directory.load()
    links = Links()
    wanted = set(only) if only is not None else None
    for name, rule in RULES:
        if wanted is not None and name not in wanted:
            continue
        try:
            summary[name] = deliver(rule(today, people, links), people)
        except Exception:
            log.exception("daily scan for %s: the rule %s failed", today.isoformat(), name)
            failed.append(name)
    log.info("daily scan for %s: %s", today.isoformat(), summary)
    if failed:
        raise ScanIncomplete(failed, summary)
    return summary


def pending_counts(today: dt.date | None = None) -> dict[str, int]:
    """How many items each rule looks at today (for the command's report)."""
    today = today or timezone.localdate()
    owed = owed_assignments()
    return {
        "owing": owed.count(),
        "overdue": owed.filter(owed_on__lt=today).count(),
        "open_promises": Promise.objects.filter(state__in=Promise.OPEN_STATES).count(),
        "unrated": Proposal.objects.filter(state=S.REPLIED).count(),
    }
