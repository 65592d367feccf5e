"""Deadline extensions and handling plans in the demo: units handling this year's suggestions
keep plans (one with a step overdue, which the first daily scan reminds), one extension was
approved, one refused and one waits for congress staff on their workbench."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from demo.world import World, on
from handling import services as hs
from handling.models import Assignment

STEPS = (
    "走访调研，听取领衔代表和群众意见",
    "会同相关部门研究，形成解决方案",
    "落实资金和项目，组织实施",
)


def _handled_now(world: World) -> list[Assignment]:
    """Lead units' assignments of suggestions in handling whose deadline is still ahead."""
    rows = list(
        Assignment.objects.filter(
            proposal__meeting=world.meeting,
            proposal__state="in_handling",
            proposal__merged_into__isnull=True,
            role="lead",
            is_active=True,
            deadline__gt=world.today + dt.timedelta(days=1),
        )
        .select_related("unit", "proposal")
        .order_by("pk")
    )
    demo_deputy = world.deputies[0]
    # The demo deputy's first, then 区教育局's (whose handler is the short `handler` login).
    return sorted(rows, key=lambda a: (a.proposal.lead_deputy_id != demo_deputy.pk, a.unit.name != "区教育局", a.pk))


def _plan(world: World, assignment: Assignment, *, overdue: bool) -> None:
    assert assignment.signed_at is not None  # in handling: every answering unit has signed
    today, signed = world.today, assignment.signed_at.date()
    planned = [
        min(signed + dt.timedelta(days=10), today - dt.timedelta(days=2)),
        today - dt.timedelta(days=4) if overdue else today + dt.timedelta(days=10),
        assignment.deadline - dt.timedelta(days=3),
    ]
    handler = world.handlers[assignment.unit_id]
    with on(signed, 15):  # recorded on the day the unit signed for it
        plan = hs.save_handling_plan(
            assignment=assignment,
            by=handler,
            handler_name=handler.display_name,
            handler_phone="0571-8888" + f"{assignment.unit_id:04d}"[-4:],
            leader_name="分管副局长 陈立新",
            approach="成立专班，先调研后研究，按步骤推进，每月向领衔代表通报进展。",
            steps=[hs.StepInput(None, title, day) for title, day in zip(STEPS, planned, strict=True)],
        )
    first = plan.steps.order_by("planned_on", "pk").first()
    assert first is not None
    with on(first.planned_on, 17):
        hs.mark_step_done(step=first, by=handler)


def _extension(world: World, assignment: Assignment, decision: str, asked: dt.date) -> None:
    handler = world.handlers[assignment.unit_id]
    fresh = Assignment.objects.get(pk=assignment.pk)
    with on(asked, 11):
        extension = hs.request_extension(
            assignment=fresh,
            by=handler,
            reason="该事项涉及多个部门和上级审批，需完成专项调研和资金论证后才能作出明确答复，申请延期一个月。",
            new_deadline=fresh.deadline + dt.timedelta(days=30),
        )
    if decision == "pending":
        return
    with on(asked + dt.timedelta(days=1), 10):
        hs.decide_extension(
            extension=extension,
            by=world.staff,
            approve=decision == "approved",
            note="同意延期，请按新的期限答复。" if decision == "approved" else "期限内可先答复阶段性进展，不同意延期。",
        )


def build(world: World, log: Callable[[str], None] = print) -> None:
    handled = _handled_now(world)
    if len(handled) < 3:
        return
    for index, assignment in enumerate(handled[:3]):
        _plan(world, assignment, overdue=index != 1)
    today = world.today
    _extension(world, handled[0], "approved", today - dt.timedelta(days=12))
    _extension(world, handled[1], "refused", today - dt.timedelta(days=8))
    _extension(world, handled[2], "pending", today - dt.timedelta(days=1))
    log("  办理方案 3 件（2 件有逾期步骤），延期申请：同意 1 件、不同意 1 件、待审核 1 件")
