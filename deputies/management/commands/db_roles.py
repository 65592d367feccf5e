from __future__ import annotations

from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from deputies.roles import DatabaseRole, RoleError, roles_sql


def _role(variable: str, url: str) -> tuple[DatabaseRole, str]:
    """The role and database named by the URL in `variable`."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise CommandError(f"{variable} 须为 PostgreSQL 地址（postgres://角色:密码@主机:5432/数据库）。")
    parsed = dj_database_url.parse(url)
    name, database = str(parsed.get("USER") or ""), str(parsed.get("NAME") or "")
    if not name or not database:
        raise CommandError(f"{variable} 须写明角色名和数据库名（postgres://角色:密码@主机:5432/数据库）。")
    try:
        return DatabaseRole(name, str(parsed.get("PASSWORD") or "") or None), database
    except RoleError as exc:
        raise CommandError(f"{variable}：{exc}") from None


class Command(BaseCommand):
    help = (
        "Print the SQL that creates the two database roles and their grants: the owner of "
        "DATABASE_OWNER_URL and the application's role of DATABASE_URL (README, “Two database roles”). "
        "Run it once as a PostgreSQL superuser, connected to the application's database: "
        "`manage.py db_roles | sudo -u postgres psql -v ON_ERROR_STOP=1 -d jianyi`. Safe to run again."
    )
    # It only prints: the roles it describes may not exist yet.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DATABASE_OWNER_URL:
            raise CommandError("请先设置 DATABASE_OWNER_URL（所有者角色）和 DATABASE_URL（应用角色）。")
        owner, owner_database = _role("DATABASE_OWNER_URL", settings.DATABASE_OWNER_URL)
        app, database = _role("DATABASE_URL", settings.DATABASE_URL)
        if owner_database != database:
            raise CommandError(
                f"DATABASE_OWNER_URL（{owner_database}）与 DATABASE_URL（{database}）须指向同一个数据库。"
            )
        try:
            body = roles_sql(owner=owner, app=app, database=database)
        except RoleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"-- The two database roles of 建议办理 (README, “Two database roles”): {owner.name} owns the\n"
            f"-- tables and runs migrations, {app.name} is what the web and the workers connect as.\n"
            f"-- Run as a PostgreSQL superuser connected to {database}, e.g.\n"
            f"--   manage.py db_roles | sudo -u postgres psql -v ON_ERROR_STOP=1 -d {database}\n"
            "-- Safe to run again: it re-applies every grant.\n"
            "BEGIN;\n"
            f"{body}\n"
            "COMMIT;\n"
        )
