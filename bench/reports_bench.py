"""Benchmark of the reports on PostgreSQL at the scale of a city over ten years.

Builds (once; later runs reuse it) the 100,000-suggestion data of bench/data.py: nine years of
about 11,000 suggestions and one year of 700. Then prints:

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

from bench import data as bench_data  # noqa: E402
from deputies.models import Term  # noqa: E402
from handling.models import Assignment, ContactRecord, Rating, Reply, Unit  # noqa: E402
from proposals.models import Meeting, Proposal  # noqa: E402
from reports import annual, excel  # noqa: E402
from reports.models import AnnualReport  # noqa: E402

IMPORT_MEETING = "基准测试导入会议"
log = bench_data.log


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
    ref = bench_data.build(100_000, args.rebuild)
    staff = ref["staff"]
    years = {y: Proposal.objects.filter(meeting__year=y).count() for y in ref["meetings"]}
    big_year = max(years, key=lambda y: years[y])
    log(f"\ndata: {sum(years.values()):,} suggestions, {Unit.objects.count()} units, "
        f"{Assignment.objects.count():,} assignments, {Reply.objects.count():,} replies, "
        f"{Rating.objects.count():,} ratings, {ContactRecord.objects.count():,} contacts")  # fmt: skip

    client = Client()
    client.force_login(staff)
    log("\n== dashboard (server time: queries and template, through the test client) ==")
    for year in (big_year, bench_data.SMALL_YEAR):
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
        year=bench_data.SMALL_YEAR,
        defaults={
            "practices": "（一）加强领导\n" + "办理工作情况。" * 200,
            "plans": "（一）抓好落实\n" + "下一步工作。" * 100,
        },
    )
    t = time.perf_counter()
    data, pages = annual.build_pdf(bench_data.SMALL_YEAR)
    seconds = time.perf_counter() - t
    Path("/tmp/bench-annual-report.pdf").write_bytes(data)
    small = bench_data.SMALL_YEAR
    log(f"year {small} ({years[small]} suggestions): {seconds:.1f} s, {pages} pages, {len(data) // 1024} KiB "
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
