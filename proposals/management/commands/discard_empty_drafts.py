from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from proposals import drafts


class Command(BaseCommand):
    help = (
        "Withdraw the drafts left empty (no title, text or attachment) for more than a day, as beat "
        "does every night. For cron where there is no Celery beat, e.g. "
        "`15 3 * * * .venv/bin/python manage.py discard_empty_drafts`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = drafts.discard_empty_drafts()
        self.stdout.write(f"已撤下空草稿 {count} 份。")
