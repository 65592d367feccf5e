"""Look for leaks and unaudited refusals in the current database.

Logs in as every active user (on the demo: deputy, deputy2, deputy03…, staff, supervision,
leader, committee, handler, head, handler2…head18, admin) and as the public, opens every route
of the URL map with objects of the right kind, posts every action, and prints per route and
role: how many pages were opened, how many showed a deputy a handlers' internal text (the real
ones of the database: co-handlers' opinions, countersignature comments, return notes,
correction reasons, replies not issued, and the names of those steps), how many showed a unit
a suggestion outside its own (by its title), how many refusals (404) and refused actions went
unaudited. The checks and the table of routes are tests/access/crawl.py.

    .venv/bin/python -m scripts.leak_scan [--sample N] [--every] [--users a,b] [--routes prefix] [--all]

It changes nothing: everything runs in one transaction rolled back at the end, and actions are
posted without files. Exit code 1 if anything was found.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from typing import Any


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.leak_scan", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sample",
        type=int,
        default=1,
        help="objects each person may see opened per route (default 1; a deputy's or a unit's "
        "pages that show one whole object are opened for every object they may see)",
    )
    parser.add_argument("--every", action="store_true", help="open every object each person may see, on every route")
    parser.add_argument("--users", default="", help="only these usernames, comma-separated ('-' for the public)")
    parser.add_argument("--routes", default="", help="only routes whose name starts with this")
    parser.add_argument("--all", action="store_true", help="print every row, not only those with something found")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # The test client's host, mail kept in memory, DEBUG off (no query log growing).
    setup_test_environment()
    # Every refusal would be logged as a warning; server errors still are.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.db import transaction

    from deputies.models import User
    from tests.access import crawl

    started = time.monotonic()
    wanted = {u for u in args.users.split(",") if u}
    users = User.objects.filter(is_active=True).order_by("role", "username")
    if wanted:
        users = users.filter(username__in=wanted)
    keys = [k for k in crawl.route_keys() if k in crawl.ROUTES and k.startswith(args.routes)]
    with transaction.atomic():
        people = [crawl.person(u.username, u) for u in users]
        if not wanted or "-" in wanted:
            people.append(crawl.person("(public)", None))
        catalogue = crawl.Catalogue.from_database()
        markers = crawl.Markers.from_database()
        done = Counter[str]()

        def progress(label: str) -> None:
            done["people"] += 1
            print(f"\r  {done['people']}/{len(people)} {label:<20}", end="", file=sys.stderr, flush=True)

        visits = crawl.crawl(
            people, catalogue, markers, keys=keys, sample=args.sample, every=args.every, progress=progress
        )
        print(file=sys.stderr)
        transaction.set_rollback(True)
    print_report(visits, people, catalogue, markers, args, time.monotonic() - started)
    return 1 if any(v.findings for v in visits) else 0


COLUMNS = ("views", "internal→deputy", "foreign→unit", "unaudited 404", "actions", "unaudited refused", "other")


def tally(visits: list[Any]) -> dict[tuple[str, str], Counter[str]]:
    from tests.access import crawl

    rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for visit in visits:
        row = rows[(visit.route, visit.person.group)]
        row["actions" if visit.method == "POST" else "views"] += 1
        problems = {f.problem for f in visit.findings}
        if problems & {crawl.INTERNAL_TO_DEPUTY, crawl.INTERNAL_TO_PUBLIC}:
            row["internal→deputy"] += 1
        if crawl.FOREIGN_TO_UNIT in problems:
            row["foreign→unit"] += 1
        if crawl.UNAUDITED in problems:
            row["unaudited 404"] += 1
        if crawl.ACTION_UNAUDITED in problems:
            row["unaudited refused"] += 1
        counted = {crawl.INTERNAL_TO_DEPUTY, crawl.INTERNAL_TO_PUBLIC, crawl.FOREIGN_TO_UNIT, crawl.UNAUDITED}
        if problems - counted - {crawl.ACTION_UNAUDITED}:
            row["other"] += 1
    return rows


def print_report(visits: list[Any], people: list[Any], catalogue: Any, markers: Any, args: Any, seconds: float) -> None:
    from tests.access import crawl

    rows = tally(visits)
    total = Counter[str]()
    for row in rows.values():
        total.update(row)
    objects = {kind: len(items) for kind, items in catalogue.objects.items() if kind != "none"}
    print(
        f"Leak scan: {len(people)} people, {total['views']} pages opened, {total['actions']} actions posted, "
        f"{seconds:.0f} s."
    )
    print("Objects: " + ", ".join(f"{kind} {n}" for kind, n in objects.items()))
    print(
        f"Internal texts looked for: {len(markers.internal)}; suggestions identified by title: {len(markers.titles)}."
    )
    empty = sorted({route.kind for route in crawl.ROUTES.values()} - {"none"} - {k for k, n in objects.items() if n})
    if empty:
        print(f"No object of these kinds, so their routes were not tried: {', '.join(empty)}.")
    if args.every:
        print("Not sampled: every object each person may see was opened on every route, and one they may not.")
    else:
        print(
            f"Sampled: on each route, {args.sample} object(s) each person may see (those the route is meant for "
            "first) and one they may not; a deputy's or a unit's pages that show one whole object (a suggestion, a "
            "reply, a key item, an urging notice, a promise) were opened for every object they may see. "
            "--every opens everything."
        )
    print()
    width = max([len("route")] + [len(route) for route, _ in rows]) + 1
    header = f"{'route':<{width}} {'role':<13} " + " ".join(f"{c:>{len(c)}}" for c in COLUMNS)
    print(header)
    print("-" * len(header))
    shown = 0
    for (route, group), row in sorted(rows.items()):
        found = any(row[c] for c in COLUMNS if c not in ("views", "actions"))
        if not (found or args.all):
            continue
        shown += 1
        print(f"{route:<{width}} {group:<13} " + " ".join(f"{row[c]:>{len(c)}}" for c in COLUMNS))
    if not shown:
        print("(nothing found)")
    print("-" * len(header))
    print(f"{'total':<{width}} {'':<13} " + " ".join(f"{total[c]:>{len(c)}}" for c in COLUMNS))
    clean = len(rows) - shown
    if clean and not args.all:
        print(f"({clean} route × role rows with nothing found are not shown; --all shows them)")
    examples = [f for v in visits for f in v.findings]
    if examples:
        print()
        print("First finding of each kind:")
        first: dict[str, Any] = {}
        for finding in examples:
            first.setdefault(finding.problem, finding)
        for problem, f in sorted(first.items()):
            print(f"  {problem}: {f.method} {f.route} as {f.person} on {f.obj}: {f.status} {f.detail}")


if __name__ == "__main__":
    sys.exit(main())
