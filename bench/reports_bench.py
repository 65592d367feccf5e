"""Benchmark of the reports on PostgreSQL at the scale of a city over ten years.

Builds (once; later runs reuse it) 100,000 suggestions over 10 years with 300 units, with bulk
inserts: nine years of about 11,000 suggestions and one year of 700, with their assignments,
replies, ratings, contacts and key items in realistic proportions. Then prints:

- the dashboard's server time for one year (the big one, and the 700 one), through Django's
  test client (every query and the template, no network): target under 300 ms;
- `manage.py handling_stats --year Y --json`;
- the annual report's time and page count for the 700-suggestion year: target under 20 s;
- the export of 10,000 suggestions to .xlsx, and their import (dry run, then apply, rolled back
  afterwards so the data stay as built) into a meeting of their own: target under 60 s.

Run:
    createdb -h 127.0.0.1 -U postgres jianyi_bench6
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_bench6 .venv/bin/python bench/reports_bench.py
Options: --rebuild (drop the data and build again), --runs N (repetitions of the timings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from deputies.models import Delegation, Deputy, Role, Term, User  # noqa: E402
from handling.models import Assignment, ContactRecord, Rating, Reply, ResultCategory, Unit  # noqa: E402
from proposals import deadlines  # noqa: E402
from proposals.models import Category, CoSignature, Meeting, Proposal, ProposalEvent, Source  # noqa: E402
from reports import annual, excel  # noqa: E402
from reports.models import AnnualReport  # noqa: E402
from supervision.models import KeyItem  # noqa: E402

FIRST_YEAR = 2016
YEARS = 10
SMALL_YEAR = 2025  # the 700-suggestion year
SMALL = 700
TOTAL = 100_000
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


def build(rebuild: bool) -> dict:
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
    ref = reference()
    existing = Proposal.objects.filter(meeting__in=ref["meetings"].values()).count()
    if existing >= TOTAL:
        log(f"reusing the {existing:,} suggestions already built")
        return ref
    if existing:
        raise SystemExit(f"{existing} suggestions exist but not {TOTAL}: run again with --rebuild")
    rng = random.Random(2026)
    big = (TOTAL - SMALL) // (YEARS - 1)
    sizes = {y: big for y in ref["meetings"] if y != SMALL_YEAR}
    sizes[FIRST_YEAR] += TOTAL - SMALL - big * (YEARS - 1)
    sizes[SMALL_YEAR] = SMALL
    started = time.monotonic()
    for year, count in sorted(sizes.items()):
        t = time.monotonic()
        with transaction.atomic():
            build_year(ref, year, count, rng)
        log(f"  {year}: {count:,} suggestions in {time.monotonic() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"built {TOTAL:,} suggestions in {time.monotonic() - started:.0f} s")
    return ref


# --- the measurements -----------------------------------------------------------------------------


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Median and worst of `runs` timings (after one warm-up run), in milliseconds."""
    result = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("run it on PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_bench6")
    settings.DEBUG = False
    ref = build(args.rebuild)
    staff = ref["staff"]
    years = {y: Proposal.objects.filter(meeting__year=y).count() for y in ref["meetings"]}
    big_year = max(years, key=lambda y: years[y])
    log(f"\ndata: {sum(years.values()):,} suggestions, {Unit.objects.count()} units, "
        f"{Assignment.objects.count():,} assignments, {Reply.objects.count():,} replies, "
        f"{Rating.objects.count():,} ratings, {ContactRecord.objects.count():,} contacts")  # fmt: skip

    client = Client()
    client.force_login(staff)
    log("\n== dashboard (server time: queries and template, through the test client) ==")
    for year in (big_year, SMALL_YEAR):
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get("/reports/dashboard/", {"year": year})
        median, worst, response = timed(lambda y=year: client.get("/reports/dashboard/", {"year": y}), args.runs)
        assert response.status_code == 200
        log(f"year {year} ({years[year]:,} suggestions): median {median:.0f} ms, worst {worst:.0f} ms, "
            f"{len(queries)} queries   [target < 300 ms]")  # fmt: skip
    median, worst, _r = timed(lambda: client.get("/reports/dashboard/units/", {"year": big_year}), args.runs)
    log(f"units' table page, year {big_year}: median {median:.0f} ms, worst {worst:.0f} ms")
    median, worst, _r = timed(
        lambda: client.get("/reports/dashboard/figures/", {"year": big_year, "figure": "not_on_time"}), args.runs
    )
    log(f"a figure's list (late replies), year {big_year}: median {median:.0f} ms, worst {worst:.0f} ms")

    log("\n== manage.py handling_stats --year Y --json ==")
    median, worst, _r = timed(
        lambda: call_command("handling_stats", "--year", str(big_year), "--json", stdout=io.StringIO()), args.runs
    )
    log(f"year {big_year}: median {median:.0f} ms, worst {worst:.0f} ms")

    log("\n== annual report (PDF) ==")
    AnnualReport.objects.update_or_create(
        year=SMALL_YEAR,
        defaults={
            "practices": "（一）加强领导\n" + "办理工作情况。" * 200,
            "plans": "（一）抓好落实\n" + "下一步工作。" * 100,
        },
    )
    t = time.perf_counter()
    data, pages = annual.build_pdf(SMALL_YEAR)
    seconds = time.perf_counter() - t
    Path("/tmp/bench-annual-report.pdf").write_bytes(data)
    log(f"year {SMALL_YEAR} ({years[SMALL_YEAR]} suggestions): {seconds:.1f} s, {pages} pages, {len(data) // 1024} KiB "
        f"(/tmp/bench-annual-report.pdf)   [target < 20 s]")  # fmt: skip

    log("\n== Excel: export then import 10,000 suggestions ==")
    source_year = next(y for y in sorted(years) if years[y] >= 10_000)
    queryset = Proposal.objects.filter(meeting__year=source_year).exclude(state="draft").order_by("number", "pk")
    ids = list(queryset.values_list("pk", flat=True)[:10_000])
    t = time.perf_counter()
    workbook = excel.export_suggestions(Proposal.objects.filter(pk__in=ids))
    log(f"export of {len(ids):,} rows: {time.perf_counter() - t:.1f} s, {len(workbook) // 1024} KiB")
    # The same rows, into a meeting of their own (their numbers are then free).
    target, _ = Meeting.objects.get_or_create(
        term=Term.objects.order_by("-number").first(), number=99,
        defaults={"name": IMPORT_MEETING, "year": 2030, "opens_on": dt.date(2024, 1, 1),
                  "closes_on": dt.date(2024, 1, 2)},
    )  # fmt: skip
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(workbook))
    sheet = book.active
    for cell in sheet["A"][1:]:
        cell.value = target.name
    buffer = io.BytesIO()
    book.save(buffer)
    workbook = buffer.getvalue()
    for dry_run in (True, False):
        t = time.perf_counter()
        with transaction.atomic():
            outcome = excel.run_import(
                "suggestions", io.BytesIO(workbook), user=staff, dry_run=dry_run, file_name="bench.xlsx"
            )
            elapsed = time.perf_counter() - t
            imported = Proposal.objects.filter(meeting=target).count()
            transaction.set_rollback(True)  # keep the data as built
        assert outcome.ok, (outcome.errors, outcome.bad_rows[:3])
        label = "dry run (check only)" if dry_run else "apply (written, then rolled back by the benchmark)"
        log(f"import of {outcome.total_rows:,} rows, {label}: {elapsed:.1f} s, {imported:,} suggestions in the database"
            f"   [target < 60 s]")  # fmt: skip
    log(f"  created: {outcome.created}")


if __name__ == "__main__":
    main()
