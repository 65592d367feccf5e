from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from supervision.reminders import LABELS, RULES, ScanIncomplete, pending_counts, run_daily_scan


class Command(BaseCommand):
    help = (
        "Run the daily reminder scan now (deadlines, overdue replies, escalation, ratings, promises, "
        "progress reports, urging notices). Safe to run again: nothing is sent twice. "
        "For cron where there is no Celery beat, e.g. `0 7 * * * .venv/bin/python manage.py daily_scan`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="scan as of this day (YYYY-MM-DD), e.g. to catch up a missed day")
        parser.add_argument(
            "--only", action="append", choices=[name for name, _rule in RULES], help="run only this rule (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date 须为 YYYY-MM-DD 格式：{options['date']}") from exc
        started = time.monotonic()
        failed: list[str] = []
        try:
            summary = run_daily_scan(today, only=options["only"])
        except ScanIncomplete as incomplete:
            summary, failed = incomplete.summary, incomplete.failed
        seconds = time.monotonic() - started
        counts = pending_counts(today)
        self.stdout.write(f"每日提醒扫描完成（{(today.isoformat() if today else '今天')}，用时 {seconds:.1f} 秒）：")
        for name, value in summary.items():
            self.stdout.write(f"  {LABELS.get(name, name)}：{value}")
        self.stdout.write(
            f"当前待答复 {counts['owing']} 件（其中超期 {counts['overdue']} 件），"
            f"待评价 {counts['unrated']} 件，未落实承诺 {counts['open_promises']} 项。"
        )
        if failed:
            names = "、".join(str(LABELS.get(name, name)) for name in failed)
            raise CommandError(f"以下规则出错，未发送（详见日志）：{names}。其余已发送；再次运行会补发缺少的提醒。")
