from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from deputies.admin import ReadOnlyAdmin
from deputies.http import user_of
from proposals import notify, outbox, services
from proposals.admin_actions import NoteForm, ReasonForm, action_form_page, workflow_action
from proposals.models import (
    Category,
    CoSignature,
    Meeting,
    Notification,
    OutboxMessage,
    Proposal,
    ProposalAttachment,
    ProposalEvent,
    ProposalText,
    Source,
    TermCount,
    WorkdayOverride,
)
from proposals.uploads import validate_upload


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("name", "term", "number", "year", "opens_on", "closes_on")
    list_filter = ("term", "year")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")
    search_fields = ("name",)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "is_fieldwork", "order", "is_active")
    list_editable = ("is_fieldwork", "order", "is_active")


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


class CoSignatureInline(admin.TabularInline):
    """Who was invited and who answered: the deputies' own steps, read here."""

    model = CoSignature
    extra = 0
    can_delete = False
    fields = ("deputy", "status", "invited_at", "responded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CheckedUploadForm(forms.ModelForm):
    """An admin form whose `file` is checked as every upload is (proposals.uploads): what an
    administrator uploads is served to the same readers as the rest."""

    allowed: ClassVar[dict[str, set[str]] | None] = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):  # a new file; the stored one was checked when it came
            validate_upload(upload, allowed=self.allowed)
        return upload


class AttachmentInline(admin.TabularInline):
    model = ProposalAttachment
    form = CheckedUploadForm
    extra = 0
    readonly_fields = ("uploaded_by", "uploaded_at", "size")


class EventInline(admin.TabularInline):
    model = ProposalEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "from_state", "to_state", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class RegisterForm(forms.Form):
    category = forms.ModelChoiceField(
        Category.objects.filter(is_active=True),
        label=_("Category"),
        required=False,
        help_text=_("Leave empty to keep the category the suggestion has."),
    )


class MergeForm(forms.Form):
    main = forms.IntegerField(label=_("Number of the main suggestion"), min_value=1)
    note = forms.CharField(label=_("Note"), required=False)


@admin.action(description=_("Merge"))
def merge_action(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Proposal]
) -> TemplateResponse | None:
    """Merge acts on the selection as a whole: one of them, named by number, is the main one."""
    submitted = "apply" in request.POST
    form = MergeForm(request.POST if submitted else None)
    if not (submitted and form.is_valid()):
        return action_form_page(modeladmin, request, queryset, form, _("Merge"), "merge_action")
    rows = list(queryset)
    main = next((p for p in rows if p.number == form.cleaned_data["main"]), None)
    try:
        if main is None:
            raise services.ProposalError(_("The main suggestion must be one of the selected ones."))
        services.merge_proposals(main=main, members=rows, by=user_of(request), note=form.cleaned_data["note"])
    except services.ProposalError as exc:
        form.add_error(None, str(exc))  # shown again with why, the main number and note kept
        return action_form_page(modeladmin, request, queryset, form, _("Merge"), "merge_action")
    modeladmin.message_user(request, _("Merged."), messages.SUCCESS)
    return None


class WorkflowRecordAdmin(admin.ModelAdmin):
    """A record the workflow keeps (a suggestion, an assignment, a reply): read here and moved
    on by the actions, which run the app's own steps (permission, lock, trail). It is never
    added or edited field by field, which would change a public record with no trail."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        opts = self.model._meta
        return [f.name for f in [*opts.fields, *opts.many_to_many] if not f.primary_key]


@admin.register(Proposal)
class ProposalAdmin(WorkflowRecordAdmin):
    list_display = ("__str__", "meeting", "lead_deputy", "category", "state", "due_on", "updated_at")
    list_filter = ("state", "meeting", "category", "channel")
    search_fields = ("title", "body", "lead_deputy__name", "number")
    inlines = [CoSignatureInline, AttachmentInline, EventInline]
    list_select_related = ("meeting", "lead_deputy", "category")
    actions = [
        workflow_action(_("Submit"), lambda p, by: services.submit_proposal(proposal=p, by=by), name="wf_submit"),
        workflow_action(
            _("Withdraw"),
            lambda p, by, note: services.withdraw_proposal(proposal=p, by=by, note=note),
            NoteForm,
            name="wf_withdraw",
        ),
        workflow_action(
            _("Return for revision"),
            lambda p, by, note: services.return_proposal(proposal=p, by=by, reason=note),
            ReasonForm,
            name="wf_return",
        ),
        workflow_action(
            _("Not accepted"),
            lambda p, by, note: services.decline_proposal(proposal=p, by=by, reason=note),
            ReasonForm,
            name="wf_decline",
        ),
        workflow_action(
            _("Register"),
            lambda p, by, category: services.register_proposal(proposal=p, by=by, category=category),
            RegisterForm,
            name="wf_register",
        ),
        merge_action,
    ]


@admin.register(CoSignature)
class CoSignatureAdmin(WorkflowRecordAdmin):
    list_display = ("proposal", "deputy", "status", "invited_at", "responded_at")
    list_filter = ("status",)


@admin.register(ProposalAttachment)
class ProposalAttachmentAdmin(admin.ModelAdmin):
    form = CheckedUploadForm
    list_display = ("name", "proposal", "size", "uploaded_by", "uploaded_at")
    autocomplete_fields = ("proposal",)


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "proposal", "actor", "action", "from_state", "to_state", "note")
    list_filter = ("action", "to_state")
    search_fields = ("proposal__title", "note", "actor__username")
    date_hierarchy = "created_at"
    list_select_related = ("proposal", "actor")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "message", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("message", "recipient__username")
    list_select_related = ("recipient",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """The outbox: what waits, what was sent to whom, what failed and why. Failed messages can
    be sent again (after fixing the address, or once the mail server or provider is back)."""

    list_display = (
        "created_at",
        "channel",
        "status",
        "recipient",
        "address",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("address", "body", "notification__recipient__username", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("notification__recipient",)
    actions = ["send_again"]

    @admin.display(description=_("recipient"))
    def recipient(self, message: OutboxMessage) -> str:
        return message.notification.recipient.display_name

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = outbox.send_again(queryset)
        if ids:
            notify.send_now(ids)
            messages.success(request, _("%(n)s messages are queued to be sent again.") % {"n": len(ids)})
        else:
            messages.warning(request, _("Only failed messages can be sent again."))


# The text index and its term counts are derived (proposals/textindex.py): read here, rebuilt by
# `manage.py refresh_intelligence`, never edited by hand.
@admin.register(ProposalText)
class ProposalTextAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "norm", "indexed_at")
    fields = ("proposal", "tokens", "norm", "indexed_at")
    list_select_related = ("proposal",)
    raw_id_fields = ("proposal",)


@admin.register(TermCount)
class TermCountAdmin(ReadOnlyAdmin):
    list_display = ("token", "documents")
    search_fields = ("token",)
