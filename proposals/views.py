"""The pages everyone starts from (the workbench, the suggestion list, one suggestion's page)
and congress staff's review: register, return, not accepted, renumber, merge."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.forms import Form, ModelChoiceField
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies.access import SUBMITTER_ROLES, allowed, refuse
from deputies.forms import field_of
from deputies.http import AuthenticatedHttpRequest
from deputies.models import Role
from deputies.pages import lookup_answer, lookup_words, paginate
from proposals import hooks, selectors, services, textindex
from proposals.access import get_proposal_for_user
from proposals.events import AMONG_HANDLERS
from proposals.forms import SORT_LABELS, MergeForm, ReasonForm, RegisterForm, RenumberForm, WithholdForm
from proposals.models import Proposal, ProposalAttachment, ProposalState
from proposals.public import is_public
from proposals.steps import run_step
from proposals.uploads import download

S = ProposalState
PAGE_SIZE = 25


def _optional_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The workbench (工作台): what waits for this person now, with counts that link to the
    suggestions behind them. Deputies have their own page, "my suggestions"."""
    user = request.user
    if user.role == Role.STATION_STAFF:  # their work is the station's matters
        return redirect("matters:inbox")
    if user.role in SUBMITTER_ROLES:
        mine = _optional_url("proposals:mine")
        if mine:
            return redirect(mine)
        rows = selectors.table_rows(selectors.proposals_for(user)).order_by("-updated_at", "-pk")[:50]
        return render(request, "proposals/home_deputy.html", {"rows": rows})
    return render(
        request,
        "proposals/home.html",
        {
            "tiles": selectors.workbench(user),
            "due_rows": selectors.due_soon(user),
            "recent_rows": selectors.recently_changed(user),
        },
    )


@login_required
def proposal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every suggestion the user may see, filtered, sorted and paginated; staff tick
    registered ones to assign them to one unit at once."""
    queryset, form = selectors.filter_proposals(request.user, request.GET)
    values = getattr(form, "cleaned_data", {})
    selected_states = set(request.GET.getlist("state"))
    page = paginate(request, selectors.table_rows(queryset), per_page=PAGE_SIZE, counted=queryset)
    bulk = hooks.bulk_action_for(request.user)
    if bulk is not None:
        for row in page:
            row.selectable = bulk.selectable(row)  # type: ignore[attr-defined]  # for the template only
    return render(
        request,
        "proposals/list.html",
        {
            "form": form,
            "page": page,
            "bulk": bulk,
            "filters": [(f, f.chosen(values.get(f.name))) for f in hooks.list_filters() if f.template],
            "current_sort": values.get("sort", ""),
            "deputy_chosen": selectors.deputy_label(request.user, values.get("deputy")),
            # From the querysets, not the fields' choices: a loop over a ModelChoiceIterator
            # counts its rows first, a query more for each. Their names only (what __str__ shows).
            "meeting_options": _options(_names(form, "meeting"), [str(form["meeting"].value())]),
            "category_options": _options(_names(form, "category"), [str(form["category"].value())]),
            "sort_options": _options(SORT_LABELS.items(), [values.get("sort", "")]),
            "state_options": _checkboxes("state", ProposalState.choices, selected_states),
            "selected_states": selected_states,
            "search_words": textindex.highlight_terms(values.get("q") or ""),
        },
    )


# A select's options and a checklist's boxes, as HTML made here once a page: a template loop
# comparing each option with the chosen ones cost more than the page's queries at 1,000 rows.
_OPTION = '<option value="{}"{}>{}</option>'
_CHECKBOX = '<label class="inline"><input type="checkbox" name="{}" value="{}"{}> {}</label>'


def _names(form: Form, name: str) -> Iterable[tuple[object, object]]:
    queryset = field_of(form, name, ModelChoiceField).queryset
    return queryset.values_list("pk", "name") if queryset is not None else ()


def _options(choices: Iterable[tuple[object, object]], chosen: Collection[str]) -> SafeString:
    return format_html_join(
        "", _OPTION, ((str(v), " selected" if str(v) in chosen else "", str(label)) for v, label in choices)
    )


def _checkboxes(name: str, choices: Iterable[tuple[object, object]], chosen: Collection[str]) -> SafeString:
    return format_html_join(
        "", _CHECKBOX, ((name, str(v), " checked" if str(v) in chosen else "", str(label)) for v, label in choices)
    )


@login_required
def deputy_lookup(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The deputies matching what is typed in the lists' deputy filter (at most a screenful)."""
    if not allowed(request.user, "look_up_deputies"):
        raise refuse(request, "deputy lookup")
    return lookup_answer(selectors.deputy_options(request.user, lookup_words(request)))


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(request, pk, queryset=_detail_queryset())
    return _render_detail(request, proposal)


def _detail_queryset() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "meeting", "lead_deputy__delegation", "lead_deputy__user", "category", "source", "merged_into"
    )


def _render_detail(
    request: AuthenticatedHttpRequest, proposal: Proposal, status: int = 200, **forms: Form
) -> HttpResponse:
    page = hooks.page_for(request, proposal)
    context: dict[str, Any] = {
        "proposal": proposal,
        "timeline": selectors.timeline_for(proposal, request.user),
        "sees_papers": bool(page.audiences & AMONG_HANDLERS),
        "cosignatures": proposal.cosignatures.select_related("deputy").order_by("invited_at", "pk"),
        "attachments": proposal.attachments.all(),
        "members": proposal.merged_members.select_related("lead_deputy").order_by("number", "pk"),
        "renumber_form": forms.get("renumber_form") or RenumberForm(initial={"number": proposal.number}),
        "withhold_form": forms.get("withhold_form") or WithholdForm(prefix="withhold"),
        "is_public": is_public(proposal),
    }
    context["panels"] = hooks.panels_for("detail", page)
    return render(request, "proposals/detail.html", context, status=status)


@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(ProposalAttachment.objects.select_related("proposal"), pk=pk)
    if not allowed(request.user, "view_proposal", item.proposal):
        raise refuse(request, f"proposal attachment {pk}")
    return download(request, item.file, item.name)


# --- congress staff's review ------------------------------------------------------------------------


def _staff_only(request: HttpRequest, what: str) -> None:
    if not allowed(request.user, "review_proposal"):
        raise refuse(request, what)


@login_required
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """审查: submitted suggestions to register, return or decline; registered ones to renumber,
    merge (并案) and assign. Merging is posted here and re-shown with any error."""
    _staff_only(request, "review queue")
    base = selectors.proposals_for(request.user)
    registered = base.filter(state=S.REGISTERED, merged_into__isnull=True)
    merge_form = MergeForm(request.POST or None, queryset=registered)
    if request.method == "POST" and merge_form.is_valid():
        main = merge_form.cleaned_data["main"]
        members = [p for p in merge_form.cleaned_data["ids"] if p.pk != main.pk]
        done = run_step(
            request,
            lambda: services.merge_proposals(
                main=main, members=members, by=request.user, note=merge_form.cleaned_data["note"]
            ),
            _("Merged into %(main)s.") % {"main": main.number_label or main.title},
        )
        if done:
            return redirect(f"{reverse('proposals:review_queue')}#registered")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        base = textindex.search(base, q)
    submitted = paginate(
        request, selectors.list_rows(base.filter(state=S.SUBMITTED)).order_by("submitted_at", "pk"), per_page=50
    )
    registered_rows = paginate(
        request,
        selectors.list_rows(base.filter(state=S.REGISTERED)).order_by("meeting", "number", "pk"),
        per_page=50,
        param="rpage",
    )
    group_members: dict[int, list[Proposal]] = {}
    for row in registered_rows:
        if row.merged_into_id:
            group_members.setdefault(row.merged_into_id, []).append(row)
    for row in registered_rows:
        row.group_members = group_members.get(row.pk, [])  # type: ignore[attr-defined]  # for the template only
    ticked = {str(v) for v in request.POST.getlist("ids")}
    return render(
        request,
        "proposals/review_queue.html",
        {
            "submitted": submitted,
            "registered": registered_rows,
            "merge_form": merge_form,
            "ticked": ticked,
            "main_ticked": request.POST.get("main", ""),
            "q": q,
        },
        status=400 if request.method == "POST" else 200,
    )


def _review_page(request: HttpRequest, proposal: Proposal, status: int = 200, **forms: Form) -> HttpResponse:
    initial = {"number": services.next_number(proposal.meeting), "category": proposal.category_id}
    similar = textindex.similar_to(proposal, request.user)
    return render(
        request,
        "proposals/review.html",
        {
            "proposal": proposal,
            "register_form": forms.get("register_form") or RegisterForm(initial=initial, stream=proposal.stream),
            "return_form": forms.get("return_form")
            or ReasonForm(prefix="return", help_text=_("The deputy sees this reason and revises the suggestion.")),
            "decline_form": forms.get("decline_form")
            or ReasonForm(prefix="decline", help_text=_("Say why it is not a suggestion and where it is referred.")),
            "cosignatures": proposal.cosignatures.select_related("deputy").order_by("invited_at", "pk"),
            "attachments": proposal.attachments.all(),
            "similar_items": similar,
            "repeated_years": textindex.repeated_years(proposal, similar),
            "merge_hint": textindex.merge_hint(proposal, similar),
            "similar": selectors.list_rows(
                selectors.proposals_for(request.user)
                .filter(meeting=proposal.meeting, category=proposal.category_id, state__in=(S.REGISTERED, S.SUBMITTED))
                .exclude(pk=proposal.pk)
            ).order_by("-pk")[:10]
            if proposal.category_id
            else [],
        },
        status=status,
    )


def _submitted_for_staff(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_proposal_for_user(request, pk, queryset=_detail_queryset())
    _staff_only(request, f"review {pk}")
    return proposal


@login_required
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _submitted_for_staff(request, pk)
    if proposal.state != S.SUBMITTED:
        return redirect("proposals:detail", pk=pk)
    return _review_page(request, proposal)


@login_required
@require_POST
def register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _submitted_for_staff(request, pk)
    form = RegisterForm(request.POST, stream=proposal.stream)
    if form.is_valid():
        done = run_step(
            request,
            lambda: services.register_proposal(
                proposal=proposal,
                by=request.user,
                category=form.cleaned_data["category"],
                number=form.cleaned_data["number"],
                expected_state=S.SUBMITTED,
            ),
            _("Registered."),
        )
        if done:
            return redirect("proposals:review_queue")
    return _review_page(request, proposal, status=400, register_form=form)


@login_required
@require_POST
def return_for_revision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _submitted_for_staff(request, pk)
    form = ReasonForm(request.POST, prefix="return")
    if form.is_valid():
        done = run_step(
            request,
            lambda: services.return_proposal(
                proposal=proposal, by=request.user, reason=form.cleaned_data["reason"], expected_state=S.SUBMITTED
            ),
            _("Returned to the deputy for revision."),
        )
        if done:
            return redirect("proposals:review_queue")
    return _review_page(request, proposal, status=400, return_form=form)


@login_required
@require_POST
def decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _submitted_for_staff(request, pk)
    form = ReasonForm(request.POST, prefix="decline")
    if form.is_valid():
        done = run_step(
            request,
            lambda: services.decline_proposal(
                proposal=proposal, by=request.user, reason=form.cleaned_data["reason"], expected_state=S.SUBMITTED
            ),
            _("Marked as not accepted; the deputy is told why."),
        )
        if done:
            return redirect("proposals:review_queue")
    return _review_page(request, proposal, status=400, decline_form=form)


@login_required
@require_POST
def renumber(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _submitted_for_staff(request, pk)
    form = RenumberForm(request.POST)
    if form.is_valid():
        done = run_step(
            request,
            lambda: services.renumber_proposal(proposal=proposal, number=form.cleaned_data["number"], by=request.user),
            _("Number changed."),
        )
        if done:
            return redirect("proposals:detail", pk=pk)
    proposal.refresh_from_db()
    return _render_detail(request, proposal, status=400, renumber_form=form)


# --- the public progress pages: staff withhold an item or release it ----------------------------------


def _for_withholding(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_proposal_for_user(request, pk)
    if not allowed(request.user, "withhold_from_public", proposal):
        raise refuse(request, f"withhold proposal {pk} from the public")
    return proposal


@login_required
@require_POST
def withhold_public(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _for_withholding(request, pk)
    form = WithholdForm(request.POST, prefix="withhold")
    if form.is_valid():
        done = run_step(
            request,
            lambda: services.withhold_from_public(
                proposal=proposal, by=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Withheld from the public pages."),
        )
        if done:
            return redirect("proposals:detail", pk=pk)
    return _render_detail(request, proposal, status=400, withhold_form=form)


@login_required
@require_POST
def release_public(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = _for_withholding(request, pk)
    run_step(
        request,
        lambda: services.release_to_public(proposal=proposal, by=request.user),
        _("Shown on the public pages again."),
    )
    return redirect("proposals:detail", pk=pk)
