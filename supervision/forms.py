"""Forms of the supervision pages. They only validate; the services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from deputies.models import SpecialCommittee, User
from handling.models import Unit
from proposals.forms import MultipleFileField
from proposals.models import Meeting, Proposal
from supervision.models import Promise, PromiseSurvey, SupervisionRecord
from supervision.rules import key_item_leaders
from supervision.services import MAX_PHOTOS, PHOTO_TYPES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProposalChoiceField(forms.ModelMultipleChoiceField):
    """Suggestions as checkboxes labelled “第12号 title”."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Proposal) -> str:
        return f"{obj.number_label} {obj.title}".strip()


class KeyCandidateField(ProposalChoiceField):
    """…with the state, and the key items a suggestion is already in (prefetched)."""

    # The key item being edited (None: a new one), set by the form: its own suggestions are
    # not "already key" elsewhere.
    current_item_id: int | None

    def label_from_instance(self, obj: Proposal) -> str:
        label = f"{super().label_from_instance(obj)}（{obj.get_state_display()}）"
        others = [item.title for item in obj.key_items.all() if item.pk != self.current_item_id]
        if others:
            label += " · " + _("already key: %(titles)s") % {"titles": "、".join(others)}
        return label


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.title}）" if obj.title else obj.display_name


class KeyItemForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Theme"), max_length=200)
    leader = LeaderField(User.objects.none(), label=_("Leading leader"))
    committee = forms.ModelChoiceField(
        SpecialCommittee.objects.all(), label=_("Special committee following it"), required=False
    )
    report_every_days = forms.IntegerField(label=_("Units report progress every (days)"), min_value=1, max_value=366)
    proposals = KeyCandidateField(Proposal.objects.none(), label=_("Suggestions"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, candidates: QuerySet[Proposal], key_item_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "leader", LeaderField).queryset = key_item_leaders().order_by("pk")
        field = field_of(self, "proposals", KeyCandidateField)
        field.queryset = candidates.prefetch_related("key_items")
        field.current_item_id = key_item_id
        self.fields["proposals"].error_messages["required"] = _("Choose at least one suggestion.")


class SupervisionRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SupervisionRecord.Kind.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    participants = forms.CharField(label=_("Who took part"), max_length=500)
    notes = forms.CharField(label=_("What was seen, discussed or decided"), widget=forms.Textarea(attrs={"rows": 6}))
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        allowed=PHOTO_TYPES,
        max_files=MAX_PHOTOS,
        accept=".jpg,.jpeg,.png",
        help_text=_("JPG or PNG, up to 12; choose several at once."),
    )

    def clean_held_on(self) -> dt.date:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("A supervision record cannot be dated in the future."))
        return held_on


class NumberedProposalField(forms.ModelChoiceField):
    """One suggestion from a list, labelled “第12号 title”."""

    def label_from_instance(self, obj: Proposal) -> str:
        return f"{obj.number_label} {obj.title}".strip()


class KeyProgressForm(forms.Form):
    proposal = NumberedProposalField(Proposal.objects.none(), label=_("Suggestion"), empty_label=None)
    body = forms.CharField(
        label=_("Progress since the last report"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )

    def __init__(self, *args: Any, proposals: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = field_of(self, "proposal", NumberedProposalField)
        field.queryset = Proposal.objects.filter(pk__in=[p.pk for p in proposals]).order_by("number", "pk")


class PromiseReportForm(forms.Form):
    body = forms.CharField(
        label=_("Progress since the last report"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    done = forms.BooleanField(
        label=_("The promise is kept: ask congress staff to confirm"),
        required=False,
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReasonForm(forms.Form):
    note = forms.CharField(label=_("What is still missing"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class UnitPickForm(forms.Form):
    unit = forms.ModelChoiceField(Unit.objects.filter(is_active=True), label=_("Unit"))


class UrgingForm(forms.Form):
    proposals = ProposalChoiceField(Proposal.objects.none(), label=_("Suggestions"))
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        initial=_(
            "Please speed up the handling of the suggestions below, keep in touch with the deputies, and reply on time."
        ),
    )
    respond_by = forms.DateField(label=_("Acknowledge by"), required=False, widget=DateInput())

    def __init__(self, *args: Any, candidates: QuerySet[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "proposals", ProposalChoiceField).queryset = candidates
        self.fields["proposals"].error_messages["required"] = _("Choose at least one suggestion to urge.")

    def clean_respond_by(self) -> dt.date | None:
        value = self.cleaned_data.get("respond_by")
        if value and value < timezone.localdate():
            raise ValidationError(_("The acknowledgement date cannot be in the past."))
        return value


class AcknowledgeForm(forms.Form):
    answer = forms.CharField(
        label=_("What your unit will do (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class FollowupFilterForm(forms.Form):
    STATES = [
        ("open", _("Not yet kept")),
        (Promise.State.DONE_REPORTED, _("Reported kept, to confirm")),
        (Promise.State.KEPT, _("Kept")),
        ("all", _("All")),
    ]
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), label=_("Unit"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    SURVEYS = [
        ("", _("All")),
        ("waiting", _("Waiting for the deputy")),
        *PromiseSurvey.Answer.choices,
    ]
    survey = forms.ChoiceField(label=_("Deputy's re-survey"), choices=SURVEYS, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The years of the meetings whose suggestions made promises.
        years = Meeting.objects.order_by("-year").values_list("year", flat=True).distinct()
        field_of(self, "year", forms.ChoiceField).choices = [("", _("All years")), *((y, str(y)) for y in years)]


class PromiseSurveyForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Was the promise kept?"), choices=PromiseSurvey.Answer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        help_text=_("Required unless it was kept: say what is still missing."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("answer") not in (None, PromiseSurvey.Answer.KEPT) and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Please say what is still missing."))
        return data


class KeyItemFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class UrgingFilterForm(forms.Form):
    STATES = [("", _("All")), ("pending", _("Not acknowledged")), ("acknowledged", _("Acknowledged"))]
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    unit = forms.ModelChoiceField(Unit.objects.all(), label=_("Unit"), required=False)
