from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.backup import BackupError, differences, expected_figures, figures, one_snapshot, read_manifest


class Command(BaseCommand):
    help = (
        "Print every table's row count and the audit digest (SHA-256 over the append-only tables' rows in "
        "id order) as JSON. With --expect BACKUP_DIR, compare them with that backup's manifest instead and "
        "exit 1 on any difference (what bin/restore checks after a restore)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--expect", metavar="BACKUP_DIR", help="a backup directory (bin/backup) to compare with")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["expect"]:
            with one_snapshot():
                self.stdout.write(json.dumps(figures(), ensure_ascii=False, indent=2))
            return
        try:
            expected = expected_figures(read_manifest(Path(options["expect"])))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        with one_snapshot():
            found = figures(expected["counts"])
        problems = differences(expected, found)
        if problems:
            raise CommandError("与备份清单不符：\n  " + "\n  ".join(problems))
        self.stdout.write(f"与备份清单一致：{len(found['counts'])} 张表，审计摘要 {found['audit_sha256']}。")
