"""The dashboard's figures without recounting: the counts of a scope (`figures.count`) are kept
in a `FiguresSnapshot`, and used again only while nothing they count has changed.

What "changed" means is decided by the database, not by the code that writes: triggers on
every table the figures read (`COUNTED_TABLES`) set a new generation, a value never seen before,
in the one `FiguresGeneration` row, in the
transaction of the write, whoever wrote it: a service, the Excel import, the admin, a bulk
update, a raw statement. A snapshot holds the generation read before its counting started
(counting after reading it, the counts are at least that new), so it is good exactly while
the generation is unchanged and its day (`as_of`, for deadlines and overdue items) is still
the scope's. Any committed write makes the next read count again: a figure is never stale.

On PostgreSQL the bump is a deferred constraint trigger: it runs at COMMIT, once per
transaction (a transaction-local setting remembers it), so writers hold the row's lock only
while committing, never for the length of an import. A transaction that has itself written
what the figures count (a statement trigger notes it at once) neither reads nor keeps a
snapshot: it counts afresh, seeing its own writes. On SQLite (one writer at a time) every
written row bumps the generation at once.

`manage.py check_figures` proves the kept counts equal to a recount. What is made of the figures
alone (the dashboard's figures and their part of the page) is kept in the process by the same
rule (`remembered`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import get_language

from reports import figures as fg
from reports.models import FiguresGeneration, FiguresSnapshot

T = TypeVar("T")

# Every table the figures read: what `figures.count` counts, and the names and scoring schemes
# `figures.assemble` adds (so that what is built from the figures, labels included, can be
# kept by the same rule: `remembered`).
COUNTED_TABLES = (
    "proposals_proposal",
    "proposals_meeting",
    "proposals_source",
    "proposals_category",
    "handling_assignment",
    "handling_reply",
    "handling_rating",
    "handling_contactrecord",
    "handling_deadlineextension",
    "handling_resultcategory",
    "handling_unit",
    "supervision_keyitem",
    "supervision_keyitem_proposals",
    "reports_scoringscheme",
)
GENERATION = FiguresGeneration._meta.db_table
# A generation is a value never seen before, not a count: a bump rolled back with its
# transaction must not come back with other data (PostgreSQL's transaction ids are never used
# again; SQLite's random 64-bit integers, in practice, neither).
_NEW = {"postgresql": "txid_current()", "sqlite": "random()"}


def _bump(vendor: str) -> str:
    new = _NEW[vendor]
    return f"INSERT INTO {GENERATION} (id, n) VALUES (1, {new}) ON CONFLICT (id) DO UPDATE SET n = {new}"


PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION reports_figures_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('reports.figures_touched', 'yes', true);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION reports_figures_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('reports.figures_bumped', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('reports.figures_bumped', 'yes', true);
        {_bump("postgresql")};
    END IF;
    RETURN NULL;
END $$;
"""


def install_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Create (again) the triggers that bump the generation; idempotent. Run after every
    migrate (SQLite drops a table's triggers when a migration rebuilds the table)."""
    conn = using or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_FUNCTIONS)
            for table in COUNTED_TABLES:
                cursor.execute(
                    f"""
                    CREATE OR REPLACE TRIGGER reports_figures_touched
                        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                        FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_touched();
                    DROP TRIGGER IF EXISTS reports_figures_bump ON {table};
                    CREATE CONSTRAINT TRIGGER reports_figures_bump
                        AFTER INSERT OR UPDATE OR DELETE ON {table}
                        DEFERRABLE INITIALLY DEFERRED
                        FOR EACH ROW EXECUTE FUNCTION reports_figures_bump();
                    CREATE OR REPLACE TRIGGER reports_figures_truncated
                        AFTER TRUNCATE ON {table}
                        FOR EACH STATEMENT EXECUTE FUNCTION reports_figures_bump();
                    """
                )
        elif conn.vendor == "sqlite":
            for table in COUNTED_TABLES:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = f"reports_figures_{table}_{operation.lower()}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} BEGIN {_bump('sqlite')}; END")
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(conn.vendor)
        # A new generation: whatever was kept before the triggers were (re)made is not used.
        cursor.execute(_bump(conn.vendor))


def drop_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    """Drop the triggers (before migrations run: on PostgreSQL a deferred trigger's pending
    events would forbid a migration to alter a table it has just written to)."""
    conn = using or connection
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        for table in (t for t in COUNTED_TABLES if t in existing):
            if conn.vendor == "postgresql":
                for name in ("reports_figures_touched", "reports_figures_bump", "reports_figures_truncated"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                for operation in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS reports_figures_{table}_{operation}")


def scope_key(scope: fg.Scope) -> str:
    return f"year={scope.year};meeting={scope.meeting_id};unit={scope.unit_id};stream={scope.stream}"


def _generation() -> tuple[int, bool]:
    """The current generation, and whether nothing may be kept now: this transaction has itself
    written counted rows, or no write has set a generation yet (a database just emptied)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (SELECT n FROM {GENERATION} WHERE id = 1), "
                "current_setting('reports.figures_touched', true) = 'yes'"
            )
        else:
            cursor.execute(f"SELECT (SELECT n FROM {GENERATION} WHERE id = 1), 0")
        n, touched = cursor.fetchone()
    return int(n or 0), bool(touched) or n is None


# The generation read by a `remembered` being built (what it builds reads no other).
_READ: ContextVar[tuple[int, bool] | None] = ContextVar("figures_generation", default=None)


def counts(scope: fg.Scope) -> dict[str, Any]:
    """The scope's counts: the kept ones while still good, else counted now (and kept)."""
    generation, touched = _READ.get() or _generation()
    if touched:
        return fg.count(scope)
    key = scope_key(scope)
    kept = FiguresSnapshot.objects.filter(scope=key).values_list("as_of", "generation", "counts").first()
    if kept is not None and kept[0] == scope.as_of and kept[1] == generation:
        data: dict[str, Any] = kept[2]
        return data
    data = fg.count(scope)
    # One INSERT … ON CONFLICT: two requests keeping the same scope at once both succeed.
    FiguresSnapshot.objects.bulk_create(
        [FiguresSnapshot(scope=key, as_of=scope.as_of, generation=generation, counts=data)],
        update_conflicts=True,
        unique_fields=["scope"],
        update_fields=["as_of", "generation", "counts", "counted_at"],
    )
    return data


def figures(scope: fg.Scope) -> fg.Figures:
    """Every figure of `scope`, equal to `figures.compute(scope)`, without recounting when the
    counts kept are still good."""
    return fg.assemble(scope, counts(scope))


_REMEMBERED: OrderedDict[tuple[Any, ...], tuple[int, Any]] = OrderedDict()
_REMEMBERED_LOCK = threading.Lock()
REMEMBERED_MAX = 64


@contextmanager
def reading() -> Iterator[None]:
    """Read the generation once for everything kept or counted inside (a page's figures, its
    form's choices)."""
    if _READ.get() is not None:
        yield
        return
    read = _READ.set(_generation())
    try:
        yield
    finally:
        _READ.reset(read)


def remembered(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """What `build()` gives, kept in this process while the figures' generation is unchanged:
    for what is made of the figures alone (labels included) and of nothing else, such as the
    dashboard's figures and their part of the page. Keyed by `key` and the active language."""
    generation, touched = _READ.get() or _generation()
    full = (*key, get_language())
    if not touched:
        with _REMEMBERED_LOCK:
            kept = _REMEMBERED.get(full)
        if kept is not None and kept[0] == generation:
            value: T = kept[1]
            return value
    read = _READ.set((generation, touched))
    try:
        value = build()
    finally:
        _READ.reset(read)
    if not touched:
        with _REMEMBERED_LOCK:
            _REMEMBERED[full] = (generation, value)
            _REMEMBERED.move_to_end(full)
            while len(_REMEMBERED) > REMEMBERED_MAX:
                _REMEMBERED.popitem(last=False)
    return value


def differences(scope: fg.Scope) -> list[str]:
    """What the counts kept for `scope` say that a recount does not ([] when equal); the
    counts are kept first if there were none good (so a kept and a fresh count are compared)."""
    counts(scope)
    generation, _touched = _generation()
    kept = FiguresSnapshot.objects.filter(scope=scope_key(scope)).values_list("as_of", "generation", "counts").first()
    if kept is None or kept[0] != scope.as_of or kept[1] != generation:
        return []  # written meanwhile: not used any more, the next read counts again
    fresh = fg.count(scope)
    return [
        f"{scope_key(scope)} {name}: kept {kept[2].get(name)!r}, recounted {fresh[name]!r}"
        for name in fresh
        if _normal(kept[2].get(name)) != _normal(fresh[name])
    ]


def _normal(value: Any) -> Any:
    """Counts compared whatever order their pairs came in (GROUP BY gives no order)."""
    if isinstance(value, list):
        return sorted((_normal(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    return value
