from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from proposals import outbox


class Command(BaseCommand):
    help = (
        "Send the outbox's due e-mails and text messages now (what beat's drain does every minute). "
        "Safe to run again, or beside the drain: each message is sent once. "
        "For cron where there is no Celery beat, e.g. `* * * * * .venv/bin/python manage.py send_outbox`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=None, help="stop after this long (OUTBOX_DRAIN_SECONDS)")

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = outbox.drain(seconds=options["seconds"])
        self.stdout.write(
            f"发件箱：已发送 {outcome.sent} 条，发送失败 {outcome.failed} 条（稍后重试或已放弃），"
            f"无法发送 {outcome.cancelled} 条（无地址）。"
        )
