from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.backup import BackupError, take_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT) into a new "
        "directory with a manifest: every table's row count, the audit digest, each file's SHA-256. "
        "Usually run through bin/backup (README, “Backup and restore”)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", metavar="DIRECTORY", help="where the backup's directory is made (default: VAR_DIR/backups)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["to"]) if options["to"] else Path(settings.VAR_DIR) / "backups"
        try:
            result = take_backup(destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = result.manifest
        files = manifest["files"]
        audit = manifest["audit"]
        self.stdout.write(f"备份完成：{result.directory}（用时 {result.seconds:.1f} 秒）")
        for name, facts in files.items():
            self.stdout.write(f"  {name}：{facts['bytes'] / 1024 / 1024:.1f} MB")
        self.stdout.write(
            f"  {len(manifest['counts'])} 张表，上传文件 {manifest['media']['files']} 个，"
            f"审计记录 {sum(facts['count'] for facts in audit.values())} 条，审计摘要 {manifest['audit_sha256']}"
        )
