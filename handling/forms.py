"""Forms of the units' and staff's handling pages. They only validate: every change goes
through handling.services."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from handling.models import ContactRecord, Reply, ResultCategory, Unit
from proposals.forms import Form, MultipleFileField
from proposals.models import Proposal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE = re.compile(r"^[0-9+\-()（）\s转]{5,30}$")


def active_units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("order", "name")


def not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))


class AssignForm(Form):
    """交办: one lead unit with any co-handlers, or two or more separate units."""

    MODE_CHOICES = [
        ("lead", _("A lead unit, with any co-handling units")),
        ("separate", _("Separate units, each answering on its own")),
    ]

    mode = forms.ChoiceField(label=_("How"), choices=MODE_CHOICES, initial="lead", widget=forms.RadioSelect)
    lead_unit = forms.ModelChoiceField(active_units(), label=_("Lead unit"), required=False, empty_label=_("Choose…"))
    co_units = forms.ModelMultipleChoiceField(
        active_units(), label=_("Co-handling units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    separate_units = forms.ModelMultipleChoiceField(
        active_units(), label=_("Separate units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_complex = forms.BooleanField(
        label=_("Complex: wide-reaching or hard to handle (longer deadline)"), required=False
    )
    assigned_on = forms.DateField(
        label=_("Assigned on"),
        widget=DATE,
        validators=[not_in_future],
        help_text=_("The reply deadline counts from this day."),
    )
    note = forms.CharField(
        label=_("Note to the units"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assigned_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("mode") == "lead":
            lead = data.get("lead_unit")
            if lead is None:
                self.add_error("lead_unit", _("Choose the lead unit."))
            elif lead in (data.get("co_units") or []):
                self.add_error("co_units", _("The lead unit cannot also be a co-handling unit."))
            data["separate_units"] = []
        elif data.get("mode") == "separate":
            if len(data.get("separate_units") or []) < 2:
                self.add_error("separate_units", _("Choose at least two units that answer separately."))
            data["lead_unit"], data["co_units"] = None, []
        return data

    def plan(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lead_unit": data["lead_unit"],
            "co_units": list(data["co_units"]),
            "separate_units": list(data["separate_units"]),
            "is_complex": data["is_complex"],
            "assigned_on": data["assigned_on"],
            "note": data["note"],
        }


class BulkAssignForm(Form):
    """批量交办: the ticked registered suggestions, each to the same lead unit."""

    ids: forms.ModelMultipleChoiceField[Proposal] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Suggestions"), widget=forms.MultipleHiddenInput
    )
    lead_unit = forms.ModelChoiceField(active_units(), label=_("Lead unit"), empty_label=_("Choose…"))
    is_complex = forms.BooleanField(
        label=_("Complex: wide-reaching or hard to handle (longer deadline)"), required=False
    )
    assigned_on = forms.DateField(label=_("Assigned on"), widget=DATE, validators=[not_in_future])
    note = forms.CharField(
        label=_("Note to the unit"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, queryset: QuerySet[Proposal], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assigned_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field_of(self, "ids", forms.ModelChoiceField).queryset = queryset
        self.fields["ids"].error_messages["required"] = _("Tick the suggestions to assign in the list first.")
        self.fields["ids"].error_messages["invalid_choice"] = _(
            "Only registered suggestions that are not merged into another can be assigned together."
        )


class ReassignmentRequestForm(Form):
    reason = forms.CharField(
        label=_("Why your unit is not the right one"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    suggested_unit = forms.ModelChoiceField(
        active_units(), label=_("Unit that should handle it instead"), required=False
    )

    def __init__(self, *args: Any, own_unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own_unit is not None:
            field_of(self, "suggested_unit", forms.ModelChoiceField).queryset = active_units().exclude(pk=own_unit.pk)


class AcceptReassignmentForm(Form):
    new_unit = forms.ModelChoiceField(active_units(), label=_("Unit that takes it over"), empty_label=_("Choose…"))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RefuseReassignmentForm(Form):
    note = forms.CharField(
        label=_("Why the request is refused"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContactForm(Form):
    kind = forms.ChoiceField(label=_("How"), choices=ContactRecord.Kind.choices, widget=forms.RadioSelect)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=ContactRecord.Stage.choices, widget=forms.RadioSelect, initial="during"
    )
    contact_date = forms.DateField(label=_("Date"), widget=DATE, validators=[not_in_future])
    people = forms.CharField(
        label=_("People"), max_length=300, help_text=_("The deputy and the unit's people who took part.")
    )
    summary = forms.CharField(label=_("What was discussed"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("contact_date", timezone.localdate())
        super().__init__(*args, **kwargs)


class CoOpinionForm(Form):
    body = forms.CharField(
        label=_("Your unit's opinion to the lead unit"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8})
    )


class CountersignForm(Form):
    decision = forms.ChoiceField(
        label=_("Your unit's decision"),
        choices=[("agree", _("We agree and countersign")), ("object", _("We do not agree"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when your unit does not agree: say what should change."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "object" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what your unit does not agree with."))
        return data


class ReplyForm(Form):
    """The reply letter (答复函). Nothing is required to save a draft: it is kept as typed.
    What a letter needs before it goes to the unit head is checked when it is sent."""

    reference_number = forms.CharField(
        label=_("Reference number"), required=False, max_length=50, help_text=_("e.g. 示教函〔2026〕12号")
    )
    signer = forms.CharField(label=_("Signed by"), required=False, max_length=50)
    contact_person = forms.CharField(label=_("Contact person"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    result_category = forms.ModelChoiceField(
        ResultCategory.objects.filter(is_active=True),
        label=_("Result category"),
        required=False,
        empty_label=_("Choose…"),
    )
    body = forms.CharField(label=_("Reply text"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    done_items = forms.CharField(
        label=_("What is already done"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    promised_items = forms.CharField(
        label=_("What is promised"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Each promise goes on the follow-up list until it is done."),
    )
    promised_by = forms.DateField(label=_("Promised by"), required=False, widget=DATE)
    not_adopted_reason = forms.CharField(
        label=_("Why not adopted"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    is_public = forms.BooleanField(label=_("May be disclosed to the public"), required=False, initial=True)
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, Word or images (JPG, PNG); several at once."),
    )

    TEXT_FIELDS = Reply.LETTER_FIELDS

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Enter a phone number: digits, with “-” or spaces if you like."))
        return phone

    def valid_fields(self) -> dict[str, Any]:
        """The letter's fields that were typed correctly (saved even when another is wrong)."""
        values = getattr(self, "cleaned_data", {})
        return {name: values[name] for name in self.TEXT_FIELDS if name in values}


class NoteForm(Form):
    note = forms.CharField(label=_("Comments"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class CorrectResultForm(Form):
    result_category = forms.ModelChoiceField(
        ResultCategory.objects.filter(is_active=True), label=_("Correct result category")
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


# --- deadline extensions and handling plans -------------------------------------------------------


class ExtensionRequestForm(Form):
    """申请延期: the new date and why. The limits are the service's (it says which was missed)."""

    new_deadline = forms.DateField(label=_("New reply deadline asked for"), widget=DATE)
    reason = forms.CharField(
        label=_("Why the reply needs more time"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )


class DecideExtensionForm(Form):
    DECISIONS = [("approve", _("Approve")), ("refuse", _("Refuse"))]

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Decision note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing."),
    )


class PlanForm(Form):
    """办理方案: who handles it, the responsible leader, how."""

    handler_name = forms.CharField(label=_("Handler"), max_length=50)
    handler_phone = forms.CharField(label=_("Handler's phone"), max_length=30, required=False)
    leader_name = forms.CharField(label=_("Responsible leader (分管领导)"), max_length=50)
    approach = forms.CharField(
        label=_("How it will be handled"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_handler_phone(self) -> str:
        phone: str = self.cleaned_data.get("handler_phone", "").strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Enter a phone number."))
        return phone


class PlanStepForm(Form):
    """One planned step; an empty row is left out."""

    step_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Step"), max_length=200, required=False)
    planned_on = forms.DateField(label=_("Planned for"), widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("title") and not data.get("planned_on"):
            self.add_error("planned_on", _("Give the date this step is planned for."))
        if data.get("planned_on") and not data.get("title"):
            self.add_error("title", _("Say what the step is."))
        return data


def plan_step_formset(extra: int) -> type[forms.BaseFormSet[PlanStepForm]]:
    """The steps' rows: the existing ones and `extra` blank ones for new steps."""
    return forms.formset_factory(PlanStepForm, extra=extra, max_num=30, absolute_max=30)
