"""What the reports keep: the units' scoring rules (考核计分), the two chapters staff write for
the annual report, the report jobs and their PDFs, the Excel imports, and staff's decisions to
keep a reply off the public page, and the counts behind the dashboard's figures as last
counted (`FiguresSnapshot`, see reports/stored.py): `reports.figures` defines and counts them,
and a kept count is used only while no write the figures count has happened since."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deputies.streams import BOTH_TITLE, Stream, words_of
from proposals.uploads import unique_path

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable
    from django_stubs_ext import StrOrPromise


def points_field(
    verbose_name: StrOrPromise, default: str, help_text: StrOrPromise
) -> models.DecimalField[str | float | Decimal | Combinable, Decimal]:
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=help_text,
    )


class ScoringScheme(models.Model):
    """The rules a unit's yearly score (考核计分) is computed by; staff edit them in the admin.

    A scheme applies from its year on, until a scheme with a later year takes over; a year
    before every scheme uses the defaults below. Points for a rate are earned in proportion to
    it (30 points at a 100% on-time rate, 15 at 50%); deductions are per item. The score never
    goes below zero. `reports.figures` does the arithmetic and shows each line of it.

    A scheme scores the units on one stream's items (deputies' suggestions or CPPCC proposals)
    or on both (`stream` blank): a stream's figures use its own scheme where it has one, else
    the scheme of both; the combined figures use the scheme of both.
    """

    applies_from = models.PositiveSmallIntegerField(
        _("applies from year"), help_text=_("Used for this year and the following years.")
    )
    stream = models.CharField(
        _("stream"),
        max_length=10,
        choices=Stream.choices,
        blank=True,
        help_text=_("Blank: the rules score both streams together, and each stream without rules of its own."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    on_time_points = points_field(
        _("points for on-time replies"), "30", _("Earned in proportion to the unit's on-time reply rate.")
    )
    contact_points = points_field(
        _("points for contacting the deputies"),
        "10",
        _("Earned in proportion to the share of its suggestions with a contact record."),
    )
    face_to_face_points = points_field(
        _("points for face-to-face consultations"),
        "20",
        _("Earned in proportion to the share of its suggestions with a face-to-face consultation."),
    )
    satisfied_points = points_field(
        _("points for satisfied ratings"), "40", _("Earned in proportion to the share of rated replies rated 满意.")
    )
    basic_points = points_field(
        _("points for basically satisfied ratings"),
        "30",
        _("Earned in proportion to the share of rated replies rated 基本满意."),
    )
    overdue_deduction = points_field(
        _("deduction per late or missing reply"), "2", _("For each reply due that was not made on time.")
    )
    unsatisfied_deduction = points_field(
        _("deduction per unsatisfied rating"), "5", _("For each suggestion whose standing result rating is 不满意.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-applies_from", "stream"]
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        constraints = [
            models.UniqueConstraint(fields=["applies_from", "stream"], name="scoring_scheme_once_per_stream")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.applies_from}年起{words_of(self.stream).item if self.stream else ''}考核计分规则"

    @classmethod
    def for_year(cls, year: int | None, stream: str | None = None) -> ScoringScheme:
        """The scheme in force in `year` for `stream` (None: both streams together): the
        stream's own if it has one, else that of both (an unsaved one with the defaults if none is)."""
        scheme = None
        if year is not None:
            in_force = cls.objects.filter(applies_from__lte=year).order_by("-applies_from")
            if stream:
                scheme = in_force.filter(stream=stream).first()
            scheme = scheme or in_force.filter(stream="").first()
        return scheme or cls(applies_from=year or 0, name=str(_("Default rules")))


class AnnualReport(models.Model):
    """The text staff write for one year's handling report (年度建议办理工作情况报告): its
    two free chapters, 主要做法 and 下一步工作打算. Everything else in the report is figures.
    Each stream's report has its own text, and so has the combined report of both (`stream`
    blank: 人大代表建议和政协委员提案办理情况)."""

    year = models.PositiveSmallIntegerField(_("year"))
    stream = models.CharField(_("stream"), max_length=10, choices=Stream.choices, blank=True, default=Stream.SUGGESTION)
    title = models.CharField(_("title"), max_length=200, blank=True)
    practices = models.TextField(_("main practices (主要做法)"), blank=True)
    plans = models.TextField(_("plans for next year (下一步工作打算)"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    class Meta:
        ordering = ["-year", "stream"]
        verbose_name = _("annual report text")
        verbose_name_plural = _("annual report texts")
        constraints = [models.UniqueConstraint(fields=["year", "stream"], name="annual_report_once_per_stream")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.stream == Stream.SUGGESTION:
            return f"{self.year}年代表建议办理工作情况报告"
        subject = words_of(self.stream).report_title if self.stream else BOTH_TITLE
        return f"{self.year}年{subject}"


def report_path(instance: ReportJob, filename: str) -> str:
    return unique_path(f"reports/{instance.year}", filename)


class ReportJob(models.Model):
    """One run of the annual report's PDF: queued, running (with its progress), done (with
    the file, in the file storage) or failed (with the reason).

    `heartbeat_at` is the job's last sign of life (queued, or a step of progress) and `attempt`
    the run whose turn it is: a job whose run was lost is queued again as a new attempt, and
    an older run that wakes up finds it is no longer its turn (reports/jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    # Whose report: one stream's, or both streams' together (blank).
    stream = models.CharField(_("stream"), max_length=10, choices=Stream.choices, blank=True, default=Stream.SUGGESTION)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    seconds = models.FloatField(_("seconds taken"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self) -> str:
        return f"{self.year} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


def import_path(instance: ImportBatch, filename: str) -> str:
    return unique_path(f"imports/{instance.kind}", filename)


class ImportBatch(models.Model):
    """One uploaded workbook: checked by a dry run first (`summary` holds what would be created
    and every bad row), then applied as a whole or not at all."""

    class Kind(models.TextChoices):
        UNITS = "units", _("Units")
        DEPUTIES = "deputies", _("Deputies")
        MEMBERS = "members", _("CPPCC members")
        SUGGESTIONS = "suggestions", _("Suggestions")
        PROPOSALS = "proposals", _("CPPCC proposals")

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, ready to apply")
        INVALID = "invalid", _("Has bad rows")
        APPLIED = "applied", _("Applied")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=import_path)
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"

    @property
    def stream(self) -> str | None:
        """The body whose people or items the workbook writes (None: units, which serve both);
        `deputies.access.stream_of` reads it, so that each body's staff import their own."""
        return KIND_STREAMS.get(self.kind)


KIND_STREAMS: dict[str, str] = {
    ImportBatch.Kind.DEPUTIES: Stream.SUGGESTION,
    ImportBatch.Kind.SUGGESTIONS: Stream.SUGGESTION,
    ImportBatch.Kind.MEMBERS: Stream.PROPOSAL,
    ImportBatch.Kind.PROPOSALS: Stream.PROPOSAL,
}


class DisclosureHold(models.Model):
    """Congress staff's decision to keep an issued reply off the public page, whatever the
    unit chose. The unit's own choice is `Reply.is_public`; a reply is public only when the
    unit allowed it and staff have not held it back."""

    reply = models.OneToOneField(
        "handling.Reply", verbose_name=_("reply"), on_delete=models.CASCADE, related_name="disclosure_hold"
    )
    reason = models.CharField(_("reason"), max_length=300)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("held back by"), on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(_("held back at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_at"]
        verbose_name = _("reply kept from the public")
        verbose_name_plural = _("replies kept from the public")

    def __str__(self) -> str:
        return f"{self.reply_id}: {self.reason}"


class FiguresGeneration(models.Model):
    """One row: the generation of what the figures read, a value no other state of it had. The
    database sets a new one (reports/stored.py: triggers on the suggestions, assignments,
    replies, ratings, contacts, units, categories, result categories, meetings, sources, key
    items and scoring schemes) in the transaction of the write itself, whatever wrote it (a
    service, the import, the admin, a bulk update)."""

    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("figures generation")
        verbose_name_plural = _("figures generations")

    def __str__(self) -> str:
        return str(self.n)


class FiguresSnapshot(models.Model):
    """The counts of one scope (`reports.figures.count`) as of a day, counted at a generation:
    good while the generation is still the current one and the day is still today."""

    scope = models.CharField(_("scope"), max_length=80, unique=True)
    as_of = models.DateField(_("as of"))
    generation = models.BigIntegerField(_("generation"))
    counts = models.JSONField(_("counts"))
    counted_at = models.DateTimeField(_("counted at"), auto_now=True)

    class Meta:
        verbose_name = _("figures snapshot")
        verbose_name_plural = _("figures snapshots")

    def __str__(self) -> str:
        return f"{self.scope} @ {self.as_of} #{self.generation}"


class PublishedFigures(models.Model):
    """A year's per-unit figures of one stream as staff published them on the public pages
    (/public/figures/): each answering unit's count, on-time rate and satisfaction, computed
    by `reports/figures.py` (`unit_rows`) at the moment of publishing and kept as published, so
    the public reads what staff chose to publish, dated. Publishing again replaces them with
    the figures of that day; withdrawing deletes them. Both are in the security audit log."""

    year = models.PositiveSmallIntegerField(_("year"))
    stream = models.CharField(_("stream"), max_length=10, choices=Stream.choices)
    as_of = models.DateField(_("figures as of"))
    # One row per unit: {"unit", "count", "due", "on_time", "on_time_pct", "rated", "satisfied",
    # "satisfied_pct", "positive_pct"}, the percentages as text ("" for no base), ranked as the
    # dashboard ranks them.
    units = models.JSONField(_("units' figures"), default=list)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "stream"]
        verbose_name = _("published units' figures")
        verbose_name_plural = _("published units' figures")
        constraints = [models.UniqueConstraint(fields=["year", "stream"], name="published_figures_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_stream_display()}"
