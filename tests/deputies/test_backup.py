"""bin/backup and bin/restore: a restore into a fresh database holds the same rows, the same
audit records (the digest) and the same files as the backup, and says so; a corrupted backup,
a database that is not empty or a digest that differs is refused loudly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from deputies.backup import figures, one_snapshot
from deputies.models import AuditRecord

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_", "MEDIA_ROOT"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "config.settings", **env}
    return subprocess.run(args, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_the_audit_digest_is_the_same_for_the_same_rows_and_changes_with_any_audit_record(db, staff):
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGIN, user=staff, username="staff")
    first, again = figures(), figures()
    assert first == again
    AuditRecord.objects.create(kind=AuditRecord.Kind.LOGOUT, user=staff, username="staff")
    later = figures()
    assert later["audit"]["deputies_auditrecord"]["count"] == 2
    assert later["audit_sha256"] != first["audit_sha256"]
    assert later["counts"]["deputies_auditrecord"] == 2 and later["counts"]["deputies_user"] == 1


@pytest.mark.postgres
def test_a_backup_whose_files_do_not_match_its_manifest_is_refused_before_anything_is_restored(db, tmp_path):
    (tmp_path / "database.dump").write_bytes(b"not the dump")
    (tmp_path / "media.tar.gz").write_bytes(b"")
    files = {"database.dump": {"bytes": 12, "sha256": "0" * 64}, "media.tar.gz": {"bytes": 0, "sha256": "0" * 64}}
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 1, "files": files}))
    with pytest.raises(CommandError, match="database.dump 已损坏"):
        call_command("restore", str(tmp_path))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_the_same_counts_audit_digest_and_files(
    tmp_path, client, staff, draft
):
    client.force_login(staff)  # a login record
    assert client.get("/proposals/999999/").status_code == 404  # a refusal record
    default_storage.save("attachments/2026/答复函.pdf", ContentFile(b"%PDF-1.4 letter"))
    source_env = {
        "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }

    backup = run(["bin/backup", "--to", str(tmp_path / "backups")], **source_env, VAR_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    (directory,) = (tmp_path / "backups").iterdir()
    assert sorted(p.name for p in directory.iterdir()) == ["database.dump", "manifest.json", "media.tar.gz"]

    fresh = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = psycopg.connect(database_url("postgres"), autocommit=True)
    admin.execute(f"CREATE DATABASE {fresh}")
    try:
        target_env = {"DATABASE_URL": database_url(fresh), "MEDIA_ROOT": str(tmp_path / "restored-media")}
        restore = run(["bin/restore", str(directory)], **target_env, VAR_DIR=str(tmp_path))
        assert restore.returncode == 0, restore.stderr
        assert "审计摘要一致" in restore.stdout

        with one_snapshot():
            source = figures()
        digest = run([sys.executable, "manage.py", "audit_digest"], **target_env, VAR_DIR=str(tmp_path))
        assert json.loads(digest.stdout) == source
        assert source["audit"]["deputies_auditrecord"]["count"] >= 2
        assert source["audit"]["proposals_proposalevent"]["count"] >= 1
        restored_file = tmp_path / "restored-media" / "attachments" / "2026" / "答复函.pdf"
        assert restored_file.read_bytes() == b"%PDF-1.4 letter"

        again = run(["bin/restore", str(directory)], **target_env, VAR_DIR=str(tmp_path))
        assert again.returncode != 0 and "不是空的" in again.stderr and "--force" in again.stderr

        with psycopg.connect(database_url(fresh), autocommit=True) as restored:
            restored.execute("ALTER TABLE deputies_auditrecord DISABLE TRIGGER deputies_auditrecord_append_only")
            restored.execute("UPDATE deputies_auditrecord SET detail = 'rewritten' WHERE id = "
                             "(SELECT min(id) FROM deputies_auditrecord)")  # fmt: skip
        check = run(
            [sys.executable, "manage.py", "audit_digest", "--expect", str(directory)],
            **target_env,
            VAR_DIR=str(tmp_path),
        )
        assert check.returncode == 1 and "审计摘要不符" in check.stderr
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)")
        admin.close()
