"""The two PostgreSQL roles (README, "Two database roles"), as SQL a superuser runs once.

- The OWNER role owns the database, its schema and every table, sequence and function in it,
  and is the only one that runs migrations (`bin/as-owner migrate`), the audit retention purge
  and restores. Nothing else connects as it.
- The APP role is what the web and the workers connect as (`DATABASE_URL`). It owns nothing
  and holds SELECT, INSERT, UPDATE, DELETE on the tables and USAGE, SELECT on the sequences;
  on the append-only tables only SELECT and INSERT. Owning nothing, it can neither TRUNCATE,
  alter nor drop a table, nor disable a trigger; it cannot create objects either.

Tables created later by migrations (as the owner) get the app's grants from the owner's
default privileges; a migration that makes a table append-only takes UPDATE and DELETE back
(`deputies.appendonly.append_only_operation`). Running the SQL again re-applies everything, and
hands over to the owner whatever another role created (an installation that once migrated as
the app's user).

`manage.py db_roles` prints the SQL for the roles and passwords of `DATABASE_OWNER_URL` and
`DATABASE_URL`. Passwords go in as SCRAM-SHA-256 verifiers, so the SQL never holds them in
clear text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.apps import apps

from deputies.appendonly import AppendOnlyModel, append_only_grants_sql

# Plain lower-case names need no quoting anywhere in the SQL (and look like every role name).
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCRAM_ITERATIONS = 4096


class RoleError(ValueError):
    pass


@dataclass(frozen=True)
class DatabaseRole:
    name: str
    # None: the role's password is left as it is (peer or certificate login, or set by hand).
    password: str | None = None

    def __post_init__(self) -> None:
        if not ROLE_NAME.match(self.name):
            raise RoleError(f"角色名“{self.name}”须由小写字母、数字和下划线组成，且不以数字开头。")


def append_only_tables() -> list[str]:
    """The tables of every append-only model of the project."""
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel))


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677).

    PostgreSQL normalises a password with SASLprep before hashing; for printable ASCII that
    leaves it unchanged, so other passwords are refused rather than risk a verifier the
    server would not match."""
    if not password.isascii() or not password.isprintable():
        raise RoleError("数据库密码只能使用可打印的 ASCII 字符；其他密码请在 psql 中用 \\password 设置。")
    salt = salt if salt is not None else os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _role_attributes(role: DatabaseRole) -> str:
    password = f" PASSWORD '{scram_verifier(role.password)}'" if role.password else ""
    return f"ALTER ROLE {role.name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS{password};"


def roles_sql(
    *, owner: DatabaseRole, app: DatabaseRole, database: str, append_only: Sequence[str] | None = None
) -> str:
    """The statements that create or update both roles and every grant, for `database` (they
    refuse to run connected to another one). Idempotent; run them in one transaction
    (`manage.py db_roles` wraps them in BEGIN and COMMIT)."""
    if owner.name == app.name:
        raise RoleError("DATABASE_OWNER_URL 与 DATABASE_URL 须使用两个不同的数据库角色。")
    if "'" in database:
        raise RoleError(f"数据库名不能含单引号：{database}")
    o, a = owner.name, app.name
    tables = append_only_tables() if append_only is None else list(append_only)
    append_only_parts = "\n".join(append_only_grants_sql(table) for table in tables)
    return f"""DO $$
BEGIN
    IF current_database() <> '{database}' THEN
        RAISE EXCEPTION 'connected to database %, not {database}: run psql with -d {database}', current_database();
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{o}') THEN
        CREATE ROLE {o};
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{a}') THEN
        CREATE ROLE {a};
    END IF;
    -- A member of the owner role could act as the owner.
    IF EXISTS (SELECT FROM pg_auth_members WHERE roleid = '{o}'::regrole AND member = '{a}'::regrole) THEN
        REVOKE {o} FROM {a};
    END IF;
END
$$;
{_role_attributes(owner)}
{_role_attributes(app)}

-- The owner owns the database and its schema: the owner of the schema could drop it with
-- every table in it, and since PostgreSQL 15 the database's owner owns the schema public.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO {o}', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM {a}', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO {a}', current_database());
END
$$;
ALTER SCHEMA public OWNER TO {o};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM {a};
GRANT USAGE ON SCHEMA public TO {a};

-- Whatever another role created (a migration run as the app's user, or as a superuser)
-- is handed to the owner. Sequences of identity and serial columns follow their table.
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name,
               CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                              WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS kind
        FROM pg_class AS c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND c.relowner <> '{o}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend AS d
              WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO {o}', item.kind, item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name
        FROM pg_proc AS p
        WHERE p.pronamespace = 'public'::regnamespace
          AND p.proowner <> '{o}'::regrole
          AND NOT EXISTS (
              SELECT FROM pg_depend AS d
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO {o}', item.name);
    END LOOP;
END
$$;

-- The app's grants on what exists now, and on what the owner creates later.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a};
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {a};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a};
REVOKE UPDATE ON ALL SEQUENCES IN SCHEMA public FROM {a};
ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a};
ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {a};

-- The append-only tables: SELECT and INSERT only, for everyone but the owner.
{append_only_parts}"""
