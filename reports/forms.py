from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from deputies.streams import Stream
from handling.models import Unit
from proposals.models import Category, Meeting
from proposals.uploads import WORKBOOK, validate_upload
from reports import stored
from reports.models import AnnualReport, ImportBatch


def report_years() -> list[int]:
    return sorted(set(Meeting.objects.values_list("year", flat=True)), reverse=True)


def scope_options() -> dict[str, list[Any]]:
    """The meetings and units a scope can be chosen from, read again only when they change
    (they are among what the figures read: reports/stored.py)."""
    return stored.remembered(("scope-options",), _scope_options)


def _scope_options() -> dict[str, list[Any]]:
    return {
        "meetings": list(Meeting.objects.order_by("-year", "-number").values_list("pk", "name")),
        "units": list(Unit.objects.order_by("order", "name").values_list("pk", "name")),
    }


class ScopeForm(forms.Form):
    """Which figures: a year, optionally one meeting of it, optionally one unit; both streams
    or one (deputies' suggestions, CPPCC proposals)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    meeting = forms.ModelChoiceField(Meeting.objects.none(), label=_("Meeting"), required=False, empty_label=_("All"))
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Unit"), required=False, empty_label=_("All units"))
    stream = forms.ChoiceField(label=_("Stream"), choices=[("", _("Both")), *Stream.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = years = report_years()
        field_of(self, "year", forms.ChoiceField).choices = [(y, f"{y}年") for y in years]
        field_of(self, "meeting", forms.ModelChoiceField).queryset = Meeting.objects.order_by("-year", "-number")
        field_of(self, "unit", forms.ModelChoiceField).queryset = Unit.objects.order_by("order", "name")
        self.default_year = years[0] if years else None

    @property
    def selects(self) -> _Selects:
        """Each field's <select> as HTML (`form.selects.unit`): written directly rather than
        through the widgets' templates, which take tens of milliseconds for hundreds of units."""
        return _Selects(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        meeting = data.get("meeting")
        if meeting is not None and data.get("year") and meeting.year != data["year"]:
            data["year"] = meeting.year
        return data


class _Selects:
    def __init__(self, form: ScopeForm) -> None:
        self.form = form

    def __getitem__(self, name: str) -> SafeString:
        form = self.form
        choices: list[tuple[object, object]]
        if name == "year":
            choices = [(y, f"{y}年") for y in form.years]
        elif name == "meeting":
            choices = [("", _("All")), *scope_options()["meetings"]]
        elif name == "unit":
            choices = [("", _("All units")), *scope_options()["units"]]
        elif name == "stream":
            choices = [("", _("Both")), *Stream.choices]
        else:
            raise KeyError(name)
        chosen = form[name].value()
        chosen = "" if chosen is None else str(getattr(chosen, "pk", chosen))
        options = "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
        return mark_safe(f'<select name="{name}" id="id_{name}">{options}</select>')  # noqa: S308 - escaped above


class ChaptersForm(forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = ("title", "practices", "plans")
        widgets = {
            "practices": forms.Textarea(attrs={"rows": 14}),
            "plans": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {
            "title": _("Left blank, the title is “<year>年代表建议办理工作情况报告”."),
            "practices": _("Paragraphs are separated by an empty line; a line starting with “（一）” is a heading."),
        }


class GenerateForm(forms.Form):
    """Generating needs the two chapters: the report is printed as it is."""

    def __init__(self, *args: Any, report: AnnualReport | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.report is None or not self.report.practices.strip() or not self.report.plans.strip():
            raise forms.ValidationError(
                _("Write and save the two chapters (main practices, plans for next year) before generating the PDF.")
            )
        return data


def kind_headers() -> dict[str, frozenset[str]]:
    """Each import kind's column names, as its template has them."""
    from reports.excel.columns import columns_of
    from reports.excel.run import ITEM_STREAMS, REFERENCE_RESOURCES

    headers = {
        kind: frozenset(str(f.column_name) for f in r().get_export_fields()) for kind, r in REFERENCE_RESOURCES.items()
    }
    headers.update({kind: frozenset(columns_of(stream).headers) for kind, stream in ITEM_STREAMS.items()})
    return headers


def workbook_headers(upload: UploadedFile) -> list[str]:
    """The first row of the first sheet (nothing else is read); [] when it cannot be read, which
    the import itself then reports."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(upload, read_only=True, data_only=True)
        try:
            first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return []
    finally:
        upload.seek(0)
    return [str(h).strip().lstrip("'") for h in first if h is not None and str(h).strip()]


def likely_kind(headers: list[str], chosen: str | None = None) -> str | None:
    """The kind whose template shares the most columns with `headers` (None: none shares any);
    `chosen` when it shares as many as any (a suggestions and a proposals workbook share most
    columns: only those naming their own people tell them apart)."""
    fits = {kind: len(known.intersection(headers)) for kind, known in kind_headers().items()}
    best = max(fits, key=lambda kind: fits[kind])
    if chosen in fits and fits[chosen] == fits[best]:
        best = chosen
    return best if fits[best] else None


class ImportForm(forms.Form):
    """Which kind of workbook, chosen every time (no kind is assumed), and the file; a workbook
    whose columns fit another kind's template better is sent back naming that kind."""

    kind = forms.ChoiceField(
        label=_("What the workbook holds"),
        choices=[("", _("Choose…")), *ImportBatch.Kind.choices],
        error_messages={"required": _("Choose what the workbook holds.")},
    )
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def __init__(self, *args: Any, kinds: Sequence[str], **kwargs: Any) -> None:
        """`kinds`: those the user may import (their own body's people and items, and units)."""
        super().__init__(*args, **kwargs)
        choices = [(value, label) for value, label in ImportBatch.Kind.choices if value in kinds]
        field_of(self, "kind", forms.ChoiceField).choices = [("", _("Choose…")), *choices]

    def clean_file(self) -> UploadedFile:
        """A real .xlsx, checked like every Office upload (proposals.uploads: its parts, no
        program or macro inside, no zip bomb) before openpyxl unpacks any of it."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx workbook (save older .xls files as .xlsx first)."))
        validate_upload(upload, allowed=WORKBOOK)
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, upload = data.get("kind"), data.get("file")
        if kind and upload is not None:
            fits = likely_kind(workbook_headers(upload), kind)
            if fits is not None and fits != kind:
                labels = dict(ImportBatch.Kind.choices)
                self.add_error(
                    "kind",
                    _(
                        "The columns of this workbook look like the “%(fits)s” import template: "
                        "choose “%(fits)s” instead, or upload the “%(kind)s” workbook."
                    )
                    % {"fits": labels[fits], "kind": labels[kind]},
                )
        return data


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why it is kept from the public"), max_length=300)


class PublicSearchForm(forms.Form):
    """The public page's search: one year at a time (the latest with public replies when none
    is chosen), so that a page costs the same however many years of replies there are."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None, choices=())
    stream = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Suggestions and proposals")), *Stream.choices]
    )
    category = forms.ModelChoiceField(
        Category.objects.none(), label=_("Category"), required=False, empty_label=_("All categories")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = report_years()
        field_of(self, "year", forms.ChoiceField).choices = [(y, f"{y}年") for y in self.years]
        field_of(self, "category", forms.ModelChoiceField).queryset = Category.objects.order_by("order", "name")


class PublishForm(forms.Form):
    """A year and a stream whose units' figures staff publish on the public pages."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    stream = forms.ChoiceField(label=_("Type"), choices=())

    def __init__(self, *args: Any, streams: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "year", forms.TypedChoiceField).choices = [(y, f"{y}年") for y in report_years()]
        field_of(self, "stream", forms.ChoiceField).choices = [
            (v, label) for v, label in Stream.choices if v in streams
        ]
