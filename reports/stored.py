"""The dashboard's figures without recounting: the counts of a scope (`figures.count`) are kept
in a `FiguresSnapshot`, and used again only while nothing they count has changed.

What "changed" means is decided by the database, not by the code that writes: triggers on
every table the counts read (`COUNTED_TABLES`) bump the one `FiguresGeneration` row in the
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

`manage.py check_figures` proves the kept counts equal to a recount.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from reports import figures as fg
from reports.models import FiguresGeneration, FiguresSnapshot

# Every table `figures.count` reads (the labels, unit names and scoring schemes are read live
# by `figures.assemble`, so they need no trigger).
COUNTED_TABLES = (
    "proposals_proposal",
    "proposals_meeting",
    "proposals_source",
    "handling_assignment",
    "handling_reply",
    "handling_rating",
    "handling_contactrecord",
    "handling_resultcategory",
    "supervision_keyitem",
    "supervision_keyitem_proposals",
)
GENERATION = FiguresGeneration._meta.db_table
BUMP = f"INSERT INTO {GENERATION} (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = {GENERATION}.n + 1"

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
        {BUMP};
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
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS reports_figures_{table}_{operation.lower()} "
                        f"AFTER {operation} ON {table} BEGIN {BUMP}; END"
                    )
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(conn.vendor)


def drop_triggers(using: BaseDatabaseWrapper | None = None) -> None:
    conn = using or connection
    with conn.cursor() as cursor:
        for table in COUNTED_TABLES:
            if conn.vendor == "postgresql":
                for name in ("reports_figures_touched", "reports_figures_bump", "reports_figures_truncated"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                for operation in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS reports_figures_{table}_{operation}")


def scope_key(scope: fg.Scope) -> str:
    return f"year={scope.year};meeting={scope.meeting_id};unit={scope.unit_id}"


def _generation() -> tuple[int, bool]:
    """The current generation, and whether this transaction has itself written counted rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (SELECT n FROM {GENERATION} WHERE id = 1), "
                "current_setting('reports.figures_touched', true) = 'yes'"
            )
        else:
            cursor.execute(f"SELECT (SELECT n FROM {GENERATION} WHERE id = 1), 0")
        n, touched = cursor.fetchone()
    return int(n or 0), bool(touched)


def counts(scope: fg.Scope) -> dict[str, Any]:
    """The scope's counts: the kept ones while still good, else counted now (and kept)."""
    generation, touched = _generation()
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
