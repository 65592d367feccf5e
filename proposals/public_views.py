"""The public progress pages (no login): the list of public items with its filters, and one
item's progress. What is public, and how it reads, is proposals/public.py; both pages are
rate-limited and cached for anonymous visitors (deputies/public.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from deputies.forms import field_of
from deputies.public import public_page
from deputies.streams import Stream
from proposals import public
from proposals.models import Category, Meeting, Proposal


class PublicProgressForm(forms.Form):
    """The list's filters: one year at a time (by default the latest with public items), so a
    page costs the same however many years there are; then type, category, state and what
    later apps add (the unit)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None, choices=())
    stream = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Suggestions and proposals")), *Stream.choices]
    )
    category = forms.ModelChoiceField(
        Category.objects.none(), label=_("Category"), required=False, empty_label=_("All categories")
    )
    state = forms.ChoiceField(
        label=_("Progress"), required=False, choices=[("", _("Any progress")), *public.Progress.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = sorted(set(Meeting.objects.values_list("year", flat=True)), reverse=True)
        field_of(self, "year", forms.TypedChoiceField).choices = [(y, f"{y}年") for y in self.years]
        field_of(self, "category", forms.ModelChoiceField).queryset = Category.objects.order_by("order", "name")
        for item in public.public_filters():
            self.fields[item.name] = item.field()

    @classmethod
    def filter_fields(cls) -> dict[str, forms.Field]:
        """The filters by name, without reading the years from the database (the API's schema)."""
        return {**cls.base_fields, **{item.name: item.field() for item in public.public_filters()}}


def year_of(form: PublicProgressForm, values: dict[str, Any]) -> int | None:
    """The chosen year, else the latest with a public item (one indexed probe per year passed over)."""
    if values.get("year"):
        return int(values["year"])
    items = public.public_proposals()
    return next((y for y in form.years if items.filter(meeting__year=y).exists()), None)


def filtered(values: dict[str, Any], year: int | None) -> QuerySet[Proposal]:
    items = public.public_proposals().filter(meeting__in=Meeting.ids_of_year(year))
    if values.get("stream"):
        items = items.filter(stream=values["stream"])
    if values.get("category"):
        items = items.filter(category=values["category"])
    if values.get("state"):
        items = items.filter(state__in=public.states_of(values["state"]))
    for item in public.public_filters():
        if values.get(item.name) not in (None, ""):
            items = item.apply(items, values[item.name])
    return items


@public_page
def progress_list(request: HttpRequest) -> HttpResponse:
    """The public items of one year, 20 a page in (meeting, number) order, turned by cursor:
    no count and no offset, so the last page costs what the first does."""
    form = PublicProgressForm(request.GET or None)
    values: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # a filter that cannot be read is left out (the page says so), the others apply
        values = form.cleaned_data
    year = year_of(form, values)
    items = filtered(values, year).select_related("meeting", "category")
    page = public.page_of(
        items,
        after=public.Cursor.parse(request.GET.get("after")),
        before=public.Cursor.parse(request.GET.get("before")),
    )
    units = public.units_of([p.pk for p in page.rows])
    rows = [{"proposal": p, "progress": public.progress_label(p), "units": units.get(p.pk, "")} for p in page.rows]
    return render(
        request,
        "proposals/public/list.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "previous_query": _turned(request, year, "before", page.previous),
            "next_query": _turned(request, year, "after", page.next),
        },
    )


def _turned(request: HttpRequest, year: int | None, way: str, cursor: public.Cursor | None) -> str | None:
    """The query string of the neighbouring page: the same filters, the year fixed (so that a
    new year's first items do not move the pages under the reader), one cursor."""
    if cursor is None:
        return None
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    if year is not None:
        query["year"] = str(year)
    query[way] = str(cursor)
    return query.urlencode()


@public_page
def progress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One public item's progress: number, title, units, state, milestones, the reply when public."""
    proposal = get_object_or_404(public.public_proposals().select_related("meeting", "category"), pk=pk)
    return render(
        request,
        "proposals/public/detail.html",
        {
            "proposal": proposal,
            "progress": public.progress_label(proposal),
            "milestones": public.milestones(proposal),
            "parts": public.parts_for(proposal),
        },
    )
