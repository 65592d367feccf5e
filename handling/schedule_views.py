"""The pages of a unit's time and plan on a suggestion: asking to extend the reply deadline
(申请延期) and the assigning office's decision on it; the handling plan (办理方案) and marking
its steps done.

Every page loads its object for the requesting user: what they may not see (or not do)
answers 404 and is audited. Every change is one service call (handling/services/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.access import refuse
from deputies.http import AuthenticatedHttpRequest
from deputies.pages import paginate
from handling import forms as hf
from handling import services
from handling.access import get_own_assignment
from handling.models import Assignment, DeadlineExtension, HandlingPlan, PlanStep
from handling.selectors import (
    extension_refusal,
    latest_new_deadline,
    owed_deadline,
    pending_extensions,
    plan_refusal,
)
from proposals.steps import run_step

# --- deadline extensions ----------------------------------------------------------------------------


@login_required
def request_extension(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = get_own_assignment(request, pk, Assignment.ANSWERING_ROLES)
    proposal = assignment.proposal
    form = hf.ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_step(
            request,
            lambda: services.request_extension(
                assignment=assignment,
                by=request.user,
                reason=form.cleaned_data["reason"],
                new_deadline=form.cleaned_data["new_deadline"],
            ),
            _("Your request was sent to congress staff."),
        )
        if done:
            return redirect("proposals:detail", pk=proposal.pk)
    owed = owed_deadline(assignment)
    return render(
        request,
        "handling/request_extension.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "form": form,
            "refusal": extension_refusal(assignment, proposal, timezone.localdate()),
            "deadline": owed[1] if owed else None,
            "latest": latest_new_deadline(owed[1]) if owed else None,
            "history": assignment.extensions.select_related("decided_by").order_by("-requested_at", "-pk"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def extensions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The assigning office's list: requests waiting for a decision, then those decided."""
    if not access.allowed(request.user, "decide_extension"):
        raise refuse(request, "deadline extensions")
    decided = (
        DeadlineExtension.objects.exclude(status=DeadlineExtension.Status.PENDING)
        .select_related("assignment__unit", "assignment__proposal__meeting", "decided_by")
        .order_by("-decided_at", "-pk")
    )
    pending = access.of_users_streams(request.user, pending_extensions(), "assignment__proposal__")
    decided = access.of_users_streams(request.user, decided, "assignment__proposal__")
    return render(
        request,
        "handling/extensions.html",
        {"pending": list(pending), "decided": paginate(request, decided, per_page=25)},
    )


@login_required
def decide_extension(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = (
        DeadlineExtension.objects.select_related(
            "assignment__unit", "assignment__proposal__meeting", "requested_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not access.allowed(request.user, "decide_extension", found.assignment.proposal):
        raise refuse(request, f"deadline extension {pk}")
    form = hf.DecideExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        done = run_step(
            request,
            lambda: services.decide_extension(
                extension=found, by=request.user, approve=approve, note=form.cleaned_data["note"]
            ),
            _("Approved: the reply deadline is now %(date)s.") % {"date": found.requested_deadline.isoformat()}
            if approve
            else _("Refused: the deadline stays as it was."),
        )
        if done:
            return redirect("handling:extensions")
    # Each panel keeps what was typed in it: the refusal's is the form, the approval's a note.
    approving = request.method == "POST" and request.POST.get("decision") == "approve"
    return render(
        request,
        "handling/decide_extension.html",
        {
            "ext": found,
            "proposal": found.assignment.proposal,
            "form": hf.DecideExtensionForm() if approving else form,
            "approve_note": request.POST.get("note", "") if approving else "",
            "earlier": found.assignment.extensions.exclude(pk=found.pk).order_by("-requested_at"),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the handling plan -------------------------------------------------------------------------------


@login_required
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the unit's handling plan, or revise it."""
    assignment = get_own_assignment(request, pk, Assignment.ANSWERING_ROLES)
    proposal = assignment.proposal
    plan = HandlingPlan.objects.filter(assignment=assignment).first()
    steps = list(plan.steps.order_by("planned_on", "pk")) if plan else []
    refusal = plan_refusal(assignment, proposal.state)
    initial_plan = (
        {
            "handler_name": plan.handler_name,
            "handler_phone": plan.handler_phone,
            "leader_name": plan.leader_name,
            "approach": plan.approach,
        }
        if plan
        else {"handler_name": request.user.display_name}
    )
    form = hf.PlanForm(request.POST or None, initial=initial_plan)
    open_steps = [s for s in steps if not s.is_done]
    formset = hf.plan_step_formset(extra=3 if not open_steps else 2)(
        request.POST or None,
        prefix="steps",
        initial=[{"step_id": s.pk, "title": s.title, "planned_on": s.planned_on} for s in open_steps],
    )
    if request.method == "POST" and not refusal and form.is_valid() and formset.is_valid():
        given = [
            services.StepInput(row.get("step_id"), row["title"], row["planned_on"])
            for row in formset.cleaned_data
            if row.get("title") and row.get("planned_on")
        ]
        done = run_step(
            request,
            lambda: services.save_handling_plan(
                assignment=assignment, by=request.user, steps=given, **form.cleaned_data
            ),
            _("The handling plan was saved."),
        )
        if done:
            return redirect("proposals:detail", pk=proposal.pk)
    return render(
        request,
        "handling/plan_edit.html",
        {
            "assignment": assignment,
            "proposal": proposal,
            "form": form,
            "formset": formset,
            "done_steps": [s for s in steps if s.is_done],
            "refusal": refusal,
            "is_new": plan is None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def plan_step_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    step = PlanStep.objects.select_related("plan__assignment__unit").filter(pk=pk).first()
    if step is None or not access.allowed(request.user, "keep_handling_plan", step):
        raise refuse(request, f"plan step {pk}")
    run_step(
        request,
        lambda: services.mark_step_done(step=step, by=request.user),
        _("Marked done: %(step)s") % {"step": step.title},
    )
    return redirect("proposals:detail", pk=step.plan.assignment.proposal_id)
