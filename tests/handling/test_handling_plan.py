"""The handling plan (办理方案): after signing for it, an answering unit records the handler,
the responsible leader and dated steps; it revises the plan and marks steps done; the deputy
and staff see it with its progress; an overdue step is reminded by the daily scan, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from handling import services as hs
from handling.models import HandlingPlan, PlanStep
from proposals.models import ProposalState
from proposals.workflow import ProposalError
from supervision.reminders import run_daily_scan
from tests.pages import text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
SIGNED_AT = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)


@pytest.fixture
def handled(draft, cast):
    with time_machine.travel(SIGNED_AT, tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    return proposal, proposal.assignments.get()


def _plan(assignment, cast, steps=None):
    steps = steps or [
        hs.StepInput(None, "实地调研", dt.date(2026, 3, 20)),
        hs.StepInput(None, "形成方案", dt.date(2026, 4, 20)),
    ]
    return hs.save_handling_plan(
        assignment=assignment, by=cast.handler, handler_name="王科长", leader_name="李副局长", steps=steps
    )


def test_a_signed_unit_records_its_plan_and_an_event_is_written(handled, cast):
    proposal, assignment = handled
    plan = _plan(assignment, cast)
    assert (plan.handler_name, plan.leader_name, plan.steps.count()) == ("王科长", "李副局长", 2)
    assert proposal.events.filter(action="plan_recorded", actor=cast.handler).exists()


def test_before_signing_for_it_there_is_no_plan(draft, cast):
    proposal = advance(draft, S.ASSIGNED, cast)
    with pytest.raises(ProposalError):
        _plan(proposal.assignments.get(), cast)
    assert not HandlingPlan.objects.exists()


def test_another_unit_cannot_record_the_plan(handled, cast, other_unit_handler):
    _proposal, assignment = handled
    with pytest.raises(ProposalError):
        hs.save_handling_plan(
            assignment=assignment,
            by=other_unit_handler,
            handler_name="x",
            leader_name="y",
            steps=[hs.StepInput(None, "a", dt.date(2026, 4, 1))],
        )


def test_revising_changes_open_steps_and_keeps_done_ones(handled, cast):
    proposal, assignment = handled
    plan = _plan(assignment, cast)
    first, second = plan.steps.order_by("planned_on")
    hs.mark_step_done(step=first, by=cast.handler)
    hs.save_handling_plan(
        assignment=assignment,
        by=cast.head,
        handler_name="王科长",
        leader_name="李副局长",
        steps=[hs.StepInput(second.pk, "形成方案并征求代表意见", dt.date(2026, 5, 1))],
    )
    steps = list(plan.steps.order_by("planned_on"))
    assert [(s.title, s.is_done) for s in steps] == [("实地调研", True), ("形成方案并征求代表意见", False)]
    assert proposal.events.filter(action="plan_revised").exists()
    assert proposal.events.filter(action="plan_step_done").exists()


def test_the_deputy_sees_the_plan_with_its_progress(handled, cast, client):
    proposal, assignment = handled
    plan = _plan(assignment, cast)
    hs.mark_step_done(step=plan.steps.order_by("planned_on").first(), by=cast.handler)
    client.force_login(cast.deputy_user)
    page = text(client.get(reverse("proposals:mine_detail", args=[proposal.pk])))
    assert "李副局长" in page and "实地调研" in page and "已完成 1 / 2 步" in page


def test_the_unit_marks_a_step_done_from_the_page_and_another_unit_gets_404(handled, cast, client, other_unit_handler):
    proposal, assignment = handled
    step = _plan(assignment, cast).steps.order_by("planned_on").first()
    url = reverse("handling:plan_step_done", args=[step.pk])
    client.force_login(other_unit_handler)
    assert client.post(url).status_code == 404
    client.force_login(cast.handler)
    assert url in client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    client.post(url)
    step.refresh_from_db()
    assert step.done_by == cast.handler


def test_the_plan_form_saves_steps(handled, cast, client):
    proposal, assignment = handled
    client.force_login(cast.handler)
    url = reverse("handling:plan_edit", args=[assignment.pk])
    assert client.get(url).status_code == 200
    data = {
        "handler_name": "王科长",
        "leader_name": "李副局长",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-title": "实地调研",
        "steps-0-planned_on": "2026-04-01",
        "steps-1-title": "",
        "steps-1-planned_on": "",
        "steps-2-title": "征求意见",
        "steps-2-planned_on": "2026-04-15",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(PlanStep.objects.values_list("title", flat=True).order_by("planned_on")) == ["实地调研", "征求意见"]


def test_an_overdue_step_is_reminded_once(handled, cast):
    _proposal, assignment = handled
    _plan(assignment, cast)
    assert run_daily_scan(dt.date(2026, 3, 20), only=["plan_step"])["plan_step"] == 0
    assert run_daily_scan(dt.date(2026, 3, 21), only=["plan_step"])["plan_step"] == 1
    assert run_daily_scan(dt.date(2026, 3, 22), only=["plan_step"])["plan_step"] == 0
    hs.mark_step_done(step=PlanStep.objects.get(title="形成方案"), by=cast.handler)
    assert run_daily_scan(dt.date(2026, 4, 25), only=["plan_step"])["plan_step"] == 0
