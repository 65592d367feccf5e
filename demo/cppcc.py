"""The district's CPPCC session beside its congress meeting: the CPPCC's term and meeting
(政协第十三届N次会议, opening two days before the congress), its sectors (界别), members and
CPPCC bodies that make collective proposals, the proposals committee's logins, and 80 proposals
in every state, played through the same services and the same paths as this year's
suggestions (`demo.this_year.run_scenario`), handled by the same units. Built once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from demo import content
from demo.accounts import account
from demo.content.text import SuggestionText
from demo.reports import PLANS, PRACTICES
from demo.story import Story
from demo.this_year import BETWEEN, run_scenario
from demo.world import CHINESE_NUMBERS, World
from deputies.models import Delegation, Deputy, Role, Term
from deputies.streams import Stream
from proposals.models import Meeting, Proposal
from reports.models import AnnualReport, ScoringScheme

# How many proposals follow each path (80 in all).
SCENARIOS: list[tuple[str, int]] = [
    ("draft", 2),
    ("submitted", 4),
    ("returned", 1),
    ("withdrawn", 1),
    ("not_accepted", 1),
    ("registered", 2),
    ("assigned", 2),
    ("reassign_requested", 1),
    ("in_handling", 5),
    ("overdue", 3),
    ("replied", 4),
    ("rehandling", 2),
    ("closed_rehandled", 1),
    ("closed_separate", 1),
    ("closed_A", 38),
    ("closed_B", 9),
    ("closed_C", 2),
    ("closed_D", 1),
]

SECTORS = ["中共界", "民主党派界", "经济界", "教育界", "医药卫生界", "农业界", "社会福利和社会保障界"]

MEMBERS = [
    ("陈思远", "m", "经济界", "示范区远大机械制造有限公司董事长"),
    ("周文静", "f", "教育界", "示范区第一中学校长"),
    ("吴卫东", "m", "医药卫生界", "示范区人民医院副院长"),
    ("郑雅琳", "f", "民主党派界", "民盟示范区委员会副主委、律师"),
    ("孙立平", "m", "农业界", "青龙镇农业合作社理事长"),
    ("何秀英", "f", "社会福利和社会保障界", "示范区残疾人联合会理事长"),
    ("钱明辉", "m", "经济界", "示范区工商联副主席"),
    ("冯晓梅", "f", "教育界", "南苑小学教师"),
    ("许国华", "m", "中共界", "白沙镇党委副书记"),
    ("韩春燕", "f", "医药卫生界", "柳溪乡卫生院院长"),
    ("曹永健", "m", "民主党派界", "民革示范区委员会主委"),
    ("彭丽华", "f", "农业界", "示范区农业技术推广中心高级农艺师"),
    ("蒋文博", "m", "经济界", "示范区文旅发展有限公司总经理"),
    ("沈佳怡", "f", "社会福利和社会保障界", "东城街道社工站站长"),
    ("韦建新", "m", "中共界", "示范区党校副校长"),
    ("罗素芬", "f", "教育界", "示范区职业技术学校副校长"),
]

# CPPCC bodies that make collective proposals (集体提案); each submits and rates through its
# contact person's login.
ORGANISATIONS = [
    ("民盟示范区委员会", "民主党派界", "联络员 赵敏"),
    ("示范区工商业联合会", "经济界", "联络员 李航"),
    ("政协示范区提案委员会", "中共界", "联络员 王洁"),
]


def _name(term: int, number: int) -> str:
    return f"政协第十{CHINESE_NUMBERS[term - 10]}届{CHINESE_NUMBERS[number]}次会议"


def cppcc_world(world: World) -> World:
    """The CPPCC's term, meeting, sectors, members, bodies and proposals committee (made once),
    as a `World` sharing the congress world's units, handlers and result categories."""
    opens = world.meeting.opens_on - dt.timedelta(days=2)
    term, _ = Term.objects.get_or_create(
        stream=Stream.PROPOSAL,
        number=13,
        defaults={"name": "政协第十三届", "start_year": opens.year - 4, "end_year": opens.year + 1},
    )
    number = max(1, min(9, opens.year - term.start_year + 1))
    meeting, _ = Meeting.objects.get_or_create(
        term=term,
        number=number,
        defaults={
            "name": _name(term.number, number),
            "year": world.meeting.year,
            "opens_on": opens,
            "closes_on": opens + dt.timedelta(days=4),
        },
    )
    sectors = {}
    for order, name in enumerate(SECTORS, 1):
        sectors[name], _ = Delegation.objects.get_or_create(
            stream=Stream.PROPOSAL, name=name, defaults={"order": 100 + order}
        )
    staff = account("proposals", Role.PROPOSALS_STAFF, "韩振宇", title="政协提案委员会办公室主任", is_staff=True)
    account("proposals2", Role.PROPOSALS_STAFF, "唐晓雯", title="政协提案委员会办公室科员", is_staff=True)
    members = []
    for index, (name, gender, sector, work_unit) in enumerate(MEMBERS, 1):
        username = {1: "member", 2: "member2"}.get(index, f"member{index:02d}")
        members.append(_person(username, name, sectors[sector], term, gender=gender, work_unit=work_unit))
    bodies = [
        _person(f"org{index:02d}", name, sectors[sector], term, contact=contact, is_organisation=True)
        for index, (name, sector, contact) in enumerate(ORGANISATIONS, 1)
    ]
    # Members co-sign (联名); the bodies only lead their collective proposals.
    cppcc = replace(world, meeting=meeting, staff=staff, deputies=members, rng=random.Random(2027), made={})
    cppcc.made["bodies"] = len(bodies)
    return cppcc


def _person(username: str, name: str, sector: Delegation, term: Term, *, contact: str = "", **extra: object) -> Deputy:
    found = Deputy.objects.filter(stream=Stream.PROPOSAL, name=name).first()
    if found is not None:
        return found
    user = account(username, Role.MEMBER, contact or name)
    person = Deputy.objects.create(
        stream=Stream.PROPOSAL,
        name=name,
        delegation=sector,
        phone=f"139{(len(name) * 7919 + sum(map(ord, username))) % 100000000:08d}",
        user=user,
        **extra,
    )
    person.terms.add(term)
    return person


def as_proposal(item: SuggestionText) -> SuggestionText:
    """A demo text told as a proposal (关于……的提案)."""
    title = item["title"].removesuffix("的建议") + "的提案"
    return {**item, "title": title, "body": item["body"].replace("建议", "提议")}


def build(world: World, log: Callable[[str], None]) -> bool:
    """The CPPCC session of `world`'s year; False if it is already there."""
    w = cppcc_world(world)
    if Proposal.objects.filter(meeting=w.meeting).exists():
        return False
    items = [as_proposal(item) for item in content.SUGGESTIONS]
    w.rng.shuffle(items)
    members = w.deputies
    bodies = list(Deputy.objects.filter(stream=Stream.PROPOSAL, is_organisation=True).order_by("pk"))
    demo_member = members[0]
    showcase = {"draft", "assigned", "in_handling", "replied", "rehandling", "closed_A", "closed_B"}
    shown: set[str] = set()
    index = 0
    for name, count in SCENARIOS:
        for _n in range(count):
            lead = members[1:][index % (len(members) - 1)]
            if name in showcase and name not in shown:
                lead = demo_member
                shown.add(name)
            elif index % 9 == 4:  # a collective proposal, by a CPPCC body
                lead = bodies[index % len(bodies)]
            story = Story(w, items[index], lead, between=name in BETWEEN)
            story.scenario = name
            run_scenario(w, story, name)
            index += 1
    year = w.meeting.year
    # The units' handling of proposals is scored by rules of its own: contacting the members
    # counts more (代表委员见面率).
    ScoringScheme.objects.get_or_create(
        applies_from=year,
        stream=Stream.PROPOSAL,
        defaults={
            "name": f"{year}年承办单位政协提案办理考核计分规则",
            "on_time_points": Decimal("30"),
            "contact_points": Decimal("20"),
            "face_to_face_points": Decimal("20"),
            "satisfied_points": Decimal("30"),
            "basic_points": Decimal("20"),
            "overdue_deduction": Decimal("2"),
            "unsatisfied_deduction": Decimal("5"),
        },
    )
    AnnualReport.objects.get_or_create(
        year=year,
        stream=Stream.PROPOSAL,
        defaults={"practices": proposals_text(PRACTICES), "plans": proposals_text(PLANS), "updated_by": w.staff},
    )
    AnnualReport.objects.get_or_create(
        year=year, stream="", defaults={"practices": PRACTICES, "plans": PLANS, "updated_by": world.staff}
    )
    log(f"  政协提案 {Proposal.objects.filter(meeting=w.meeting).count()} 件（{w.meeting.name}），覆盖全部状态")
    return True


def proposals_text(text: str) -> str:
    return text.replace("人大监督", "政协民主监督").replace("代表建议", "委员提案").replace("代表", "委员")
