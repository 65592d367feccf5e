from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from deputies.admin import ReadOnlyAdmin
from reports.models import (
    AnnualReport,
    DisclosureHold,
    FiguresGeneration,
    FiguresSnapshot,
    ImportBatch,
    PublishedFigures,
    ReportJob,
    ScoringScheme,
)


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    """Staff edit the units' scoring rules here (考核计分); the units' table shows the result."""

    list_display = (
        "__str__",
        "applies_from",
        "stream",
        "on_time_points",
        "contact_points",
        "face_to_face_points",
        "satisfied_points",
        "basic_points",
        "overdue_deduction",
        "unsatisfied_deduction",
    )
    fieldsets = (
        (None, {"fields": ("applies_from", "name", "note")}),
        (
            _("Points, earned in proportion to each rate"),
            {"fields": ("on_time_points", "contact_points", "face_to_face_points", "satisfied_points", "basic_points")},
        ),
        (_("Deductions, per item"), {"fields": ("overdue_deduction", "unsatisfied_deduction")}),
    )


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("year", "display_title", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")


class NoAddAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ReportJob)
class ReportJobAdmin(NoAddAdmin):
    list_display = ("year", "status", "progress", "pages", "seconds", "requested_by", "created_at", "finished_at")
    list_filter = ("status", "year")


@admin.register(ImportBatch)
class ImportBatchAdmin(NoAddAdmin):
    list_display = ("original_name", "kind", "status", "created_by", "created_at", "applied_at")
    list_filter = ("kind", "status")
    exclude = ("summary",)


@admin.register(DisclosureHold)
class DisclosureHoldAdmin(ReadOnlyAdmin):
    """Replies kept from the public: held back and let out on 公开管理 (reports:disclosure),
    which holds a merged group's copies with it and refreshes the public pages."""

    list_display = ("reply", "reason", "held_by", "held_at")


class _ReadOnly(admin.ModelAdmin):
    """Kept by the database and reports/stored.py, shown to look at, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(FiguresSnapshot)
class FiguresSnapshotAdmin(_ReadOnly):
    list_display = ("scope", "as_of", "generation", "counted_at")


@admin.register(FiguresGeneration)
class FiguresGenerationAdmin(_ReadOnly):
    list_display = ("id", "n")


@admin.register(PublishedFigures)
class PublishedFiguresAdmin(admin.ModelAdmin):
    """Read only: staff publish and withdraw on the disclosure page (公开管理), which audits it."""

    list_display = ("year", "stream", "as_of", "published_by", "published_at")
    list_filter = ("stream",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PublishedFigures | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublishedFigures | None = None) -> bool:
        return False
