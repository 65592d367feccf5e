"""Benchmark of the daily reminder scan on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jianyi_wt5 .venv/bin/python bench/daily_scan.py
    ... bench/daily_scan.py --items 1000,10000,100000     (the default)

For each size it creates a fresh database `<name>_bench_<size>` (from a migrated template, so the
database of DATABASE_URL itself is never touched), fills it with bulk_create (not the services:
building 100,000 histories through them would take an hour), and times three scans:

- first:     the first scan ever on that data (every occasion is new: the worst case, with the
             follow-up entries of every B-class reply created on the way);
- again:     the same day once more (nothing left to send: the cost of looking);
- next day:  a typical day after that.

It prints the seconds, the number of SQL statements and what was sent. The statement count must
not grow with the number of items (every rule reads in a few set-based queries and sends in one
INSERT, and queues the e-mails and text messages of what it sent in one INSERT per channel), and
the scan over 100,000 open items must stay under 30 seconds. Every login has an e-mail address
and a mobile number, so the outbox is written as in a real deployment; the messages are only
queued (tasks are not run in-process here), not sent.

The open items: suggestions owing a reply (assigned, in handling, re-handling; due dates spread
from 40 days past to 170 days ahead, so that about one in five is overdue), replied ones not yet
rated, closed ones with an open B-class promise, 1 % of them in key items, and unacknowledged
urging notices. Pass --keep to leave the databases for inspection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Reads: 4 + 1–3 per rule; writes: 6 per rule that sends something (the claims' temporary table
# made and emptied, the reminders, notifications, and the outbox's e-mails and text messages; the
# COPY into the temporary table is not counted), +1 for the deputies' logins.
STATEMENT_BOUND = 72
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", default="1000,10000,100000", help="comma-separated sizes (open items)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    return parser.parse_args()


def admin_connection(url: str):
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    conn = psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    )
    return conn, db["NAME"]


def recreate(conn, name: str, template: str | None = None) -> None:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def use_database(name: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def build(size: int, today: dt.date) -> dict[str, int]:  # noqa: C901 - one data set, step by step
    """Fill the current database with `size` open items, in bulk."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from deputies.models import Deputy, Role, Term, User
    from handling.models import Assignment, Reply, ResultCategory, Unit, UnitMember
    from proposals.models import Category, Meeting, Proposal, ProposalState
    from supervision.models import KeyItem, UrgingNotice

    S = ProposalState
    rng = random.Random(size)
    password = make_password("Bench#2026")
    now = timezone.now()

    with transaction.atomic():
        term = Term.objects.create(number=17, name="第十七届", start_year=today.year - 3)
        meetings = [
            Meeting.objects.create(
                term=term,
                number=index + 1,
                name=f"十七届人大{index + 1}次会议",
                year=year,
                opens_on=dt.date(year, 1, 10),
                closes_on=dt.date(year, 1, 13),
            )
            for index, year in enumerate(range(today.year - 2, today.year + 1))
        ]
        category = Category.objects.create(name="城乡建设与管理")
        result_a = ResultCategory.objects.create(name="已经解决或基本解决", result_class="A")
        result_b = ResultCategory.objects.create(name="列入计划逐步解决", result_class="B")

        def users(prefix: str, role: str, count: int) -> list[User]:
            return User.objects.bulk_create(
                [
                    User(
                        username=f"{prefix}{i:05d}",
                        full_name=f"{prefix}{i}",
                        role=role,
                        password=password,
                        email=f"{prefix}{i:05d}@example.cn",
                        phone=f"138{i:08d}",
                    )
                    for i in range(count)
                ]
            )

        staff = users("staff", Role.STAFF, 5)
        users("supervision", Role.SUPERVISION, 2)
        leaders = users("leader", Role.LEADER, 10)
        units = Unit.objects.bulk_create([Unit(name=f"承办单位{i:03d}") for i in range(200)])
        handlers = users("handler", Role.UNIT_HANDLER, len(units))
        heads = users("head", Role.UNIT_HEAD, len(units))
        UnitMember.objects.bulk_create(
            [UnitMember(user=u, unit=unit) for unit, u in zip(units + units, handlers + heads, strict=True)]
        )
        deputy_users = users("deputy", Role.DEPUTY, 2000)
        deputies = Deputy.objects.bulk_create([Deputy(name=u.full_name, user=u) for u in deputy_users])

        # What each open item is. Shares of `size`.
        kinds = ["handling"] * 60 + ["assigned"] * 8 + ["rehandling"] * 7 + ["replied"] * 15 + ["promise"] * 10
        plan = [kinds[i % len(kinds)] for i in range(size)]
        rng.shuffle(plan)
        proposals, numbers = [], {m.pk: 0 for m in meetings}
        for kind in plan:
            meeting = meetings[-1] if kind != "promise" else rng.choice(meetings)
            numbers[meeting.pk] += 1
            state = {
                "handling": S.IN_HANDLING,
                "assigned": S.ASSIGNED,
                "rehandling": S.REHANDLING,
                "replied": S.REPLIED,
                "promise": S.CLOSED,
            }[kind]
            due = today + dt.timedelta(days=rng.randint(-40, 170)) if kind in ("handling", "assigned") else None
            proposals.append(
                Proposal(
                    meeting=meeting,
                    number=numbers[meeting.pk],
                    title=f"关于第{numbers[meeting.pk]}件事项的建议",
                    body="建议正文。",
                    lead_deputy=rng.choice(deputies),
                    category=category,
                    state=state,
                    due_on=due,
                    created_by=staff[0],
                )
            )
        proposals = Proposal.objects.bulk_create(proposals, batch_size=10000)

        assignments = []
        for proposal, kind in zip(proposals, plan, strict=True):
            unit = units[proposal.number % len(units)]
            assigned_on = today - dt.timedelta(days=rng.randint(20, 200))
            deadline = proposal.due_on or assigned_on + dt.timedelta(days=90)
            assignments.append(
                Assignment(
                    proposal=proposal,
                    unit=unit,
                    role="lead",
                    assigned_on=assigned_on,
                    deadline=deadline,
                    rehandling_deadline=today + dt.timedelta(days=rng.randint(-10, 30))
                    if kind == "rehandling"
                    else None,
                    assigned_by=staff[0],
                    signed_at=None if kind == "assigned" else now,
                )
            )
        assignments = Assignment.objects.bulk_create(assignments, batch_size=10000)
        # The re-handling ones owe their second reply: that is the suggestion's due date (as the
        # handling services keep it).
        for assignment in assignments:
            if assignment.rehandling_deadline:
                Proposal.objects.filter(pk=assignment.proposal_id).update(due_on=assignment.rehandling_deadline)

        replies = []
        for assignment, kind in zip(assignments, plan, strict=True):
            if kind not in ("replied", "rehandling", "promise"):
                continue
            issued = now - dt.timedelta(days=rng.randint(0, 40) if kind == "replied" else rng.randint(60, 400))
            replies.append(
                Reply(
                    assignment=assignment,
                    round=1,
                    state=Reply.State.ISSUED,
                    result_category=result_b if kind == "promise" else result_a,
                    body="答复正文。",
                    promised_items="列入计划，分步实施。" if kind == "promise" else "",
                    promised_by=(issued + dt.timedelta(days=rng.randint(90, 500))).date()
                    if kind == "promise"
                    else None,
                    created_by=staff[0],
                    issued_at=issued,
                )
            )
        Reply.objects.bulk_create(replies, batch_size=10000)

        open_ids = [p.pk for p, kind in zip(proposals, plan, strict=True) if kind in ("handling", "assigned")]
        key_items = KeyItem.objects.bulk_create(
            [
                KeyItem(year=today.year, title=f"重点主题{i}", leader=leaders[i % len(leaders)], created_by=staff[0])
                for i in range(max(1, size // 500))
            ]
        )
        KeyItem.objects.filter(pk__in=[k.pk for k in key_items]).update(created_at=now - dt.timedelta(days=45))
        Through = KeyItem.proposals.through
        Through.objects.bulk_create(
            [
                Through(keyitem_id=key_items[i % len(key_items)].pk, proposal_id=pk)
                for i, pk in enumerate(open_ids[: max(5, size // 100)])
            ]
        )
        notices = UrgingNotice.objects.bulk_create(
            [
                UrgingNotice(
                    unit=units[i % len(units)],
                    message="请加快办理。",
                    sent_by=staff[0],
                    sent_at=now - dt.timedelta(days=rng.randint(0, 10)),
                )
                for i in range(max(1, size // 50))
            ]
        )
        UrgingNotice.proposals.through.objects.bulk_create(
            [
                UrgingNotice.proposals.through(urgingnotice_id=n.pk, proposal_id=open_ids[i])
                for i, n in enumerate(notices)
            ]
        )
    counts: dict[str, int] = {}
    for kind in plan:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def scan(today: dt.date) -> tuple[float, int, dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.reminders import run_daily_scan

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        summary = run_daily_scan(today)
        seconds = time.perf_counter() - started
    return seconds, len(queries), summary


def main() -> None:
    args = parse()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (its server is used; the database itself is not touched).")
    sizes = [int(s) for s in args.items.split(",")]
    conn, name = admin_connection(url)
    template = f"{name}_bench_template"
    recreate(conn, template)
    os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{template}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    # The wake-ups of the drain go to the in-memory broker, where nothing runs them: the scan is
    # timed with its messages queued in the outbox, not with 100,000 e-mails being written.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    print(f"Migrating the template database {template}…", flush=True)
    call_command("migrate", verbosity=0)
    use_database("postgres")  # leave the template free to be copied
    from django.db import connections

    connections["default"].close()

    today = timezone.localdate()
    rows = []
    for size in sizes:
        database = f"{name}_bench_{size}"
        recreate(conn, database, template)
        use_database(database)
        started = time.perf_counter()
        kinds = build(size, today)
        built = time.perf_counter() - started
        print(f"\n{size:,} open items built in {built:.1f} s: {kinds}", flush=True)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for label, day in (("first", today), ("again", today), ("next day", today + dt.timedelta(days=1))):
            seconds, queries, summary = scan(day)
            sent = sum(v for k, v in summary.items() if k != "promises_created")
            print(
                f"  scan {label:<9} {seconds:6.2f} s  {queries:3d} SQL statements  {sent:7,} reminders sent  {summary}",
                flush=True,
            )
            rows.append((size, label, seconds, queries, sent))
        connections["default"].close()
        if not args.keep:
            use_database("postgres")
            connections["default"].close()
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    if not args.keep:
        conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')

    print("\n| open items | scan | seconds | SQL statements | reminders sent |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for size, label, seconds, queries, sent in rows:
        print(f"| {size:,} | {label} | {seconds:.2f} | {queries} | {sent:,} |")
    # A rule that sends nothing skips its two writes, so the count varies by a few with what is
    # due that day; what matters is that it does not grow with the number of items.
    by_size: dict[int, list[int]] = {}
    for size, _label, _seconds, queries, _sent in rows:
        by_size.setdefault(size, []).append(queries)
    spread = ", ".join(f"{size:,} items: {min(q)}–{max(q)}" for size, q in by_size.items())
    bounded = all(max(q) <= STATEMENT_BOUND for q in by_size.values())
    print(f"\nSQL statements per scan ({spread}): {'within' if bounded else 'ABOVE'} the bound of {STATEMENT_BOUND}")
    worst = max(s for size, _l, s, _q, _sent in rows if size == max(sizes))
    print(f"Slowest scan at {max(sizes):,} items: {worst:.2f} s (target: under 30 s)")


if __name__ == "__main__":
    main()
