from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from handling.unit_suggestion import refresh_all


class Command(BaseCommand):
    help = (
        "Index the suggestions' text again (missing and changed ones, the term counts, the vectors) and "
        "learn the units' profiles from the final assignments, as beat does every night. Run it once after "
        "upgrading or importing history; for cron where there is no Celery beat, e.g. "
        "`40 2 * * * .venv/bin/python manage.py refresh_intelligence`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = refresh_all()
        self.stdout.write(
            f"已索引建议 {done['indexed']} 件（共 {done['documents']} 件，词项 {done['terms']} 个）；"
            f"已更新承办单位画像 {done['units']} 个。"
        )
