"""Supervision of handling (督办): key suggestions led by a named leader with their supervision
records and the units' progress reports, urging notices to units and their acknowledgement,
the follow-up of promises made in B-class replies (跟踪落实), and the log of the daily scan's
reminders, which makes each reminder go out exactly once."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deputies.models import SpecialCommittee
from handling.models import Reply, Unit
from proposals.models import Proposal, StoredFile
from proposals.uploads import unique_path


def default_report_interval() -> int:
    return settings.KEY_REPORT_INTERVAL_DAYS


class KeyItem(models.Model):
    """A key item for a year: one theme led by a named leader (领办领导), followed by a special
    committee, gathering one or more suggestions (Chengdu: 8 themes, 29 suggestions).

    The units handling its suggestions post a progress report every `report_every_days` days
    while a reply is still owed; the daily scan reminds them when one is due."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("theme"), max_length=200)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leading leader"),
        on_delete=models.PROTECT,
        related_name="led_key_items",
    )
    committee = models.ForeignKey(
        SpecialCommittee,
        verbose_name=_("special committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_items",
    )
    proposals = models.ManyToManyField(Proposal, verbose_name=_("suggestions"), related_name="key_items")
    note = models.TextField(_("note"), blank=True)
    report_every_days = models.PositiveSmallIntegerField(
        _("progress report every (days)"), default=default_report_interval
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("key item")
        verbose_name_plural = _("key items")
        constraints = [
            models.CheckConstraint(condition=Q(report_every_days__gte=1), name="key_item_report_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"

    @property
    def starts_on(self) -> dt.date:
        """The day the reporting periods count from."""
        return timezone.localdate(self.created_at)


def photo_path(instance: SupervisionPhoto, filename: str) -> str:
    return unique_path(f"supervision/{timezone.now():%Y/%m}", filename)


class SupervisionRecord(models.Model):
    """Something the leader, the committee, staff or the supervision office did to follow a
    key item: a site inspection (视察), a meeting (座谈) or on-the-spot handling (现场办理)."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("Site inspection")
        MEETING = "meeting", _("Discussion meeting")
        ON_SITE = "on_site", _("On-the-spot handling")

    key_item = models.ForeignKey(KeyItem, verbose_name=_("key item"), on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    participants = models.CharField(_("who took part"), max_length=500)
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"


class SupervisionPhoto(StoredFile):
    record = models.ForeignKey(
        SupervisionRecord, verbose_name=_("supervision record"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=photo_path)

    class Meta(StoredFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Promise(models.Model):
    """What a B-class reply (列入计划逐步解决) promised, followed until it is kept (跟踪落实).

    Derived from issued replies by `supervision.services.sync_promises` (run as each reply is
    issued, through the hook handling offers, and by the daily scan): handling knows nothing
    of supervision. States:

    - open: the unit works on it and reports progress;
    - done_reported: the unit says it is done; congress staff or the supervision office check;
    - kept: confirmed done. Final.
    - superseded: a later reply (after re-handling) replaced the one that promised. Final.
    """

    class State(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE_REPORTED = "done_reported", _("Reported done, awaiting confirmation")
        KEPT = "kept", _("Kept (confirmed)")
        SUPERSEDED = "superseded", _("Replaced by a later reply")

    OPEN_STATES = (State.OPEN, State.DONE_REPORTED)
    # Still followed: a promise a later reply replaced (superseded) is not.
    FOLLOWED = ~Q(state=State.SUPERSEDED)

    reply = models.OneToOneField(Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="promise")
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="promises"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="promises")
    promised_items = models.TextField(_("what is promised"), blank=True)
    promised_by = models.DateField(_("promised by"), null=True, blank=True, db_index=True)
    replied_on = models.DateField(_("replied on"))
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.OPEN, db_index=True)
    done_reported_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["promised_by", "id"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [models.Index(fields=["state", "promised_by"])]

    def __str__(self) -> str:
        return f"{self.proposal} · {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.promised_by is not None and self.promised_by < today


class PromiseSurvey(models.Model):
    """The lead deputy's word on a promise (回头看): was it kept? Asked once the promised date
    has passed or the unit reports it kept (`supervision.resurvey`); one answer per promise.
    While no row exists for a promise that is due, the answer is waited for."""

    class Answer(models.TextChoices):
        KEPT = "kept", _("Kept")
        PARTLY = "partly", _("Partly kept")
        NOT_KEPT = "not_kept", _("Not kept")

    promise = models.OneToOneField(Promise, verbose_name=_("promise"), on_delete=models.PROTECT, related_name="survey")
    answer = models.CharField(_("deputy's answer"), max_length=10, choices=Answer.choices, db_index=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("promise re-survey")
        verbose_name_plural = _("promise re-surveys")

    def __str__(self) -> str:
        return f"{self.promise} · {self.get_answer_display()}"


class ProgressReport(models.Model):
    """A unit's progress report: on a key item's suggestion (at the item's interval), or on a
    promise until it is done. Exactly one of `key_item` and `promise` is set."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="progress_reports")
    key_item = models.ForeignKey(
        KeyItem,
        verbose_name=_("key item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    promise = models.ForeignKey(
        Promise, verbose_name=_("promise"), on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    body = models.TextField(_("progress"))
    marks_done = models.BooleanField(_("reports it done"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=(Q(key_item__isnull=False) & Q(promise__isnull=True))
                | (Q(key_item__isnull=True) & Q(promise__isnull=False)),
                name="progress_report_on_key_item_or_promise",
            ),
        ]
        indexes = [models.Index(fields=["key_item", "proposal", "unit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.created_at:%Y-%m-%d}"


class UrgingNotice(models.Model):
    """An urging notice (催办通知) to one unit about one or more suggestions. The unit must
    acknowledge it (签收), optionally saying what it will do; both appear on each
    suggestion's timeline."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="urging_notices")
    proposals = models.ManyToManyField(Proposal, verbose_name=_("suggestions"), related_name="urging_notices")
    message = models.TextField(_("message"))
    respond_by = models.DateField(_("acknowledge by"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    answer = models.TextField(_("unit's answer"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("urging notice")
        verbose_name_plural = _("urging notices")
        indexes = [models.Index(fields=["unit", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.sent_at:%Y-%m-%d}"

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class Reminder(models.Model):
    """One reminder the daily scan sent: the claim that makes it go out exactly once.

    The scan inserts the row and writes the notification in the same transaction; the unique
    constraint makes a second scan (running at the same moment, or retried after a crash)
    skip what the first already claimed. `subject` names the thing reminded about (an
    assignment, a reply, a promise...) and `threshold` the occasion ("7d before 2026-06-10",
    "overdue week 2"...).
    """

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Reply deadline approaching")
        OVERDUE = "overdue", _("Reply overdue")
        ESCALATION = "escalation", _("Escalated to the supervision office")
        RATING = "rating", _("Rating reminder")
        PROMISE = "promise", _("Promise follow-up")
        PROGRESS = "progress", _("Progress report due")
        URGING = "urging", _("Urging notice not acknowledged")
        PLAN_STEP = "plan_step", _("Planned handling step overdue")
        REFERRAL = "referral", _("Forwarded residents' matter overdue")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("about"), max_length=60)
    threshold = models.CharField(_("occasion"), max_length=40)
    # No index on these two beyond the unique one, and no foreign-key constraint in the
    # database: the log is only written (up to a hundred thousand rows in one morning, which
    # PostgreSQL would check one by one at commit, seconds of the scan) and read by occasion.
    # The ids are those the scan has just read; people and suggestions are never deleted
    # (other records protect them), and Django still cascades if one ever is.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("suggestion"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The text is in the notification written with it (not repeated here: the scan may write
    # a hundred thousand of these in one morning).
    created_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "threshold", "recipient"], name="reminder_once_per_occasion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} {self.threshold}"
