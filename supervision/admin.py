"""Supervision data in the admin. Key items, urging notices and promises are changed through
their pages (which write the timeline events); here they are mostly read. The reminder log and
the text-message log are read-only: they are the proof of what was sent."""

from django.contrib import admin

from deputies.admin import ReadOnlyAdmin
from proposals.admin import CheckedUploadForm, WorkflowRecordAdmin
from supervision.models import (
    KeyItem,
    ProgressReport,
    Promise,
    PromiseSurvey,
    Reminder,
    SupervisionPhoto,
    SupervisionRecord,
    UrgingNotice,
)
from supervision.services import PHOTO_TYPES


@admin.register(KeyItem)
class KeyItemAdmin(WorkflowRecordAdmin):
    """Chosen and changed on the key-item form (its service writes each item's trail)."""

    list_display = ("title", "year", "leader", "committee", "report_every_days")
    list_filter = ("year", "committee")
    search_fields = ("title",)


class CheckedPhotoForm(CheckedUploadForm):
    allowed = PHOTO_TYPES


class PhotoInline(admin.TabularInline):
    model = SupervisionPhoto
    form = CheckedPhotoForm
    extra = 0
    readonly_fields = ("name", "size", "uploaded_by", "uploaded_at")


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(admin.ModelAdmin):
    list_display = ("held_on", "kind", "key_item", "participants", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("notes", "participants", "key_item__title")
    readonly_fields = ("recorded_by", "created_at")
    inlines = [PhotoInline]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "unit", "proposal", "key_item", "promise", "marks_done")
    list_filter = ("marks_done", "unit")
    search_fields = ("body", "proposal__title")
    date_hierarchy = "created_at"


@admin.register(Promise)
class PromiseAdmin(WorkflowRecordAdmin):
    list_display = ("proposal", "unit", "promised_by", "state", "replied_on")
    list_filter = ("state", "unit")
    search_fields = ("promised_items", "proposal__title")


@admin.register(PromiseSurvey)
class PromiseSurveyAdmin(ReadOnlyAdmin):
    """The deputies' answers are theirs: read here, never edited."""

    list_display = ("promise", "answer", "answered_by", "answered_at")
    list_filter = ("answer",)
    search_fields = ("comment", "promise__proposal__title")


@admin.register(UrgingNotice)
class UrgingNoticeAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "unit", "sent_by", "acknowledged_at")
    list_filter = ("unit",)
    search_fields = ("message", "answer")
    date_hierarchy = "sent_at"


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "recipient", "proposal", "subject", "threshold")
    list_filter = ("kind",)
    search_fields = ("subject", "threshold", "recipient__username", "recipient__full_name")
    date_hierarchy = "created_at"


@admin.register(SupervisionPhoto)
class SupervisionPhotoAdmin(admin.ModelAdmin):
    list_display = ("name", "record", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("size", "uploaded_by", "uploaded_at")
