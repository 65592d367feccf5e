"""Backups that prove themselves: the database and the uploaded files, with a manifest that a
restore checks itself against (README, "Backup and restore"; `bin/backup`, `bin/restore`).

A backup is one directory:

- `database.dump`: `pg_dump` in its custom format;
- `media.tar.gz`: the files under MEDIA_ROOT (attachments, scans, photos, report PDFs); files
  kept in an object store by the storage settings are not here: the store has its own backup;
- `manifest.json`: when and from which database, each file's size and SHA-256, and the
  figures: the row count of every table of the project and the audit digest.

The figures and the dump are read in one snapshot (the dump runs with the snapshot the
figures' transaction exports), so they describe exactly the same data even while people keep
logging in. A restore recomputes the figures on the restored database and refuses to call a
restore good when a count or the audit digest differs.

The audit digest is a SHA-256 over every row of each append-only table (the security audit log
and the suggestions' trail) in id order, read as the database stores it rather than through the
models, so a backup taken by an older version of the code checks the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypedDict

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg.conninfo import make_conninfo

from deputies.appendonly import AppendOnlyModel

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar.gz"
FORMAT = 1
HASH_CHUNK = 5000


class BackupError(Exception):
    """A backup or a restore that cannot be done or does not check out; the message says why."""


class AuditDigest(TypedDict):
    count: int
    sha256: str


class Figures(TypedDict):
    counts: dict[str, int]
    audit: dict[str, AuditDigest]
    audit_sha256: str


class FileFacts(TypedDict):
    bytes: int
    sha256: str


class MediaFacts(TypedDict):
    root: str
    storage: str
    files: int
    bytes: int


# --- the figures -----------------------------------------------------------------------------------


def project_tables() -> list[str]:
    """Every table of the project's models (many-to-many tables included) that exists here."""
    existing = set(connection.introspection.table_names())
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables & existing)


def audit_tables() -> list[str]:
    return sorted(m._meta.db_table for m in apps.get_models() if issubclass(m, AppendOnlyModel))


def _plain(value: object) -> object:
    """A stored value as JSON: moments in UTC, everything else not native to JSON as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | dt.time | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def _rows(table: str) -> Iterator[str]:
    """Each row of `table` in id order as one canonical line of JSON, read in chunks."""
    quoted = connection.ops.quote_name(table)
    last: Any = None
    with connection.cursor() as cursor:
        while True:
            if last is None:
                cursor.execute(f"SELECT * FROM {quoted} ORDER BY id LIMIT {HASH_CHUNK}")
            else:
                cursor.execute(f"SELECT * FROM {quoted} WHERE id > %s ORDER BY id LIMIT {HASH_CHUNK}", [last])
            columns = [column[0] for column in cursor.description or ()]
            rows = cursor.fetchall()
            for row in rows:
                record = dict(zip(columns, row, strict=True))
                yield json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)
            if len(rows) < HASH_CHUNK:
                return
            last = rows[-1][columns.index("id")]


def audit_digest(table: str) -> AuditDigest:
    digest = hashlib.sha256()
    count = 0
    for line in _rows(table):
        digest.update(line.encode())
        digest.update(b"\n")
        count += 1
    return {"count": count, "sha256": digest.hexdigest()}


@contextmanager
def one_snapshot() -> Iterator[None]:
    """A read-only transaction in which every query sees the same data (PostgreSQL's
    REPEATABLE READ), so that counts and digests read one after the other agree."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def figures(tables: Iterable[str] = ()) -> Figures:
    """The row count of every table of the project (and of `tables`, where they exist) and the
    audit digest, as the current transaction sees them."""
    counts: dict[str, int] = {}
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in sorted(set(project_tables()) | (set(tables) & existing)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            row = cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
    audit = {table: audit_digest(table) for table in audit_tables() if table in counts}
    combined = hashlib.sha256()
    for table, facts in sorted(audit.items()):
        combined.update(f"{table} {facts['count']} {facts['sha256']}\n".encode())
    return {"counts": counts, "audit": audit, "audit_sha256": combined.hexdigest()}


def expected_figures(manifest: dict[str, Any]) -> Figures:
    return {"counts": manifest["counts"], "audit": manifest["audit"], "audit_sha256": manifest["audit_sha256"]}


def differences(expected: Figures, found: Figures) -> list[str]:
    """What differs between the figures of a backup and those of a database, in words."""
    problems = []
    for table, count in sorted(expected["counts"].items()):
        got = found["counts"].get(table)
        if got is None:
            problems.append(f"表 {table} 不存在（备份中有 {count} 行）")
        elif got != count:
            problems.append(f"表 {table}：备份中 {count} 行，恢复后 {got} 行")
    for table, facts in sorted(expected["audit"].items()):
        got_audit = found["audit"].get(table)
        if got_audit is None or got_audit["sha256"] != facts["sha256"]:
            problems.append(f"审计表 {table} 的摘要不符（备份 {facts['sha256'][:16]}…）")
    if expected["audit_sha256"] != found["audit_sha256"]:
        problems.append(f"审计摘要不符：备份 {expected['audit_sha256']}，恢复后 {found['audit_sha256']}")
    return problems


# --- PostgreSQL's tools ------------------------------------------------------------------------------


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            "备份与恢复需要 PostgreSQL（DATABASE_URL=postgres://…）；SQLite 数据库直接复制 var/ 目录即可。"
        )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装与服务器版本相同或更新的 PostgreSQL 客户端（apt-get install postgresql-client）。"
        )
    return found


# Options of Django's PostgreSQL backend that are not libpq's connection keywords.
DJANGO_ONLY_OPTIONS = {"isolation_level", "assume_role", "server_side_binding", "pool"}


def _libpq() -> tuple[str, dict[str, str]]:
    """The connection Django makes, as a libpq connection string without the password and an
    environment holding the password, for pg_dump and pg_restore: nothing secret on their
    command line. Built from the settings rather than taken from the live connection, whose
    libpq (psycopg's own) may know keywords the system's pg_dump does not."""
    db = connection.settings_dict
    params = {
        key: str(value)
        for key, value in db.get("OPTIONS", {}).items()
        if key not in DJANGO_ONLY_OPTIONS and isinstance(value, str | int)
    }
    params |= {
        key: str(db[name])
        for key, name in (("dbname", "NAME"), ("user", "USER"), ("host", "HOST"), ("port", "PORT"))
        if db.get(name)
    }
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return make_conninfo(**params), env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败（退出码 {result.returncode}）：\n{result.stderr.strip()}")


def _sha256(path: Path) -> FileFacts:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


# --- backup ---------------------------------------------------------------------------------------------


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _archive_media(target: Path) -> MediaFacts:
    root = Path(settings.MEDIA_ROOT)
    files = _media_files(root)
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return {
        "root": str(root),
        "storage": str(settings.STORAGES["default"]["BACKEND"]),
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
    }


@dataclass
class BackupResult:
    directory: Path
    manifest: dict[str, Any]
    seconds: float


def take_backup(destination: Path) -> BackupResult:
    """Write a backup directory under `destination` and return it with its manifest."""
    _require_postgresql()
    pg_dump = _tool("pg_dump")
    started = time.monotonic()
    now = timezone.localtime()
    directory = destination / f"jianyi-{now:%Y%m%d-%H%M%S}"
    # What a backup holds is personal data: only its owner may read it.
    old_umask = os.umask(0o077)
    try:
        directory.mkdir(parents=True, exist_ok=False)
    except FileExistsError:
        os.umask(old_umask)
        raise BackupError(f"{directory} 已存在：一秒内只能备份一次。") from None
    try:
        dsn, env = _libpq()
        with one_snapshot(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_database(), current_user, version()")
            snapshot, database, user, version = cursor.fetchone() or ("", "", "", "")
            found = figures()
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={directory / DUMP}", dsn], env)
        media = _archive_media(directory / MEDIA)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": {"name": database, "user": user, "server": version},
            "files": {DUMP: _sha256(directory / DUMP), MEDIA: _sha256(directory / MEDIA)},
            "media": media,
            **found,
        }
        (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    except BaseException:
        # Half a backup must never pass for one.
        shutil.rmtree(directory, ignore_errors=True)
        raise
    finally:
        os.umask(old_umask)
    return BackupResult(directory, manifest, time.monotonic() - started)


# --- restore ----------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} 不是备份目录：没有 {MANIFEST}。")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"无法识别的备份格式：{manifest.get('format')!r}。")
    return manifest


def _check_files(directory: Path, manifest: dict[str, Any]) -> None:
    for name, facts in manifest["files"].items():
        path = directory / name
        if not path.is_file():
            raise BackupError(f"备份不完整：缺少 {name}。")
        if _sha256(path) != facts:
            raise BackupError(f"备份文件 {name} 已损坏：大小或 SHA-256 与清单不符。")


def _tables_in_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
            """
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _restored(path: Path, size: int) -> bool:
    return path.is_file() and path.stat().st_size == size


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    found: Figures
    media_files: int
    seconds: float


def restore_backup(directory: Path, *, force: bool = False) -> RestoreResult:
    """Restore a backup into the (empty, unless `force`) database Django is connected to and
    into MEDIA_ROOT, then check the counts and the audit digest against the manifest.

    `force` restores over an existing database (its objects that the backup holds are dropped
    first) and over existing files."""
    _require_postgresql()
    pg_restore = _tool("pg_restore")
    started = time.monotonic()
    manifest = read_manifest(directory)
    _check_files(directory, manifest)
    media_root = Path(settings.MEDIA_ROOT)
    if not force:
        tables = _tables_in_database()
        if tables:
            raise BackupError(
                f"目标数据库 {connection.settings_dict['NAME']} 不是空的（已有 {tables} 张表）："
                "请恢复到新建的空数据库，或确认覆盖后加 --force。"
            )
        if _media_files(media_root):
            raise BackupError(
                f"上传文件目录 {media_root} 不是空的：请换一个空目录（MEDIA_ROOT），或确认覆盖后加 --force。"
            )
    dsn, env = _libpq()
    options = ["--exit-on-error", "--single-transaction", "--no-owner"]
    if force:
        options += ["--clean", "--if-exists"]
    _run([pg_restore, *options, f"--dbname={dsn}", str(directory / DUMP)], env)
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        archive.extractall(media_root, filter="data")
    wrong = [m.name for m in members if not _restored(media_root / m.name, m.size)]
    problems = [f"上传文件 {name} 未恢复或大小不符" for name in wrong[:10]]
    if len(members) != manifest["media"]["files"]:
        problems.append(f"上传文件：清单 {manifest['media']['files']} 个，备份包中 {len(members)} 个")
    expected = expected_figures(manifest)
    found = figures(expected["counts"])
    problems += differences(expected, found)
    if problems:
        raise BackupError("恢复结果与备份清单不符：\n  " + "\n  ".join(problems))
    return RestoreResult(manifest, found, len(members), time.monotonic() - started)
