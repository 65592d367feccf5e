"""System checks: the application does not connect as the tables' owner; TWO_FACTOR_ROLES names real roles.

An owner (or a superuser) can TRUNCATE the audit tables and disable their triggers, so the web
and the workers must connect as the application's role (README, "Two database roles"). The
check runs with every management command that runs checks (`runserver`, `check`, `migrate`…);
`bin/as-owner` connects as the owner on purpose and says so (`DATABASE_ROLE=owner`), which
silences it. PostgreSQL only: SQLite has no roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError, connection

HINT = (
    "Connect the web and the workers as the application's role and run migrations with "
    "`bin/as-owner migrate` (README, “Two database roles”)."
)


@register()
def check_app_role_owns_no_tables(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DATABASE_ROLE == "owner" or connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in apps.get_models()]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT current_user,
                       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                       count(c.oid),
                       count(c.oid) FILTER (WHERE pg_has_role(c.relowner, 'MEMBER')),
                       min(c.relname::text) FILTER (WHERE pg_has_role(c.relowner, 'MEMBER'))
                FROM unnest(%s::text[]) AS t(name)
                JOIN pg_class AS c ON c.oid = to_regclass(t.name)
                """,
                [tables],
            )
            row = cursor.fetchone()
    except DatabaseError:
        # An unreachable database is reported by whatever needs it; this check is about roles.
        return []
    if row is None:
        return []
    user, superuser, existing, owned, example = row
    if not existing:  # an empty database: nothing to protect yet
        return []
    if superuser:
        return [
            Warning(
                f"The application connects to PostgreSQL as the superuser {user}: it could erase the audit log.",
                hint=HINT,
                id="deputies.W002",
            )
        ]
    if owned:
        return [
            Warning(
                f"The application's database role {user} owns {owned} of its {existing} tables (e.g. {example}): "
                "it could TRUNCATE the audit log or disable its append-only triggers.",
                hint=HINT,
                id="deputies.W001",
            )
        ]
    return []


@register()
def check_two_factor_roles(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """TWO_FACTOR_ROLES names roles that exist: a misspelt one would silently leave those people
    with one factor."""
    from deputies.models import Role

    unknown = sorted(set(settings.TWO_FACTOR_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"TWO_FACTOR_ROLES names roles that do not exist: {', '.join(unknown)}",
            hint=f"Use some of: {', '.join(Role.values)}.",
            id="deputies.E001",
        )
    ]
