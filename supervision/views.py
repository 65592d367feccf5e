"""Pages of supervision: key suggestions and their leaders, supervision records, progress
reports, urging notices, and the follow-up of promises. What a user may not see answers 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.forms import Form, ModelChoiceField
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.access import of_users_streams, refuse
from deputies.forms import field_of
from deputies.http import AuthenticatedHttpRequest
from deputies.models import Role, User
from deputies.pages import paginate
from deputies.streams import stream_words
from handling.models import Unit
from handling.rules import unit_id_of
from proposals.models import Proposal
from proposals.rules import visible_proposals
from proposals.steps import run_step
from proposals.uploads import download
from proposals.workflow import ProposalError
from supervision import forms, resurvey, selectors, services
from supervision.models import KeyItem, Promise, SupervisionPhoto, UrgingNotice
from supervision.rules import visible_key_items

PAGE_SIZE = 50


def _key_item_for(request: HttpRequest, pk: int, rule: str = "view_key_item") -> KeyItem:
    key_item = get_object_or_404(KeyItem.objects.select_related("leader", "committee", "created_by"), pk=pk)
    if not access.allowed(request.user, rule, key_item):
        raise refuse(request, f"key item {pk} ({rule})")
    return key_item


# --- key items --------------------------------------------------------------------------------------


@login_required
def key_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (access.allowed(request.user, "view_leader_page") or unit_id_of(request.user)):
        raise refuse(request, "key item list")
    form = forms.KeyItemFilterForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    # A special committee member sees the key items its committee follows first; "all" shows every one.
    own_committee = request.user.committee_id if request.user.role == Role.COMMITTEE else None
    every_committee = own_committee is None or request.GET.get("committee") == "all"
    items = selectors.key_items(request.user, year=year, committee_id=None if every_committee else own_committee)
    years = sorted(set(visible_key_items(request.user).values_list("year", flat=True)), reverse=True)
    leaders = User.objects.filter(role=Role.LEADER, is_active=True).order_by("pk")
    return render(
        request,
        "supervision/key_list.html",
        {
            "page": paginate(request, items, per_page=PAGE_SIZE),
            "form": form,
            "years": years,
            "year": year,
            "leaders": leaders if access.allowed(request.user, "view_leader_page") else [],
            "can_mark": access.allowed(request.user, "mark_key"),
            "own_committee": request.user.committee if own_committee else None,
            "every_committee": every_committee,
        },
    )


def _year_for(request: HttpRequest, key_item: KeyItem | None) -> int:
    raw = request.POST.get("year") or request.GET.get("year")
    try:
        return int(raw) if raw else (key_item.year if key_item else timezone.localdate().year)
    except ValueError:
        return key_item.year if key_item else timezone.localdate().year


def _key_item_form_page(request: AuthenticatedHttpRequest, key_item: KeyItem | None) -> HttpResponse:
    if not access.allowed(request.user, "mark_key"):
        raise refuse(request, "key item form")
    year = _year_for(request, key_item)
    # The year whose items are listed to choose from: the item's, or another one asked for
    # ("show 2025"), which re-shows the form as typed rather than saving it.
    raw_listed = request.POST.get("list_year", "")
    listed = int(raw_listed) if raw_listed.isdigit() else year
    chosen = list(key_item.proposals.values_list("pk", flat=True)) if key_item else []
    preselect = [int(pk) for pk in request.GET.getlist("proposal") if pk.isdigit()]
    posted = [int(pk) for pk in request.POST.getlist("proposals") if pk.isdigit()]
    # Listed: the year's suggestions that can be made key, and those already chosen or ticked,
    # of those the user may see.
    candidates = (
        visible_proposals(
            request.user,
            Proposal.objects.filter(
                Q(state__in=services.KEY_STATES, meeting__year=listed) | Q(pk__in=chosen + preselect + posted)
            ),
        )
        .select_related("meeting")
        .order_by("-meeting__year", "number", "pk")
    )
    if request.method == "POST":
        # Any suggestion past the draft is accepted here (the year may have been changed), so
        # that the service, which checks what is added, explains a refusal in its own words.
        accepted = visible_proposals(request.user)
        form = forms.KeyItemForm(request.POST, candidates=accepted, key_item_id=key_item.pk if key_item else None)
        # Another year's items asked for: shown with what was typed, nothing saved.
        if not raw_listed and form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_key_item(
                    by=request.user,
                    key_item=key_item,
                    year=data["year"],
                    title=data["title"],
                    leader=data["leader"],
                    committee=data["committee"],
                    proposals=list(data["proposals"]),
                    note=data["note"],
                    report_every_days=data["report_every_days"],
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Key item saved."))
                return redirect("supervision:key_detail", saved.pk)
        # Shown again with the year's list, what was ticked still ticked.
        field_of(form, "proposals", ModelChoiceField).queryset = candidates.prefetch_related("key_items")
    else:
        initial: dict[str, Any] = {"year": year, "report_every_days": services.default_interval()}
        if key_item is not None:
            initial |= {
                "year": key_item.year,
                "title": key_item.title,
                "leader": key_item.leader_id,
                "committee": key_item.committee_id,
                "note": key_item.note,
                "report_every_days": key_item.report_every_days,
                "proposals": chosen,
            }
        elif preselect:
            initial["proposals"] = preselect
        form = forms.KeyItemForm(initial=initial, candidates=candidates, key_item_id=key_item.pk if key_item else None)
    return render(
        request,
        "supervision/key_form.html",
        {"form": form, "key_item": key_item, "year": listed, "candidates": candidates},
        status=400 if request.method == "POST" and not raw_listed else 200,  # a save not taken
    )


@login_required
def key_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _key_item_form_page(request, None)


@login_required
def key_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key_item = _key_item_for(request, pk, "mark_key")
    return _key_item_form_page(request, key_item)


@login_required
def key_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key_item = _key_item_for(request, pk)
    context = selectors.key_item_detail(key_item, request.user)
    due = selectors.next_reports_due(key_item, context["proposals"])
    unit_id = unit_id_of(request.user)
    rows = []
    for proposal in context["proposals"]:
        units = [
            {"assignment": a, "report_due": due.get((proposal.pk, a.unit_id))} for a in proposal.active_assignments
        ]
        rows.append({"proposal": proposal, "units": units})
    my_proposals = services.key_item_units(key_item, request.user) if unit_id else []
    return render(
        request,
        "supervision/key_detail.html",
        {
            **context,
            "key_item": key_item,
            "rows": rows,
            "my_proposals": my_proposals,
            "can_edit": access.allowed(request.user, "mark_key", key_item),
            "can_record": access.allowed(request.user, "record_supervision", key_item),
            "can_urge": access.allowed(request.user, "urge", None),
            "today": timezone.localdate(),
        },
    )


@login_required
def record_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key_item = _key_item_for(request, pk, "record_supervision")
    if request.method == "POST":
        form = forms.SupervisionRecordForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_supervision_record(
                    key_item=key_item,
                    by=request.user,
                    kind=data["kind"],
                    held_on=data["held_on"],
                    participants=data["participants"],
                    notes=data["notes"],
                    photos=data["photos"],
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Supervision record saved."))
                return redirect("supervision:key_detail", key_item.pk)
    else:
        form = forms.SupervisionRecordForm(initial={"held_on": timezone.localdate(), "kind": "inspection"})
    return render(
        request,
        "supervision/record_form.html",
        {"form": form, "key_item": key_item},
        status=400 if form.errors else 200,
    )


@login_required
def photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(SupervisionPhoto.objects.select_related("record__key_item"), pk=pk)
    if not access.allowed(request.user, "view_key_item", item.record.key_item):
        raise refuse(request, f"supervision photo {pk}")
    response = download(request, item.file, item.name)
    if request.GET.get("inline"):
        # Shown in an <img> on the page: the type was checked by its content at upload.
        response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    return response


@login_required
def key_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    key_item = _key_item_for(request, pk)
    proposals = services.key_item_units(key_item, request.user)
    if not proposals:
        raise refuse(request, f"key item {pk} progress report")
    initial = {}
    wanted = request.GET.get("proposal")
    if wanted and wanted.isdigit():
        initial["proposal"] = int(wanted)
    if request.method == "POST":
        form = forms.KeyProgressForm(request.POST, proposals=proposals)
        if form.is_valid():
            try:
                services.report_key_progress(
                    key_item=key_item,
                    proposal=form.cleaned_data["proposal"],
                    by=request.user,
                    body=form.cleaned_data["body"],
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Progress report sent."))
                return redirect("supervision:key_detail", key_item.pk)
    else:
        form = forms.KeyProgressForm(initial=initial, proposals=proposals)
    return render(
        request,
        "supervision/key_report_form.html",
        {"form": form, "key_item": key_item},
        status=400 if form.errors else 200,
    )


# --- leaders -------------------------------------------------------------------------------------------


@login_required
def my_items(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != Role.LEADER:
        raise refuse(request, "leader page of a non-leader")
    return _leader_page(request, request.user)


@login_required
def leader_page(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    if not access.allowed(request.user, "view_leader_page"):
        raise refuse(request, f"leader page {user_id}")
    leader = get_object_or_404(User, pk=user_id, role=Role.LEADER)
    return _leader_page(request, leader)


def _leader_page(request: AuthenticatedHttpRequest, leader: User) -> HttpResponse:
    items = list(selectors.leader_items(request.user, leader))
    return render(
        request,
        "supervision/leader.html",
        {"leader": leader, "items": items, "is_self": leader.pk == request.user.pk, "today": timezone.localdate()},
    )


# --- urging ------------------------------------------------------------------------------------------------


@login_required
def urging_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (access.allowed(request.user, "view_leader_page") or unit_id_of(request.user)):
        raise refuse(request, "urging list")
    form = forms.UrgingFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    notices = selectors.urging_notices(request.user, values)
    return render(
        request,
        "supervision/urging_list.html",
        {
            "page": paginate(request, notices, per_page=PAGE_SIZE),
            "form": form,
            "can_urge": access.allowed(request.user, "urge", None),
            "is_unit": unit_id_of(request.user) is not None,
        },
    )


@login_required
def urging_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "urge", None):
        raise refuse(request, "urging form")
    proposal = None
    raw_proposal = request.GET.get("proposal", "")
    if raw_proposal.isdigit():
        proposal = visible_proposals(request.user).filter(pk=int(raw_proposal)).first()
        if proposal is None:
            raise refuse(request, f"urging form for suggestion {raw_proposal}")
    pick = forms.UnitPickForm(request.GET if "unit" in request.GET else None)
    unit = pick.cleaned_data["unit"] if pick.is_bound and pick.is_valid() else None
    if unit is None:
        units_of_proposal = (
            Unit.objects.filter(assignments__proposal=proposal, assignments__is_active=True).distinct()
            if proposal
            else []
        )
        return render(
            request,
            "supervision/urging_pick_unit.html",
            {"pick": pick, "proposal": proposal, "units_of_proposal": units_of_proposal},
        )
    # The unit's items the user may urge about: those of the streams the user works on.
    urgeable = of_users_streams(request.user, services.urgeable_proposals(unit), "")
    candidates = selectors.unit_items_for_urging(unit, urgeable)
    if request.method == "POST":
        form = forms.UrgingForm(request.POST, candidates=candidates)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.send_urging(
                    unit=unit,
                    proposals=list(data["proposals"]),
                    by=request.user,
                    message=data["message"],
                    respond_by=data["respond_by"],
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Urging notice sent to %(unit)s.") % {"unit": unit.name})
                return redirect("supervision:urging_detail", notice.pk)
    else:
        initial = {"proposals": [proposal.pk]} if proposal else {}
        form = forms.UrgingForm(initial=initial, candidates=candidates)
    selected = {int(v) for v in (form["proposals"].value() or []) if str(v).isdigit()}
    return render(
        request,
        "supervision/urging_form.html",
        {"form": form, "unit": unit, "rows": list(candidates), "selected": selected, "proposal": proposal},
        status=400 if form.errors else 200,
    )


def _notice_for(request: HttpRequest, pk: int) -> UrgingNotice:
    notice = get_object_or_404(UrgingNotice.objects.select_related("unit", "sent_by", "acknowledged_by"), pk=pk)
    if not access.allowed(request.user, "view_urging", notice):
        raise refuse(request, f"urging notice {pk}")
    return notice


@login_required
def urging_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _notice_for(request, pk)
    return _urging_detail_page(request, notice, forms.AcknowledgeForm())


def _urging_detail_page(request: HttpRequest, notice: UrgingNotice, form: forms.AcknowledgeForm) -> HttpResponse:
    proposals = notice.proposals.select_related("meeting").order_by("number", "pk")
    return render(
        request,
        "supervision/urging_detail.html",
        {
            "notice": notice,
            "proposals": proposals,
            "form": form,
            # Also once acknowledged meanwhile, when a post was refused: why, and what was typed.
            "can_acknowledge": access.allowed(request.user, "acknowledge_urging", notice)
            and (not notice.is_acknowledged or bool(form.errors)),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def urging_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = _notice_for(request, pk)
    form = forms.AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _urging_detail_page(request, notice, form)
    try:
        services.acknowledge_urging(notice=notice, by=request.user, answer=form.cleaned_data["answer"])
    except ProposalError as exc:
        form.add_error(None, str(exc))
        return _urging_detail_page(request, notice, form)
    messages.success(request, _("Urging notice acknowledged."))
    return redirect("supervision:urging_detail", notice.pk)


# --- follow-up of promises -----------------------------------------------------------------------------------


@login_required
def followup(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (access.allowed(request.user, "view_leader_page") or unit_id_of(request.user)):
        raise refuse(request, "follow-up list")
    form = forms.FollowupFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    promises = selectors.promises(request.user, values)
    return render(
        request,
        "supervision/followup.html",
        {
            "page": paginate(request, promises, per_page=PAGE_SIZE),
            "form": form,
            "counts": selectors.followup_counts(request.user),
            "today": timezone.localdate(),
            "is_unit": unit_id_of(request.user) is not None,
        },
    )


def _promise_for(request: HttpRequest, pk: int) -> Promise:
    promise = get_object_or_404(
        Promise.objects.select_related(
            "proposal__meeting", "proposal__lead_deputy", "unit", "reply__result_category", "confirmed_by", "survey"
        ),
        pk=pk,
    )
    if not access.allowed(request.user, "view_promise", promise):
        raise refuse(request, f"promise {pk}")
    return promise


def _promise_page(request: HttpRequest, promise: Promise, **forms_: Form) -> HttpResponse:
    """The promise's page; with `forms_`, after a post that was not taken: that form is shown
    as it was typed, with why, even when the step has closed meanwhile (answered 400)."""
    reports = promise.reports.select_related("reported_by").order_by("-created_at", "-pk")
    posted = set(forms_)
    return render(
        request,
        "supervision/promise_detail.html",
        {
            "promise": promise,
            "reports": reports,
            "report_form": forms_.get("report_form") or forms.PromiseReportForm(),
            "confirm_form": forms_.get("confirm_form") or forms.NoteForm(),
            "reopen_form": forms_.get("reopen_form") or forms.ReasonForm(),
            "can_report": access.allowed(request.user, "report_promise", promise)
            and (promise.state == Promise.State.OPEN or "report_form" in posted),
            "can_confirm": access.allowed(request.user, "confirm_promise", promise)
            and (promise.state == Promise.State.DONE_REPORTED or bool(posted & {"confirm_form", "reopen_form"})),
            "can_urge": access.allowed(request.user, "urge", promise.proposal) and promise.is_open,
            "survey_asked": resurvey.is_due(promise) and not resurvey.has_answer(promise),
            "today": timezone.localdate(),
        },
        status=400 if posted else 200,
    )


@login_required
def promise_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _promise_page(request, _promise_for(request, pk))


@login_required
@require_POST
def promise_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    promise = _promise_for(request, pk)
    form = forms.PromiseReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_promise_progress(
                promise=promise, by=request.user, body=form.cleaned_data["body"], done=form.cleaned_data["done"]
            )
        except ProposalError as exc:
            form.add_error(None, str(exc))
        else:
            done = form.cleaned_data["done"]
            with stream_words(promise.proposal.stream):
                said = _("Reported as kept; congress staff will confirm.") if done else _("Progress report sent.")
            messages.success(request, said)
            return redirect("supervision:promise_detail", promise.pk)
    return _promise_page(request, promise, report_form=form)


@login_required
@require_POST
def promise_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    promise = _promise_for(request, pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid() and run_step(
        request,
        lambda: services.confirm_promise(promise=promise, by=request.user, note=form.cleaned_data["note"]),
        _("The promise is confirmed as kept."),
    ):
        return redirect("supervision:promise_detail", promise.pk)
    return _promise_page(request, promise, confirm_form=form)


@login_required
@require_POST
def promise_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    promise = _promise_for(request, pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid() and run_step(
        request,
        lambda: services.reopen_promise(promise=promise, by=request.user, note=form.cleaned_data["note"]),
        _("The promise is sent back to the unit."),
    ):
        return redirect("supervision:promise_detail", promise.pk)
    return _promise_page(request, promise, reopen_form=form)


@login_required
def promise_survey(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """回头看: the lead deputy says whether a promise made on their suggestion was kept."""
    promise = get_object_or_404(
        Promise.objects.select_related("proposal__lead_deputy", "unit", "reply", "survey"), pk=pk
    )
    if not access.allowed(request.user, "answer_promise_survey", promise):
        raise refuse(request, f"promise {pk} (re-survey)")
    answered = resurvey.has_answer(promise)
    due = resurvey.is_due(promise)
    refusal = resurvey.survey_refusal(promise)
    posted = request.method == "POST"
    form = forms.PromiseSurveyForm(request.POST or None) if posted or not refusal else None
    if form is not None and posted:
        if refusal:
            form.is_valid()  # what was typed is shown again, with why it is not taken
            form.add_error(None, refusal)
        elif form.is_valid():
            try:
                resurvey.answer_survey(
                    promise=promise,
                    by=request.user,
                    answer=form.cleaned_data["answer"],
                    comment=form.cleaned_data["comment"],
                )
            except ProposalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you: your answer is sent to congress staff."))
                return redirect(reverse("proposals:mine_detail", args=[promise.proposal_id]) + "#promises")
    return render(
        request,
        "supervision/promise_survey.html",
        {"promise": promise, "proposal": promise.proposal, "form": form, "due": due, "answered": answered},
        status=400 if form is not None and form.errors else 200,
    )
