"""The previous year's meeting of the same term in the demo, so that everything "across
years" has something to show: the follow-up list of open promises (last year's overdue ones
first), the year selectors of the dashboard and the annual report, the public page's years.

24 suggestions made at that meeting, about 365 days before the current one, told as stories
(`demo.story.Story`) like this year's. All are closed now (A 14, B 7, C 2, D 1; one after
re-handling). Of the seven B-class promises, four were kept (reported done and confirmed by
staff) and three are still open: two past their promised month (one of them with progress
reports), one not due yet. Its key item and its annual report's chapters are the supervision
and reports parts' (`build_last_year` in each).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from demo.content.suggestions_prev import SUGGESTIONS
from demo.content.text import SuggestionText
from demo.story import Story
from demo.world import World, login_of, meeting_name, month_end, on
from deputies.models import Deputy
from proposals.models import Meeting, Proposal
from supervision import services as sv
from supervision.models import Promise

RESULTS = {
    "A": "已经解决或基本解决",
    "B": "列入当年计划解决",
    "C": "因条件限制暂时难以解决",
    "D": "留作参考",
}

# What became of each B-class promise (by a word of the suggestion's title).
FATES = {
    "检查检验": "kept",
    "湖滨路": "overdue_reported",
    "粮食烘干": "rehandled_kept",
    "人才公寓": "not_due",
    "低效闲置": "kept",
    "二次供水": "kept",
    "不动产权证": "overdue_silent",
}
# The demo deputy leads these, so their phone shows last year's suggestions too.
DEMO_DEPUTY_LEADS = ("户外广告", "湖滨路", "二次供水")
# Suggestions whose unit never recorded a contact (the others have one or two).
NO_CONTACT = ("户外广告", "菜市场", "养老保险")

PROGRESS = [
    "工程已完成施工图设计和招标，施工单位已进场，正在进行沿线管线迁改。",
    "供水、燃气管线迁改已完成约七成，东段路面“白改黑”已完工并恢复通行。",
    "受地下通信管线迁改滞后影响，西段施工进度滞后，已提请区政府专题协调。",
    "西段管线迁改已完成，正在抓紧摊铺沥青路面和铺设人行道，预计两个月内全线完工。",
]


def previous_meeting(current: Meeting) -> Meeting | None:
    """The same term's meeting a year before `current` (made if missing); None for a term's first."""
    if current.number <= 1:
        return None
    year = current.year - 1
    opens = current.opens_on - dt.timedelta(days=365)
    if opens.year != year:  # the current one opened on 31 December of a leap year
        opens -= dt.timedelta(days=1)
    meeting, _ = Meeting.objects.get_or_create(
        term=current.term,
        number=current.number - 1,
        defaults={
            "name": meeting_name(current.term.number, current.number - 1),
            "year": year,
            "opens_on": opens,
            "closes_on": opens + dt.timedelta(days=3),
        },
    )
    return meeting


class LastYearStory(Story):
    """A story whose B-class replies promise the month chosen for its fate (the one its plan
    text names)."""

    def __init__(self, world: World, item: SuggestionText, lead: Deputy, promised_by: dt.date) -> None:
        super().__init__(world, item, lead, between=False)
        self.scenario = f"prev_{item['result']}"
        self.promised_by = promised_by

    def promise_date(self, day: dt.date) -> dt.date:
        return self.promised_by


def _fate(item: SuggestionText) -> str:
    return next((fate for word, fate in FATES.items() if word in item["title"]), "")


def _promised_by(world: World, fate: str) -> dt.date:
    opens, today = world.meeting.opens_on, world.today
    return {
        "overdue_reported": month_end(today - dt.timedelta(days=75)),
        "overdue_silent": month_end(today - dt.timedelta(days=150)),
        "not_due": month_end(today + dt.timedelta(days=220)),
    }.get(fate) or month_end(opens + dt.timedelta(days=world.rng.choice([240, 270, 300, 330])))


def _play(world: World, story: LastYearStory, fate: str) -> dt.date:
    """One suggestion from the draft to its closing; returns the day its (last) reply was issued."""
    rng, opens = world.rng, world.meeting.opens_on
    assigned_on = opens + dt.timedelta(days=rng.randint(18, 25))
    story.draft(opens - dt.timedelta(days=rng.randint(1, 6))).submit(opens + dt.timedelta(days=1))
    story.register(opens + dt.timedelta(days=rng.randint(8, 14)))
    story.assign(assigned_on).sign(assigned_on + dt.timedelta(days=rng.randint(1, 4)))
    if not any(word in story.item["title"] for word in NO_CONTACT):
        story.contact(assigned_on + dt.timedelta(days=rng.randint(5, 12)), "phone", "before")
        if rng.random() < 0.8:
            story.contact(assigned_on + dt.timedelta(days=rng.randint(20, 45)), "face_to_face", "during")
    day = assigned_on + dt.timedelta(days=rng.randint(45, 88))
    klass = story.item["result"]
    if fate == "rehandled_kept":
        story.reply(day, "列入规划逐步解决")
        _sync(day)
        story.rate(
            day + dt.timedelta(days=5),
            "satisfied",
            "unsatisfied",
            "答复只说列入规划，没有明确烘干中心的建设时间，今年秋收晒粮难的问题仍然没有解决。",
        )
        story.contact(day + dt.timedelta(days=12), "face_to_face", "during")
        day += dt.timedelta(days=25)
        story.reply(day, RESULTS["B"]).rate(day + dt.timedelta(days=6), "satisfied", "satisfied")
        _sync(day)
        return day
    # A promise for the years ahead is a plan to solve it step by step (列入规划逐步解决).
    story.reply(day, "列入规划逐步解决" if fate == "not_due" else RESULTS[klass])
    if klass == "B":
        _sync(day)
    if rng.random() < 0.25:
        story.contact(day + dt.timedelta(days=3), "phone", "after")
    grade = {
        "A": ("satisfied", "satisfied") if rng.random() < 0.85 else ("basic", "satisfied"),
        "B": ("satisfied", "satisfied") if rng.random() < 0.7 else ("satisfied", "basic"),
        "C": ("satisfied", "basic"),
        "D": ("basic", "basic"),
    }[klass]
    story.rate(day + dt.timedelta(days=rng.randint(2, 12)), *grade)
    return day


def _sync(day: dt.date) -> None:
    """The evening's scan puts the day's B-class replies on the follow-up list."""
    with on(day, 20):
        sv.sync_promises(day)


def _follow_up(world: World, proposal: Proposal, fate: str) -> int:
    """What the unit and staff did about the promise since; returns the progress reports made."""
    promise = Promise.objects.get(proposal=proposal, state=Promise.State.OPEN)
    handler = world.handlers[promise.unit_id]
    today, made = world.today, 0
    if fate == "overdue_reported":
        days = [promise.replied_on + dt.timedelta(days=n) for n in (60, 150, 240)] + [today - dt.timedelta(days=20)]
        for body, day in zip(PROGRESS, days, strict=True):
            with on(day, 16):
                sv.report_promise_progress(promise=promise, by=handler, body=body)
            made += 1
    elif fate in ("kept", "rehandled_kept"):
        assert promise.promised_by is not None  # the promises followed here are dated
        with on(promise.replied_on + dt.timedelta(days=60), 16):
            sv.report_promise_progress(
                promise=promise, by=handler, body="承诺事项已列入年度计划，资金已落实，正在按时间节点推进。"
            )
        with on(promise.promised_by - dt.timedelta(days=20), 16):
            sv.report_promise_progress(
                promise=promise, by=handler, body="承诺事项已全部完成，已邀请领衔代表现场察看并确认。", done=True
            )
        with on(promise.promised_by - dt.timedelta(days=12), 10):
            sv.confirm_promise(promise=promise, by=world.staff, note="经现场核实，承诺事项已落实。")
        made += 2
    return made


def world_before(current: World) -> World | None:
    """Last year's world: the same people and units at the term's previous meeting, with a
    random sequence of its own; None if there is no such meeting or it is already built."""
    meeting = previous_meeting(current.meeting)
    if meeting is None or Proposal.objects.filter(meeting=meeting).exists():
        return None
    return dataclasses.replace(current, meeting=meeting, rng=random.Random(2025), made={})


def build(world: World) -> int:
    """Its suggestions, each played to its closing, and what became of their promises since;
    returns how many progress reports the units made on those promises."""
    others = [d for d in world.deputies if login_of(d).username != "deputy"]
    leads = world.rng.sample(others, k=len(SUGGESTIONS))
    followed: list[tuple[Proposal, str]] = []
    for raw, lead in zip(SUGGESTIONS, leads, strict=True):
        fate = _fate(raw)
        promised_by = _promised_by(world, fate)
        item: SuggestionText = {**raw, "plan": raw["plan"].format(by=f"{promised_by.year}年{promised_by.month}月底")}
        if any(word in item["title"] for word in DEMO_DEPUTY_LEADS):
            lead = world.deputies[0]
        story = LastYearStory(world, item, lead, promised_by)
        _play(world, story, fate)
        if fate:
            followed.append((story.fresh(), fate))
    return sum(_follow_up(world, proposal, fate) for proposal, fate in followed)


def summary(world: World, *, progress_reports: int, key_items: int) -> str:
    """The line seed_demo prints about last year's meeting."""
    meeting = world.meeting
    promises = Promise.objects.filter(proposal__meeting=meeting)
    still_open = promises.filter(state__in=Promise.OPEN_STATES)
    return (
        f"  上一年度（{meeting.name}）：建议 {Proposal.objects.filter(meeting=meeting).count()} 件，"
        f"已办结 {Proposal.objects.filter(meeting=meeting, state='closed').count()} 件；"
        f"跟踪落实承诺 {promises.exclude(state=Promise.State.SUPERSEDED).count()} 项"
        f"（已落实 {promises.filter(state=Promise.State.KEPT).count()} 项，未落实 {still_open.count()} 项，"
        f"其中逾期 {still_open.filter(promised_by__lt=world.today).count()} 项；进展报告 {progress_reports} 次），"
        f"重点督办 {key_items} 项"
    )
