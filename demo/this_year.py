"""This year's meeting: 112 suggestions (the content package's), each following one path of
`SCENARIOS`, so that every state and every way through handling is there, and the demo
deputy's phone shows every kind of suggestion and something to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from demo import content
from demo.content.text import SuggestionText
from demo.story import Story
from demo.world import World, login_of, on
from handling import services as hs
from handling.models import Reply
from proposals import services as ps
from proposals.models import Proposal

# How many suggestions follow each path (112 in all; see the content file).
SCENARIOS: list[tuple[str, int]] = [
    ("draft", 3),
    ("submitted", 4),
    ("returned", 2),
    ("withdrawn", 1),
    ("not_accepted", 2),
    ("registered", 2),
    ("merged_registered", 2),
    ("assigned", 3),
    ("reassign_requested", 2),
    ("in_handling", 6),
    ("overdue", 5),
    ("replied", 5),
    ("rehandling", 3),
    ("closed_rehandled", 2),
    ("closed_reassigned", 2),
    ("closed_merged", 3),
    ("closed_separate", 2),
    ("closed_returned_twice", 2),
    ("closed_A", 43),
    ("closed_B", 12),
    ("closed_C", 4),
    ("closed_D", 2),
]
# Paths of suggestions made between meetings (recent); the others were made at the meeting.
BETWEEN = {
    "draft",
    "submitted",
    "returned",
    "withdrawn",
    "registered",
    "merged_registered",
    "assigned",
    "reassign_requested",
}


def run_scenario(world: World, story: Story, name: str) -> None:  # noqa: C901 - one branch per path
    """Play one path (the merged ones are finished together, in `build`)."""
    w, rng, today = world, world.rng, world.today
    opens = w.meeting.opens_on
    assigned_on = opens + dt.timedelta(days=rng.randint(18, 25))
    recent = today - dt.timedelta(days=rng.randint(20, 40))
    satisfied = ("satisfied", "satisfied") if rng.random() < 0.9 else ("basic", "satisfied")

    def handled(story: Story, *, complex_: bool = False, separate: bool = False) -> Story:
        story.draft(opens - dt.timedelta(days=rng.randint(1, 6))).submit(opens + dt.timedelta(days=1))
        story.register(opens + dt.timedelta(days=rng.randint(8, 14)))
        story.assign(assigned_on, complex_=complex_, separate=separate).sign(
            assigned_on + dt.timedelta(days=rng.randint(1, 4))
        )
        story.contact(assigned_on + dt.timedelta(days=rng.randint(5, 12)), "phone", "before")
        if rng.random() < 0.85:
            story.contact(assigned_on + dt.timedelta(days=rng.randint(20, 45)), "face_to_face", "during")
        return story

    def between(story: Story, assigned: dt.date) -> Story:
        """A suggestion made between meetings, assigned on `assigned` and in handling since."""
        story.between = True
        story.draft(assigned - dt.timedelta(days=12)).submit(assigned - dt.timedelta(days=10))
        story.register(assigned - dt.timedelta(days=6)).assign(assigned).sign(assigned + dt.timedelta(days=2))
        story.contact(assigned + dt.timedelta(days=10), "face_to_face", "during")
        return story

    def reply_day() -> dt.date:
        # Most replies come well within three months; about one in twelve is a few days late.
        if rng.random() < 0.08:
            return assigned_on + dt.timedelta(days=rng.randint(93, 100))
        return assigned_on + dt.timedelta(days=rng.randint(45, 88))

    if name == "draft":
        story.draft(today - dt.timedelta(days=rng.randint(1, 6)))
    elif name == "submitted":
        story.draft(today - dt.timedelta(days=6)).submit(today - dt.timedelta(days=rng.randint(1, 4)))
    elif name == "returned":
        story.draft(today - dt.timedelta(days=20)).submit(today - dt.timedelta(days=18))
        with on(today - dt.timedelta(days=15)):
            ps.return_proposal(
                proposal=story.fresh(),
                by=w.staff,
                reason="建议内容较为笼统，请补充所涉小区、道路的具体位置和调研数据后重新提交。",
            )
    elif name == "withdrawn":
        story.draft(today - dt.timedelta(days=30)).submit(today - dt.timedelta(days=29))
        with on(today - dt.timedelta(days=27)):
            ps.withdraw_proposal(
                proposal=story.fresh(), by=login_of(story.lead), note="问题已在代表联络站协调解决，撤回建议。"
            )
    elif name == "not_accepted":
        story.draft(opens - dt.timedelta(days=2)).submit(opens + dt.timedelta(days=1))
        with on(opens + dt.timedelta(days=10)):
            ps.decline_proposal(
                proposal=story.fresh(),
                by=w.staff,
                reason="所提事项属个人具体诉求，不属于代表建议范围，已转区信访局依法处理。",
            )
    elif name in ("registered", "merged_registered"):
        story.draft(today - dt.timedelta(days=12)).submit(today - dt.timedelta(days=10)).register(
            today - dt.timedelta(days=rng.randint(2, 6))
        )
    elif name == "assigned":
        story.draft(recent - dt.timedelta(days=10)).submit(recent - dt.timedelta(days=8)).register(
            recent - dt.timedelta(days=5)
        )
        story.assign(today - dt.timedelta(days=rng.randint(0, 2)))
    elif name == "reassign_requested":
        story.draft(recent - dt.timedelta(days=10)).submit(recent - dt.timedelta(days=8)).register(
            recent - dt.timedelta(days=5)
        )
        day = today - dt.timedelta(days=3)
        story.assign(day)
        assignment = story.fresh().assignments.get(unit=story.lead_unit)
        with on(today - dt.timedelta(days=1), 16):
            hs.request_reassignment(
                assignment=assignment,
                by=w.handlers[story.lead_unit.pk],
                reason=f"经研究，该建议所涉事项主要属于{story.other_unit().name}职责范围，建议调整由其主办。",
                suggested_unit=story.other_unit(),
            )
    elif name == "in_handling":
        # Between-meeting suggestions assigned recently, and complex meeting ones (six months).
        if rng.random() < 0.5:
            between(story, recent - dt.timedelta(days=20))
        else:
            assigned = today - dt.timedelta(days=rng.randint(170, 181))
            story.draft(opens - dt.timedelta(days=3)).submit(opens + dt.timedelta(days=1)).register(
                opens + dt.timedelta(days=10)
            )
            story.assign(assigned, complex_=True).sign(assigned + dt.timedelta(days=2))
            story.contact(assigned + dt.timedelta(days=30), "face_to_face", "during")
        # The first two leave a reply waiting, so the head and staff have something to do.
        waiting = w.made.get("waiting_replies", 0)
        if waiting < 2:
            w.made["waiting_replies"] = waiting + 1
            story.reply(
                today - dt.timedelta(days=1), "已经解决或基本解决", stop_at=("pending_approval", "approved")[waiting]
            )
    elif name == "overdue":
        handled(story)
    elif name == "replied":
        between(story, today - dt.timedelta(days=70)).reply(
            today - dt.timedelta(days=rng.choice([3, 9, 18, 25, 33])), "已经解决或基本解决"
        )
    elif name == "rehandling":
        between(story, today - dt.timedelta(days=100)).reply(today - dt.timedelta(days=40), "列入规划逐步解决")
        story.rate(
            today - dt.timedelta(days=rng.randint(20, 28)),
            "basic",
            "unsatisfied",
            "答复只讲了规划，没有明确具体的推进时间表，问题仍未解决。",
        )
    elif name == "closed_rehandled":
        first = reply_day()
        handled(story).reply(first, "列入规划逐步解决")
        story.rate(
            first + dt.timedelta(days=5), "satisfied", "unsatisfied", "希望明确实施时间，尽快解决群众反映的问题。"
        )
        story.contact(first + dt.timedelta(days=12), "face_to_face", "during")
        story.reply(first + dt.timedelta(days=25), "列入当年计划解决").rate(
            first + dt.timedelta(days=30), "satisfied", "basic"
        )
    elif name == "closed_reassigned":
        story.draft(opens - dt.timedelta(days=2)).submit(opens + dt.timedelta(days=1)).register(
            opens + dt.timedelta(days=9)
        )
        story.assign(assigned_on)
        old_unit = story.lead_unit
        with on(assigned_on + dt.timedelta(days=2), 15):
            request = hs.request_reassignment(
                assignment=story.fresh().assignments.get(unit=old_unit),
                by=w.handlers[old_unit.pk],
                reason="该事项不属于我单位法定职责，建议调整承办单位。",
            )
        story.lead_unit = story.other_unit()
        with on(assigned_on + dt.timedelta(days=4), 11):
            hs.decide_reassignment(
                request=request, by=w.supervision, accept=True, new_unit=story.lead_unit, note="经协调，同意调整。"
            )
        story.sign(assigned_on + dt.timedelta(days=5)).contact(
            assigned_on + dt.timedelta(days=20), "face_to_face", "during"
        )
        day = assigned_on + dt.timedelta(days=rng.randint(50, 80))
        story.reply(day, "已经解决或基本解决").rate(day + dt.timedelta(days=6), *satisfied)
    elif name == "closed_separate":
        day = reply_day()
        handled(story, separate=True).reply(day, "已经解决或基本解决").rate(day + dt.timedelta(days=4), *satisfied)
    elif name == "closed_returned_twice":
        day = reply_day()
        handled(story).reply(day, "列入当年计划解决", head_returns=True, staff_returns=True).rate(
            day + dt.timedelta(days=7), *satisfied
        )
    elif name.startswith("closed_"):
        result = {
            "closed_A": "已经解决或基本解决",
            "closed_B": rng.choice(["列入当年计划解决", "列入规划逐步解决"]),
            "closed_C": "因条件限制暂时难以解决",
            "closed_D": "留作参考",
        }[name]
        day = reply_day()
        handled(story, complex_=rng.random() < 0.05).reply(day, result)
        if rng.random() < 0.3:
            story.contact(day + dt.timedelta(days=3), "phone", "after")
        grade = satisfied if result.startswith("已经") or rng.random() < 0.7 else ("satisfied", "basic")
        story.rate(
            min(day + dt.timedelta(days=rng.randint(2, 12)), today),
            *grade,
            paper=w.made.get("paper", 0) == 0 and name == "closed_A",
        )
        if name == "closed_A":
            w.made["paper"] = 1
    else:  # pragma: no cover
        raise ValueError(name)


def build(world: World, log: Callable[[str], None]) -> None:
    """Every suggestion of this year's meeting, from its draft to where its path ends."""
    items = list(content.SUGGESTIONS)
    world.rng.shuffle(items)
    # The demo deputy leads one suggestion of several paths, so their phone shows every kind.
    showcase = {"draft", "returned", "assigned", "in_handling", "replied", "rehandling", "closed_A", "closed_B"}
    lead_cycle = [d for d in world.deputies if login_of(d).username != "deputy"]
    demo_deputy = world.deputies[0]
    queue: list[tuple[str, SuggestionText]] = []
    for name, count in SCENARIOS:
        for index in range(count):
            item = items.pop()
            if name == "in_handling" and index < 2:
                # The replies left waiting belong to 区教育局, whose people are the short demo logins.
                swap = next((i for i, other in enumerate(items) if other["lead_unit"] == "区教育局"), None)
                if swap is not None:
                    items[swap], item = item, items[swap]
            queue.append((name, item))
    assert not items, "SCENARIOS must use every suggestion of the content file exactly once"

    merged_groups: dict[str, list[Story]] = {"merged_registered": [], "closed_merged": []}
    shown: set[str] = set()
    for index, (name, item) in enumerate(queue):
        lead = lead_cycle[index % len(lead_cycle)]
        if name in showcase and name not in shown:
            lead = demo_deputy
            shown.add(name)
        story = Story(world, item, lead, between=name in BETWEEN)
        story.scenario = name
        if name == "closed_merged":
            # Registered now, merged and handled together once the whole group is registered.
            opens = world.meeting.opens_on
            story.draft(opens - dt.timedelta(days=3)).submit(opens + dt.timedelta(days=1)).register(
                opens + dt.timedelta(days=11)
            )
            merged_groups[name].append(story)
            continue
        run_scenario(world, story, name)
        if name == "merged_registered":
            merged_groups[name].append(story)

    today = world.today
    pending = merged_groups["merged_registered"]
    with on(today - dt.timedelta(days=1), 16):
        ps.merge_proposals(
            main=pending[0].fresh(),
            members=[s.fresh() for s in pending[1:]],
            by=world.staff,
            note="两件建议均反映同一路段交通安全问题，并案办理。",
        )
    group = merged_groups["closed_merged"]
    opens = world.meeting.opens_on
    main = group[0]
    with on(opens + dt.timedelta(days=12), 15):
        ps.merge_proposals(
            main=main.fresh(),
            members=[s.fresh() for s in group[1:]],
            by=world.staff,
            note="三件建议内容相近，并案办理，分别答复。",
        )
    assigned_on = opens + dt.timedelta(days=20)
    main.assign(assigned_on).sign(assigned_on + dt.timedelta(days=2))
    for story in group:
        story.contact(assigned_on + dt.timedelta(days=15), "face_to_face", "during")
    main.reply(assigned_on + dt.timedelta(days=70), "列入当年计划解决")
    for story in group:
        story.rate(assigned_on + dt.timedelta(days=75), "satisfied", "satisfied")
    show_deputy_phone(world)
    show_rating_safety_net(world)
    log(f"  建议 {Proposal.objects.filter(meeting=world.meeting).count()} 件，覆盖全部状态和办理路径")


# --- what the demo deputy's phone shows beyond the paths -------------------------------------------


def show_rating_safety_net(world: World) -> None:
    """Two ratings still within their change window (RATING_CHANGE_WORKDAYS): one given
    yesterday (不满意, waiting to send the reply to re-handling), one given two days ago and
    changed yesterday. The demo deputy's own replied suggestion stays unrated for the phone."""
    today, demo = world.today, world.deputies[0]
    replied = (
        Proposal.objects.filter(meeting=world.meeting, state="replied")
        .exclude(lead_deputy=demo)
        .exclude(lead_deputy__user=None)
        .order_by("pk")
    )
    waiting = [
        reply
        for proposal in replied
        for reply in Reply.objects.filter(assignment__proposal=proposal, state="issued", rating__isnull=True)[:1]
    ]
    if len(waiting) < 2:
        return
    first, second = waiting[:2]
    with on(today - dt.timedelta(days=1), 20):
        hs.rate_reply(
            reply=first,
            by=login_of(first.assignment.proposal.lead_deputy),
            attitude="basic",
            result="unsatisfied",
            comment="答复只讲了原则，没有具体时间表和责任人。",
        )
    deputy = login_of(second.assignment.proposal.lead_deputy)
    with on(today - dt.timedelta(days=2), 21):
        rating = hs.rate_reply(
            reply=second, by=deputy, attitude="satisfied", result="unsatisfied", comment="尚未看到落实。"
        )
    with on(today - dt.timedelta(days=1), 8):
        hs.change_rating(
            rating=rating,
            by=deputy,
            attitude="satisfied",
            result="satisfied",
            comment="与承办单位沟通后了解清楚，改为满意。",
        )


def show_deputy_phone(world: World) -> None:
    """An invitation to co-sign waiting for the demo deputy's answer; questions to units about
    their draft before submitting (one answered, one waiting for 区教育局, whose handler is the
    `handler` login); and a co-signer's comment on a reply waiting for their rating."""
    demo, today = world.deputies[0], world.today
    drafts = Proposal.objects.filter(meeting=world.meeting, state="draft").order_by("pk")
    theirs = drafts.exclude(lead_deputy=demo).exclude(cosignatures__deputy=demo).first()
    if theirs is not None:
        with on(today, 9):
            ps.invite_cosigners(proposal=theirs, deputies=[demo], by=login_of(theirs.lead_deputy))
    mine = drafts.filter(lead_deputy=demo).first()
    education = world.units.get("区教育局")
    if mine is not None:
        asked = next(u for u in world.units.values() if u != education and u.kind == "government")
        with on(today - dt.timedelta(days=3), 10):
            question = hs.ask_unit_before_submission(
                proposal=mine,
                unit=asked,
                question="这件事贵单位目前是否已有安排？建议中提出的措施是否可行，需要补充哪些情况？",
                by=login_of(demo),
            )
        with on(today - dt.timedelta(days=2), 16):
            hs.answer_draft_question(
                question=question,
                answer="我们已将该事项列入明年工作计划调研范围。建议补充具体位置和涉及人数，便于测算投入。",
                by=world.handlers[asked.pk],
            )
        if education is not None and education != asked:
            with on(today, 8):
                hs.ask_unit_before_submission(
                    proposal=mine, unit=education, question="这项建议是否也涉及教育部门的职责？", by=login_of(demo)
                )
    replied = Proposal.objects.filter(lead_deputy=demo, state="replied").first()
    if replied is not None:
        reply = replied.assignments.filter(replies__state="issued").first()
        signature = replied.cosignatures.filter(status="confirmed").select_related("deputy__user").first()
        if reply is not None and signature is not None:
            with on(today, 12):
                hs.comment_on_reply(
                    reply=reply.replies.get(state="issued"),
                    by=login_of(signature.deputy),
                    body="答复中提到的措施请明确完成时间，我们会持续关注。",
                )
