"""Every page without an argument in its address, as each bench person opens it, slowest first:
the pages that have no row of their own in bench/ratios.py, so that one grown slow with the
data is seen before a person waits for it.

    .venv/bin/python bench/sweep.py --size 1000|10000|100000 [--database NAME] [--rounds 5] [--top 25]

Uses the bench data of bench/ratios.py (the same database, built or reused the same way; the
same people: congress staff, a unit handler of the biggest unit, the deputy with the most
suggestions, and an anonymous visitor). For each person and each page of the URL map that takes
no argument and answers them 200 with HTML, it prints the median of `--rounds` loads after one
warm-up, with the number of SQL statements and their time run bare (the same measure as the
lists' rows of bench/ratios.py). Pages that write (log out), files (exports, PDFs) and the API
are left out; nothing is judged: the figures are for reading.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import ratios  # noqa: E402

SKIPPED = ("/admin/", "/api/", "logout", "export", "pdf", "download")


def addresses() -> Iterator[str]:
    """The URL map's addresses that take no argument."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: Sequence[object], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<" not in route and "(?P" not in route:
                    yield "/" + route.replace("^", "").replace("$", "")

    for address in sorted(set(walk(get_resolver().url_patterns, ""))):
        if not any(part in address for part in SKIPPED):
            yield address


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, choices=(1_000, 10_000, 100_000))
    parser.add_argument("--database", help="the bench database (default jianyi_ratios_<size>)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25, help="print the slowest this many")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    b = ratios.setup(
        ratios.parse(["--size", str(args.size), *(["--database", args.database] if args.database else [])])
    )
    import logging

    logging.disable(logging.WARNING)  # the 404s of pages a person may not open
    rows: list[ratios.Result] = []
    for who, client in b.clients.items():
        for address in addresses():
            first = client.get(address)
            if first.status_code != 200 or not first.get("Content-Type", "").startswith("text/html"):
                continue
            page = ratios.get(client, address)
            rows.append(ratios.against_its_sql(address, ratios.Target("reference", 0), page, args.rounds, who))
    rows.sort(key=lambda row: row.ours.median if row.ours else 0, reverse=True)
    print(f"\nsize {b.size:,} ({b.database}), {time.strftime('%Y-%m-%d %H:%M')}, {len(rows)} pages\n")
    print("| page | who | ours | SQL bare |")
    print("| --- | --- | ---: | ---: |")
    for row in rows[: args.top]:
        assert row.ours is not None and row.floor is not None
        print(
            f"| {row.what} | {row.note} | {ratios.duration(row.ours.median)} "
            f"| {row.floor_label.removesuffix(' bare')} {ratios.duration(row.floor.median)} |"
        )
    print(f"\nmedian page: {ratios.duration(statistics.median(row.ours.median for row in rows if row.ours))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
