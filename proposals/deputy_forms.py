"""Forms of the deputy's own pages. They only validate; the services save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from proposals.forms import Form, MultipleFileField
from proposals.models import Category, Proposal, Source


class DraftForm(Form):
    """A suggestion being written. A draft is saved as typed, even half-written; submitting
    asks for everything staff need to register it."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Usually “关于……的建议”."),
        widget=forms.TextInput(attrs={"placeholder": "关于……的建议", "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        help_text=_("The situation, the problem and what you suggest be done."),
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    category = forms.ModelChoiceField(
        Category.objects.filter(is_active=True), label=_("Category"), required=False, empty_label="—"
    )
    source = forms.ModelChoiceField(
        Source.objects.filter(is_active=True), label=_("Source of the idea"), required=False, empty_label="—"
    )
    channel = forms.ChoiceField(
        label=_("Made"), choices=Proposal.Channel.choices, widget=forms.RadioSelect, initial=Proposal.Channel.MEETING
    )
    attachments = MultipleFileField(
        label=_("Add files"),
        required=False,
        help_text=_("PDF, Word or images (JPG, PNG); you can choose several."),
    )

    def __init__(
        self, *args: Any, stream: str, for_submission: bool = False, proposal: Proposal | None = None, **kwargs: Any
    ) -> None:
        """`stream`: the body of the person writing (a draft's own, once it exists)."""
        super().__init__(*args, **kwargs)
        self.for_submission = for_submission
        # The categories of the item's body; one taken out of use since the draft chose it (as a
        # source) stays choosable for it.
        choices = {
            "category": Category.objects.for_stream(proposal.stream if proposal else stream),
            "source": Source.objects.all(),
        }
        for name, queryset in choices.items():
            current = getattr(proposal, f"{name}_id") if proposal is not None else None
            in_use = Q(is_active=True) | Q(pk=current) if current else Q(is_active=True)
            field_of(self, name, forms.ModelChoiceField).queryset = queryset.filter(in_use)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.for_submission:
            for name in ("title", "body", "category", "source"):
                value = data.get(name)
                if name in data and (value is None or (isinstance(value, str) and not value.strip())):
                    self.add_error(name, _("Needed before submitting."))
        return data

    def draft_fields(self) -> dict[str, Any]:
        """The typed values, as `proposals.services.update_draft` takes them."""
        data = self.cleaned_data
        return {name: data.get(name) for name in ("title", "body", "category", "source", "channel")}


class DeputySearchForm(Form):
    q = forms.CharField(
        label=_("Name or delegation"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "placeholder": _("e.g. 李 or 城关")}),
    )


class WithdrawForm(Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
