"""A crafted year whose every figure is known in advance, built through the real services at
chosen dates (time-machine), so each history is what the app itself would have written.

The year 2025, one meeting, seen on 31 December 2025 (`AS_OF`). Twenty registered suggestions
and four that never were (a draft, one withdrawn, one not accepted, one waiting for review):

name   category  source    channel  units                   what happened
reg1   W         personal  between  —                       registered only
asg1   Z         personal  between  U2 (2025-11-20)         assigned, not due yet
hnd1   Y         fieldwork meeting  U1                      no reply, deadline passed (overdue)
rep1   X         fieldwork between  U1                      A on time, not rated        f2f
rep2   X         fieldwork meeting  U1                      A late, not rated           phone
reh1   Y         fieldwork meeting  U2                      B2, 基本满意/不满意 → re-handling (overdue)  f2f, key
c1     X         fieldwork meeting  U1 + co U4              A on time, 满意/满意          f2f, key
c2, c3 X         fieldwork meeting  U1                      A late, 满意/满意             phone
c4     X         fieldwork meeting  U1                      A on time, 满意/满意          f2f
c5, c6 X         fieldwork meeting  U1 (merged, c5 main)    A on time, 满意/满意 each     f2f each
c7     Y         fieldwork between  U2                      A on time, 满意/满意          f2f
c8, c9 Y         fieldwork meeting  U2                      A on time, 满意/基本满意        phone
c10    Y         fieldwork meeting  U2 + co U4              B1 on time, 满意/满意         f2f
c11    Z         fieldwork meeting  U3                      C, 满意/不满意, then B1, 满意/基本满意 (second stands)  f2f
c12    Z         personal  meeting  U3                      B2, 满意/基本满意              phone
c13    Z         personal  meeting  U1 and U2 separately    U1 A 满意/满意, U2 C 满意/基本满意 → C, 基本满意  f2f
c14    W         personal  meeting  U5 → re-assigned to U2  D, on time by U2's deadline, 满意/满意  disputed contact

So (see tests/reports/test_figures.py): registered 20 (X 8, Y 6, Z 4, W 2); assigned 19;
replied 17; done 16; rated 15; due 18, on time 14; contacted 17, face to face 10.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.utils import timezone

from deputies.models import Role
from handling import services as hs
from handling.models import Assignment, ContactRecord, Reply, ResultCategory, Unit
from proposals import services as ps
from proposals.models import Category, Meeting, Proposal, Source
from supervision.models import KeyItem
from tests import factories as f

YEAR = 2025
OPENS = dt.date(2025, 1, 10)
ASSIGNED = dt.date(2025, 2, 1)  # deadline 2025-05-01
ON_TIME = dt.date(2025, 4, 1)
LATE = dt.date(2025, 5, 20)
RATED = dt.date(2025, 4, 10)
AS_OF = dt.date(2025, 12, 31)


@contextmanager
def on(day: dt.date, hour: int = 10) -> Iterator[None]:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    with time_machine.travel(moment, tick=False):
        yield


@dataclass
class Crafted:
    meeting: Meeting
    staff: Any
    leader: Any
    units: dict[str, Unit]
    handlers: dict[str, Any]
    heads: dict[str, Any]
    categories: dict[str, Category]
    sources: dict[str, Source]
    results: dict[str, ResultCategory]
    proposals: dict[str, Proposal] = field(default_factory=dict)

    def p(self, name: str) -> Proposal:
        proposal = self.proposals[name]
        proposal.refresh_from_db()
        return proposal


def _unit_people(code: str, name: str) -> tuple[Unit, Any, Any]:
    unit = f.UnitFactory(name=name, short_name=name.removeprefix("区"))
    handler = f.UnitMemberFactory(user=f.UserFactory(username=f"h_{code}", role=Role.UNIT_HANDLER), unit=unit).user
    head = f.UnitMemberFactory(user=f.UserFactory(username=f"hd_{code}", role=Role.UNIT_HEAD), unit=unit).user
    return unit, handler, head


def build() -> Crafted:  # noqa: C901 - the table above, row by row
    term = f.TermFactory(number=17, name="第十七届", start_year=2022)
    meeting = f.MeetingFactory(
        term=term,
        number=4,
        name="十七届人大四次会议",
        year=YEAR,
        opens_on=OPENS,
        closes_on=OPENS + dt.timedelta(days=3),
    )
    staff = f.UserFactory(username="c_staff", role=Role.STAFF, full_name="周工作")
    leader = f.UserFactory(username="c_leader", role=Role.LEADER, full_name="刘领导")
    units, handlers, heads = {}, {}, {}
    for code, name in (
        ("U1", "区教育局"),
        ("U2", "区交通运输局"),
        ("U3", "区农业农村局"),
        ("U4", "区财政局"),
        ("U5", "区民政局"),
    ):
        units[code], handlers[code], heads[code] = _unit_people(code, name)
    categories = {
        code: f.CategoryFactory(name=name)
        for code, name in (("X", "教科文卫体"), ("Y", "交通邮电"), ("Z", "农林水利"), ("W", "财政金融"))
    }
    sources = {
        "fieldwork": Source.objects.create(name="专题调研", is_fieldwork=True, order=1),
        "personal": Source.objects.create(name="个人调查了解", is_fieldwork=False, order=2),
    }
    results = {
        "A": f.ResultCategoryFactory(name="已经解决或基本解决", result_class="A", order=1),
        "B1": f.ResultCategoryFactory(name="列入当年计划解决", result_class="B", order=2),
        "B2": f.ResultCategoryFactory(name="列入规划逐步解决", result_class="B", order=3),
        "C": f.ResultCategoryFactory(name="因条件限制暂时难以解决", result_class="C", order=4),
        "D": f.ResultCategoryFactory(name="留作参考", result_class="D", order=5),
    }
    c = Crafted(meeting, staff, leader, units, handlers, heads, categories, sources, results)
    delegation = f.DelegationFactory(name="城关代表团")

    def draft(name: str, category: str, source: str = "fieldwork", channel: str = "meeting") -> Proposal:
        deputy = f.DeputyFactory(
            name=f"代表{name}", delegation=delegation, user=f.UserFactory(username=f"d_{name}", role=Role.DEPUTY)
        )
        with on(OPENS - dt.timedelta(days=2), 9):
            proposal = ps.create_draft(
                lead_deputy=deputy,
                meeting=meeting,
                title=f"关于{name}事项的建议",
                body=f"{name}的建议正文。",
                by=deputy.user,
                channel=channel,
                category=categories[category],
                source=sources[source],
            )
        c.proposals[name] = proposal
        return proposal

    def submit(name: str) -> None:
        p = c.p(name)
        with on(OPENS + dt.timedelta(days=1)):
            ps.submit_proposal(proposal=p, by=p.lead_deputy.user)

    def register(name: str) -> None:
        submit(name)
        with on(OPENS + dt.timedelta(days=8)):
            ps.register_proposal(proposal=c.p(name), by=staff)

    def assign(
        name: str, lead: str | None = None, co: tuple[str, ...] = (), separate: tuple[str, ...] = (), day=ASSIGNED
    ):
        with on(day, 14):
            hs.assign_proposal(
                proposal=c.p(name),
                by=staff,
                lead_unit=units[lead] if lead else None,
                co_units=[units[u] for u in co],
                separate_units=[units[u] for u in separate],
            )

    def sign(name: str, day=ASSIGNED + dt.timedelta(days=1)) -> None:
        for a in c.p(name).assignments.filter(is_active=True).select_related("unit").order_by("pk"):
            code = next(k for k, u in units.items() if u.pk == a.unit_id)
            with on(day, 9):
                hs.sign_assignment(assignment=a, by=handlers[code])

    def contact(name: str, kind: str, unit: str, day=dt.date(2025, 2, 20)) -> ContactRecord:
        a = c.p(name).assignments.get(unit=units[unit], is_active=True)
        with on(day, 15):
            return hs.record_contact(
                assignment=a,
                by=handlers[unit],
                kind=kind,
                stage="during",
                contact_date=day,
                people="代表、科长",
                summary="沟通办理",
            )

    def reply(name: str, unit: str, result: str, day: dt.date) -> Reply:
        a = c.p(name).assignments.get(unit=units[unit], is_active=True)
        with on(day, 9):
            klass = results[result].result_class
            r = hs.save_reply_draft(
                assignment=a,
                by=handlers[unit],
                result_category=results[result],
                body=f"{name}的答复正文。",
                signer="局长",
                # What each class of letter must state (the rules for the reply letter).
                promised_items="明年完成改造。" if klass == "B" else "",
                promised_by=day + dt.timedelta(days=180) if klass == "B" else None,
                not_adopted_reason="受条件限制。" if klass in "CD" else "",
            )
            for co_assignment in c.p(name).assignments.filter(is_active=True, role="co"):
                code = next(k for k, u in units.items() if u.pk == co_assignment.unit_id)
                hs.countersign_reply(reply=r, by=handlers[code], agrees=True)
            hs.submit_reply(reply=r, by=handlers[unit])
            hs.approve_reply(reply=r, by=heads[unit])
            hs.issue_reply(reply=Reply.objects.get(pk=r.pk), by=staff)
        return Reply.objects.get(pk=r.pk)

    def rate(name: str, unit: str, attitude: str, result: str, day=RATED) -> None:
        p = c.p(name)
        r = (
            Reply.objects.filter(assignment__proposal=p, assignment__unit=units[unit], state="issued")
            .order_by("-round")
            .first()
        )
        with on(day, 20):
            hs.rate_reply(
                final=True,
                reply=r,
                by=p.lead_deputy.user,
                attitude=attitude,
                result=result,
                comment="不满意的理由" if "unsatisfied" in (attitude, result) else "",
            )

    def handled(
        name: str,
        category: str,
        unit: str,
        result: str,
        *,
        day=ON_TIME,
        channel="meeting",
        source="fieldwork",
        kind="phone",
        co=(),
        rating=("satisfied", "satisfied"),
    ) -> None:
        draft(name, category, source, channel)
        register(name)
        assign(name, unit, co=co)
        sign(name)
        if kind:
            contact(name, kind, unit)
        reply(name, unit, result, day)
        if rating:
            rate(name, unit, *rating, day=max(RATED, day + dt.timedelta(days=2)))

    # never registered
    draft("draft", "X")
    draft("withdrawn", "X")
    submit("withdrawn")
    with on(OPENS + dt.timedelta(days=2)):
        ps.withdraw_proposal(proposal=c.p("withdrawn"), by=c.p("withdrawn").lead_deputy.user)
    draft("declined", "Y")
    submit("declined")
    with on(OPENS + dt.timedelta(days=5)):
        ps.decline_proposal(proposal=c.p("declined"), by=staff, reason="属个人诉求")
    draft("submitted", "Z")
    submit("submitted")

    # registered
    draft("reg1", "W", "personal", "between")
    register("reg1")
    draft("asg1", "Z", "personal", "between")
    register("asg1")
    assign("asg1", "U2", day=dt.date(2025, 11, 20))
    draft("hnd1", "Y")
    register("hnd1")
    assign("hnd1", "U1")
    sign("hnd1")
    contact("hnd1", "phone", "U1")

    handled("rep1", "X", "U1", "A", channel="between", kind="face_to_face", rating=None)
    handled("rep2", "X", "U1", "A", day=LATE, rating=None)
    handled("reh1", "Y", "U2", "B2", kind="face_to_face", rating=("basic", "unsatisfied"))

    handled("c1", "X", "U1", "A", kind="face_to_face", co=("U4",))
    handled("c2", "X", "U1", "A", day=LATE)
    handled("c3", "X", "U1", "A", day=LATE)
    handled("c4", "X", "U1", "A", kind="face_to_face")
    # c5 and c6: merged, handled as one, each rated by its own deputy
    draft("c5", "X")
    draft("c6", "X")
    register("c5")
    register("c6")
    with on(OPENS + dt.timedelta(days=12)):
        ps.merge_proposals(main=c.p("c5"), members=[c.p("c6")], by=staff, note="内容相近")
    assign("c5", "U1")
    sign("c5")
    contact("c5", "face_to_face", "U1")
    contact("c6", "face_to_face", "U1")
    reply("c5", "U1", "A", ON_TIME)
    rate("c5", "U1", "satisfied", "satisfied")
    rate("c6", "U1", "satisfied", "satisfied")

    handled("c7", "Y", "U2", "A", channel="between", kind="face_to_face")
    handled("c8", "Y", "U2", "A", rating=("satisfied", "basic"))
    handled("c9", "Y", "U2", "A", rating=("satisfied", "basic"))
    handled("c10", "Y", "U2", "B1", kind="face_to_face", co=("U4",))
    # c11: unsatisfied, re-handled, the second rating stands
    handled("c11", "Z", "U3", "C", kind="face_to_face", rating=("satisfied", "unsatisfied"))
    reply("c11", "U3", "B1", dt.date(2025, 5, 5))
    rate("c11", "U3", "satisfied", "basic", day=dt.date(2025, 5, 10))
    handled("c12", "Z", "U3", "B2", source="personal", rating=("satisfied", "basic"))
    # c13: two units answer separately; the suggestion counts as its worst part
    draft("c13", "Z", "personal")
    register("c13")
    assign("c13", separate=("U1", "U2"))
    sign("c13")
    contact("c13", "face_to_face", "U1")
    reply("c13", "U1", "A", ON_TIME)
    reply("c13", "U2", "C", ON_TIME)
    rate("c13", "U1", "satisfied", "satisfied")
    rate("c13", "U2", "satisfied", "basic")
    # c14: re-assigned from U5 to U2; only the active assignment's deadline counts
    draft("c14", "W", "personal")
    register("c14")
    assign("c14", "U5")
    with on(dt.date(2025, 2, 3), 15):
        request = hs.request_reassignment(
            assignment=c.p("c14").assignments.get(unit=units["U5"]), by=handlers["U5"], reason="不属于本单位职责"
        )
    with on(dt.date(2025, 2, 4), 11):
        hs.decide_reassignment(request=request, by=staff, accept=True, new_unit=units["U2"], note="同意")
    sign("c14", day=dt.date(2025, 2, 5))
    disputed = contact("c14", "phone", "U2")
    ContactRecord.objects.filter(pk=disputed.pk).update(deputy_response=ContactRecord.DeputyResponse.DISPUTED)
    reply("c14", "U2", "D", dt.date(2025, 5, 3))
    rate("c14", "U2", "satisfied", "satisfied", day=dt.date(2025, 5, 6))

    key = KeyItem.objects.create(year=YEAR, title="义务教育优质均衡发展", leader=leader, created_by=staff)
    key.proposals.add(c.p("c1"), c.p("reh1"))
    assert Assignment.objects.filter(unit=units["U5"], is_active=False).exists()
    return c
