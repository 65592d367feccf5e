"""What the three import commands share: read the workbook, dry run or apply, print the outcome."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.access import STAFF_ROLES, allowed
from deputies.models import User
from reports import excel
from reports.excel import CREATED_LABELS
from reports.models import ImportBatch


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx workbook (the app's template)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check only: say what would be created, write nothing"
        )
        parser.add_argument(
            "--user",
            help="the staff login the import is recorded as (default: the first staff account that may import it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        user = self._user(options.get("user"))
        started = time.monotonic()
        with path.open("rb") as handle:
            outcome = excel.run_import(self.kind, handle, user=user, dry_run=options["dry_run"], file_name=path.name)
        seconds = time.monotonic() - started
        for error in outcome.errors:
            self.stderr.write(error)
        for bad in outcome.bad_rows:
            self.stderr.write(f"第 {bad.row} 行：" + "；".join(bad.problems))
        for warning in outcome.warnings:
            self.stderr.write(warning)
        if not outcome.ok:
            raise CommandError(
                f"没有导入任何数据：{len(outcome.bad_rows)} 行有误。" if outcome.bad_rows else "没有导入任何数据。"
            )
        verb = "检查通过，将导入" if options["dry_run"] else "已导入"
        created = "，".join(f"{CREATED_LABELS.get(k, k)} {v}" for k, v in outcome.created.items())
        self.stdout.write(f"{verb} {outcome.total_rows} 行（{created}），用时 {seconds:.1f} 秒。")
        if outcome.states:
            self.stdout.write("按状态：" + "，".join(f"{k} {v}" for k, v in outcome.states.items()))

    def _user(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist as exc:
                raise CommandError(f"没有登录名为“{username}”的用户") from exc
        # The first staff account that may import this kind on the page (each body its own), or
        # in a new database the superuser `createsuperuser` made.
        staff = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("pk")
        batch = ImportBatch(kind=self.kind)
        user = next((u for u in staff if allowed(u, "manage_reports", batch)), None)
        user = user or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("没有工作人员账号可记为导入人：请用 --user 指定登录名")
        return user
