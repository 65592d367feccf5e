"""Forms of the deputy's handling pages (rating, contacts, comments, questions before
submission) and of the two pages around them for staff and units. They only validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from handling.models import ContactRecord, Satisfaction, Unit
from proposals.uploads import ACCEPT, validate_upload


class Form(forms.Form):
    """Labels without the English colon: the interface is Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RatingForm(Form):
    attitude = forms.ChoiceField(label=_("Handling attitude"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("Handling result"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        help_text=_("Required when you are not satisfied: say what is still wrong."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        unsatisfied = Satisfaction.UNSATISFIED in (data.get("attitude"), data.get("result"))
        if unsatisfied and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Please say what you are not satisfied with."))
        return data


class PaperRatingForm(RatingForm):
    paper_form = forms.FileField(
        label=_("Signed feedback form"),
        help_text=_("A scan or photo of the form the deputy signed (PDF, JPG or PNG)."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_paper_form(self) -> UploadedFile:
        upload = self.cleaned_data["paper_form"]
        validate_upload(upload)
        return upload


class QuestionForm(Form):
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("Unit"), empty_label="—")
    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        help_text=_("The unit also receives a copy of the draft as it is now."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AnswerForm(Form):
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class ContactAnswerForm(Form):
    response = forms.ChoiceField(
        label=_("Did this contact take place as recorded?"),
        choices=[
            (ContactRecord.DeputyResponse.CONFIRMED, _("Yes, it took place")),
            (ContactRecord.DeputyResponse.DISPUTED, _("No, I dispute it")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=500,
        help_text=_("Required when you dispute it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("response") == ContactRecord.DeputyResponse.DISPUTED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Please say what did not happen as recorded."))
        return data


class CommentForm(Form):
    body = forms.CharField(label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
