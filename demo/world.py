"""The demo's shared building blocks: the `World` every part builds in (the meeting, its
people, units and result categories, one random sequence), the reference data and accounts it
is made from, `on()` to run the services at a past date, and the date and document helpers
the parts share.

Dates are anchored to the day the demo is built: this year's meeting opened about 200 days
earlier, so its suggestions have had their replies (or are overdue), while suggestions made
between meetings are still being reviewed, assigned and handled.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from demo import content
from demo.accounts import account
from deputies.models import Delegation, Deputy, Role, SpecialCommittee, Term, User
from handling.models import ResultCategory, Unit, UnitMember
from proposals.models import Category, Meeting, Source

CHINESE_NUMBERS = "〇一二三四五六七八九十"

RESULT_CATEGORIES = [
    ("已经解决或基本解决", "A", 1),
    ("列入当年计划解决", "B", 2),
    ("列入规划逐步解决", "B", 3),
    ("因条件限制暂时难以解决", "C", 4),
    ("留作参考", "D", 5),
]
COMMITTEES = ["法制委员会", "财政经济委员会", "教育科学文化卫生委员会", "农业与农村委员会", "城乡建设环境保护委员会"]


@dataclass
class World:
    """What the parts build in: one meeting (this year's, or last year's with the same people)."""

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
    # Counters the parts keep while building (replies left waiting, promises made short...).
    made: dict[str, int] = field(default_factory=dict)


def login_of(deputy: Deputy) -> User:
    """A demo deputy's login: the demo gives every deputy one."""
    if deputy.user is None:
        raise ValueError(f"the demo deputy {deputy.name} has no login")
    return deputy.user


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


def build_world(today: dt.date) -> World:
    """This year's meeting with the reference data, units, accounts and deputies (made once)."""
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

    account("admin", Role.ADMIN, "系统管理员", is_staff=True, is_superuser=True)
    staff = account("staff", Role.STAFF, "周晓岚", title="代表工作委员会副主任", is_staff=True)
    account("staff2", Role.STAFF, "陈立新", title="代表工作委员会科员", is_staff=True)
    supervision = account("supervision", Role.SUPERVISION, "马国栋", title="区政府办公室督查室主任")
    account("leader", Role.LEADER, "刘振华", title="区人大常委会副主任")
    account("leader2", Role.LEADER, "宋文杰", title="副区长")
    account(
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
        handler = account(handler_name, Role.UNIT_HANDLER, f"{short}承办人{index:02d}", title=f"{unit.name}办公室科员")
        head = account(head_name, Role.UNIT_HEAD, f"{short}负责人{index:02d}", title=f"{unit.name}主要负责人")
        for person in (handler, head):
            UnitMember.objects.get_or_create(user=person, defaults={"unit": unit})
        handlers[unit.pk], heads[unit.pk] = handler, head

    deputies = []
    delegations = {d.name: d for d in Delegation.objects.all()}
    for index, row in enumerate(content.DEPUTIES, 1):
        username = {1: "deputy", 2: "deputy2"}.get(index, f"deputy{index:02d}")
        deputy = Deputy.objects.filter(name=row["name"], delegation=delegations[row["delegation"]]).first()
        if deputy is None:
            user = account(username, Role.DEPUTY, row["name"])
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


# --- documents --------------------------------------------------------------------------------------


def pdf(text: str, name: str) -> ContentFile[bytes]:
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
