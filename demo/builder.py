"""The demo: one district congress meeting's worth of suggestions in every state, built by
running the real services at past dates (so every event, deadline and notification is what
the app itself would have written), and a login for every role.

Dates are anchored to the day the demo is built: the meeting opened about 200 days earlier,
so meeting suggestions have had their replies (or are overdue), while suggestions made
between meetings are still being reviewed, assigned and handled.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import time_machine
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from demo import content
from demo.accounts import MAIN_LOGINS, PASSWORD  # noqa: F401  (re-exported for the command)
from deputies.models import Delegation, Deputy, Role, SpecialCommittee, Term, User
from handling import services as hs
from handling.models import Assignment, ContactRecord, ResultCategory, Unit, UnitMember
from proposals import services as ps
from proposals.models import Category, CoSignature, Meeting, Notification, Proposal, ProposalAttachment, Source

CHINESE_NUMBERS = "〇一二三四五六七八九十"

RESULT_CATEGORIES = [
    ("已经解决或基本解决", "A", 1),
    ("列入当年计划解决", "B", 2),
    ("列入规划逐步解决", "B", 3),
    ("因条件限制暂时难以解决", "C", 4),
    ("留作参考", "D", 5),
]
COMMITTEES = ["法制委员会", "财政经济委员会", "教育科学文化卫生委员会", "农业与农村委员会", "城乡建设环境保护委员会"]

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


@dataclass
class World:
    today: dt.date
    meeting: Meeting
    staff: User
    supervision: User
    deputies: list[Deputy]
    units: dict[str, Unit]
    handlers: dict[int, User]
    heads: dict[int, User]
    results: dict[str, ResultCategory]
    rng: random.Random
    made: dict[str, int] = field(default_factory=dict)


@contextmanager
def on(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Run the services as if it were `day` at `hour` o'clock local time."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    with time_machine.travel(moment, tick=False):
        yield


def named_month_end(text: str) -> dt.date | None:
    """The end of the last month a text names as “YYYY年M月”, or None."""
    found = re.findall(r"(20\d\d)年(\d{1,2})月", text)
    if not found:
        return None
    return month_end(dt.date(int(found[-1][0]), int(found[-1][1]), 1))


def retimed(plan: str, promised_by: dt.date | None) -> str:
    """The plan text with its last named month moved to the promised one, so a letter never
    promises a month already past when it was written."""
    named = named_month_end(plan)
    if promised_by is None or named is None or named == promised_by:
        return plan
    head, _sep, tail = plan.rpartition(f"{named.year}年{named.month}月")
    return f"{head}{promised_by.year}年{promised_by.month}月{tail}"


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def meeting_name(term: int, number: int) -> str:
    return (
        f"十{CHINESE_NUMBERS[term - 10]}届人大{CHINESE_NUMBERS[number]}次会议"
        if term > 10
        else f"第{term}届人大第{number}次会议"
    )


# --- reference data and people ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # One hash for every demo account: hashing ~110 passwords one by one takes half a minute.
    return make_password(PASSWORD)


def _user(username: str, role: str, full_name: str, **extra: Any) -> User:
    user, _created = User.objects.get_or_create(
        username=username, defaults={"role": role, "full_name": full_name, "password": _password_hash(), **extra}
    )
    return user


def build_reference(today: dt.date) -> World:
    opens = today - dt.timedelta(days=200)
    term, _ = Term.objects.get_or_create(
        number=17, defaults={"name": "第十七届", "start_year": opens.year - 4, "end_year": opens.year + 1}
    )
    number = max(1, min(9, opens.year - term.start_year + 1))
    meeting, _ = Meeting.objects.get_or_create(
        term=term,
        number=number,
        defaults={
            "name": meeting_name(term.number, number),
            "year": opens.year,
            "opens_on": opens,
            "closes_on": opens + dt.timedelta(days=3),
        },
    )
    for order, name in enumerate(content.CATEGORIES, 1):
        Category.objects.get_or_create(name=name, defaults={"order": order})
    for order, (name, fieldwork) in enumerate(content.SOURCES, 1):
        Source.objects.get_or_create(name=name, defaults={"order": order, "is_fieldwork": fieldwork})
    results = {}
    for name, result_class, order in RESULT_CATEGORIES:
        results[name], _ = ResultCategory.objects.get_or_create(
            name=name, defaults={"result_class": result_class, "order": order}
        )
    committees = {}
    for order, name in enumerate(COMMITTEES, 1):
        committees[name], _ = SpecialCommittee.objects.get_or_create(name=name, defaults={"order": order})
    for order, name in enumerate(content.DELEGATIONS, 1):
        Delegation.objects.get_or_create(name=name, defaults={"order": order})

    _user("admin", Role.ADMIN, "系统管理员", is_staff=True, is_superuser=True)
    staff = _user("staff", Role.STAFF, "周晓岚", title="代表工作委员会副主任", is_staff=True)
    _user("staff2", Role.STAFF, "陈立新", title="代表工作委员会科员", is_staff=True)
    supervision = _user("supervision", Role.SUPERVISION, "马国栋", title="区政府办公室督查室主任")
    _user("leader", Role.LEADER, "刘振华", title="区人大常委会副主任")
    _user("leader2", Role.LEADER, "宋文杰", title="副区长")
    _user(
        "committee",
        Role.COMMITTEE,
        "林雅琴",
        title="教科文卫委员会副主任委员",
        committee=committees["教育科学文化卫生委员会"],
    )

    units, handlers, heads = {}, {}, {}
    for order, row in enumerate(content.UNITS, 1):
        unit, _ = Unit.objects.get_or_create(
            name=row["name"], defaults={"short_name": row["short_name"], "kind": row["kind"], "order": order}
        )
        units[unit.name] = unit
    # The education bureau and the housing bureau get the short demo logins.
    special = {"区教育局": ("handler", "head"), "区住房和城乡建设局": ("handler2", "head2")}
    for index, unit in enumerate(units.values(), 1):
        handler_name, head_name = special.get(unit.name, (f"handler{index:02d}", f"head{index:02d}"))
        short = unit.short_name or unit.name
        handler = _user(handler_name, Role.UNIT_HANDLER, f"{short}承办人{index:02d}", title=f"{unit.name}办公室科员")
        head = _user(head_name, Role.UNIT_HEAD, f"{short}负责人{index:02d}", title=f"{unit.name}主要负责人")
        for person in (handler, head):
            UnitMember.objects.get_or_create(user=person, defaults={"unit": unit})
        handlers[unit.pk], heads[unit.pk] = handler, head

    deputies = []
    delegations = {d.name: d for d in Delegation.objects.all()}
    for index, row in enumerate(content.DEPUTIES, 1):
        username = {1: "deputy", 2: "deputy2"}.get(index, f"deputy{index:02d}")
        deputy = Deputy.objects.filter(name=row["name"], delegation=delegations[row["delegation"]]).first()
        if deputy is None:
            user = _user(username, Role.DEPUTY, row["name"])
            deputy = Deputy.objects.create(
                name=row["name"],
                gender=row["gender"],
                delegation=delegations[row["delegation"]],
                work_unit=row["work_unit"],
                phone=f"13{(index * 7919) % 10}{(index * 104729) % 100000000:08d}",
                user=user,
            )
            deputy.terms.add(term)
        deputies.append(deputy)
    return World(
        today=today,
        meeting=meeting,
        staff=staff,
        supervision=supervision,
        deputies=deputies,
        units=units,
        handlers=handlers,
        heads=heads,
        results=results,
        rng=random.Random(2026),
    )


# --- the suggestions' histories -------------------------------------------------------------------


def _pdf(text: str, name: str) -> ContentFile:
    """A small, valid one-page PDF, for attachments and signed forms."""
    body = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return ContentFile(bytes(out), name=name)


class Story:
    """One suggestion's history, step by step, each at its own date."""

    def __init__(self, world: World, item: dict[str, Any], lead: Deputy, between: bool) -> None:
        self.w = world
        self.item = item
        self.lead = lead
        self.between = between
        self.proposal: Proposal | None = None
        self.scenario = ""
        self.lead_unit = world.units[item["lead_unit"]]
        self.co_units = [world.units[name] for name in item["co_units"]]

    # dates
    @property
    def meeting_day(self) -> dt.date:
        return self.w.meeting.opens_on + dt.timedelta(days=self.w.rng.randint(0, 2))

    def _p(self) -> Proposal:
        assert self.proposal is not None
        self.proposal.refresh_from_db()
        return self.proposal

    def draft(self, day: dt.date) -> Story:
        w = self.w
        with on(day, 9):
            self.proposal = ps.create_draft(
                lead_deputy=self.lead,
                meeting=w.meeting,
                title=self.item["title"],
                body=self.item["body"],
                by=self.lead.user,
                channel=Proposal.Channel.BETWEEN if self.between else Proposal.Channel.MEETING,
                category=Category.objects.get(name=self.item["category"]),
                source=Source.objects.get(name=self.item["source"]),
            )
            cosigners = w.rng.sample([d for d in w.deputies if d.pk != self.lead.pk], k=w.rng.choice([0, 1, 1, 2, 3]))
            if self.lead.user.username == "deputy" or (w.deputies[1] not in cosigners and w.rng.random() < 0.15):
                cosigners = [d for d in [w.deputies[1], *cosigners] if d.pk != self.lead.pk][:3]
            if cosigners:
                ps.invite_cosigners(proposal=self.proposal, deputies=cosigners, by=self.lead.user)
        if cosigners:
            with on(day, 15):
                for signature in CoSignature.objects.filter(proposal=self.proposal):
                    ps.answer_cosign_invitation(signature=signature, accept=True, by=signature.deputy.user)
        if w.rng.random() < 0.12:
            ProposalAttachment.objects.create(
                proposal=self.proposal,
                file=_pdf("survey", "调研报告.pdf"),
                name="调研报告.pdf",
                size=600,
                uploaded_by=self.lead.user,
            )
        return self

    def submit(self, day: dt.date) -> Story:
        with on(day, 11):
            ps.submit_proposal(proposal=self._p(), by=self.lead.user)
        return self

    def register(self, day: dt.date) -> Story:
        with on(day, 10):
            ps.register_proposal(proposal=self._p(), by=self.w.staff)
        return self

    def assign(self, day: dt.date, *, complex_: bool = False, separate: bool = False) -> Story:
        with on(day, 14):
            if separate:
                units = [self.lead_unit, *(self.co_units or [self._other_unit()])][:2]
                hs.assign_proposal(proposal=self._p(), by=self.w.staff, separate_units=units, is_complex=complex_)
            else:
                hs.assign_proposal(
                    proposal=self._p(),
                    by=self.w.staff,
                    lead_unit=self.lead_unit,
                    co_units=self.co_units,
                    is_complex=complex_,
                )
        return self

    def _other_unit(self) -> Unit:
        """A government unit not already on this suggestion."""
        taken = {self.lead_unit.pk, *(u.pk for u in self.co_units)}
        return next(u for u in self.w.units.values() if u.pk not in taken and u.kind == "government")

    def sign(self, day: dt.date) -> Story:
        for assignment in self._p().assignments.filter(is_active=True).order_by("role", "pk"):
            with on(day, 9):
                hs.sign_assignment(assignment=assignment, by=self.w.handlers[assignment.unit_id])
        # issue 3: each co-handler sends its opinion to the lead unit within its month.
        for assignment in self._p().assignments.filter(is_active=True, role="co").order_by("pk"):
            with on(min(day + dt.timedelta(days=self.w.rng.randint(5, 20)), self.w.today), 15):
                hs.submit_co_opinion(
                    assignment=assignment,
                    by=self.w.handlers[assignment.unit_id],
                    body=f"{assignment.unit.name}协办意见：我单位将在职责范围内积极配合主办单位办理，"
                    "提供相关数据和资料，共同推进建议所提问题的解决。",
                )
        return self

    def contact(self, day: dt.date, kind: str, stage: str) -> Story:
        p = self._p()
        assignment = p.assignments.filter(is_active=True, role__in=["lead", "separate"]).first()
        summaries = {
            "phone": "电话联系代表，介绍办理思路和初步方案，听取代表意见。",
            "visit": "上门走访代表，了解建议所涉问题的具体情况。",
            "face_to_face": "与代表当面沟通（面商），现场查看，就办理措施和时间安排达成共识。",
            "meeting": "召开办理工作座谈会，邀请领衔代表和相关部门参加。",
        }
        with on(min(day, self.w.today), 15):
            hs.record_contact(
                assignment=assignment,
                by=self.w.handlers[assignment.unit_id],
                kind=kind,
                stage=stage,
                contact_date=min(day, self.w.today),
                people=f"{self.lead.name}代表；{assignment.unit.name}分管负责人、承办科室负责人",
                summary=summaries[kind],
            )
        return self

    def reply(
        self,
        day: dt.date,
        result: str,
        *,
        head_returns: bool = False,
        staff_returns: bool = False,
        stop_at: str | None = None,
    ) -> Story:
        """Draft, approve and issue the answering units' replies on `day` (with the detours).
        `stop_at` leaves the reply waiting: "pending_approval" (for the unit head) or
        "approved" (for congress staff's review)."""
        p = self._p()
        result_category = self.w.results[result]
        klass = result_category.result_class
        item = self.item
        promised_by = self._promise_date(day) if klass == "B" else None
        plan = retimed(item["plan"], promised_by)
        text = {
            "A": f"经研究办理，现答复如下：{item['done']}",
            "B": f"经研究办理，现答复如下：{item['done']}下一步，{plan}",
            "C": f"经认真研究，现答复如下：{item['limit']}我们将持续关注，条件具备时推动解决。",
            "D": f"经认真研究，您的建议对我们改进工作具有参考价值。{item['limit']}",
        }[klass]
        co = list(p.assignments.filter(is_active=True, role="co"))

        def countersign(reply: Any) -> None:  # issue 3: every co-handler countersigns (会签)
            for assignment in co if reply.assignment.role == "lead" else []:
                hs.countersign_reply(reply=reply, by=self.w.handlers[assignment.unit_id], agrees=True)

        for assignment in p.assignments.filter(is_active=True, role__in=["lead", "separate"]).order_by("pk"):
            handler, head = self.w.handlers[assignment.unit_id], self.w.heads[assignment.unit_id]
            round_ = 2 if p.state == "rehandling" else 1
            if round_ == 2 and not assignment.rehandling_deadline:
                continue
            with on(day - dt.timedelta(days=3), 10):
                reply = hs.save_reply_draft(
                    assignment=assignment,
                    by=handler,
                    reference_number=f"示{assignment.unit.short_name}函〔{day.year}〕{self.w.rng.randint(10, 199)}号",
                    signer=head.display_name,
                    contact_person=handler.display_name,
                    contact_phone=f"0571-8{self.w.rng.randint(1000000, 9999999)}",
                    result_category=result_category,
                    body=text if round_ == 1 else "针对代表提出的意见，我们重新研究办理：" + text,
                    done_items=item["done"] if klass in "AB" else "",
                    promised_items=plan if klass == "B" else "",
                    promised_by=promised_by,
                    not_adopted_reason=item["limit"] if klass in "CD" else "",
                    is_public=self.w.rng.random() > 0.1,
                )
                # The signed and stamped letter, scanned, as units attach it to the reply.
                hs.add_reply_attachment(
                    reply=reply, by=handler, upload=_pdf(f"reply {p.pk}-{round_}", "答复函（盖章扫描件）.pdf")
                )
                countersign(reply)
                hs.submit_reply(reply=reply, by=handler)
            if stop_at == "pending_approval":
                continue
            if head_returns:
                with on(day - dt.timedelta(days=2), 16):
                    hs.return_reply(reply=reply, by=head, note="答复内容过于笼统，请补充具体措施和完成时限。")
                with on(day - dt.timedelta(days=2), 17):
                    hs.save_reply_draft(assignment=assignment, by=handler, body=reply.body + "具体措施和时限已补充。")
                    countersign(reply)
                    hs.submit_reply(reply=reply, by=handler)
            with on(day - dt.timedelta(days=1), 11):
                hs.approve_reply(reply=reply, by=head)
            if staff_returns:
                with on(day - dt.timedelta(days=1), 15):
                    hs.staff_return_reply(
                        reply=reply, by=self.w.staff, note="答复未回应建议中提出的第二条意见，请补充后重新报送。"
                    )
                    hs.save_reply_draft(
                        assignment=assignment,
                        by=handler,
                        body=reply.body + "关于第二条意见，我们已纳入下一步工作计划。",
                    )
                    countersign(reply)
                    hs.submit_reply(reply=reply, by=handler)
                    hs.approve_reply(reply=reply, by=head)
            if stop_at == "approved":
                continue
            with on(day, 10):
                hs.issue_reply(reply=reply, by=self.w.staff)
        return self

    def _promise_date(self, day: dt.date) -> dt.date:
        """When a B-class reply promises to deliver: the last month its plan text names (end of
        that month), when that is still ahead, so the letter and the follow-up list agree.
        Otherwise three closed B-class suggestions promised within 75 days, so the follow-up list
        always has overdue promises to chase, and the rest some months ahead."""
        named = named_month_end(self.item["plan"])
        if named is not None and named > day:
            return named
        short = self.scenario == "closed_B" and day + dt.timedelta(days=75) < self.w.today
        if short and self.w.made.get("overdue_promises", 0) < 3:
            self.w.made["overdue_promises"] = self.w.made.get("overdue_promises", 0) + 1
            return month_end(day + dt.timedelta(days=40))
        return month_end(day + dt.timedelta(days=self.w.rng.choice([120, 180, 240, 300])))

    def rate(
        self,
        day: dt.date,
        attitude: str = "satisfied",
        result: str = "satisfied",
        comment: str = "",
        paper: bool = False,
    ) -> Story:
        p = self._p()
        for assignment in p.assignments.filter(is_active=True, role__in=["lead", "separate"]).order_by("pk"):
            reply = assignment.replies.filter(state="issued").order_by("-round").first()
            if reply is None or hasattr(reply, "rating"):
                continue
            with on(day, 20):
                if paper:
                    form = _pdf("signed", "代表意见反馈表.pdf")
                    hs.record_paper_rating(
                        reply=reply, by=self.w.staff, attitude=attitude, result=result, paper_form=form, comment=comment
                    )
                else:
                    hs.rate_reply(reply=reply, by=self.lead.user, attitude=attitude, result=result, comment=comment)
        return self


def run_scenario(world: World, story: Story, name: str) -> list[Story]:  # noqa: C901 - one branch per path
    """Play one path; returns the stories created (merged paths create their members too)."""
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
                proposal=story._p(),
                by=w.staff,
                reason="建议内容较为笼统，请补充所涉小区、道路的具体位置和调研数据后重新提交。",
            )
    elif name == "withdrawn":
        story.draft(today - dt.timedelta(days=30)).submit(today - dt.timedelta(days=29))
        with on(today - dt.timedelta(days=27)):
            ps.withdraw_proposal(proposal=story._p(), by=story.lead.user, note="问题已在代表联络站协调解决，撤回建议。")
    elif name == "not_accepted":
        story.draft(opens - dt.timedelta(days=2)).submit(opens + dt.timedelta(days=1))
        with on(opens + dt.timedelta(days=10)):
            ps.decline_proposal(
                proposal=story._p(),
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
        assignment = story._p().assignments.get(unit=story.lead_unit)
        with on(today - dt.timedelta(days=1), 16):
            hs.request_reassignment(
                assignment=assignment,
                by=w.handlers[story.lead_unit.pk],
                reason=f"经研究，该建议所涉事项主要属于{story._other_unit().name}职责范围，建议调整由其主办。",
                suggested_unit=story._other_unit(),
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
                assignment=story._p().assignments.get(unit=old_unit),
                by=w.handlers[old_unit.pk],
                reason="该事项不属于我单位法定职责，建议调整承办单位。",
            )
        story.lead_unit = story._other_unit()
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
    return [story]


def build_suggestions(world: World, log: Callable[[str], None]) -> None:
    items = list(content.SUGGESTIONS)
    world.rng.shuffle(items)
    # The demo deputy leads one suggestion of several paths, so their phone shows every kind.
    showcase = {"draft", "returned", "assigned", "in_handling", "replied", "rehandling", "closed_A", "closed_B"}
    lead_cycle = [d for d in world.deputies if d.user.username != "deputy"]
    demo_deputy = world.deputies[0]
    queue: list[tuple[str, dict[str, Any]]] = []
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
            main=pending[0]._p(),
            members=[s._p() for s in pending[1:]],
            by=world.staff,
            note="两件建议均反映同一路段交通安全问题，并案办理。",
        )
    group = merged_groups["closed_merged"]
    opens = world.meeting.opens_on
    main = group[0]
    with on(opens + dt.timedelta(days=12), 15):
        ps.merge_proposals(
            main=main._p(),
            members=[s._p() for s in group[1:]],
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
    log(f"  建议 {Proposal.objects.filter(meeting=world.meeting).count()} 件，覆盖全部状态和办理路径")


# --- issue 4: what the demo deputy's phone shows beyond the paths ------------------------------------


def show_deputy_phone(world: World) -> None:
    """An invitation to co-sign waiting for the demo deputy's answer; questions to units about
    their draft before submitting (one answered, one waiting for 区教育局, whose handler is the
    `handler` login); and a co-signer's comment on a reply waiting for their rating."""
    demo, today = world.deputies[0], world.today
    drafts = Proposal.objects.filter(meeting=world.meeting, state="draft").order_by("pk")
    theirs = drafts.exclude(lead_deputy=demo).exclude(cosignatures__deputy=demo).first()
    if theirs is not None:
        with on(today, 9):
            ps.invite_cosigners(proposal=theirs, deputies=[demo], by=theirs.lead_deputy.user)
    mine = drafts.filter(lead_deputy=demo).first()
    education = world.units.get("区教育局")
    if mine is not None:
        asked = next(u for u in world.units.values() if u != education and u.kind == "government")
        with on(today - dt.timedelta(days=3), 10):
            question = hs.ask_unit_before_submission(
                proposal=mine,
                unit=asked,
                question="这件事贵单位目前是否已有安排？建议中提出的措施是否可行，需要补充哪些情况？",
                by=demo.user,
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
                    proposal=mine, unit=education, question="这项建议是否也涉及教育部门的职责？", by=demo.user
                )
    replied = Proposal.objects.filter(lead_deputy=demo, state="replied").first()
    if replied is not None:
        reply = replied.assignments.filter(replies__state="issued").first()
        signature = replied.cosignatures.filter(status="confirmed").select_related("deputy__user").first()
        if reply is not None and signature is not None:
            with on(today, 12):
                hs.comment_on_reply(
                    reply=reply.replies.get(state="issued"),
                    by=signature.deputy.user,
                    body="答复中提到的措施请明确完成时间，我们会持续关注。",
                )


def build(today: dt.date | None = None, log: Callable[[str], None] = print) -> bool:
    """Build the demo; False if it was already there (nothing is duplicated)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        world = build_reference(today)
        # Last year's meeting first (its events come first); each meeting is built only once.
        from demo import last_year

        previous = last_year.build(world, log)
        if Proposal.objects.filter(meeting=world.meeting).exists():
            if previous:
                from supervision.reminders import run_daily_scan

                run_daily_scan(today)
            return previous
        build_suggestions(world, log)
        # issue 5: key suggestions, supervision records, urging, promises, the first daily scan
        from demo.supervision import build as build_supervision

        build_supervision(world, log)
        # issue 6: scoring rules, the annual report's two chapters, key items (demo/reports.py)
        from demo import reports as demo_reports

        demo_reports.build(world, log)
        # Set last, so the history above sends no mail: from now on the demo deputy's notices
        # are also e-mailed (printed on the console without EMAIL_HOST).
        User.objects.filter(username="deputy", email="").update(email="deputy@example.gov.cn")
        # People have been reading their notices over the months: what is older than two weeks
        # is read, so each badge counts what is new, as in a system in daily use.
        read_before = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=14), dt.time()))
        Notification.objects.filter(created_at__lt=read_before, read_at__isnull=True).update(read_at=F("created_at"))
    return True


def summary() -> dict[str, Any]:
    return {
        "suggestions": Proposal.objects.count(),
        "units": Unit.objects.count(),
        "deputies": Deputy.objects.count(),
        "assignments": Assignment.objects.count(),
        "contacts": ContactRecord.objects.count(),
    }
