"""Append-only records: rows are written once and never changed or deleted through the app.

The model refuses updates and deletes, its queryset refuses bulk ones, the admin offers neither,
and on PostgreSQL the database refuses them too, in two ways (see the migrations):

- a trigger refuses UPDATE and DELETE, whoever runs them, even as raw SQL;
- the table grants nobody but its owner more than SELECT and INSERT, so the application's role
  (README, "Two database roles") can neither TRUNCATE it (which bypasses row triggers) nor
  disable the trigger (only a table's owner may alter it).

The owner role alone can remove records, as the retention purge does (`deputies.retention`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.operations import RunPython
    from django.db.migrations.state import StateApps


class AppendOnlyError(Exception):
    pass


MESSAGE = _("Audit records are append-only: they cannot be changed or deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(str(MESSAGE))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(str(MESSAGE))


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(str(MESSAGE))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(str(MESSAGE))


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def append_only_trigger_sql(table: str) -> tuple[str, str]:
    """Forward and reverse SQL for a PostgreSQL trigger refusing UPDATE and DELETE on `table`.

    A row trigger cannot see TRUNCATE: the grants (`append_only_grants_sql`) keep it from the
    application's role. The test runner, connected as a superuser, still empties tables with it.
    """
    forward = f"""
        CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {trigger_name(table)}
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION append_only_refuse();
    """
    reverse = f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table};"
    return forward, reverse


# What no role but the owner may hold on an append-only table: SELECT and INSERT stay.
WRITE_PRIVILEGES = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


def append_only_grants_sql(table: str) -> str:
    """SQL that leaves every role but the table's owner at most SELECT and INSERT on `table`
    (nothing when the table does not exist yet).

    It revokes from whoever holds a grant rather than from a role named in the settings: the
    owner's default privileges (README, "Two database roles") give the application's role
    UPDATE and DELETE on every table a migration creates, this one included, and the
    migration that makes a table append-only need not know what that role is called.
    """
    return f"""
        DO $$
        DECLARE
            holder text;
        BEGIN
            IF to_regclass('{table}') IS NULL THEN
                RETURN;
            END IF;
            REVOKE {WRITE_PRIVILEGES} ON {table} FROM PUBLIC;
            FOR holder IN
                SELECT DISTINCT acl.grantee::regrole::text
                FROM pg_class AS c, aclexplode(c.relacl) AS acl
                WHERE c.oid = '{table}'::regclass AND acl.grantee <> 0 AND acl.grantee <> c.relowner
            LOOP
                EXECUTE format('REVOKE {WRITE_PRIVILEGES} ON {table} FROM %s', holder);
            END LOOP;
        END
        $$;
    """


def append_only_operation(table: str) -> RunPython:
    """A migration operation making `table` append-only on PostgreSQL (nothing elsewhere):
    the trigger, and only SELECT and INSERT for anyone but the owner."""
    from django.db import migrations

    forward_sql, reverse_sql = append_only_trigger_sql(table)

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql, params=None)
            schema_editor.execute(append_only_grants_sql(table), params=None)

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, backward)


def append_only_grants_operation(table: str) -> RunPython:
    """A migration operation re-applying `append_only_grants_sql` on PostgreSQL, for a table
    made append-only before its grants were restricted too."""
    from django.db import migrations

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(append_only_grants_sql(table), params=None)

    return migrations.RunPython(forward, migrations.RunPython.noop)
