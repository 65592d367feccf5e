"""Two database roles: the owner owns the tables, the application's role owns nothing and can
only read and append to the audit tables (deputies/roles.py, `manage.py db_roles`).

Most tests run the roles' SQL inside the test's transaction on the test database (rolled back
at the end, roles included) and act as each role with SET ROLE; the last one builds a database
the way the README says, with a real login as the application's role."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from deputies.appendonly import append_only_grants_sql, append_only_trigger_sql
from deputies.checks import check_app_role_owns_no_tables
from deputies.models import AuditRecord, Delegation
from deputies.roles import DatabaseRole, RoleError, roles_sql, scram_verifier
from proposals.models import ProposalEvent
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent.parent
AUDIT_TABLES = ["deputies_auditrecord", "proposals_proposalevent"]


def execute(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    execute(f"SET ROLE {role}")
    try:
        yield
    finally:
        execute("RESET ROLE")


def refused(statement: str) -> str:
    """The error PostgreSQL answers `statement` with (the test fails if it succeeds)."""
    with pytest.raises(Exception) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    return str(caught.value)


@pytest.fixture
def roles(db) -> tuple[str, str]:
    """A fresh owner and app role, set up on the test database as `manage.py db_roles` does."""
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"test_owner_{suffix}", f"test_app_{suffix}"
    execute(roles_sql(owner=DatabaseRole(owner), app=DatabaseRole(app), database=connection.settings_dict["NAME"]))
    return owner, app


@pytest.mark.postgres
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_the_app_role_cannot_truncate_delete_update_or_disable_the_trigger_of_an_audit_table(roles, table, draft):
    _owner, app = roles
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, username="deputy")
    with acting_as(app):
        assert "permission denied" in refused(f"TRUNCATE {table}")
        assert "permission denied" in refused(f"DELETE FROM {table}")
        assert "permission denied" in refused(f"UPDATE {table} SET created_at = now()")
        assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        assert "must be owner" in refused(f"DROP TRIGGER {table}_append_only ON {table}")
        assert "must be owner" in refused(f"DROP TABLE {table}")
        assert "permission denied" in refused("CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS "
                                          "$$ BEGIN RETURN NULL; END; $$ LANGUAGE plpgsql")  # fmt: skip
    assert execute(f"SELECT count(*) FROM {table}")[0][0] >= 1


@pytest.mark.postgres
def test_the_app_role_cannot_lift_triggers_for_its_session_nor_drop_or_add_to_the_schema(roles):
    _owner, app = roles
    with acting_as(app):
        assert "permission denied" in refused("SET session_replication_role = replica")
        assert "must be owner" in refused("DROP SCHEMA public CASCADE")
        assert "permission denied" in refused("CREATE TABLE public.app_owned (id int)")
        assert "permission denied" in refused("CREATE SCHEMA app_owned")
        owned = execute("SELECT count(*) FROM pg_class WHERE pg_has_role(relowner, 'USAGE') AND relnamespace = "
                        "'public'::regnamespace")  # fmt: skip
    assert owned == [(0,)]


@pytest.mark.postgres
def test_the_app_role_appends_audit_records_and_does_the_ordinary_work(roles, deputy, draft):
    _owner, app = roles
    with acting_as(app):
        record = AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=deputy.user, username="deputy")
        event = ProposalEvent.objects.create(proposal=draft, actor=deputy.user, action="comment")
        delegation = Delegation.objects.create(name="城关镇代表团")
        Delegation.objects.filter(pk=delegation.pk).update(order=3)
        f.UserFactory(username="new_login")
        Delegation.objects.filter(pk=delegation.pk).delete()
        assert AuditRecord.objects.filter(pk=record.pk).exists()
        assert ProposalEvent.objects.filter(pk=event.pk).exists()
        assert not Delegation.objects.filter(pk=delegation.pk).exists()


@pytest.mark.postgres
def test_the_owner_still_cannot_change_an_audit_record_while_the_trigger_is_on(roles, staff):
    owner, _app = roles
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=staff, username="staff")
    with acting_as(owner):
        assert "append-only" in refused("UPDATE deputies_auditrecord SET detail = 'x'")
        assert "append-only" in refused("DELETE FROM deputies_auditrecord")


@pytest.mark.postgres
def test_tables_a_later_migration_creates_get_the_app_grants_and_an_append_only_one_only_select_and_insert(roles):
    owner, app = roles
    with acting_as(owner):
        execute("CREATE TABLE later_notes (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")
        execute("CREATE TABLE later_log (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                "created_at timestamptz DEFAULT now())")  # fmt: skip
        execute(append_only_trigger_sql("later_log")[0])
        execute(append_only_grants_sql("later_log"))

    def privileges(table: str) -> set[str]:
        names = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
        return {p for p in names if execute("SELECT has_table_privilege(%s, %s, %s)", [app, table, p])[0][0]}

    assert privileges("later_notes") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert privileges("later_log") == {"SELECT", "INSERT"}
    with acting_as(app):
        execute("INSERT INTO later_notes (note) VALUES ('a'); UPDATE later_notes SET note = 'b'")
        execute("INSERT INTO later_log DEFAULT VALUES")
        assert "permission denied" in refused("TRUNCATE later_log")


@pytest.mark.postgres
@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_each_audit_table_grants_the_app_only_select_and_insert(roles, table):
    _owner, app = roles
    rows = execute(
        "SELECT privilege_type FROM information_schema.role_table_grants WHERE grantee = %s AND table_name = %s",
        [app, table],
    )
    assert sorted(row[0] for row in rows) == ["INSERT", "SELECT"]


@pytest.mark.postgres
def test_running_the_roles_sql_again_changes_nothing_and_hands_tables_to_the_owner(roles):
    owner, app = roles
    sql = roles_sql(owner=DatabaseRole(owner), app=DatabaseRole(app), database=connection.settings_dict["NAME"])
    execute(sql)
    owners = execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert owners == [(owner,)]
    assert execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()") == [(owner,)]


@pytest.mark.postgres
def test_the_roles_sql_refuses_to_run_on_another_database(db):
    suffix = uuid.uuid4().hex[:8]
    sql = roles_sql(owner=DatabaseRole(f"o_{suffix}"), app=DatabaseRole(f"a_{suffix}"), database="elsewhere")
    assert "not elsewhere" in refused(sql)


@pytest.mark.postgres
def test_a_password_goes_in_as_the_verifier_postgresql_computes_itself(db):
    role = f"test_pw_{uuid.uuid4().hex[:8]}"
    execute("SET password_encryption = 'scram-sha-256'")
    execute(f"CREATE ROLE {role} LOGIN PASSWORD 'S3cret-pass!'")
    stored = execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [role])[0][0]
    iterations, salt = stored.split("$")[1].split(":")
    assert scram_verifier("S3cret-pass!", salt=base64.b64decode(salt), iterations=int(iterations)) == stored
    assert scram_verifier("S3cret-pass!") != stored  # a fresh salt each time
    # The command's SQL holds only the verifier.
    sql = roles_sql(owner=DatabaseRole("o_x", "S3cret-pass!"), app=DatabaseRole("a_x"), database="x")
    assert "S3cret-pass!" not in sql and "PASSWORD 'SCRAM-SHA-256$4096:" in sql


# --- the system check -------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_check_is_silent_for_the_app_role_and_warns_for_the_owner_and_a_superuser(roles):
    owner, app = roles
    with acting_as(app):
        assert check_app_role_owns_no_tables(None) == []
    with acting_as(owner):
        (warning,) = check_app_role_owns_no_tables(None)
    assert warning.id == "deputies.W001" and owner in warning.msg and "TRUNCATE" in warning.msg
    (warning,) = check_app_role_owns_no_tables(None)  # the test runner's superuser
    assert warning.id == "deputies.W002"
    with override_settings(DATABASE_ROLE="owner"), acting_as(owner):
        assert check_app_role_owns_no_tables(None) == []


def test_the_check_is_silent_on_sqlite(db, on_postgres):
    if on_postgres:
        pytest.skip("SQLite has no roles")
    assert check_app_role_owns_no_tables(None) == []


# --- the command -------------------------------------------------------------------------------------------


@override_settings(
    DATABASE_URL="postgres://jianyi_app:app-pass@db.example:5432/jianyi",
    DATABASE_OWNER_URL="postgres://jianyi_owner:owner-pass@db.example:5432/jianyi",
)
def test_db_roles_prints_one_transaction_for_the_roles_of_both_urls_without_their_passwords(capsys):
    call_command("db_roles")
    sql = capsys.readouterr().out
    assert sql.count("BEGIN;") == 1 and sql.rstrip().endswith("COMMIT;")
    assert "CREATE ROLE jianyi_owner" in sql and "CREATE ROLE jianyi_app" in sql
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO jianyi_app" in sql
    assert "app-pass" not in sql and "owner-pass" not in sql


@pytest.mark.parametrize(
    ("owner_url", "message"),
    [
        ("", "DATABASE_OWNER_URL"),
        ("postgres://jianyi_app:x@db.example:5432/jianyi", "两个不同"),
        ("postgres://jianyi_owner:x@db.example:5432/other", "同一个数据库"),
        ("postgres://Jianyi-Owner:x@db.example:5432/jianyi", "小写字母"),
        ("sqlite:///x.db", "PostgreSQL"),
    ],
)
def test_db_roles_refuses_urls_it_cannot_make_two_roles_of(owner_url, message):
    with (
        override_settings(DATABASE_URL="postgres://jianyi_app:x@db.example:5432/jianyi", DATABASE_OWNER_URL=owner_url),
        pytest.raises(CommandError, match=message),
    ):
        call_command("db_roles")


def test_a_role_name_that_would_need_quoting_is_refused():
    with pytest.raises(RoleError):
        DatabaseRole('app"; DROP TABLE x; --')


# --- the whole way, as the README says -----------------------------------------------------------------------


def _server_url(database: str, user: str = "postgres") -> str:
    db = connection.settings_dict
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300)


@pytest.mark.postgres
def test_a_database_set_up_as_the_readme_says_refuses_the_app_login_every_way_of_erasing_the_audit_log(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    database, owner, app = f"roles_{suffix}", f"e2e_owner_{suffix}", f"e2e_app_{suffix}"
    admin = psycopg.connect(_server_url("postgres"), autocommit=True)
    admin.execute(f"CREATE DATABASE {database}")
    try:
        env = {
            "DATABASE_URL": _server_url(database, f"{app}:app-pass"),
            "DATABASE_OWNER_URL": _server_url(database, f"{owner}:owner-pass"),
            "VAR_DIR": str(tmp_path),
        }
        printed = _run([sys.executable, "manage.py", "db_roles"], **env)
        assert printed.returncode == 0, printed.stderr
        applied = subprocess.run(
            ["psql", "-v", "ON_ERROR_STOP=1", "-q", _server_url(database)],
            input=printed.stdout,
            capture_output=True,
            text=True,
        )
        assert applied.returncode == 0, applied.stderr
        migrated = _run(["bin/as-owner", "migrate", "-v", "0"], **env)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        checked = _run([sys.executable, "manage.py", "check", "--fail-level", "WARNING"], **env)
        assert checked.returncode == 0, checked.stdout + checked.stderr

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as as_app:
            as_app.execute("INSERT INTO deputies_auditrecord (kind, username, method, path, detail, created_at) "
                           "VALUES ('login', 'x', '', '', '', now())")  # fmt: skip
            as_app.execute(
                "INSERT INTO deputies_delegation (name, \"order\", stream) VALUES ('城关镇', 1, 'suggestion')"
            )
            as_app.execute('UPDATE deputies_delegation SET "order" = 2')
            as_app.execute("DELETE FROM deputies_delegation")
            for table in AUDIT_TABLES:
                for statement in (
                    f"TRUNCATE {table}",
                    f"DELETE FROM {table}",
                    f"UPDATE {table} SET created_at = now()",
                    f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only",
                ):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        as_app.execute(statement)
            assert as_app.execute("SELECT count(*) FROM deputies_auditrecord").fetchone() == (1,)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        for role in (app, owner):
            admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.close()
