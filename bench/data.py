"""The benchmark data, one builder for every size (bench/ratios.py, bench/reports_bench.py).

Import it after `django.setup()`. `build(size)` fills the current PostgreSQL database once (a
later call with the same size reuses what is there; `rebuild=True` drops it first), with bulk
inserts, not the services: suggestions with their assignments, replies, ratings, contacts,
co-signatures and key items in realistic proportions, 300 units and 2,000 deputies at every size.

The shape of each size (`plan`):

- 1,000 and 10,000: one year (2024) of that many suggestions, plus the 700-suggestion year 2025
  (the annual report's year; its open suggestions have deadlines around today);
- 100,000: ten years, nine of about 11,000 (2016–2024) and the 700-suggestion year 2025: the
  shape of `bench_base_100k`, so a copy of that database is reused as it is.

`ensure_people` (idempotent, run after every build or copy) adds what the pages need to be
visited as their users: a unit handler of the busiest unit (`bench_handler`), and a deputy with
many suggestions (`bench_deputy`, linked to 代表0000, made the lead of one suggestion in 200:
about 600 suggestions with those co-signed at 100,000, a prolific deputy over two terms; every
other deputy has about 100). Every password is `Bench#2026`.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from deputies.models import Delegation, Deputy, Role, Term, User
from handling.models import Assignment, ContactRecord, Rating, Reply, ResultCategory, Unit, UnitMember
from proposals import deadlines
from proposals.models import Category, CoSignature, Meeting, Proposal, ProposalEvent, Source
from supervision.models import KeyItem

FIRST_YEAR = 2016
YEARS = 10
SMALL_YEAR = 2025  # the 700-suggestion year
SMALL = 700
SIZES = (1_000, 10_000, 100_000)
PASSWORD = "Bench#2026"
UNITS = 300
DEPUTIES = 2_000
BATCH = 5_000
CATEGORIES = [
    "教科文卫体",
    "交通邮电",
    "农林水利",
    "工业经济",
    "城乡建设与管理",
    "财政金融",
    "社会民生",
    "生态环境",
    "政治法律",
    "其他",
]
SOURCES = [("专题调研", True), ("集中视察", True), ("代表小组活动", True), ("座谈走访", True), ("个人调查了解", False)]
RESULTS = [
    ("已经解决或基本解决", "A"),
    ("列入当年计划解决", "B"),
    ("列入规划逐步解决", "B"),
    ("因条件限制暂时难以解决", "C"),
    ("留作参考", "D"),
]
IMPORT_MEETING = "基准测试导入会议"


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def log(message: str) -> None:
    print(message, flush=True)


# --- building the data ------------------------------------------------------------------------


def reference() -> dict:
    staff, _ = User.objects.get_or_create(
        username="bench_staff", defaults={"role": Role.STAFF, "full_name": "基准工作人员"}
    )
    leader, _ = User.objects.get_or_create(
        username="bench_leader", defaults={"role": Role.LEADER, "full_name": "基准领导"}
    )
    terms = [
        Term.objects.get_or_create(number=n, defaults={"name": f"第{n}届", "start_year": start})[0]
        for n, start in ((15, 2012), (16, 2017), (17, 2022))
    ]
    meetings = {}
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        term = max((t for t in terms if t.start_year <= year), key=lambda t: t.start_year)
        meetings[year], _ = Meeting.objects.get_or_create(
            term=term,
            number=year - term.start_year + 1,
            defaults={"name": f"{term.name}人大第{year - term.start_year + 1}次会议（{year}）", "year": year,
                      "opens_on": dt.date(year, 1, 10), "closes_on": dt.date(year, 1, 13)},
        )  # fmt: skip
    for order, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"order": order})
    for order, (name, fieldwork) in enumerate(SOURCES):
        Source.objects.get_or_create(name=name, defaults={"order": order, "is_fieldwork": fieldwork})
    for order, (name, klass) in enumerate(RESULTS):
        ResultCategory.objects.get_or_create(name=name, defaults={"result_class": klass, "order": order})
    if Unit.objects.count() < UNITS:
        Unit.objects.bulk_create(
            [Unit(name=f"基准承办单位{i:03d}", short_name=f"单位{i:03d}", order=i) for i in range(UNITS)]
        )
    if Deputy.objects.count() < DEPUTIES:
        delegations = [Delegation.objects.get_or_create(name=f"基准代表团{i:02d}")[0] for i in range(20)]
        Deputy.objects.bulk_create(
            [Deputy(name=f"代表{i:04d}", delegation=delegations[i % 20], phone=f"139{i:08d}") for i in range(DEPUTIES)]
        )
    return {
        "staff": staff,
        "leader": leader,
        "meetings": meetings,
        "categories": list(Category.objects.all()),
        "sources": list(Source.objects.all()),
        "results": list(ResultCategory.objects.all()),
        "units": list(Unit.objects.filter(name__startswith="基准承办单位")),
        "deputies": list(Deputy.objects.filter(name__startswith="代表")),
    }


def build_year(ref: dict, year: int, count: int, rng: random.Random) -> None:  # noqa: C901 - one history per branch
    meeting, staff = ref["meetings"][year], ref["staff"]
    today = timezone.localdate()
    # What happened to each suggestion: past years are nearly all closed; the proportions
    # give every figure something to count.
    paths = rng.choices(
        ["closed", "replied", "rehandling", "closed_again", "in_handling", "registered", "submitted",
         "not_accepted", "withdrawn"],
        weights=[78, 4, 1, 2, 6, 2, 3, 2, 2],
        k=count,
    )  # fmt: skip
    proposals = []
    for i, path in enumerate(paths, start=1):
        numbered = path not in ("submitted", "not_accepted", "withdrawn")
        state = {"closed_again": "closed"}.get(path, path)
        proposals.append(
            Proposal(
                meeting=meeting,
                number=i if numbered else None,
                title=f"关于{year}年第{i}件事项的建议",
                body="建议正文：现状、问题、建议措施。",
                lead_deputy=rng.choice(ref["deputies"]),
                channel="meeting" if rng.random() < 0.93 else "between",
                category=rng.choice(ref["categories"]),
                source=rng.choice(ref["sources"]),
                state=state,
                created_by=staff,
                submitted_at=at(meeting.opens_on),
                registered_at=at(meeting.opens_on + dt.timedelta(days=8)) if numbered else None,
            )
        )
    Proposal.objects.bulk_create(proposals, batch_size=BATCH)
    cosignatures = [
        CoSignature(proposal=p, deputy=d, status="confirmed")
        for p in proposals
        for d in rng.sample(ref["deputies"], k=rng.choice([0, 1, 1, 2]))
        if d.pk != p.lead_deputy_id
    ]
    CoSignature.objects.bulk_create(cosignatures, batch_size=BATCH, ignore_conflicts=True)

    assignments, plan = [], []
    for p, path in zip(proposals, paths, strict=True):
        if path in ("registered", "submitted", "not_accepted", "withdrawn"):
            continue
        assigned_on = meeting.opens_on + dt.timedelta(days=rng.randint(15, 30))
        if path == "in_handling" and year == FIRST_YEAR + YEARS - 1:
            assigned_on = today - dt.timedelta(days=rng.randint(10, 150))
        is_complex = rng.random() < 0.05
        deadline = deadlines.reply_deadline(assigned_on, complex_=is_complex)
        separate = rng.random() < 0.03
        units = rng.sample(ref["units"], k=3)
        roles = [("separate", units[0]), ("separate", units[1])] if separate else [("lead", units[0])]
        if not separate and rng.random() < 0.3:
            roles.append(("co", units[2]))
        for role, unit in roles:
            a = Assignment(proposal=p, unit=unit, role=role, is_complex=is_complex, assigned_on=assigned_on,
                           deadline=deadline, assigned_by=staff, signed_at=at(assigned_on + dt.timedelta(days=2)),
                           signed_by=staff)  # fmt: skip
            assignments.append(a)
            if role != "co":
                plan.append((p, path, a))
        if path == "in_handling":
            p.due_on = deadline
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    Proposal.objects.bulk_update([p for p in proposals if p.due_on], ["due_on"], batch_size=BATCH)

    replies, ratings, contacts, rehandled = [], [], [], []
    results = ref["results"]
    for p, path, a in plan:
        if rng.random() < 0.9:
            kind = "face_to_face" if rng.random() < 0.65 else "phone"
            contacts.append(ContactRecord(proposal=p, assignment=a, kind=kind, stage="during", people="代表",
                                          contact_date=a.assigned_on + dt.timedelta(days=10), summary="沟通办理",
                                          recorded_by=staff))  # fmt: skip
        if path == "in_handling":
            continue
        late = rng.random() < 0.06
        day = (
            a.deadline + dt.timedelta(days=rng.randint(1, 20))
            if late
            else a.assigned_on + dt.timedelta(days=rng.randint(30, 85))
        )
        result = rng.choices(results, weights=[80, 8, 6, 4, 2])[0]
        first = Reply(assignment=a, round=1, state="issued", result_category=result, body="经研究办理，现答复如下……",
                      is_public=rng.random() < 0.9, created_by=staff, approved_by=staff, approved_at=at(day),
                      issued_by=staff, issued_at=at(day))  # fmt: skip
        replies.append(first)
        if path == "replied":
            continue
        if path in ("rehandling", "closed_again"):
            rated = day + dt.timedelta(days=5)
            a.rehandling_deadline = deadlines.rehandling_deadline(rated)
            rehandled.append(a)
            ratings.append((first, p, "satisfied", "unsatisfied", rated))
            if path == "rehandling":
                p.due_on = a.rehandling_deadline
                continue
            second_day = rated + dt.timedelta(days=20)
            second = Reply(assignment=a, round=2, state="issued", result_category=results[1], body="重新办理答复……",
                           created_by=staff, approved_by=staff, approved_at=at(second_day), issued_by=staff,
                           issued_at=at(second_day))  # fmt: skip
            replies.append(second)
            ratings.append(
                (second, p, "satisfied", rng.choice(["satisfied", "basic"]), second_day + dt.timedelta(days=3))
            )
            continue
        grade = rng.choices(["satisfied", "basic", "unsatisfied"], weights=[90, 9, 1])[0]
        ratings.append(
            (first, p, "satisfied" if grade != "unsatisfied" else "basic", grade, day + dt.timedelta(days=4))
        )
    Reply.objects.bulk_create(replies, batch_size=BATCH)
    Assignment.objects.bulk_update(rehandled, ["rehandling_deadline"], batch_size=BATCH)
    Proposal.objects.bulk_update([p for p in proposals if p.state == "rehandling"], ["due_on"], batch_size=BATCH)
    Rating.objects.bulk_create(
        [Rating(reply=r, proposal=p, attitude=att, result=res, rated_by=staff, rated_at=at(day, 18))
         for r, p, att, res, day in ratings],
        batch_size=BATCH,
    )  # fmt: skip
    ContactRecord.objects.bulk_create(contacts, batch_size=BATCH)
    ProposalEvent.objects.bulk_create(
        [
            ProposalEvent(proposal=p, actor=staff, action="import", to_state=p.state, data={"bench": True})
            for p in proposals
        ],
        batch_size=BATCH,
    )
    handled = [p for p in proposals if p.state in ("closed", "replied", "rehandling")]
    for k in range(5):
        item = KeyItem.objects.create(
            year=year, title=f"{year}年重点督办主题{k + 1}", leader=ref["leader"], created_by=staff
        )
        item.proposals.add(*handled[k * 5 : k * 5 + 5])


def plan(size: int) -> dict[int, int]:
    """Suggestions per year for a size (see the module's docstring)."""
    if size not in SIZES:
        raise ValueError(f"size {size}: one of {SIZES}")
    if size < 100_000:
        return {SMALL_YEAR - 1: size, SMALL_YEAR: SMALL}
    big = (size - SMALL) // (YEARS - 1)
    sizes = {y: big for y in range(FIRST_YEAR, FIRST_YEAR + YEARS) if y != SMALL_YEAR}
    sizes[FIRST_YEAR] += size - SMALL - big * (YEARS - 1)
    sizes[SMALL_YEAR] = SMALL
    return sizes


def build(size: int = 100_000, rebuild: bool = False) -> dict:
    """Build the data of `size` in the current database (or reuse it), then `ensure_people`."""
    call_command("migrate", verbosity=0)
    if rebuild:
        log("dropping the benchmark data…")
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE proposals_proposalevent, proposals_notification, handling_rating, reports_disclosurehold, "
                "handling_replyattachment, handling_reply, handling_contactrecord, handling_reassignmentrequest, "
                "handling_assignment, supervision_keyitem_proposals, supervision_keyitem, proposals_cosignature, "
                "proposals_proposalattachment, proposals_proposal, reports_importbatch, reports_reportjob CASCADE"
            )
            cursor.execute("DELETE FROM handling_unitmember")
            cursor.execute("UPDATE deputies_deputy SET user_id = NULL")
    ref = reference()
    sizes = plan(size)
    total = sum(sizes.values())
    existing = Proposal.objects.filter(meeting__in=ref["meetings"].values()).count()
    if existing == total:
        log(f"reusing the {existing:,} suggestions already built")
        ensure_people(ref)
        index_texts()
        return ref
    if existing:
        raise SystemExit(f"{existing:,} suggestions exist, not {total:,}: run again with --rebuild")
    rng = random.Random(2026)
    started = time.monotonic()
    for year, count in sorted(sizes.items()):
        t = time.monotonic()
        with transaction.atomic():
            build_year(ref, year, count, rng)
        log(f"  {year}: {count:,} suggestions in {time.monotonic() - t:.1f} s")
    log(f"built {total:,} suggestions in {time.monotonic() - started:.0f} s")
    ensure_people(ref)
    index_texts()
    return ref


def index_texts() -> None:
    """The text index (search, similar items) of what is not indexed yet, as the import's
    background task and the nightly refresh make it; nothing to do once done."""
    from proposals.textindex import refresh_text_index

    started = time.monotonic()
    indexed = refresh_text_index(full=False)["indexed"]
    if indexed:
        log(f"indexed the text of {indexed:,} suggestions in {time.monotonic() - started:.0f} s")


def login(username: str, role: str, full_name: str) -> User:
    user = User.objects.filter(username=username).first()
    return user or User.objects.create_user(username, password=PASSWORD, role=role, full_name=full_name)


def ensure_people(ref: dict) -> None:
    """The unit handler and the busy deputy (see the module's docstring); idempotent."""
    if Deputy.objects.filter(user__username="bench_deputy").exists():
        ref["handler"] = User.objects.get(username="bench_handler")
        ref["deputy_user"] = User.objects.get(username="bench_deputy")
        return
    with transaction.atomic():
        busiest = (
            Assignment.objects.filter(is_active=True, role__in=("lead", "separate"))
            .values("unit_id")
            .annotate(n=models.Count("pk"))
            .order_by("-n", "unit_id")
            .first()
        )
        assert busiest is not None, "no assignments built"
        handler = login("bench_handler", Role.UNIT_HANDLER, "基准承办人")
        UnitMember.objects.update_or_create(user=handler, defaults={"unit_id": busiest["unit_id"]})
        deputy = Deputy.objects.get(name="代表0000")
        deputy_user = login("bench_deputy", Role.DEPUTY, deputy.name)
        deputy.user = deputy_user
        deputy.save(update_fields=["user"])
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM proposals_cosignature c USING proposals_proposal p "
                "WHERE c.proposal_id = p.id AND p.id %% 200 = 0 AND c.deputy_id = %s",
                [deputy.pk],
            )
            cursor.execute("UPDATE proposals_proposal SET lead_deputy_id = %s WHERE id %% 200 = 0", [deputy.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ref["handler"], ref["deputy_user"] = handler, deputy_user
