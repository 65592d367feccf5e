"""Append-only records: rows are written once and never changed or deleted through the app.

The model refuses updates and deletes, its queryset refuses bulk ones, the admin offers neither,
and on PostgreSQL a trigger (see the migrations) refuses them even to raw SQL.
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


def append_only_trigger_sql(table: str) -> tuple[str, str]:
    """Forward and reverse SQL for a PostgreSQL trigger refusing UPDATE and DELETE on `table`.

    TRUNCATE stays possible: it is how the test runner empties tables, and it needs the
    table owner's rights, which the application's role does not have in production.
    """
    forward = f"""
        CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION append_only_refuse();
    """
    reverse = f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
    return forward, reverse


def append_only_operation(table: str) -> RunPython:
    """A migration operation installing the PostgreSQL trigger on `table` (nothing elsewhere)."""
    from django.db import migrations

    forward_sql, reverse_sql = append_only_trigger_sql(table)

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql, params=None)

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(reverse_sql, params=None)

    return migrations.RunPython(forward, backward)
