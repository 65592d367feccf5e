from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, OrderBy, QuerySet
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from proposals import hooks
from proposals.models import Category, Meeting, Proposal, ProposalState
from proposals.uploads import ACCEPT, validate_upload

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Suggestions without a number (not yet registered) or without a due date come last.
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "number": ("meeting__year", F("number").asc(nulls_last=True)),
    "-number": ("-meeting__year", F("number").desc(nulls_last=True)),
    "due": (F("due_on").asc(nulls_last=True), "number"),
    "-due": (F("due_on").desc(nulls_last=True), "number"),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
    "title": ("title",),
    "-title": ("-title",),
    "state": ("state", "number"),
    "-state": ("-state", "number"),
}


class Form(forms.Form):
    """The base of every form of the site: labels without a trailing colon (the page lays them
    out above their field, and the English colon is out of place in Chinese)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>, each checked by its content and size
    (proposals.uploads); `allowed` narrows the kinds, `max_files` caps the number."""

    def __init__(
        self,
        *args: Any,
        allowed: dict[str, set[str]] | None = None,
        max_files: int | None = None,
        accept: str = ACCEPT,
        **kwargs: Any,
    ) -> None:
        self.allowed, self.max_files = allowed, max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if self.max_files is not None and len(files) > self.max_files:
            raise ValidationError(_("At most %(n)s files at a time.") % {"n": self.max_files})
        errors: list[str] = []
        for upload in files:
            try:
                validate_upload(upload, allowed=self.allowed)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files


SORT_LABELS = {
    "number": _("Number, ascending"),
    "-number": _("Number, descending"),
    "due": _("Reply due, soonest first"),
    "-due": _("Reply due, latest first"),
    "updated": _("Least recently changed"),
    "-updated": _("Recently changed"),
    "title": _("Title, A–Z"),
    "-title": _("Title, Z–A"),
    "state": _("State"),
    "-state": _("State, reversed"),
}


class ProposalFilterForm(Form):
    """The filters of every suggestion list (the list page, its Excel export, dashboard links).
    Read from the query string; an invalid value is reported and ignored, never fatal. Later
    apps add their own filters (units, key suggestions, what waits for me: proposals/hooks.py)."""

    q = forms.CharField(label=_("Keyword"), required=False, max_length=100)
    meeting = forms.ModelChoiceField(Meeting.objects.all(), label=_("Meeting"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1949, max_value=2100)
    category = forms.ModelChoiceField(Category.objects.all(), label=_("Category"), required=False)
    state = forms.MultipleChoiceField(
        label=_("State"), choices=ProposalState.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    deputy = forms.IntegerField(label=_("Deputy"), required=False, min_value=1)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_within = forms.IntegerField(label=_("Due within (days)"), required=False, min_value=0, max_value=3650)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[("", "—"), *SORT_LABELS.items()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for extra in hooks.list_filters():
            self.fields[extra.name] = copy.deepcopy(extra.field)

    def active_count(self) -> int:
        """How many filters are set (sorting aside), for the "filters (3)" summary."""
        values = getattr(self, "cleaned_data", {})
        return sum(1 for name, value in values.items() if name != "sort" and value not in (None, "", [], False))


# The number column's largest value: a larger one is refused as input, never by the database.
NUMBER_MAX = 2_147_483_647


class RegisterForm(Form):
    """Register (立案) a submitted suggestion: the number is proposed, and may be changed."""

    number = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=NUMBER_MAX,
        help_text=_("Numbers run per meeting. Leave it empty to take the next free number."),
    )
    category = forms.ModelChoiceField(Category.objects.none(), label=_("Category"))

    def __init__(self, *args: Any, stream: str, **kwargs: Any) -> None:
        """`stream`: the item's; it is filed under its body's categories."""
        super().__init__(*args, **kwargs)
        categories = Category.objects.for_stream(stream).filter(is_active=True)
        field_of(self, "category", forms.ModelChoiceField).queryset = categories


class RenumberForm(Form):
    number = forms.IntegerField(label=_("New number"), min_value=1, max_value=NUMBER_MAX)


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, help_text: StrOrPromise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["reason"].help_text = help_text


class MergeForm(Form):
    """并案: the selected registered suggestions become one handled item under `main`."""

    ids = forms.ModelMultipleChoiceField(Proposal.objects.none(), label=_("Suggestions to merge"))
    main = forms.ModelChoiceField(Proposal.objects.none(), label=_("Main suggestion"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, queryset: QuerySet[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "ids", forms.ModelMultipleChoiceField).queryset = queryset
        field_of(self, "main", forms.ModelChoiceField).queryset = queryset
        self.fields["ids"].error_messages["required"] = _("Tick at least two suggestions to merge.")
        self.fields["main"].error_messages["required"] = _("Choose which one is the main suggestion.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        ids, main = data.get("ids"), data.get("main")
        if ids is not None and len(ids) < 2:
            self.add_error("ids", _("Tick at least two suggestions to merge."))
        elif ids is not None and main is not None and main not in ids:
            self.add_error("main", _("The main suggestion must be one of those ticked."))
        return data


class WithholdForm(Form):
    reason = forms.CharField(label=_("Why it is withheld from the public"), max_length=300)
