from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from deputies.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup of bin/backup into the database of DATABASE_URL (it must be empty) and into "
        "MEDIA_ROOT, then check every table's row count and the audit digest against the backup's manifest: "
        "any difference is an error. Usually run through bin/restore (README, “Backup and restore”)."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="the backup's directory (with manifest.json)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore over a database that is not empty and over existing files (what the backup holds is "
            "replaced, the rest is left)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(Path(options["directory"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        found = result.found
        self.stdout.write(
            f"恢复完成并已核对（用时 {result.seconds:.1f} 秒）：数据库 {connection.settings_dict['NAME']}，"
            f"上传文件目录 {settings.MEDIA_ROOT}。"
        )
        self.stdout.write(
            f"  {len(found['counts'])} 张表的行数与备份一致，上传文件 {result.media_files} 个，"
            f"审计摘要一致：{found['audit_sha256']}"
        )
        self.stdout.write(
            f"  备份时间：{result.manifest['created_at']}。若代码比备份新，请接着运行 bin/as-owner migrate。"
        )
