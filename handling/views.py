"""The handling pages: staff assign (one by one or in bulk) and decide re-assignment
requests; units sign, ask for re-assignment, record contacts, send co-handling opinions,
countersign, draft the reply; heads approve or return it; staff review and issue it.

Every page loads its object for the requesting user: what they may not see answers 404 and
is audited (handling/access.py). Every change is one service call (handling/services/)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.access import refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.pages import lookup_answer, lookup_words, paginate
from handling import forms as hf
from handling import services
from handling.access import get_own_assignment, get_reply_for_user
from handling.models import (
    Assignment,
    CoOpinion,
    ReassignmentRequest,
    Reply,
    ReplyAttachment,
    units_yet_to_countersign,
)
from handling.rules import assignable_condition, is_assignable, unit_id_of
from handling.selectors import (
    co_assignments,
    countersign_refusal,
    reply_refusal,
    unit_options,
    units_yet_to_sign,
)
from handling.unit_suggestion import suggest_units
from proposals import deadlines
from proposals import selectors as proposal_selectors
from proposals.access import get_proposal_for_user
from proposals.models import Proposal, ProposalState
from proposals.rules import visible_proposals
from proposals.selectors import visible_events
from proposals.steps import run_step
from proposals.uploads import download
from proposals.workflow import ProposalError

S = ProposalState


# --- loading objects for the user ---------------------------------------------------------------


def _assignable(request: HttpRequest, pk: int) -> Proposal:
    proposal = get_proposal_for_user(request, pk, queryset=Proposal.objects.select_related("meeting", "category"))
    if not access.allowed(request.user, "assign_proposal", proposal):
        raise refuse(request, f"assign {pk}")
    return proposal


def _deadline_preview(assigned_on: Any = None) -> dict[str, Any]:
    day = assigned_on or timezone.localdate()
    return {
        "day": day,
        "normal": deadlines.reply_deadline(day, complex_=False),
        "complex": deadlines.reply_deadline(day, complex_=True),
        "co": deadlines.co_opinion_deadline(day),
        "reply_period": deadlines.Period.parse(settings.REPLY_PERIOD).label(),
        "complex_period": deadlines.Period.parse(settings.COMPLEX_REPLY_PERIOD).label(),
    }


# --- assignment (交办) -----------------------------------------------------------------------------


@login_required
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Choose the units; the next page shows the deadline, and only its confirm assigns."""
    proposal = _assignable(request, pk)
    if not is_assignable(proposal):
        messages.error(request, _("Only a registered suggestion that is not merged into another can be assigned."))
        return redirect("proposals:detail", pk=pk)
    form = hf.AssignForm(request.POST or None)
    going_back = "back" in request.POST
    if request.method == "POST" and form.is_valid() and not going_back:
        plan = form.plan()
        if "confirm" in request.POST:
            done = run_step(
                request,
                lambda: services.assign_proposal(
                    proposal=proposal, by=request.user, expected_state=S.REGISTERED, **plan
                ),
                _("Assigned."),
            )
            if done:
                return redirect("proposals:detail", pk=pk)
        deadline = deadlines.reply_deadline(plan["assigned_on"], complex_=plan["is_complex"])
        return render(
            request,
            "handling/assign_confirm.html",
            {
                "proposal": proposal,
                "form": form,
                "plan": plan,
                "deadline": deadline,
                "co_due": deadlines.co_opinion_deadline(plan["assigned_on"]),
                "members": proposal.merged_members.order_by("number"),
            },
            status=400 if "confirm" in request.POST else 200,  # confirmed, and refused
        )
    return render(
        request,
        "handling/assign.html",
        {
            "proposal": proposal,
            "form": form,
            "preview": _deadline_preview(),
            "members": proposal.merged_members.order_by("number"),
            "unit_suggestions": suggest_units(proposal, request.user),
        },
        status=400 if request.method == "POST" and not going_back else 200,
    )


def _bulk_queryset(request: HttpRequest) -> QuerySet[Proposal]:
    return visible_proposals(request.user).filter(assignable_condition())


@login_required
@require_POST
def bulk_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """批量交办 from the list: the ticked suggestions to one lead unit, after a confirmation
    page that shows the deadline. All or none."""
    if not access.allowed(request.user, "assign_proposal"):
        raise refuse(request, "bulk assign")
    stage = request.POST.get("stage", "choose")
    form = hf.BulkAssignForm(request.POST if stage != "choose" else None, queryset=_bulk_queryset(request))
    ids = request.POST.getlist("ids")
    chosen = list(
        proposal_selectors.table_rows(_bulk_queryset(request).filter(pk__in=[i for i in ids if i.isdigit()])).order_by(
            "number", "pk"
        )
    )
    if stage == "choose":
        form = hf.BulkAssignForm(initial={"ids": chosen}, queryset=_bulk_queryset(request))
        skipped = len(set(ids)) - len(chosen)
        if skipped:
            messages.warning(
                request,
                _("%(n)s ticked suggestions are not registered or are merged into another, and were left out.")
                % {"n": skipped},
            )
        if not chosen:
            messages.error(request, _("Tick registered suggestions in the list first."))
            return redirect(reverse("proposals:list") + "?state=registered")
    elif stage != "back" and form.is_valid():
        data = form.cleaned_data
        if stage == "confirm":
            done = run_step(
                request,
                lambda: services.assign_many(
                    proposals=list(data["ids"]),
                    by=request.user,
                    lead_unit=data["lead_unit"],
                    is_complex=data["is_complex"],
                    assigned_on=data["assigned_on"],
                    note=data["note"],
                ),
                _("%(n)s suggestions assigned to %(unit)s.") % {"n": len(data["ids"]), "unit": data["lead_unit"].name},
            )
            if done:
                return redirect(reverse("proposals:list") + f"?unit={data['lead_unit'].pk}&state=assigned")
        return render(
            request,
            "handling/bulk_assign_confirm.html",
            {
                "form": form,
                "rows": chosen,
                "deadline": deadlines.reply_deadline(data["assigned_on"], complex_=data["is_complex"]),
                "data": data,
            },
            status=400 if stage == "confirm" else 200,  # confirmed, and refused
        )
    return render(
        request,
        "handling/bulk_assign.html",
        {
            "form": form,
            "rows": chosen,
            "preview": _deadline_preview(),
            "row_suggestions": [(row, suggest_units(row, request.user)) for row in chosen],
        },
        status=200 if stage in ("choose", "back") else 400,
    )


# --- re-assignment requests ---------------------------------------------------------------------


@login_required
def reassignment_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.allowed(request.user, "decide_reassignment"):
        raise refuse(request, "re-assignment requests")
    base = ReassignmentRequest.objects.select_related(
        "assignment__unit",
        "assignment__proposal__meeting",
        "assignment__proposal__lead_deputy",
        "suggested_unit",
        "requested_by",
        "decided_by",
        "new_assignment__unit",
    )
    base = access.of_users_streams(request.user, base, "assignment__proposal__")
    pending = list(base.filter(status=ReassignmentRequest.Status.PENDING).order_by("requested_at", "pk"))
    decided = paginate(
        request, base.exclude(status=ReassignmentRequest.Status.PENDING).order_by("-decided_at", "-pk"), per_page=25
    )
    return render(request, "handling/reassignment_requests.html", {"pending": pending, "decided": decided})


@login_required
def decide_reassignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = (
        ReassignmentRequest.objects.select_related(
            "assignment__unit", "assignment__proposal__meeting", "suggested_unit", "requested_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not access.allowed(request.user, "decide_reassignment", found.assignment.proposal):
        raise refuse(request, f"re-assignment request {pk}")
    old = found.assignment
    accept_form = hf.AcceptReassignmentForm(
        request.POST if request.POST.get("decision") == "accept" else None,
        initial={"new_unit": found.suggested_unit_id},
        prefix="accept",
    )
    refuse_form = hf.RefuseReassignmentForm(
        request.POST if request.POST.get("decision") == "refuse" else None, prefix="refuse"
    )
    if request.method == "POST":
        if request.POST.get("decision") == "accept" and accept_form.is_valid():
            data = accept_form.cleaned_data
            done = run_step(
                request,
                lambda: services.decide_reassignment(
                    request=found, by=request.user, accept=True, new_unit=data["new_unit"], note=data["note"]
                ),
                _("Accepted: %(unit)s takes it over, with a new reply deadline.") % {"unit": data["new_unit"].name},
            )
            if done:
                return redirect("handling:reassignment_requests")
        elif request.POST.get("decision") == "refuse" and refuse_form.is_valid():
            done = run_step(
                request,
                lambda: services.decide_reassignment(
                    request=found, by=request.user, accept=False, note=refuse_form.cleaned_data["note"]
                ),
                _("Refused: the unit keeps the suggestion."),
            )
            if done:
                return redirect("handling:reassignment_requests")
    today = timezone.localdate()
    return render(
        request,
        "handling/decide_reassignment.html",
        {
            "req": found,
            "proposal": old.proposal,
            "assignments": old.proposal.assignments.filter(is_active=True).select_related("unit"),
            "accept_form": accept_form,
            "refuse_form": refuse_form,
            "new_deadline": deadlines.reply_deadline(today, complex_=old.is_complex),
            "today": today,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- a unit's steps --------------------------------------------------------------------------------


@login_required
@require_POST
def sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request, pk)
    others = [name for name in units_yet_to_sign(assignment.proposal) if name != assignment.unit.name]
    run_step(
        request,
        lambda: services.sign_assignment(assignment=assignment, by=request.user),
        _("Signed for. Handling starts once %(units)s has signed for it.") % {"units": "、".join(others)}
        if others and assignment.answers
        else _("Signed for. Handling can start."),
    )
    return redirect("proposals:detail", pk=assignment.proposal_id)


@login_required
def request_reassignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request, pk)
    form = hf.ReassignmentRequestForm(request.POST or None, own_unit=assignment.unit)
    if request.method == "POST" and form.is_valid():
        done = run_step(
            request,
            lambda: services.request_reassignment(
                assignment=assignment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                suggested_unit=form.cleaned_data["suggested_unit"],
            ),
            _("Your request was sent to congress staff."),
        )
        if done:
            return redirect("proposals:detail", pk=assignment.proposal_id)
    return render(
        request,
        "handling/request_reassignment.html",
        {
            "assignment": assignment,
            "proposal": assignment.proposal,
            "form": form,
            "window_open": assignment.reassignment_window_open(),
            "window_end": assignment.reassignment_window_end,
            "workdays": settings.REASSIGNMENT_WINDOW_WORKDAYS,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request, pk)
    form = hf.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_step(
            request,
            lambda: services.record_contact(assignment=assignment, by=request.user, **form.cleaned_data),
            _("Contact recorded; the deputy is asked to confirm it."),
        )
        if done:
            return redirect(reverse("proposals:detail", args=[assignment.proposal_id]) + "#contacts")
    proposal = assignment.proposal
    return render(
        request,
        "handling/contact.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "form": form,
            "deputy": proposal.lead_deputy,
            "contacts": proposal.contacts.select_related("assignment__unit", "recorded_by").order_by("contact_date"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def co_opinion(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request, pk, (Assignment.Role.CO,))
    proposal = assignment.proposal
    round_ = assignment.current_round(proposal)
    current = CoOpinion.objects.filter(assignment=assignment, round=round_).first()
    form = hf.CoOpinionForm(request.POST or None, initial={"body": current.body if current else ""})
    if request.method == "POST" and form.is_valid():
        done = run_step(
            request,
            lambda: services.submit_co_opinion(assignment=assignment, by=request.user, body=form.cleaned_data["body"]),
            _("Your opinion was sent to the lead unit."),
        )
        if done:
            return redirect("proposals:detail", pk=proposal.pk)
    return render(
        request,
        "handling/co_opinion.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "form": form,
            "current": current,
            "lead": proposal.assignments.filter(role=Assignment.Role.LEAD, is_active=True)
            .select_related("unit")
            .first(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the reply letter -------------------------------------------------------------------------------


def _papers(proposal: Proposal) -> dict[str, Any]:
    """What the lead unit and the head see beside the draft: co-handlers' opinions and
    where each co-handler stands."""
    co = co_assignments(proposal)
    opinions = CoOpinion.objects.filter(assignment__in=co).select_related("assignment__unit", "submitted_by")
    return {"co_assignments": co, "co_opinions": list(opinions.order_by("round", "assignment__pk"))}


def _countersign_rows(reply: Reply, co: list[Assignment]) -> list[dict[str, Any]]:
    signatures = list(reply.countersignatures.select_related("signed_by").order_by("pk"))
    rows = []
    for assignment in co:
        mine = [s for s in signatures if s.assignment_id == assignment.pk]
        current = [s for s in mine if s.version == reply.version]
        rows.append(
            {
                "assignment": assignment,
                "latest": current[-1] if current else None,
                "stale": mine[-1] if mine and not current else None,
                "history": mine,
            }
        )
    return rows


@login_required
def reply_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The handler writes the reply letter; "save" keeps it exactly as typed, the other
    buttons save first and then send it on (to the co-handlers to countersign, or to the head)."""
    assignment = get_own_assignment(request, pk, Assignment.ANSWERING_ROLES)
    proposal = assignment.proposal
    round_ = assignment.current_round(proposal)
    reply = Reply.objects.filter(assignment=assignment, round=round_).first()
    # What is posted goes to the service, which refuses it in the same words and keeps the text
    # (a reply sent on from another tab, or by a colleague, included).
    refusal = reply_refusal(assignment, proposal)
    if refusal and request.method != "POST":
        messages.info(request, refusal)
        return redirect("handling:reply", pk=reply.pk) if reply else redirect("proposals:detail", pk=proposal.pk)
    if request.method == "POST":
        form = hf.ReplyForm(request.POST, request.FILES)
        form.is_valid()
        try:
            reply = services.save_reply_draft(assignment=assignment, by=request.user, **form.valid_fields())
            for upload in form.cleaned_data.get("attachments", []) if "attachments" not in form.errors else []:
                services.add_reply_attachment(reply=reply, by=request.user, upload=upload)
        except ProposalError as exc:
            messages.error(request, str(exc))
            return _reply_edit_page(request, assignment, reply, form, status=400)
        if form.errors:
            messages.warning(request, _("The draft was saved, except what is marked below: please correct it."))
            return _reply_edit_page(request, assignment, reply, form, status=400)
        action = request.POST.get("action", "save")
        if action == "submit":
            if run_step(
                request, lambda: services.submit_reply(reply=reply, by=request.user), _("Sent to the unit head.")
            ):
                return redirect("handling:reply", pk=reply.pk)
            return _reply_edit_page(request, assignment, reply, hf.ReplyForm(initial=_initial(reply)), status=400)
        if action == "countersign":
            if run_step(
                request,
                lambda: services.request_countersign(reply=reply, by=request.user),
                _("Sent to the co-handling units to countersign."),
            ):
                return redirect("handling:reply", pk=reply.pk)
            return _reply_edit_page(request, assignment, reply, hf.ReplyForm(initial=_initial(reply)), status=400)
        messages.success(request, _("Draft saved."))
        return redirect("handling:reply_edit", pk=assignment.pk)
    form = hf.ReplyForm(initial=_initial(reply) if reply else _first_initial(assignment, request.user))
    return _reply_edit_page(request, assignment, reply, form)


def _initial(reply: Reply) -> dict[str, Any]:
    return {name: getattr(reply, name) for name in hf.ReplyForm.TEXT_FIELDS}


def _first_initial(assignment: Assignment, user: Any) -> dict[str, Any]:
    head = assignment.unit.members.filter(user__role="unit_head", user__is_active=True).select_related("user").first()
    return {
        "signer": head.user.display_name if head else "",
        "contact_person": user.display_name,
        "contact_phone": user.phone or assignment.unit.phone,
        "is_public": True,
    }


def _reply_edit_page(
    request: HttpRequest, assignment: Assignment, reply: Reply | None, form: hf.ReplyForm, status: int = 200
) -> HttpResponse:
    proposal = assignment.proposal
    papers = _papers(proposal)
    if reply is not None:
        reply.refresh_from_db()
    return render(
        request,
        "handling/reply_edit.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "reply": reply,
            "form": form,
            "attachments": reply.attachments.all() if reply else [],
            "countersigns": _countersign_rows(reply, papers["co_assignments"]) if reply else [],
            "round": assignment.current_round(proposal),
            # A second round answers the deputy's reason for rating the first one unsatisfied.
            "earlier": Reply.objects.filter(assignment=assignment, state=Reply.State.ISSUED).select_related(
                "result_category", "rating"
            ),
            # The button that can succeed next: a lead unit with co-handlers asks them to
            # countersign before its head may see the draft (handling/services/replies.py).
            "countersign_first": assignment.role == Assignment.Role.LEAD
            and bool(papers["co_assignments"])
            and (reply is None or bool(units_yet_to_countersign(reply))),
            "events": visible_events(proposal, request.user).filter(data__reply=reply.pk).order_by("-pk")[:10]
            if reply
            else [],
            **papers,
        },
        status=status,
    )


@login_required
@require_POST
def reply_attachment_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ReplyAttachment.objects.select_related("reply__assignment"), pk=pk)
    if not access.allowed(request.user, "draft_reply", item.reply):
        raise refuse(request, f"delete reply attachment {pk}")
    run_step(
        request,
        lambda: services.remove_reply_attachment(attachment=item, by=request.user),
        _("Attachment removed."),
    )
    return redirect("handling:reply_edit", pk=item.reply.assignment_id)


@login_required
def reply_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reply = get_reply_for_user(request, pk)
    return _reply_page(request, reply)


def _reply_page(request: HttpRequest, reply: Reply, status: int = 200, **forms: Form) -> HttpResponse:
    proposal = reply.assignment.proposal
    user = request.user
    papers = _papers(proposal) if access.allowed(user, "view_handling_papers", proposal) else {}
    co = papers.get("co_assignments", [])
    unit_id = unit_id_of(user)
    my_co = next((a for a in co if a.unit_id == unit_id), None)
    editable = reply.is_editable
    is_mine = unit_id == reply.assignment.unit_id
    rows = _countersign_rows(reply, co) if reply.assignment.role == Assignment.Role.LEAD else []
    source = reply.copied_from or reply
    context = {
        "reply": reply,
        "proposal": proposal,
        "attachments": source.attachments.all(),
        "countersigns": rows,
        "missing": units_yet_to_countersign(reply) if editable else [],
        "gaps": services.reply_gaps(reply) if editable else [],
        "is_mine": is_mine,
        "can_edit": editable
        and access.allowed(user, "draft_reply", reply)
        and not reply_refusal(reply.assignment, proposal),
        # A form posted and refused (the reply moved on meanwhile) stays shown as typed, under the
        # refusal's message, so that nothing typed is lost.
        "can_countersign": my_co is not None and (not countersign_refusal(reply, my_co) or "countersign_form" in forms),
        "my_co": my_co,
        "can_approve": (reply.state == Reply.State.PENDING_APPROVAL or "return_form" in forms)
        and access.allowed(user, "approve_reply", reply),
        "can_review": (reply.state == Reply.State.APPROVED or bool({"staff_return_form", "correct_form"} & set(forms)))
        and access.allowed(user, "review_reply", reply),
        "can_issue": reply.state == Reply.State.APPROVED and access.allowed(user, "issue_reply", proposal),
        "countersign_form": forms.get("countersign_form") or hf.CountersignForm(),
        "return_form": forms.get("return_form") or hf.NoteForm(prefix="return"),
        "staff_return_form": forms.get("staff_return_form") or hf.NoteForm(prefix="staff"),
        "correct_form": forms.get("correct_form")
        or hf.CorrectResultForm(initial={"result_category": reply.result_category_id}),
        "rating": getattr(reply, "rating", None) if reply.state == Reply.State.ISSUED else None,
        "events": visible_events(proposal, user).filter(data__reply=reply.pk).order_by("pk") if papers else [],
        **papers,
    }
    return render(request, "handling/reply_detail.html", context, status=status)


@login_required
@require_POST
def reply_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    """One button on the reply page: send on, approve, issue (no input), or a step with
    comments (return, countersign, correct), re-shown with its error when the input is wrong."""
    reply = get_reply_for_user(request, pk)
    user = request.user
    simple = {
        "submit": (lambda: services.submit_reply(reply=reply, by=user), _("Sent to the unit head.")),
        "request_countersign": (
            lambda: services.request_countersign(reply=reply, by=user),
            _("Sent to the co-handling units to countersign."),
        ),
        "approve": (
            lambda: services.approve_reply(reply=reply, by=user),
            _("Approved and signed.")
            if settings.STAFF_REVIEWS_REPLIES
            else _("Approved and signed; the reply was issued to the deputy."),
        ),
        "issue": (lambda: services.issue_reply(reply=reply, by=user), _("Issued: the deputy has been told.")),
    }
    if step in simple:
        action, message = simple[step]
        run_step(request, action, message)
        return redirect("handling:reply", pk=reply.pk)
    if step == "countersign":
        form = hf.CountersignForm(request.POST)
        if form.is_valid():
            agrees = form.cleaned_data["decision"] == "agree"
            done = run_step(
                request,
                lambda: services.countersign_reply(
                    reply=reply, by=user, agrees=agrees, comment=form.cleaned_data["comment"]
                ),
                _("Countersigned.") if agrees else _("Your objection was sent to the lead unit."),
            )
            if done:
                return redirect("handling:reply", pk=reply.pk)
        return _reply_page(request, reply, status=400, countersign_form=form)
    if step in ("return", "staff_return"):
        note_form = hf.NoteForm(request.POST, prefix="return" if step == "return" else "staff")
        if note_form.is_valid():
            service = services.return_reply if step == "return" else services.staff_return_reply
            done = run_step(
                request,
                lambda: service(reply=reply, by=user, note=note_form.cleaned_data["note"]),
                _("Returned with your comments."),
            )
            if done:
                # Sent back, the reply is the unit's again and staff may no longer open it.
                if step == "staff_return":
                    return redirect("handling:reply_reviews")
                return redirect("handling:reply", pk=reply.pk)
        key = "return_form" if step == "return" else "staff_return_form"
        return _reply_page(request, reply, status=400, **{key: note_form})
    if step == "correct":
        correct_form = hf.CorrectResultForm(request.POST)
        if correct_form.is_valid():
            done = run_step(
                request,
                lambda: services.correct_result_category(
                    reply=reply,
                    by=user,
                    result_category=correct_form.cleaned_data["result_category"],
                    reason=correct_form.cleaned_data["reason"],
                ),
                _("Result category corrected."),
            )
            if done:
                return redirect("handling:reply", pk=reply.pk)
        return _reply_page(request, reply, status=400, correct_form=correct_form)
    raise refuse(request, f"reply step {step}")


@login_required
def reply_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Approved replies waiting for congress staff's review before they are issued."""
    if not access.allowed(request.user, "review_reply", None):
        raise refuse(request, "reply reviews")
    rows = Reply.objects.filter(state=Reply.State.APPROVED).select_related(
        "assignment__unit",
        "assignment__proposal__meeting",
        "assignment__proposal__lead_deputy",
        "result_category",
        "approved_by",
    )
    rows = access.of_users_streams(request.user, rows, "assignment__proposal__")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        rows = proposal_selectors.search_words(rows, q, "assignment__proposal__title", "assignment__unit__name")
    page = paginate(request, rows.order_by("approved_at", "pk"), per_page=25)
    return render(
        request,
        "handling/reply_reviews.html",
        {"page": page, "q": q, "staff_review": settings.STAFF_REVIEWS_REPLIES},
    )


@login_required
def reply_attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A reply's attachment, for whoever may see that reply or one of its merged-group copies."""
    item = get_object_or_404(ReplyAttachment.objects.select_related("reply__assignment__proposal"), pk=pk)
    replies = [item.reply, *item.reply.copies.select_related("assignment__proposal")]
    if not any(access.allowed(request.user, "view_reply", reply) for reply in replies):
        raise refuse(request, f"reply attachment {pk}")
    return download(request, item.file, item.name)


@login_required
def unit_lookup(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The units matching what is typed in the lists' unit filter (at most a screenful)."""
    if not access.allowed(request.user, "look_up_units"):
        raise refuse(request, "unit lookup")
    return lookup_answer(unit_options(lookup_words(request)))
