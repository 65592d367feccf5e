from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from proposals.models import Category, Meeting, ProposalState

SORTS = {
    "number": ("meeting__year", "number"),
    "-number": ("-meeting__year", "-number"),
    "due": ("due_on", "number"),
    "-due": ("-due_on", "number"),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
    "title": ("title",),
}


class ProposalFilterForm(forms.Form):
    """The filters of every suggestion list (the list page, its Excel export, dashboard links).
    Read from the query string; an invalid value is reported and ignored, never fatal."""

    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    meeting = forms.ModelChoiceField(Meeting.objects.all(), label=_("Meeting"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2100)
    category = forms.ModelChoiceField(Category.objects.all(), label=_("Category"), required=False)
    state = forms.MultipleChoiceField(label=_("State"), choices=ProposalState.choices, required=False)
    unit = forms.IntegerField(label=_("Unit"), required=False, min_value=1)
    deputy = forms.IntegerField(label=_("Deputy"), required=False, min_value=1)
    key = forms.ChoiceField(
        label=_("Key suggestion"), required=False, choices=[("", _("All")), ("1", _("Key only")), ("0", _("Not key"))]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(label=_("Due within (days)"), required=False, min_value=0, max_value=3650)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(k, k) for k in SORTS])
