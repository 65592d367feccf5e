"""Each page and job against its floor, at one size: the one bench command.

    .venv/bin/python bench/ratios.py --size 1000|10000|100000 [--rounds 7] [--only dashboard ...]

PostgreSQL only. The data (bench/data.py: 2,000 deputies and 300 units at every size; 1,000 or
10,000 suggestions in one year plus the 700-suggestion year, or ten years at 100,000) go into
the database `jianyi_ratios_<size>` on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432), created and built when missing and reused afterwards;
`--database NAME` names another, `--rebuild` builds again, `--template DB` makes a missing one as
a copy of DB (e.g. `bench_base_100k`, built by bench/reports_bench.py: the same 100,000 shape).
The daily scan's open items are another database, `<database>_scan`, built the same way by
bench/daily_scan.py. The database is vacuumed before the rows are timed (`vacuum_database`), so
that a run does not time the garbage of the runs before it.

For each row, our path and its floor run interleaved (ours, floor, ours, floor…) after one
warm-up of each, `--rounds` times (`--heavy-rounds`, 5 by default, for the import, the scan and
the PDF, which take seconds each); the table gives the medians, the ratio and the target, and
below it each side's min and max. The exit status is 1 when a row misses its target.

The rows and their floors:

- dashboard, the biggest year: the page through Django's test client as staff (every
  middleware, DEBUG off) against the figures the page shows computed by hand-written SQL
  (`dashboard_floor`: one statement for the suggestions' counts, result categories and units'
  sums, one GROUP BY for categories and sources, the overdue list, the key items). The floor's
  counts are checked equal to reports.figures' before timing: a floor that disagrees fails the
  row. Target ours ÷ floor ≤ 3 (and ≤ 150 ms at 100,000).
- staff list and unit list, five variants each: the page against the exact SQL it ran (captured
  once with `connection.execute_wrapper`, replayed with a cursor, every row fetched), as
  throughput: floor time ÷ our time ≥ 50 %. Above each list's rows, for reference and with no
  target, the same measure of the signed-in page with the least on it (the password page).
- the deputy's "my suggestions" endpoint of the HTTP API (`api`: GET /api/v1/suggestions/ with
  the deputy's personal token, the first page of 30): ≤ 50 ms; the floor is its SQL run bare.
- the deputy's "my suggestions" (the deputy with the most suggestions) and the public replies
  (anonymous, no filter; and a deep page, reached by the page's own "next" link numbering, to
  show the time is flat): ≤ 100 ms each; the floor column shows the page's SQL run bare.
- the public progress pages (anonymous, the cache off: the page's own work is timed): the list
  with no filter (the latest year), one unit's and one category's items of the biggest year, a
  deep page of the biggest year (25 "next" links on), and the page of one closed item: ≤ 100 ms
  each; the floor column shows the page's SQL run bare.
- import of 10,000 rows (1,000 at size 1,000) of the big year, applied through
  reports.excel.run_import after the upload's check (the dry run the import page runs first,
  untimed, which leaves the cells it read in the cache) and rolled back, against openpyxl
  read-only reading the same workbook plus `bulk_create` of the same suggestions (only the
  suggestions), rolled back: ≤ 2× and the worst ≤ 15 s.
- daily scan, the first scan over the open items (as many as the size), rolled back after each
  round so that every round is a first scan, the tables it writes vacuumed before each (untimed:
  the rolled-back rows of earlier rounds are not what a real first scan finds): ≤ 5 s.
- annual PDF of the 700-suggestion year (reports.annual.build_pdf) against WeasyPrint alone
  writing the same HTML with the same base URL and stylesheet: ≤ 1.5×.
- dashboard JS: the bytes of the static files named by the dashboard's <script src>: ≤ 250 KB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
HEAVY = ("import", "scan", "pdf")

# --- the harness's pure parts (tests/test_bench_ratios.py) -------------------------------------


@dataclass
class Timing:
    """Milliseconds of the measured rounds."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)


def interleave(
    ours: Callable[[], object],
    floor: Callable[[], object] | None,
    rounds: int,
    *,
    warmup: int = 1,
    clock: Callable[[], float] = time.perf_counter,
    before: Callable[[], object] | None = None,
) -> tuple[Timing, Timing | None]:
    """Time `ours` and `floor` alternately (ours, floor, ours, floor…), `rounds` each, after
    `warmup` untimed runs of each: both see the same load on a shared machine. `before`, when
    given, runs untimed before each run of either."""
    for _ in range(warmup):
        ours()
        if floor is not None:
            floor()
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        for fn, into in ((ours, mine), (floor, theirs)):
            if fn is None:
                continue
            if before is not None:
                before()
            started = clock()
            fn()
            into.append((clock() - started) * 1000)
    return Timing(mine), (Timing(theirs) if floor is not None else None)


@dataclass
class Target:
    """What a row must meet. kind: "ratio" (ours ÷ floor ≤ limit), "throughput" (floor ÷ ours
    ≥ limit), "absolute" (our median ≤ limit ms), "bytes" (≤ limit bytes), "reference" (a
    throughput shown beside the others to read them by, which meets nothing and misses
    nothing). `median_ms` and `worst_ms` are absolute bounds added to a ratio."""

    kind: str
    limit: float
    median_ms: float | None = None
    worst_ms: float | None = None

    def text(self) -> str:
        if self.kind == "ratio":
            parts = [f"≤ {self.limit:g}×"]
        elif self.kind == "throughput":
            parts = [f"≥ {self.limit:.0%}"]
        elif self.kind == "absolute":
            parts = [f"≤ {duration(self.limit)}"]
        elif self.kind == "reference":
            return "none (reference)"
        else:
            parts = [f"≤ {self.limit / 1000:g} KB"]
        if self.median_ms is not None:
            parts.append(f"≤ {duration(self.median_ms)}")
        if self.worst_ms is not None:
            parts.append(f"worst ≤ {duration(self.worst_ms)}")
        return " and ".join(parts)


@dataclass
class Result:
    what: str
    target: Target
    ours: Timing | None = None
    floor: Timing | None = None
    size: int | None = None  # bytes, for the "bytes" rows
    floor_label: str = ""
    note: str = ""
    failed: str = ""  # a check that failed (the row misses whatever the times)

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.floor is None or not self.floor.median or not self.ours.median:
            return None
        if self.target.kind in ("throughput", "reference"):
            return self.floor.median / self.ours.median
        return self.ours.median / self.floor.median

    @property
    def ok(self) -> bool:
        return verdict(self)


def verdict(result: Result) -> bool:
    """Whether the row meets its target (a failed check never does)."""
    if result.failed:
        return False
    target = result.target
    if target.kind == "reference":
        return True
    if target.kind == "bytes":
        return result.size is not None and result.size <= target.limit
    assert result.ours is not None
    if target.median_ms is not None and result.ours.median > target.median_ms:
        return False
    if target.worst_ms is not None and result.ours.max > target.worst_ms:
        return False
    if target.kind == "absolute":
        return result.ours.median <= target.limit
    ratio = result.ratio
    if ratio is None:
        return False
    return ratio <= target.limit if target.kind == "ratio" else ratio >= target.limit


def shown_verdict(result: Result) -> str:
    """PASS, MISS (with the failed check), or — for a reference row."""
    if result.target.kind == "reference":
        return "—"
    return "PASS" if result.ok else "MISS" + (f" ({result.failed})" if result.failed else "")


def duration(ms: float) -> str:
    if ms >= 10_000:
        return f"{ms / 1000:.1f} s"
    if ms >= 1000:
        return f"{ms / 1000:.2f} s"
    return f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def table(results: Sequence[Result]) -> str:
    """The markdown table (what | ours | floor | ratio | target | ok), then min/max per row."""
    lines = ["| what | ours | floor | ratio | target | ok |", "| --- | ---: | --- | ---: | --- | --- |"]
    for r in results:
        if r.target.kind == "bytes":
            ours = f"{r.size / 1000:.1f} KB" if r.size is not None else "—"
        else:
            ours = duration(r.ours.median) if r.ours else "—"
        floor = (f"{r.floor_label} " if r.floor_label else "") + (duration(r.floor.median) if r.floor else "")
        ratio = r.ratio
        if ratio is None:
            ratio_text = "—"
        elif r.target.kind in ("throughput", "reference"):
            ratio_text = f"{ratio:.0%}"
        else:
            ratio_text = f"{ratio:.2f}×"
        verdict_text = shown_verdict(r)
        what = r.what + (f" ({r.note})" if r.note else "")
        cells = [what, ours, floor.strip() or "—", ratio_text, r.target.text(), verdict_text]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in results:
        spans = []
        for side, timing in (("ours", r.ours), ("floor", r.floor)):
            if timing is not None:
                spans.append(f"{side} {duration(timing.min)}–{duration(timing.max)} ({len(timing.samples)} rounds)")
        if spans:
            lines.append(f"- {r.what}: " + "; ".join(spans))
    return "\n".join(lines)


# --- databases ---------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith("postgres") else DEFAULT_SERVER


def admin(server: str) -> Any:
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


def exists(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create(conn: Any, name: str, template: str | None = None) -> None:
    """Create `name` (as a copy of `template`: retried while the template is in use)."""
    sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    for attempt in range(10):
        try:
            conn.execute(sql)
            return
        except Exception as exc:  # the template busy: someone is connected to it
            if "being accessed" not in str(exc) or attempt == 9:
                raise
            time.sleep(3)


def use_database(name: str) -> None:
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


# --- measuring helpers ------------------------------------------------------------------------------


def capture(fn: Callable[[], object]) -> list[tuple[str, Any, bool]]:
    """The SQL statements `fn` runs (savepoints aside), to replay them bare."""
    from django.db import connection

    statements: list[tuple[str, Any, bool]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if not re.match(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", sql):
            statements.append((sql, params, many))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return statements


def replay(statements: list[tuple[str, Any, bool]]) -> Callable[[], None]:
    """Run the statements again with a cursor, fetching every row, in one transaction (so that a
    page's `SET LOCAL` applies to the statements after it, as it did in the page)."""
    from django.db import connection, transaction

    def run() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params, many in statements:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                if cursor.description is not None:
                    cursor.fetchall()

    return run


def against_its_sql(what: str, target: Target, page: Callable[[], object], rounds: int, note: str = "") -> Result:
    """`page` timed against the SQL it runs (captured once), replayed bare: the floor of the
    lists, the deputy's page, the API and the public pages."""
    statements = capture(page)
    ours, floor = interleave(page, replay(statements), rounds)
    return Result(what, target, ours, floor, floor_label=f"{len(statements)} SQL bare", note=note)


def get(client: Any, url: str, data: dict[str, Any] | None = None) -> Callable[[], Any]:
    def run() -> Any:
        response = client.get(url, data or {})
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {data or ''}: {response.status_code}")
        return response

    return run


def rolled_back(fn: Callable[[], object]) -> Callable[[], None]:
    from django.db import transaction

    def run() -> None:
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


# --- the dashboard's floor ------------------------------------------------------------------------

# The suggestions' figures, the result categories and the units' sums of one year, in one
# statement. x: each active assignment of the year with its issued replies (first and second
# round) and their ratings; the standing reply is the second once issued. f: each suggestion
# with what its answering units' standing replies say. u: the units' sums.
DASHBOARD_SQL = """
WITH y AS (
    SELECT p.id, p.state, p.channel, p.due_on
    FROM proposals_proposal p JOIN proposals_meeting m ON m.id = p.meeting_id
    WHERE m.year = %(year)s
), ct AS (
    SELECT k.proposal_id, k.assignment_id, bool_or(k.kind = 'face_to_face') AS f2f
    FROM handling_contactrecord k JOIN y ON y.id = k.proposal_id
    WHERE k.deputy_response <> 'disputed'
    GROUP BY k.proposal_id, k.assignment_id
), x AS (
    SELECT a.id, a.proposal_id, a.unit_id, a.role, a.deadline, a.rehandling_deadline, y.state,
           COUNT(r.id) FILTER (WHERE r.round = 1) AS first,
           COUNT(r.id) FILTER (WHERE r.round = 1
                               AND (r.issued_at AT TIME ZONE %(tz)s)::date > a.deadline) AS first_late,
           COUNT(r.id) FILTER (WHERE r.round = 2) AS second,
           COUNT(r.id) FILTER (WHERE r.round = 2
                               AND (r.issued_at AT TIME ZONE %(tz)s)::date > a.rehandling_deadline) AS second_late,
           MAX(ARRAY[ascii(c.result_class), c."order", c.id]) FILTER (WHERE r.round = 1) AS worst1,
           MAX(ARRAY[ascii(c.result_class), c."order", c.id]) FILTER (WHERE r.round = 2) AS worst2,
           MAX(g.res) FILTER (WHERE r.round = 1) AS res1, MAX(g.res) FILTER (WHERE r.round = 2) AS res2,
           MAX(g.att) FILTER (WHERE r.round = 1) AS att1, MAX(g.att) FILTER (WHERE r.round = 2) AS att2,
           COUNT(r.id) FILTER (WHERE r.round = 1 AND g.reply_id IS NULL) AS unrated1,
           COUNT(r.id) FILTER (WHERE r.round = 2 AND g.reply_id IS NULL) AS unrated2
    FROM handling_assignment a
    JOIN y ON y.id = a.proposal_id
    LEFT JOIN handling_reply r ON r.assignment_id = a.id AND r.state = 'issued'
    LEFT JOIN handling_resultcategory c ON c.id = r.result_category_id
    LEFT JOIN (
        SELECT reply_id,
               CASE result WHEN 'satisfied' THEN 1 WHEN 'basic' THEN 2 WHEN 'unsatisfied' THEN 3 END AS res,
               CASE attitude WHEN 'satisfied' THEN 1 WHEN 'basic' THEN 2 WHEN 'unsatisfied' THEN 3 END AS att
        FROM handling_rating
    ) g ON g.reply_id = r.id
    WHERE a.is_active
    GROUP BY a.id, y.state
), s AS (
    SELECT x.*,
           CASE WHEN second > 0 THEN worst2 ELSE worst1 END AS worst,
           CASE WHEN second > 0 THEN res2 ELSE res1 END AS res,
           CASE WHEN second > 0 THEN att2 ELSE att1 END AS att,
           CASE WHEN second > 0 THEN unrated2 ELSE unrated1 END AS unrated,
           ct.assignment_id IS NOT NULL AS contacted, COALESCE(ct.f2f, false) AS f2f
    FROM x LEFT JOIN ct ON ct.assignment_id = x.id
), f AS (
    SELECT y.id, y.state, y.channel,
           (MAX(s.worst))[3] AS result_cat,
           COALESCE(SUM(s.unrated), 0) AS unrated,
           MAX(s.res) AS res, MAX(s.att) AS att,
           COALESCE(SUM(s.first_late), 0) > 0 AS late,
           COALESCE(SUM(CASE WHEN s.deadline < %(today)s AND s.first = 0 THEN 1 ELSE 0 END), 0) > 0 AS missed,
           cp.proposal_id IS NOT NULL AS contacted, COALESCE(cp.f2f, false) AS f2f,
           kp.proposal_id IS NOT NULL AS is_key,
           y.due_on < %(today)s AND y.state = ANY(%(due_states)s) AS overdue
    FROM y
    LEFT JOIN s ON s.proposal_id = y.id AND s.role IN ('lead', 'separate')
    LEFT JOIN (SELECT proposal_id, bool_or(f2f) AS f2f FROM ct GROUP BY proposal_id) cp ON cp.proposal_id = y.id
    LEFT JOIN (SELECT DISTINCT proposal_id FROM supervision_keyitem_proposals) kp ON kp.proposal_id = y.id
    GROUP BY y.id, y.state, y.channel, y.due_on, cp.proposal_id, cp.f2f, kp.proposal_id
), g AS (
    SELECT f.*, state = ANY(%(replied)s) AS replied, state = ANY(%(assigned)s) AS assigned,
           state = ANY(%(replied)s) AND result_cat IS NOT NULL AND unrated = 0 AS rated
    FROM f
)
SELECT
    COUNT(*) FILTER (WHERE state = ANY(%(registered)s)) AS registered,
    COUNT(*) FILTER (WHERE state = ANY(%(registered)s) AND channel = 'meeting') AS meeting,
    COUNT(*) FILTER (WHERE state = ANY(%(registered)s) AND channel = 'between') AS between,
    COUNT(*) FILTER (WHERE assigned) AS assigned,
    COUNT(*) FILTER (WHERE replied) AS replied,
    COUNT(*) FILTER (WHERE state = ANY(%(done)s)) AS done,
    COUNT(*) FILTER (WHERE assigned AND (replied OR missed OR late)) AS due,
    COUNT(*) FILTER (WHERE replied AND NOT late) AS on_time,
    COUNT(*) FILTER (WHERE assigned AND contacted) AS contacted,
    COUNT(*) FILTER (WHERE assigned AND f2f) AS face_to_face,
    COUNT(*) FILTER (WHERE rated) AS rated,
    COUNT(*) FILTER (WHERE replied AND NOT rated) AS unrated,
    COUNT(*) FILTER (WHERE rated AND res = 1) AS result_satisfied,
    COUNT(*) FILTER (WHERE rated AND res = 2) AS result_basic,
    COUNT(*) FILTER (WHERE rated AND res = 3) AS result_unsatisfied,
    COUNT(*) FILTER (WHERE rated AND att = 1) AS attitude_satisfied,
    COUNT(*) FILTER (WHERE rated AND att = 2) AS attitude_basic,
    COUNT(*) FILTER (WHERE rated AND att = 3) AS attitude_unsatisfied,
    COUNT(*) FILTER (WHERE overdue) AS overdue,
    COUNT(*) FILTER (WHERE is_key) AS key,
    (SELECT json_object_agg(result_cat, n) FROM (
        SELECT result_cat, COUNT(*) AS n FROM g WHERE replied AND result_cat IS NOT NULL GROUP BY result_cat
    ) rc) AS result_categories,
    (SELECT json_agg(u) FROM (
        SELECT unit_id,
               COUNT(*) FILTER (WHERE role <> 'co') AS count,
               COUNT(*) FILTER (WHERE role = 'co') AS co,
               COUNT(*) FILTER (WHERE role <> 'co' AND (first > 0 OR deadline < %(today)s)) AS due,
               COUNT(*) FILTER (WHERE role <> 'co' AND first > 0 AND first_late = 0) AS on_time,
               COUNT(*) FILTER (WHERE role <> 'co' AND rehandling_deadline IS NOT NULL
                                AND (second_late > 0 OR (rehandling_deadline < %(today)s AND second = 0)))
                   AS rehandling_late,
               COUNT(*) FILTER (WHERE role <> 'co' AND state = ANY(%(due_states)s)
                                AND ((deadline < %(today)s AND first = 0)
                                     OR (rehandling_deadline < %(today)s AND second = 0))) AS overdue,
               COUNT(*) FILTER (WHERE role <> 'co' AND contacted) AS contacted,
               COUNT(*) FILTER (WHERE role <> 'co' AND f2f) AS face_to_face,
               COUNT(*) FILTER (WHERE role <> 'co' AND res IS NOT NULL) AS rated,
               COUNT(*) FILTER (WHERE role <> 'co' AND res = 1) AS satisfied,
               COUNT(*) FILTER (WHERE role <> 'co' AND res = 2) AS basic,
               COUNT(*) FILTER (WHERE role <> 'co' AND res = 3) AS unsatisfied
        FROM s GROUP BY unit_id
    ) u) AS units
FROM g
"""
BREAKDOWN_SQL = """
SELECT p.category_id, p.source_id, COUNT(*)
FROM proposals_proposal p JOIN proposals_meeting m ON m.id = p.meeting_id AND m.year = %(year)s
WHERE p.state = ANY(%(registered)s)
GROUP BY GROUPING SETS ((p.category_id), (p.source_id))
"""
OVERDUE_SQL = """
SELECT p.id, p.number, p.title, p.due_on, p.state, m.name, d.name, c.name,
       (SELECT string_agg(u.name, '、' ORDER BY a.role = 'co', a.id)
        FROM handling_assignment a JOIN handling_unit u ON u.id = a.unit_id
        WHERE a.proposal_id = p.id AND a.is_active) AS units
FROM proposals_proposal p
JOIN proposals_meeting m ON m.id = p.meeting_id AND m.year = %(year)s
LEFT JOIN deputies_deputy d ON d.id = p.lead_deputy_id
LEFT JOIN proposals_category c ON c.id = p.category_id
WHERE p.state = ANY(%(due_states)s) AND p.due_on < %(today)s
ORDER BY p.due_on, p.number, p.id
LIMIT 20
"""
KEY_ITEMS_SQL = """
SELECT k.id, k.title, l.full_name, p.id, p.number, p.title, p.state, d.name
FROM supervision_keyitem k
LEFT JOIN deputies_user l ON l.id = k.leader_id
LEFT JOIN supervision_keyitem_proposals kp ON kp.keyitem_id = k.id
LEFT JOIN proposals_proposal p ON p.id = kp.proposal_id
    AND p.meeting_id IN (SELECT id FROM proposals_meeting WHERE year = %(year)s)
LEFT JOIN deputies_deputy d ON d.id = p.lead_deputy_id
WHERE k.year = %(year)s
ORDER BY k.id, p.meeting_id, p.number, p.id
"""


def dashboard_floor(year: int, today: dt.date) -> dict[str, Any]:
    """The figures the dashboard shows for `year`, by hand-written SQL: the tiles' counts, the
    charts (categories, result categories and classes, satisfaction), the sources, the units'
    sums (their ranking is arithmetic on 300 rows), the 20 overdue suggestions with their units,
    and the key items with their suggestions."""
    from django.conf import settings
    from django.db import connection, transaction

    from proposals.states import ASSIGNED_STATES, REPLY_DUE_STATES
    from proposals.states import ProposalState as S

    registered = (S.REGISTERED, *ASSIGNED_STATES)
    params = {
        "year": year,
        "today": today,
        "tz": settings.TIME_ZONE,
        "registered": [str(s) for s in registered],
        "assigned": [str(s) for s in ASSIGNED_STATES],
        "replied": [S.REPLIED.value, S.REHANDLING.value, S.CLOSED.value],
        "done": [S.REPLIED.value, S.CLOSED.value],
        "due_states": [str(s) for s in REPLY_DUE_STATES],
    }
    # One transaction with the planner set as a careful engineer would for short analytical
    # statements over one year: the JIT compiler off (compiling costs more, ~300 ms at 10,000
    # suggestions, than running), no parallel workers (on 2 cores they cost more to start than
    # they save), random_page_cost for an SSD (the year's rows reached through their indexes).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute("SET LOCAL random_page_cost = 1.1")
        cursor.execute(DASHBOARD_SQL, params)
        names = [c[0] for c in cursor.description]
        figures = dict(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(BREAKDOWN_SQL, params)
        breakdown = cursor.fetchall()
        cursor.execute(OVERDUE_SQL, params)
        overdue = cursor.fetchall()
        cursor.execute(KEY_ITEMS_SQL, params)
        key_items = cursor.fetchall()
    for name in ("result_categories", "units"):
        if isinstance(figures[name], str):
            figures[name] = json.loads(figures[name])
    figures["result_categories"] = {int(k): v for k, v in (figures["result_categories"] or {}).items()}
    figures["units"] = figures["units"] or []
    figures["categories"] = {c: n for c, s, n in breakdown if s is None and c is not None}
    figures["sources"] = {s: n for c, s, n in breakdown if c is None and s is not None}
    figures["overdue_rows"], figures["key_rows"] = overdue, key_items
    return figures


def check_dashboard_floor(year: int, today: dt.date) -> str:
    """Compare the floor's figures with reports.figures' (the page's): '' when they agree."""
    from reports import figures as fg

    ours = fg.compute(fg.Scope(year=year, as_of=today))
    floor = dashboard_floor(year, today)
    wrong = [
        f"{name} {floor[name]}≠{ours.counts[name]}"
        for name in (
            "registered", "meeting", "between", "assigned", "replied", "done", "due", "on_time", "contacted",
            "face_to_face", "rated", "unrated", "result_satisfied", "result_basic", "result_unsatisfied",
            "attitude_satisfied", "attitude_basic", "attitude_unsatisfied", "overdue", "key",
        )
        if floor[name] != ours.counts[name]
    ]  # fmt: skip
    if {r.key: r.figure.n for r in ours.categories if r.key is not None} != floor["categories"]:
        wrong.append("categories")
    if {r.key: r.figure.n for r in ours.result_categories if r.figure.n} != floor["result_categories"]:
        wrong.append("result categories")
    units = {u["unit_id"]: u for u in floor["units"]}
    for row in ours.units:
        mine = units.get(row.unit_id, {})
        for name in ("count", "co", "due", "on_time", "rehandling_late", "overdue", "contacted", "face_to_face",
                     "rated", "satisfied", "basic", "unsatisfied"):  # fmt: skip
            if mine.get(name) != getattr(row, name):
                wrong.append(f"unit {row.unit_id} {name} {mine.get(name)}≠{getattr(row, name)}")
                break
    if ours.units_involved != sum(1 for u in floor["units"] if u["count"] or u["co"]):
        wrong.append("units involved")
    if len(floor["overdue_rows"]) != min(20, ours.counts["overdue"]):
        wrong.append("overdue list")
    if wrong:
        print("  the dashboard's floor disagrees with reports.figures: " + "; ".join(wrong[:8]), flush=True)
    return "floor ≠ figures" if wrong else ""


# --- the rows ---------------------------------------------------------------------------------------


@dataclass
class Bench:
    size: int
    rounds: int
    heavy_rounds: int
    database: str
    ref: dict[str, Any]
    big_year: int
    years: dict[int, int]
    clients: dict[str, Any] = field(default_factory=dict)

    def rounds_for(self, name: str) -> int:
        return self.heavy_rounds if name in HEAVY else self.rounds


def say(message: str) -> None:
    print(message, flush=True)


def row_dashboard(b: Bench) -> list[Result]:
    from django.utils import timezone

    today = timezone.localdate()
    failed = check_dashboard_floor(b.big_year, today)
    ours, floor = interleave(
        get(b.clients["staff"], "/reports/dashboard/", {"year": b.big_year}),
        lambda: dashboard_floor(b.big_year, today),
        b.rounds_for("dashboard"),
    )
    target = Target("ratio", 3, median_ms=150 if b.size >= 100_000 else None)
    return [
        Result(
            f"dashboard, {b.big_year} ({b.years[b.big_year]:,} suggestions)",
            target,
            ours,
            floor,
            floor_label="hand SQL",
            failed=failed,
        )
    ]


def _frame_row(b: Bench, who: str, label: str) -> Result:
    """The same throughput for the signed-in page with the least on it (changing one's password:
    the site's frame, a three-field form, no data), as a reference: what any signed-in page
    keeps of its queries' throughput once the request, the session, the user and the frame
    are paid for, whatever it shows."""
    page = get(b.clients[who], "/accounts/password/")
    return against_its_sql(
        f"{label}, the frame alone (password page)", Target("reference", 0), page, b.rounds_for("lists")
    )


def _list_rows(b: Bench, who: str, label: str, variants: list[tuple[str, dict[str, Any]]]) -> list[Result]:
    frame = _frame_row(b, who, label)  # measured first, as it is printed first
    lists = [
        against_its_sql(
            f"{label}, {name}",
            Target("throughput", 0.5),
            get(b.clients[who], "/proposals/", query),
            b.rounds_for("lists"),
        )
        for name, query in variants
    ]
    return [frame, *lists]


def _variants(b: Bench, unit_filter: bool) -> list[tuple[str, dict[str, Any]]]:
    from proposals.models import Category

    category = Category.objects.order_by("order", "pk").first()
    assert category is not None
    variants: list[tuple[str, dict[str, Any]]] = [
        ("no filter", {}),
        ("state in handling", {"state": "in_handling"}),
        (("one unit", {"unit": b.ref["unit_id"]}) if unit_filter else ("one category", {"category": category.pk})),
        ("keyword", {"q": "第12件"}),
        ("page 4", {"page": 4}),
    ]
    return variants


def row_lists(b: Bench) -> list[Result]:
    return _list_rows(b, "staff", "staff list", _variants(b, True)) + _list_rows(
        b, "handler", "unit list", _variants(b, False)
    )


def row_deputy(b: Bench) -> list[Result]:
    page = get(b.clients["deputy"], "/proposals/mine/")
    what = f'deputy "my suggestions" ({b.ref["deputy_count"]:,} suggestions)'
    return [against_its_sql(what, Target("absolute", 100), page, b.rounds_for("deputy"))]


def row_api(b: Bench) -> list[Result]:
    """The deputy's "my suggestions" endpoint, with the deputy's own personal token (the
    Bearer authentication, the token's lookup and the throttle's cache included)."""
    from rest_framework.test import APIClient

    from deputies.api.tokens import create_token

    _row, token = create_token(user=b.ref["deputy_user"], name="bench", scope="read", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    endpoint = get(client, "/api/v1/suggestions/")
    endpoint()  # the token's first use writes its last use (then once a minute at most)
    what = f"API GET /api/v1/suggestions/ ({b.ref['deputy_count']:,} suggestions)"
    return [against_its_sql(what, Target("absolute", 50), endpoint, b.rounds_for("api"))]


def _deep_query(client: Any, hops: int = 25) -> dict[str, str]:
    """The query string of a deep page of the public replies, by the pages' own "next" links:
    page 100 when they are numbered, else the page 25 links on."""
    from html import unescape
    from urllib.parse import parse_qsl, urlsplit

    query: dict[str, str] = {}
    for _ in range(hops):
        html = client.get("/public/replies/", query).content.decode()
        found = re.search(r'<a href="([^"]*)" rel="next"', html) or re.search(r'rel="next"[^>]*href="([^"]*)"', html)
        if not found:
            break
        query = dict(parse_qsl(urlsplit(unescape(found.group(1))).query))
        if "page" in query and query["page"].isdigit():
            query["page"] = "100"
            break
    return query


def row_public(b: Bench) -> list[Result]:
    from handling.models import Reply

    client = b.clients["anonymous"]
    public = Reply.objects.filter(is_public=True, state="issued").count()
    results = []
    for label, query in (("first page", {}), ("deep page", _deep_query(client))):
        page = get(client, "/public/replies/", query)
        note = f"?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else f"{public:,} public replies"
        what = f"public replies, no year, {label}"
        results.append(against_its_sql(what, Target("absolute", 100), page, b.rounds_for("public"), note))
    first, deep = results[0].ours, results[1].ours
    assert first is not None and deep is not None
    say(f"  public replies: deep page ÷ first page = {deep.median / first.median:.2f} (flat is ≈ 1)")
    return results


def _deep_progress_query(client: Any, start: dict[str, Any], hops: int = 25) -> dict[str, str]:
    """The query string of the public progress list `hops` pages on, by its own "next" links."""
    from html import unescape
    from urllib.parse import parse_qsl, urlsplit

    query: dict[str, Any] = dict(start)
    for _ in range(hops):
        html = client.get("/public/suggestions/", query).content.decode()
        found = re.search(r'<a href="([^"]*)" rel="next"', html)
        if not found:
            break
        query = dict(parse_qsl(urlsplit(unescape(found.group(1))).query))
    return query


def row_progress(b: Bench) -> list[Result]:
    from proposals.models import Category, Proposal

    client = b.clients["anonymous"]
    category = Category.objects.order_by("order", "pk").first()
    assert category is not None
    closed = Proposal.objects.filter(meeting__year=b.big_year, state="closed").order_by("pk").first()
    assert closed is not None
    big = {"year": b.big_year}
    pages: list[tuple[str, str, dict[str, Any]]] = [
        ("list, no filter", "/public/suggestions/", {}),
        (f"list, {b.big_year}, one unit", "/public/suggestions/", {**big, "unit": b.ref["unit_id"]}),
        (f"list, {b.big_year}, one category", "/public/suggestions/", {**big, "category": category.pk}),
        (f"list, {b.big_year}, 25 pages on", "/public/suggestions/", _deep_progress_query(client, big)),
        ("one closed item", f"/public/suggestions/{closed.pk}/", {}),
    ]
    return [
        against_its_sql(
            f"public progress, {label}",
            Target("absolute", 100),
            get(client, url, query),
            b.rounds_for("progress"),
            f"?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else "",
        )
        for label, url, query in pages
    ]


def import_workbook(b: Bench, rows: int) -> tuple[bytes, Any]:
    """`rows` suggestions of the big year exported, retargeted at a meeting of their own."""
    from openpyxl import load_workbook

    from deputies.models import Term
    from proposals.models import Meeting, Proposal
    from reports import excel

    target, _ = Meeting.objects.get_or_create(
        term=Term.objects.order_by("-number").first(), number=99,
        defaults={"name": "基准测试导入会议", "year": 2030, "opens_on": dt.date(2024, 1, 1),
                  "closes_on": dt.date(2024, 1, 2)},
    )  # fmt: skip
    ids = list(
        Proposal.objects.filter(meeting__year=b.big_year)
        .exclude(state="draft")
        .order_by("number", "pk")
        .values_list("pk", flat=True)[:rows]
    )
    book = load_workbook(io.BytesIO(excel.export_suggestions(Proposal.objects.filter(pk__in=ids))))
    for cell in book.active["A"][1:]:
        cell.value = target.name
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), target


def import_floor(workbook: bytes, user: Any) -> int:
    """openpyxl read-only reads the workbook; the same suggestions (and only they) are
    bulk-created, their names looked up in one query per kind."""
    from openpyxl import load_workbook

    from deputies.models import Deputy
    from proposals.models import Category, Meeting, Proposal, Source
    from reports.excel.columns import CHANNEL_LABELS, STATE_NAMES

    states = {name: state for state, name in STATE_NAMES.items()}
    sheet = load_workbook(io.BytesIO(workbook), read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    header = {name: i for i, name in enumerate(next(rows))}
    meetings = dict(Meeting.objects.values_list("name", "pk"))
    deputies = dict(Deputy.objects.values_list("name", "pk"))
    categories = dict(Category.objects.values_list("name", "pk"))
    sources = dict(Source.objects.values_list("name", "pk"))
    tz = dt.timezone(dt.timedelta(hours=8))
    new = []
    for row in rows:
        submitted = row[header["提出时间"]]
        if isinstance(submitted, str):
            submitted = dt.date.fromisoformat(submitted)
        if isinstance(submitted, dt.datetime):
            submitted = submitted.date()
        new.append(
            Proposal(
                meeting_id=meetings[row[header["会议"]]],
                number=row[header["建议编号"]],
                title=row[header["标题"]],
                body=row[header["内容"]] or "",
                lead_deputy_id=deputies[row[header["领衔代表"]]],
                channel=CHANNEL_LABELS.get(row[header["提出方式"]], Proposal.Channel.MEETING),
                category_id=categories.get(row[header["类别"]]),
                source_id=sources.get(row[header["来源"]]),
                state=states.get(row[header["状态"]], "registered"),
                created_by=user,
                submitted_at=dt.datetime.combine(submitted, dt.time(10), tz),
            )
        )
    Proposal.objects.bulk_create(new, batch_size=5000)
    return len(new)


def row_import(b: Bench) -> list[Result]:

    rows = 10_000 if b.size >= 10_000 else 1_000
    workbook, target = import_workbook(b, rows)
    try:
        return _timed_import(b, workbook, rows)
    finally:
        # Its meeting, of a year after all others, would have the public pages look at one
        # empty year more in the rows timed after this one, or in the next run.
        target.delete()


def _timed_import(b: Bench, workbook: bytes, rows: int) -> list[Result]:
    from reports import excel

    staff = b.ref["staff"]

    def run(dry_run: bool) -> None:
        outcome = excel.run_import(
            "suggestions", io.BytesIO(workbook), user=staff, dry_run=dry_run, file_name="bench.xlsx"
        )
        assert outcome.ok, (outcome.errors, outcome.bad_rows[:3])

    # The upload's check, as the import page runs it before offering to apply (untimed).
    run(dry_run=True)

    def ours() -> None:
        run(dry_run=False)

    def floor() -> None:
        assert import_floor(workbook, staff) == rows

    mine, theirs = interleave(rolled_back(ours), rolled_back(floor), b.rounds_for("import"))
    return [
        Result(
            f"import of {rows:,} rows, apply",
            Target("ratio", 2, worst_ms=15_000),
            mine,
            theirs,
            floor_label="openpyxl read-only + bulk_create",
        )
    ]


# What the scan writes. Each round is rolled back, leaving its rows dead in these tables and their
# indexes (some 300,000 a round at 100,000 items); the next round's inserts would wade through
# them, where a real first scan finds the tables clean. Vacuumed before each round, untimed
# (autovacuum may be off, or not keep up with rounds seconds apart).
SCAN_TABLES = ("supervision_reminder", "proposals_notification", "proposals_outboxmessage", "supervision_promise")


def vacuum_database() -> None:
    """Clear what earlier runs left: each round of the import is rolled back, leaving some
    60,000 dead rows a run in the suggestions' tables, which autovacuum (off on this machine's
    cluster) never clears; after a dozen runs the planner probed a quarter of a million dead
    index entries to plan the deputy's groups (8 ms of planning, 1.6 ms once vacuumed). Untimed,
    about 2 s at 100,000 suggestions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def vacuum_scan_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(SCAN_TABLES)}")


def row_scan(b: Bench) -> list[Result]:
    from django.db import connection
    from django.utils import timezone

    from bench import daily_scan
    from proposals.models import Proposal
    from supervision.reminders import run_daily_scan

    name = f"{b.database}_scan"
    today = timezone.localdate()
    conn = admin(server_url())
    from django.core.management import call_command

    try:
        if not exists(conn, name):
            create(conn, name)
            use_database(name)
            call_command("migrate", verbosity=0)
            say(f"building {b.size:,} open items in {name}…")
            daily_scan.build(b.size, today)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        use_database(name)
        # Data built by an earlier version: its schema brought up to this one's.
        call_command("migrate", verbosity=0)
        items = Proposal.objects.count()
        ours, _ = interleave(
            rolled_back(lambda: run_daily_scan(today)), None, b.rounds_for("scan"), before=vacuum_scan_tables
        )
    finally:
        use_database(b.database)
        conn.close()
    note = f"{items:,} items as bench/daily_scan.py builds them, {name}"
    return [Result("daily scan, first scan", Target("absolute", 5000), ours, note=note)]


def row_pdf(b: Bench) -> list[Result]:
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    from bench.data import SMALL_YEAR
    from reports import annual, pdf
    from reports.models import AnnualReport

    AnnualReport.objects.update_or_create(
        year=SMALL_YEAR,
        defaults={
            "practices": "（一）加强领导\n" + "办理工作情况。" * 200,
            "plans": "（一）抓好落实\n" + "下一步工作。" * 100,
        },
    )
    html = annual.render_html(annual.report_context(SMALL_YEAR), for_print=True)
    stylesheet = finders.find(pdf.PRINT_CSS)

    def floor() -> None:
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=stylesheet)])

    ours, theirs = interleave(lambda: annual.build_pdf(SMALL_YEAR), floor, b.rounds_for("pdf"))
    return [
        Result(
            f"annual PDF, {SMALL_YEAR} ({b.years.get(SMALL_YEAR, 0):,} suggestions)",
            Target("ratio", 1.5),
            ours,
            theirs,
            floor_label="WeasyPrint alone",
        )
    ]


def row_js(b: Bench) -> list[Result]:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    html = b.clients["staff"].get("/reports/dashboard/", {"year": b.big_year}).content.decode()
    total, names = 0, []
    for src in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html):
        path = src.split("?")[0].removeprefix("/").removeprefix(settings.STATIC_URL.strip("/") + "/")
        found = finders.find(path)
        if found is None:
            return [Result("dashboard JS", Target("bytes", 250_000), failed=f"{src} not found")]
        total += Path(found).stat().st_size
        names.append(Path(path).name)
    return [Result("dashboard JS", Target("bytes", 250_000), size=total, note=", ".join(names))]


ROWS: dict[str, Callable[[Bench], list[Result]]] = {
    "dashboard": row_dashboard,
    "lists": row_lists,
    "deputy": row_deputy,
    "api": row_api,
    "public": row_public,
    "progress": row_progress,
    "import": row_import,
    "scan": row_scan,
    "pdf": row_pdf,
    "js": row_js,
}


# --- the command --------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, choices=(1_000, 10_000, 100_000))
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds of each side (after a warm-up)")
    parser.add_argument("--heavy-rounds", type=int, default=5, help="rounds of the import, scan and PDF rows")
    parser.add_argument("--only", nargs="+", choices=list(ROWS), help="these rows only")
    parser.add_argument("--database", help="the bench database (default jianyi_ratios_<size>)")
    parser.add_argument("--template", help="make a missing database as a copy of this one")
    parser.add_argument("--rebuild", action="store_true", help="drop the data and build again")
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> Bench:
    database = args.database or f"jianyi_ratios_{args.size}"
    server = server_url()
    conn = admin(server)
    try:
        if not exists(conn, database):
            say(f"creating {database}" + (f" as a copy of {args.template}" if args.template else ""))
            create(conn, database, args.template)
    finally:
        conn.close()
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Nothing is sent: the e-mails and texts the scan queues go to the in-memory broker.
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count, Q
    from django.test import Client

    from bench import data
    from deputies.models import Deputy
    from proposals.models import Proposal

    settings.DEBUG = False
    # The public pages are timed doing their work: not served from the cache, never rate-limited.
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_RATE = (10**9, 60)
    ref = data.build(args.size, args.rebuild)
    vacuum_database()
    years = {
        row["meeting__year"]: row["n"]
        for row in Proposal.objects.values("meeting__year").annotate(n=Count("pk")).order_by()
    }
    big_year = max(years, key=lambda y: years[y])
    ref["unit_id"] = ref["handler"].unit_membership.unit_id
    deputy = Deputy.objects.get(user=ref["deputy_user"])
    ref["deputy_count"] = Proposal.objects.filter(
        Q(lead_deputy=deputy) | Q(cosignatures__deputy=deputy, cosignatures__status="confirmed")
    ).count()
    clients = {"anonymous": Client()}
    for name, user in (("staff", ref["staff"]), ("handler", ref["handler"]), ("deputy", ref["deputy_user"])):
        clients[name] = Client()
        clients[name].force_login(user)
    return Bench(args.size, args.rounds, args.heavy_rounds, database, ref, big_year, years, clients)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    b = setup(args)
    say(
        f"\n{b.database}: {sum(b.years.values()):,} suggestions, biggest year {b.big_year} "
        f"({b.years[b.big_year]:,}); {b.rounds} rounds ({b.heavy_rounds} for {', '.join(HEAVY)})"
    )
    results: list[Result] = []
    for name in args.only or list(ROWS):
        started = time.monotonic()
        say(f"- {name}…")
        rows = ROWS[name](b)
        results += rows
        for r in rows:
            say(f"  {r.what}: {shown_verdict(r)} ({time.monotonic() - started:.0f} s)")
    say(f"\nsize {b.size:,} ({b.database}), {time.strftime('%Y-%m-%d %H:%M')}\n")
    say(table(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
