from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from deputies.admin import ReadOnlyAdmin
from deputies.models import User
from handling import services
from handling.models import (
    Assignment,
    ContactRecord,
    CoOpinion,
    Countersignature,
    DeadlineExtension,
    HandlingPlan,
    MatterReferral,
    PlanStep,
    PreSubmissionQuestion,
    Rating,
    ReassignmentRequest,
    Reply,
    ReplyAttachment,
    ReplyComment,
    ResultCategory,
    Satisfaction,
    Unit,
    UnitMember,
    UnitProfile,
)
from proposals.admin import ProposalAdmin, WorkflowRecordAdmin
from proposals.admin_actions import ReasonForm, workflow_action
from proposals.models import Proposal


class UnitMemberInline(admin.TabularInline):
    model = UnitMember
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "phone", "order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    inlines = [UnitMemberInline]


@admin.register(UnitMember)
class UnitMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "unit")
    list_filter = ("unit",)
    autocomplete_fields = ("user", "unit")


@admin.register(ResultCategory)
class ResultCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "result_class", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("result_class",)


class AssignForm(forms.Form):
    lead_unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("Lead unit"), required=False)
    co_units = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True), label=_("Co-handling units"), required=False
    )
    separate_units = forms.ModelMultipleChoiceField(
        Unit.objects.filter(is_active=True),
        label=_("Separate units"),
        required=False,
        help_text=_("Instead of a lead unit: two or more units that each answer separately."),
    )
    is_complex = forms.BooleanField(label=_("Complex (longer deadline)"), required=False)
    note = forms.CharField(label=_("Note"), required=False)


def _assign(
    p: Proposal,
    by: User,
    lead_unit: Unit | None,
    co_units: QuerySet[Unit],
    separate_units: QuerySet[Unit],
    is_complex: bool,
    note: str,
) -> None:
    services.assign_proposal(
        proposal=p,
        by=by,
        lead_unit=lead_unit,
        co_units=list(co_units),
        separate_units=list(separate_units),
        is_complex=is_complex,
        note=note,
    )


admin.site.unregister(Proposal)


@admin.register(Proposal)
class HandlingProposalAdmin(ProposalAdmin):
    """The suggestion's admin with the handling steps added (they live in this app)."""

    actions = [*ProposalAdmin.actions, workflow_action(_("Assign"), _assign, AssignForm, name="wf_assign")]


@admin.register(Assignment)
class AssignmentAdmin(WorkflowRecordAdmin):
    list_display = ("proposal", "unit", "role", "assigned_on", "deadline", "signed_at", "is_active")
    list_filter = ("role", "is_active", "is_complex", "unit")
    search_fields = ("proposal__title", "unit__name")
    list_select_related = ("proposal", "unit")
    actions = [
        workflow_action(_("Sign for"), lambda a, by: services.sign_assignment(assignment=a, by=by), name="wf_sign"),
        workflow_action(
            _("Ask for re-assignment"),
            lambda a, by, note: services.request_reassignment(assignment=a, by=by, reason=note),
            ReasonForm,
            name="wf_request_reassignment",
        ),
    ]


class AcceptForm(forms.Form):
    new_unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("New unit"))
    note = forms.CharField(label=_("Note"), required=False)


@admin.register(ReassignmentRequest)
class ReassignmentRequestAdmin(admin.ModelAdmin):
    list_display = ("assignment", "status", "requested_by", "requested_at", "decided_by", "decided_at")
    list_filter = ("status",)
    readonly_fields = (
        "assignment",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
        "new_assignment",
    )
    actions = [
        workflow_action(
            _("Accept re-assignment"),
            lambda r, by, new_unit, note: services.decide_reassignment(
                request=r, by=by, accept=True, new_unit=new_unit, note=note
            ),
            AcceptForm,
            name="wf_accept",
        ),
        workflow_action(
            _("Refuse re-assignment"),
            lambda r, by, note: services.decide_reassignment(request=r, by=by, accept=False, note=note),
            ReasonForm,
            name="wf_refuse",
        ),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(ContactRecord)
class ContactRecordAdmin(WorkflowRecordAdmin):
    list_display = ("proposal", "assignment", "kind", "stage", "contact_date", "deputy_response")
    list_filter = ("kind", "stage", "deputy_response")
    search_fields = ("proposal__title", "people", "summary")


class ReplyAttachmentInline(admin.TabularInline):
    """A reply's files, as its unit attached them (read only, as the reply is)."""

    model = ReplyAttachment
    extra = 0
    can_delete = False
    readonly_fields = ("name", "file", "size", "uploaded_by", "uploaded_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PaperRatingForm(forms.Form):
    attitude = forms.ChoiceField(label=_("Handling attitude"), choices=Satisfaction.choices)
    result = forms.ChoiceField(label=_("Handling result"), choices=Satisfaction.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    paper_form = forms.FileField(label=_("Signed feedback form"))


@admin.register(Reply)
class ReplyAdmin(WorkflowRecordAdmin):
    list_display = ("__str__", "assignment", "round", "state", "result_category", "is_public", "issued_at")
    list_filter = ("state", "round", "result_category__result_class", "is_public")
    search_fields = ("body", "reference_number", "assignment__proposal__title")
    inlines = [ReplyAttachmentInline]
    list_select_related = ("assignment__unit", "assignment__proposal", "result_category")
    actions = [
        workflow_action(
            _("Send to the unit head"), lambda r, by: services.submit_reply(reply=r, by=by), name="wf_submit_reply"
        ),
        workflow_action(_("Approve and sign"), lambda r, by: services.approve_reply(reply=r, by=by), name="wf_approve"),
        workflow_action(
            _("Return to the handler"),
            lambda r, by, note: services.return_reply(reply=r, by=by, note=note),
            ReasonForm,
            name="wf_return_reply",
        ),
        workflow_action(
            _("Send back to the unit"),
            lambda r, by, note: services.staff_return_reply(reply=r, by=by, note=note),
            ReasonForm,
            name="wf_staff_return",
        ),
        workflow_action(_("Issue to the deputy"), lambda r, by: services.issue_reply(reply=r, by=by), name="wf_issue"),
        workflow_action(
            _("Record a paper rating"),
            lambda r, by, **data: services.record_paper_rating(reply=r, by=by, **data),
            PaperRatingForm,
            name="wf_paper_rating",
        ),
    ]


@admin.register(ReplyAttachment)
class ReplyAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "reply", "size", "uploaded_by", "uploaded_at")


@admin.register(CoOpinion)
class CoOpinionAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "round", "submitted_by", "submitted_at")
    list_select_related = ("assignment__unit", "submitted_by")


@admin.register(Countersignature)
class CountersignatureAdmin(ReadOnlyAdmin):
    list_display = ("reply", "assignment", "version", "agrees", "signed_by", "signed_at")
    list_filter = ("agrees",)
    list_select_related = ("reply__assignment__unit", "assignment__unit", "signed_by")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings are entered only by the deputy (or as paper ratings through the reply's action)."""

    list_display = ("proposal", "reply", "attitude", "result", "is_paper", "rated_by", "rated_at")
    list_filter = ("attitude", "result", "is_paper")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# --- what deputies and units say to each other ----------------------------------------------------
# Written only through the services (handling/services/); read here.


@admin.register(PreSubmissionQuestion)
class PreSubmissionQuestionAdmin(ReadOnlyAdmin):
    list_display = ("asked_at", "unit", "draft_title", "asked_by", "answered_at")
    list_filter = ("unit",)
    search_fields = ("draft_title", "question", "answer")
    list_select_related = ("unit", "asked_by")


@admin.register(MatterReferral)
class MatterReferralAdmin(ReadOnlyAdmin):
    """Residents' matters forwarded to units (handling/referrals.py): when, to whom, by when and
    whether answered; the text stays with the unit, the station and the deputy (not shown here)."""

    list_display = ("forwarded_at", "unit", "deadline", "answered_at")
    list_filter = ("unit",)
    fields = ("unit", "deadline", "forwarded_by", "forwarded_at", "answered_by", "answered_at")
    list_select_related = ("unit",)
    date_hierarchy = "forwarded_at"


@admin.register(ReplyComment)
class ReplyCommentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "proposal", "author", "body")
    search_fields = ("body",)
    list_select_related = ("proposal", "author")


# --- deadline extensions and handling plans ---------------------------------------------------------
# Written only through the services (handling/services/extensions.py, plans.py); read here.


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "original_deadline", "requested_deadline", "status", "requested_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("assignment__unit", "decided_by")


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    fields = ("title", "planned_on", "done_on", "done_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(HandlingPlan)
class HandlingPlanAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "handler_name", "leader_name", "updated_at")
    list_select_related = ("assignment__unit",)
    inlines = [PlanStepInline]


@admin.register(PlanStep)
class PlanStepAdmin(ReadOnlyAdmin):
    list_display = ("plan", "title", "planned_on", "done_on")
    list_select_related = ("plan__assignment__unit",)


@admin.register(UnitProfile)
class UnitProfileAdmin(ReadOnlyAdmin):
    """What the unit suggestion learned of each unit (handling/unit_suggestion.py), rebuilt nightly."""

    list_display = ("unit", "items", "built_at")
    list_select_related = ("unit",)
