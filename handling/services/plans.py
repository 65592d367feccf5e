"""Handling plans (办理方案): an answering unit that has signed for a suggestion records who
handles it, the responsible leader (分管领导), how, and the planned steps with their dates;
it may revise the plan later and marks each step done. The deputy and staff follow it as a
plan with progress; the daily scan reminds the unit of a step left undone past its date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from deputies.models import User
from handling.models import Assignment, HandlingPlan, PlanStep
from handling.selectors import PLAN_STATES, plan_refusal
from handling.services.common import require_unit
from proposals.workflow import ProposalError, locked, record_event, refuse_merged_member


@dataclass(frozen=True)
class StepInput:
    """One planned step as the form gives it: an existing step's id, or None for a new one."""

    pk: int | None
    title: str
    planned_on: dt.date


def save_handling_plan(
    *,
    assignment: Assignment,
    by: User,
    handler_name: str,
    leader_name: str,
    steps: Sequence[StepInput],
    handler_phone: str = "",
    approach: str = "",
) -> HandlingPlan:
    """Record the unit's plan, or revise it: steps given with their id are changed, new ones
    added, the missing ones removed. A step already done stays as it was done."""
    with locked(assignment.proposal_id) as main:
        refuse_merged_member(main)
        assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
        require_unit(by, assignment)
        refusal = plan_refusal(assignment, main.state)
        if refusal:
            raise ProposalError(refusal)
        if not handler_name.strip() or not leader_name.strip():
            raise ProposalError(_("Name the handler and the responsible leader."))
        if not steps:
            raise ProposalError(_("Plan at least one step with its date."))
        plan = HandlingPlan.objects.filter(assignment=assignment).first()
        is_new = plan is None
        if plan is None:
            plan = HandlingPlan(assignment=assignment, created_by=by)
        plan.handler_name, plan.handler_phone = handler_name.strip(), handler_phone.strip()
        plan.leader_name, plan.approach = leader_name.strip(), approach.strip()
        plan.save()
        existing = {step.pk: step for step in plan.steps.all()}
        kept: set[int] = set()
        for given in steps:
            step = existing.get(given.pk) if given.pk is not None else None
            if step is None:
                created = PlanStep.objects.create(plan=plan, title=given.title.strip(), planned_on=given.planned_on)
                kept.add(created.pk)
                continue
            kept.add(step.pk)
            if not step.is_done:
                step.title, step.planned_on = given.title.strip(), given.planned_on
                step.save(update_fields=["title", "planned_on"])
        plan.steps.filter(done_on__isnull=True).exclude(pk__in=kept).delete()
        record_event(
            main,
            "plan_recorded" if is_new else "plan_revised",
            by=by,
            data={"unit": assignment.unit.name, "plan": plan.pk, "steps": plan.steps.count()},
        )
    return plan


def mark_step_done(*, step: PlanStep, by: User, done_on: dt.date | None = None) -> PlanStep:
    """The unit marks one planned step done (today, or the day given)."""
    assignment = step.plan.assignment
    with locked(assignment.proposal_id) as main:
        step = PlanStep.objects.select_for_update().select_related("plan__assignment__unit").get(pk=step.pk)
        assignment = step.plan.assignment
        require_unit(by, assignment)
        if step.is_done:
            raise ProposalError(_("This step is already marked done."))
        if main.state not in PLAN_STATES:
            raise ProposalError(_("The plan can no longer be changed: no reply is being worked on."))
        step.done_on, step.done_by = done_on or timezone.localdate(), by
        step.save(update_fields=["done_on", "done_by"])
        record_event(
            main,
            "plan_step_done",
            by=by,
            data={"unit": assignment.unit.name, "plan": step.plan_id, "step": step.title},
        )
    return step
