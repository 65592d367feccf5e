"""Pages of the reports: the dashboard and the list behind each figure, the units' table with
scores, the Excel export of any list, the Excel import (template, dry run, apply), the annual
report (its two chapters, the PDF job and its progress), and the public disclosure page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from html import escape as html_escape
from typing import Any
from urllib.parse import quote, quote_plus, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.access import ALL_STREAMS, refuse, streams_of
from deputies.http import AuthenticatedHttpRequest
from deputies.models import UserOrAnonymous
from deputies.pages import paginate
from deputies.public import public_page
from deputies.streams import read_number, words_of
from handling import rules as handling_rules
from handling.models import Reply, Unit
from handling.selectors import active_assignments, co_assignments
from proposals.models import Meeting
from proposals.rules import visible_proposals
from proposals.selectors import filter_proposals, search_words
from proposals.uploads import download
from reports import excel, publication, stored
from reports import figures as fg
from reports.annual import BOTH, render_html, report_context, report_stream
from reports.charts import bar_chart, donut, stacked_bars
from reports.excel import CREATED_LABELS
from reports.forms import ChaptersForm, GenerateForm, HoldForm, ImportForm, PublicSearchForm, PublishForm, ScopeForm
from reports.models import AnnualReport, DisclosureHold, ImportBatch, PublishedFigures, ReportJob
from reports.tasks import start_report_job, sweep_and_restart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require(request: HttpRequest, rule: str) -> None:
    if not access.allowed(request.user, rule):
        raise refuse(request, f"reports {rule}")


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- scope and links ----------------------------------------------------------------------------


def scope_from(
    data: Mapping[str, Any] | None, user: UserOrAnonymous | None = None
) -> tuple[fg.Scope | None, ScopeForm]:
    """The scope a query string asks for (a year by default: the latest with a meeting), of
    the stream chosen; the staff of one body see their own stream's figures only."""
    scope, form = _asked_scope(data)
    streams = streams_of(user) if user is not None else ALL_STREAMS
    if scope is not None and streams != ALL_STREAMS and scope.stream not in streams:
        scope = scope.of_stream(streams[0])
    return scope, form


def _asked_scope(data: Mapping[str, Any] | None) -> tuple[fg.Scope | None, ScopeForm]:
    form = ScopeForm(data or None)
    if data and form.is_valid():
        values = form.cleaned_data
        meeting, unit = values.get("meeting"), values.get("unit")
        return (
            fg.Scope(
                year=None if meeting else values["year"],
                meeting_id=meeting.pk if meeting else None,
                unit_id=unit.pk if unit else None,
                stream=values.get("stream") or None,
            ),
            form,
        )
    if form.default_year is None:
        return None, ScopeForm()
    year = form.default_year
    try:
        wanted = int((data or {}).get("year", ""))
    except (TypeError, ValueError):
        wanted = None
    if wanted is not None and wanted in form.years:
        year = wanted
    return fg.Scope(year=year), ScopeForm(initial={"year": year})


_FIGURE_LISTS: dict[tuple[str, object], str] = {}


def _figure_list_path() -> str:
    """The figures' list's path, reversed once per URL configuration (pages link to it hundreds
    of times)."""
    key = (get_script_prefix(), get_urlconf())
    if key not in _FIGURE_LISTS:
        _FIGURE_LISTS[key] = reverse("reports:figure_list")
    return _FIGURE_LISTS[key]


def figure_url(scope: fg.Scope, name: str, value: int | str | None = None, unit_id: int | None = None) -> str:
    """The list of the suggestions a figure of `scope` (or of one unit in it) counts."""
    return figure_urls(scope, unit_id)(name, value)


def figure_urls(scope: fg.Scope, unit_id: int | None = None) -> Callable[[str, int | str | None], str]:
    """`figure_url` of one scope and unit, for a page that links many of its figures: the
    scope's part of the address is made once (a scope has a year or a meeting, so it is never
    empty)."""
    params = scope.query_string()
    if unit_id is not None:
        params["unit"] = unit_id
    base = f"{_figure_list_path()}?{urlencode(params)}&"

    def url(name: str, value: int | str | None = None) -> str:
        # What urlencode writes for these two, without its machinery for every link.
        figure = f"figure={quote_plus(name)}"
        return f"{base}{figure}" if value is None else f"{base}{figure}&value={quote_plus(str(value))}"

    return url


# --- dashboard ----------------------------------------------------------------------------------------


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The year at a glance for leaders and staff; every figure links to its list."""
    _require(request, "view_dashboard")
    with stored.reading():  # the figures' generation, read once for the figures and the form's choices
        return _dashboard(request)


def _dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope, form = scope_from(request.GET, request.user)
    if scope is None:
        return render(request, "reports/dashboard.html", {"form": form, "empty": True})
    # The figures and their part of the page change only with the figures' generation.
    shown = stored.remembered(
        # (in the words of the page's stream: deputies/streams.py)
        ("dashboard", stored.scope_key(scope), scope.as_of, get_script_prefix(), get_language()),
        partial(_dashboard_figures, scope),
    )
    figures = shown["figures"]
    # Residents' matters are counted by the calendar year, not by unit: a unit's dashboard
    # leaves them out. Counted on each view (three GROUP BYs), not kept with the figures.
    matters = (
        None if scope.unit_id is not None else fg.matter_figures(scope.report_year, scope.stream, as_of=scope.as_of)
    )
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "figures": figures,
            "figures_html": shown["html"],
            "overdue_html": shown["overdue_html"],
            "key_items": fg.key_suggestions(scope),
            "key_links": shown["key_links"],
            "units_url": shown["units_url"],
            "matters": matters,
            "matter_tables": [(_("Per station"), matters.stations), (_("Per deputy"), matters.deputies)]
            if matters
            else [],
        },
    )


def _dashboard_figures(scope: fg.Scope) -> dict[str, Any]:
    """The dashboard's figures and their parts of the page (tiles, charts, tables, the units
    ranked, what is overdue), which depend on nothing but what the figures read."""
    figures = stored.figures(scope)
    link = lambda name, value=None: figure_url(scope, name, value)  # noqa: E731
    c, r = figures.counts, figures.rates
    facts = [
        (
            _("Registered"),
            c["registered"],
            _("%(m)s at the meeting, %(b)s between") % {"m": c["meeting"], "b": c["between"]},
            "registered",
        ),
        (
            _("Assigned"),
            c["assigned"],
            _("to %(n)s units") % {"n": figures.units_involved},
            "assigned",
        ),
        (_("Replied"), c["replied"], _("%(n)s not rated yet") % {"n": c["unrated"]}, "replied"),
        (
            _("Completion rate"),
            r["completion"],
            _("%(n)s done of %(of)s assigned") % {"n": c["done"], "of": c["assigned"]},
            "done",
        ),
        (
            _("On-time reply rate"),
            r["on_time"],
            _("%(n)s on time of %(of)s due") % {"n": c["on_time"], "of": c["due"]},
            "on_time",
        ),
        (_("Contact rate"), r["contact"], _("%(n)s with a contact record") % {"n": c["contacted"]}, "contacted"),
        (
            _("Face-to-face rate"),
            r["face_to_face"],
            _("%(n)s met face to face") % {"n": c["face_to_face"]},
            "face_to_face",
        ),
        (
            _("Satisfaction (result)"),
            r["satisfied"],
            _("%(n)s satisfied of %(of)s rated") % {"n": c["result_satisfied"], "of": c["rated"]},
            "result_satisfied",
        ),
        (
            _("Satisfied or basically"),
            r["positive"],
            _("%(n)s of %(of)s rated") % {"n": c["result_positive"], "of": c["rated"]},
            "result_positive",
        ),
        (
            _("Deadlines extended"),
            c["extended"],
            _("%(n)s replied on time against the new deadline") % {"n": c["on_time_extended"]},
            "extended",
        ),
        (_("Overdue now"), c["overdue"], _("replies past their deadline"), "overdue"),
        (_("Key suggestions"), c["key"], _("led by leaders"), "key"),
    ]
    tiles = [
        {
            "label": label,
            "value": _pct(value) if isinstance(value, fg.Figure) else value,
            "note": note,
            "url": link(name),
            "alert": name == "overdue" and c["overdue"] > 0,
        }
        for label, value, note, name in facts
    ]
    charts: dict[str, Any] = {
        "categories": [
            {"name": row.label, "value": row.figure.n, "pct": _pct(row.figure), "url": link("category", row.key)}
            for row in figures.categories
            if row.key is not None
        ],
        "results": [
            {"name": row.label, "value": row.figure.n, "pct": _pct(row.figure), "url": link("result_category", row.key)}
            for row in figures.result_categories
        ],
        "classes": [
            {"name": row.label, "value": row.figure.n, "pct": _pct(row.figure), "url": link("class", row.key)}
            for row in figures.result_classes
        ],
        "satisfaction": {
            "series": [_("Satisfied"), _("Basically satisfied"), _("Unsatisfied"), _("Not rated yet")],
            "rows": [
                {
                    "name": _("Result"),
                    "values": [
                        figures.satisfaction["result"][k].n for k in ("satisfied", "basic", "unsatisfied", "unrated")
                    ],
                    "urls": [link(n) for n in ("result_satisfied", "result_basic", "result_unsatisfied", "unrated")],
                },
                {
                    "name": _("Attitude"),
                    "values": [
                        figures.satisfaction["attitude"][k].n for k in ("satisfied", "basic", "unsatisfied", "unrated")
                    ],
                    "urls": [
                        link(n) for n in ("attitude_satisfied", "attitude_basic", "attitude_unsatisfied", "unrated")
                    ],
                },
            ],
        },
    }
    for row in charts["satisfaction"]["rows"]:
        row["pairs"] = list(zip(row["values"], row["urls"], strict=True))
    drawn = {
        "categories": bar_chart(
            [(row["name"], row["value"], f"{row['value']}  {row['pct']}") for row in charts["categories"]],
            links=[row["url"] for row in charts["categories"]],
            tips=[f"{row['name']}：{row['value']}（{row['pct']}）" for row in charts["categories"]],
            fluid=True,
        ),
        "results": donut(
            [
                (row["name"], row["value"], f"{row['name']}：{row['value']}（{row['pct']}）")
                for row in charts["results"]
            ],
            links=[row["url"] for row in charts["results"]],
            fluid=True,
        ),
        "satisfaction": stacked_bars(
            [(row["name"], row["values"]) for row in charts["satisfaction"]["rows"]],
            [str(name) for name in charts["satisfaction"]["series"]],
            links=[row["urls"] for row in charts["satisfaction"]["rows"]],
            fluid=True,
        ),
    }
    sources = [{"row": row, "url": link("source", row.key) if row.key else None} for row in figures.sources]
    units = [
        {
            "row": u,
            "count_url": figure_url(scope, "unit_count", unit_id=u.unit_id),
            "on_time_url": figure_url(scope, "unit_on_time", unit_id=u.unit_id),
        }
        for u in figures.units[:15]
    ]
    units_url = f"{reverse('reports:units')}?{urlencode(scope.query_string())}"
    html = render_to_string(
        "reports/_dashboard_figures.html",
        {
            "figures": figures,
            "tiles": tiles,
            "charts": charts,
            "drawn": drawn,
            "units": units,
            "more_units": len(figures.units) > 15,
            "sources": sources,
            "fieldwork_url": link("fieldwork"),
            "extended_url": link("extended"),
            "units_url": units_url,
        },
    )
    overdue_html = render_to_string(
        "reports/_dashboard_overdue.html",
        {
            "figures": figures,
            "overdue": list(fg.overdue_suggestions(scope).prefetch_related(_answering_units())),
            "overdue_url": link("overdue"),
        },
    )
    return {
        "figures": figures,
        "html": html,
        "overdue_html": overdue_html,
        "key_links": {row.key: figure_url(scope, "key_state", row.key) for row in figures.key_states},
        "units_url": units_url,
    }


def _pct(figure: fg.Figure) -> str:
    return "—" if figure.pct is None else f"{figure.pct}%"


def _answering_units() -> Prefetch:
    """Active assignments, the answering units first."""
    return Prefetch("assignments", queryset=active_assignments(), to_attr="active_assignments")


@login_required
def figure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The suggestions behind one figure of the dashboard: exactly those it counts."""
    _require(request, "view_dashboard")
    scope, _form = scope_from(request.GET, request.user)
    name, value = request.GET.get("figure", ""), request.GET.get("value")
    if scope is None:
        raise Http404("no figures")
    try:
        label = fg.figure_label(name, value)
        queryset = fg.figure_queryset(scope, name, value)
    except fg.UnknownFigure:
        raise Http404("unknown figure") from None
    queryset = (
        visible_proposals(request.user, queryset)
        .select_related("meeting", "lead_deputy", "category")
        .prefetch_related(_answering_units())
        .order_by("meeting__year", "meeting_id", "number", "pk")
    )
    with fg.tuned():  # the list is the figure's condition on the facts: the same planner settings
        page = paginate(request, queryset, per_page=50)
        page.object_list = list(page.object_list)
    unit_name = None
    if scope.unit_id is not None:
        unit_name = Unit.objects.filter(pk=scope.unit_id).values_list("name", flat=True).first()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/figure_list.html",
        {
            "label": label,
            "scope": scope,
            "unit_name": unit_name,
            "page": page,
            "export_url": f"{reverse('reports:export_proposals')}?{query.urlencode()}",
            "dashboard_url": f"{reverse('reports:dashboard')}?{urlencode(scope.query_string())}",
        },
    )


@login_required
def units(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every unit of the year or meeting, of the stream shown, with its figures and its score,
    line by line."""
    _require(request, "view_dashboard")
    with stored.reading():
        scope, form = scope_from(request.GET, request.user)
        if scope is None:
            raise Http404("no figures")
        scope = replace(scope, unit_id=None)  # every unit, whichever the dashboard showed
        # The table is made of the figures alone, kept as the dashboard's are.
        table = stored.remembered(
            ("units", stored.scope_key(scope), scope.as_of, get_script_prefix()), partial(_units_table, scope)
        )
    return render(request, "reports/units.html", {"form": form, "scope": scope, "table": table})


def _units_table(scope: fg.Scope) -> str:
    figures = stored.figures(scope)
    rows, cards = [], []
    score = escape(_("Score"))
    for n, u in enumerate(figures.units, start=1):
        unit_url = figure_urls(scope, u.unit_id)

        def link(name: str, value: int, unit_url: Callable[[str, int | str | None], str] = unit_url) -> str:
            return f'<a href="{html_escape(unit_url(name, None))}">{value}</a>'

        cells = (
            link("unit_count", u.count),
            link("unit_co", u.co),
            link("unit_due", u.due),
            f'{link("unit_on_time", u.on_time)} <span class="muted small">{_pct(u.on_time_rate)}</span>',
            link("unit_not_on_time", u.not_on_time) + (f" +{u.rehandling_late}" if u.rehandling_late else ""),
            link("unit_overdue", u.overdue),
            link("unit_extended", u.extended),
            link("unit_contacted", u.contacted),
            link("unit_face_to_face", u.face_to_face),
            link("unit_rated", u.rated),
            f'{link("unit_satisfied", u.satisfied)} <span class="muted small">{_pct(u.satisfied_rate)}</span>',
            link("unit_unsatisfied", u.unsatisfied),
            f'<a href="#unit-{u.unit_id}"><strong>{u.score}</strong></a>',
        )
        rows.append(
            SafeString(
                f'<tr><td class="num">{n}</td><td>{escape(u.name)}</td>'
                + "".join(f'<td class="num">{cell}</td>' for cell in cells)
                + "</tr>"
            )
        )
        lines = "".join(
            f'<tr><td>{escape(line.label)}</td><td class="muted small">{escape(line.basis)}</td>'
            f'<td class="num">{line.points}</td></tr>'
            for line in u.breakdown
        )
        cards.append(
            SafeString(
                f'<section class="card" id="unit-{u.unit_id}"><h3>{n}. {escape(u.name)} '
                f'<span class="muted">{u.score}</span></h3><table class="compact"><tbody>{lines}'
                f'<tr><td colspan="2"><strong>{score}</strong></td><td class="num"><strong>{u.score}</strong>'
                "</td></tr></tbody></table></section>"
            )
        )
    return render_to_string("reports/_units_table.html", {"rows": rows, "cards": cards, "scheme": figures.scheme})


# --- Excel out ---------------------------------------------------------------------------------------


@login_required
def export_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any filtered list as an .xlsx in the import template's columns (it re-imports cleanly).
    The filters are the list page's (`filter_proposals`); `figure` narrows to a figure's list."""
    _require(request, "export_proposals")
    queryset, _form = filter_proposals(request.user, request.GET)
    if request.GET.get("figure"):
        scope, _scope_form = scope_from(request.GET, request.user)
        if scope is None:
            raise Http404("no figures")
        try:
            behind = fg.figure_queryset(scope, request.GET["figure"], request.GET.get("value"))
        except fg.UnknownFigure:
            raise Http404("unknown figure") from None
        queryset = queryset.filter(pk__in=behind.values("pk"))
    with fg.tuned():
        data = excel.export_suggestions(queryset)
    # Named for what it holds: the user's body's items (建议, 提案), or both (建议提案).
    what = "".join(str(words_of(stream).item) for stream in streams_of(request.user))
    return xlsx_response(data, f"{what}导出-{timezone.localdate():%Y%m%d}.xlsx")


# The reference data exported in its import template's columns: (export, file name). The people
# of a body go to those who may import them (a member's phone is not the congress staff's).
REFERENCE_EXPORTS: dict[str, tuple[Callable[[], bytes], str]] = {
    ImportBatch.Kind.UNITS: (excel.export_units, "承办单位"),
    ImportBatch.Kind.DEPUTIES: (excel.export_deputies, "代表"),
    ImportBatch.Kind.MEMBERS: (excel.export_members, "政协委员"),
}


@login_required
def export_reference(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    _require(request, "manage_reports")
    if kind not in REFERENCE_EXPORTS:
        raise Http404("unknown kind")
    if kind not in _import_kinds(request.user):
        raise refuse(request, f"export of {kind}")
    export, name = REFERENCE_EXPORTS[kind]
    return xlsx_response(export(), f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


# --- Excel in --------------------------------------------------------------------------------------------

TEMPLATE_NAMES = {
    "units": "承办单位导入模板.xlsx",
    "deputies": "代表导入模板.xlsx",
    "members": "政协委员导入模板.xlsx",
    "suggestions": "建议导入模板.xlsx",
    "proposals": "政协委员提案导入模板.xlsx",
}


@login_required
def import_template(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    _require(request, "manage_reports")
    if kind not in TEMPLATE_NAMES:
        raise Http404("unknown kind")
    return xlsx_response(excel.template_workbook(kind), TEMPLATE_NAMES[kind])


@login_required
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a workbook: it is checked at once by a dry run; nothing is written yet."""
    _require(request, "manage_reports")
    kinds = _import_kinds(request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")}, kinds=kinds
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        batch = ImportBatch(
            kind=kind, original_name=upload.name[:200], status=ImportBatch.Status.INVALID, created_by=request.user
        )
        batch.file.save(f"{timezone.now():%Y%m%d-%H%M%S}.xlsx", upload, save=False)
        batch.save()
        with batch.file.open("rb") as handle:
            outcome = excel.run_import(
                kind, handle, user=request.user, dry_run=True, file_name=batch.original_name, batch_id=batch.pk
            )
        batch.summary = outcome.as_dict()
        batch.status = ImportBatch.Status.CHECKED if outcome.ok else ImportBatch.Status.INVALID
        batch.save(update_fields=["summary", "status"])
        return redirect("reports:import_batch", pk=batch.pk)
    recent = ImportBatch.objects.filter(kind__in=kinds).select_related("created_by")[:10]
    templates = {kind: name for kind, name in TEMPLATE_NAMES.items() if kind in kinds}
    exports = [kind for kind in REFERENCE_EXPORTS if kind in kinds]
    return render(
        request,
        "reports/import_start.html",
        {"form": form, "recent": recent, "kinds": templates, "exports": exports},
        status=400 if form.errors else 200,
    )


def _batch_for(request: HttpRequest, pk: int) -> ImportBatch:
    """A workbook of the user's own body (or of units): another body's answers 404, audited."""
    _require(request, "manage_reports")
    batch = ImportBatch.objects.filter(pk=pk).first()
    if batch is None or not access.allowed(request.user, "manage_reports", batch):
        raise refuse(request, f"import {pk}")
    return batch


def _import_kinds(user: UserOrAnonymous) -> list[str]:
    """What the user may import: their own body's people and items, and units."""
    return [kind for kind in ImportBatch.Kind.values if access.allowed(user, "manage_reports", ImportBatch(kind=kind))]


@login_required
def import_batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the dry run found: what would be created, every bad row with its reason."""
    batch = _batch_for(request, pk)
    created = [(CREATED_LABELS.get(k, k), n) for k, n in (batch.summary.get("created") or {}).items()]
    return render(request, "reports/import_batch.html", {"batch": batch, "summary": batch.summary, "created": created})


@login_required
@require_POST
def import_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Apply a checked workbook: all rows or none (it is checked again as it is applied)."""
    with transaction.atomic():
        batch = _batch_for(request, pk)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.CHECKED:
            messages.error(request, _("Only a checked workbook without bad rows can be applied, and only once."))
            return redirect("reports:import_batch", pk=batch.pk)
        with batch.file.open("rb") as handle:
            outcome = excel.run_import(
                batch.kind, handle, user=request.user, dry_run=False, file_name=batch.original_name, batch_id=batch.pk
            )
        batch.summary = outcome.as_dict()
        if outcome.ok:
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            messages.success(request, _("The workbook was imported: every row was written."))
        else:
            batch.status = ImportBatch.Status.INVALID
            messages.error(request, _("Nothing was imported: the workbook has bad rows now. See below."))
        batch.save(update_fields=["summary", "status", "applied_at"])
    return redirect("reports:import_batch", pk=batch.pk)


# --- the annual report ------------------------------------------------------------------------------


def _year_param(request: HttpRequest) -> int:
    years = ScopeForm().years
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if year and 1949 <= year <= 2100:
        return year
    return years[0] if years else timezone.localdate().year


@login_required
def annual_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Write the two chapters, then generate the PDF (a background job with its progress)."""
    _require(request, "manage_reports")
    year = _year_param(request)
    stream = report_stream(year, request.user)
    report = AnnualReport.objects.filter(year=year, stream=stream).first()
    form = ChaptersForm(request.POST or None, instance=report or AnnualReport(year=year, stream=stream))
    generate_form = GenerateForm(report=report)
    action = request.POST.get("action")
    if request.method == "POST" and action in ("save", "generate"):
        # "Generate" saves what is typed first: the PDF is made from the chapters on the page.
        if form.is_valid():
            saved = form.save(commit=False)
            saved.year, saved.stream = year, stream
            saved.updated_by = request.user
            saved.save()
            if action == "generate":
                return _generate(request, year, stream, saved)
            messages.success(request, _("The chapters were saved."))
            return redirect(f"{reverse('reports:annual_report')}?year={year}")
    sweep_and_restart()  # so that a lost job shows as queued again, or failed, never as running
    jobs = ReportJob.objects.filter(year=year, stream=stream).select_related("requested_by")[:8]
    return render(
        request,
        "reports/annual_report_page.html",
        {
            "year": year,
            "years": ScopeForm().years,
            "form": form,
            "generate_form": generate_form,
            "report": report,
            "jobs": jobs,
            "running": any(not j.is_finished for j in jobs),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def annual_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "manage_reports")
    year = _year_param(request)
    stream = report_stream(year, request.user)
    return _generate(request, year, stream, AnnualReport.objects.filter(year=year, stream=stream).first())


def _generate(request: AuthenticatedHttpRequest, year: int, stream: str, report: AnnualReport | None) -> HttpResponse:
    """Start making the year's PDF in the background, if its chapters are written."""
    generate_form = GenerateForm(request.POST, report=report)
    if not generate_form.is_valid():
        for error in generate_form.non_field_errors():
            messages.error(request, str(error))
        return redirect(f"{reverse('reports:annual_report')}?year={year}")
    job = ReportJob.objects.create(year=year, stream=stream, requested_by=request.user, stage="排队等候")
    transaction.on_commit(partial(start_report_job, job.pk, job.attempt))
    messages.success(request, _("The report is being generated; this page shows its progress."))
    return redirect(f"{reverse('reports:annual_report')}?year={year}#job-{job.pk}")


@login_required
def report_job(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """A job's progress, for the page to poll (which also sweeps lost jobs: without beat, the
    embedded setup, this is what finds them)."""
    _require(request, "manage_reports")
    sweep_and_restart()
    job = get_object_or_404(ReportJob, pk=pk, stream__in=_report_streams(request))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "stage": job.stage,
            "pages": job.pages,
            "error": job.error,
            "url": reverse("reports:report_pdf", args=[job.pk]) if job.status == ReportJob.Status.DONE else None,
        }
    )


@login_required
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    _require(request, "manage_reports")
    job = get_object_or_404(ReportJob, pk=pk, status=ReportJob.Status.DONE, stream__in=_report_streams(request))
    title = AnnualReport(year=job.year, stream=job.stream).display_title
    return download(request, job.pdf, f"{title}.pdf")


def _report_streams(request: AuthenticatedHttpRequest) -> list[str]:
    """The reports a person may read: their own stream's, or any (BOTH too) if they work on both."""
    streams = streams_of(request.user)
    return list(streams) if streams != ALL_STREAMS else [*streams, BOTH]


@login_required
def annual_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The report as a web page (the PDF's own template)."""
    _require(request, "manage_reports")
    year = _year_param(request)
    context = report_context(year, stream=report_stream(year, request.user))
    return HttpResponse(render_html(context, for_print=False))


# --- public disclosure ------------------------------------------------------------------------------------


PUBLIC_PAGE_SIZE = 20
# The page's order within its year; the cursor of a page names its first or last reply by them.
PUBLIC_ORDER = ("assignment__proposal__number", "assignment__unit__order", "pk")


@dataclass(frozen=True)
class PublicCursor:
    """Where a page of the public list starts or ends: (number, unit order, reply) of a reply.
    Pages turn by it (keyset pagination), never by counting rows to skip."""

    number: int
    unit_order: int
    pk: int

    def __str__(self) -> str:
        return f"{self.number}.{self.unit_order}.{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> PublicCursor | None:
        parts = (text or "").split(".")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            return None
        number, unit_order, pk = (int(part) for part in parts)
        return cls(number, unit_order, pk)

    @classmethod
    def of(cls, reply: Reply) -> PublicCursor:
        number = reply.assignment.proposal.number
        assert number is not None  # replied suggestions are registered, hence numbered
        return cls(number, reply.assignment.unit.order, reply.pk)

    def beyond(self, queryset: QuerySet[Reply], *, forward: bool) -> QuerySet[Reply]:
        """The replies after this position (or before it, going back)."""
        way = "gt" if forward else "lt"
        number, order = "assignment__proposal__number", "assignment__unit__order"
        return queryset.filter(
            # The bare bound on the number lets the index on (meeting, number) start there.
            Q(**{f"{number}__{way}e": self.number}),
            Q(**{f"{number}__{way}": self.number})
            | Q(**{number: self.number, f"{order}__{way}": self.unit_order})
            | Q(**{number: self.number, order: self.unit_order, f"pk__{way}": self.pk}),
        )


def public_year(form: PublicSearchForm, public: QuerySet[Reply] | None = None) -> int | None:
    """The chosen year, else the latest one with a reply of `public` (all public replies by
    default); years without any, such as this year's before its replies, are passed over one
    indexed probe each."""
    chosen = form.cleaned_data.get("year") if form.is_valid() else None
    if chosen:
        return int(chosen)
    public = handling_rules.public_replies() if public is None else public
    return next((y for y in form.years if public.filter(assignment__proposal__meeting__year=y).exists()), None)


def chosen_replies(queryset: QuerySet[Reply], values: dict[str, Any]) -> QuerySet[Reply]:
    """The public replies of the type (suggestions or proposals) and category chosen: the
    public page's filters and the API's."""
    if values.get("stream"):
        queryset = queryset.filter(assignment__proposal__stream=values["stream"])
    if values.get("category"):
        queryset = queryset.filter(assignment__proposal__category=values["category"])
    return queryset


def _number_condition(text: str) -> Q | None:
    """The replies to the item `text` names by its number (12, 第12号, 第0012号提案), if it does."""
    number = read_number(text)
    if number is None:
        return None
    found, stream = number
    return Q(assignment__proposal__number=found) & (Q(assignment__proposal__stream=stream) if stream else Q())


@public_page
def public_replies(request: HttpRequest) -> HttpResponse:
    """Disclosed replies of one year, by category, with search, 20 a page in number order. No
    login; never a deputy's contact data (nor the unit's contact person): title, number,
    units, the reply. No count and no offset: a page reads its 21 rows whatever the total."""
    form = PublicSearchForm(request.GET or None)
    year = public_year(form)
    queryset = handling_rules.public_replies()
    values = form.cleaned_data if form.is_valid() else {}
    # By the year's meetings' ids, the numbered suggestions (public ones are) come in page order
    # and the page stops after 21.
    queryset = chosen_replies(queryset.filter(assignment__proposal__meeting__in=Meeting.ids_of_year(year)), values)
    text = (values.get("q") or "").strip()
    if text:
        queryset = search_words(
            queryset,
            text,
            "assignment__proposal__title",
            "body",
            "assignment__unit__name",
            extra=_number_condition(text),
        )
    queryset = queryset.select_related(
        "assignment__unit", "assignment__proposal__meeting", "assignment__proposal__category", "result_category"
    )
    after, before = PublicCursor.parse(request.GET.get("after")), PublicCursor.parse(request.GET.get("before"))
    if before is not None:
        rows = list(
            before.beyond(queryset, forward=False).order_by(*(f"-{f}" for f in PUBLIC_ORDER))[: PUBLIC_PAGE_SIZE + 1]
        )
        has_previous, has_next = len(rows) > PUBLIC_PAGE_SIZE, True
        rows = rows[:PUBLIC_PAGE_SIZE][::-1]
    else:
        if after is not None:
            queryset = after.beyond(queryset, forward=True)
        rows = list(queryset.order_by(*PUBLIC_ORDER)[: PUBLIC_PAGE_SIZE + 1])
        has_previous, has_next = after is not None, len(rows) > PUBLIC_PAGE_SIZE
        rows = rows[:PUBLIC_PAGE_SIZE]
    return render(
        request,
        "reports/public_replies.html",
        {
            "form": form,
            "year": year,
            "replies": rows,
            "previous_query": _turned(request, year, "before", rows[0]) if rows and has_previous else None,
            "next_query": _turned(request, year, "after", rows[-1]) if rows and has_next else None,
        },
    )


def _turned(request: HttpRequest, year: int | None, way: str, reply: Reply) -> str:
    """The query string of the neighbouring page: the same search, the year fixed (so that a
    new year's first replies do not move the pages under the reader), one cursor."""
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    if year is not None:
        query["year"] = str(year)
    query[way] = str(PublicCursor.of(reply))
    return query.urlencode()


@public_page
def public_reply(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(
        handling_rules.public_replies().select_related(
            "assignment__unit", "assignment__proposal__meeting", "assignment__proposal__category", "result_category"
        ),
        pk=pk,
    )
    co_units = co_assignments(reply.assignment.proposal)
    return render(
        request,
        "reports/public_reply.html",
        {"reply": reply, "proposal": reply.assignment.proposal, "co_units": co_units},
    )


@login_required
def disclosure(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff see what is public and keep a reply back (or let it out again), with a reason.
    What is public is listed a year at a time, as on the public page: the latest year with a
    public reply unless one is chosen, so that the page's count reads one year's replies."""
    _require(request, "manage_reports")
    held = DisclosureHold.objects.select_related(
        "reply__assignment__unit", "reply__assignment__proposal__meeting", "held_by"
    )
    held = access.of_users_streams(request.user, held, "reply__assignment__proposal__")
    with fg.tuned():  # one year's replies through the foreign-key indexes
        public = access.of_users_streams(request.user, handling_rules.public_replies(), "assignment__proposal__")
        form = PublicSearchForm(request.GET or None)
        year = public_year(form, public)
        meetings = Meeting.ids_of_year(year)
        public = public.filter(assignment__proposal__meeting__in=meetings)
        public = public.select_related("assignment__unit", "assignment__proposal__meeting")
        text = request.GET.get("q", "").strip()
        if text:
            public = search_words(public, text, "assignment__proposal__title", "assignment__unit__name")
        # In the public page's order (by number): the year's index gives the rows of a page.
        public = public.order_by(*PUBLIC_ORDER)
        page = paginate(request, public, per_page=30)
        not_public = access.of_users_streams(
            request.user,
            Reply.objects.filter(state=Reply.State.ISSUED, is_public=False, assignment__proposal__meeting__in=meetings),
            "assignment__proposal__",
        ).count()
        streams = access.streams_of(request.user)
        return render(
            request,
            "reports/disclosure.html",
            {
                "held": held,
                "page": page,
                "q": text,
                "years": form.years,
                "year": year,
                "hold_form": HoldForm(),
                "unit_withheld": not_public,
                "published": PublishedFigures.objects.filter(stream__in=streams).select_related("published_by"),
                "publish_form": PublishForm(streams=streams),
            },
        )


def _reply_to_disclose(request: AuthenticatedHttpRequest, pk: int) -> Reply:
    """An issued reply whose disclosure the user may decide: staff, of the reply's own body
    (the other body's answers 404, audited, as one they may not see)."""
    _require(request, "manage_reports")
    reply = Reply.objects.select_related("assignment__proposal").filter(pk=pk, state=Reply.State.ISSUED).first()
    if reply is None or not access.allowed(request.user, "manage_reports", reply):
        raise refuse(request, f"disclosure of reply {pk}")
    return reply


@login_required
@require_POST
def disclosure_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = _reply_to_disclose(request, pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason the reply is kept from the public."))
    else:
        publication.hold_reply(reply=reply, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The reply is no longer shown on the public page."))
    return redirect("reports:disclosure")


@login_required
@require_POST
def disclosure_release(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = _reply_to_disclose(request, pk)
    publication.release_reply(reply=reply, by=request.user)
    messages.success(request, _("The reply is public again (if its unit allowed it)."))
    return redirect("reports:disclosure")
