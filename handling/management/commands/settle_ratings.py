from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from handling.services import settle_due_ratings


class Command(BaseCommand):
    help = (
        "Let the deputies' ratings take effect whose time for changes is over (RATING_CHANGE_WORKDAYS) "
        "or on whose suggestion staff have acted, as beat does every hour. For cron where there is no "
        "Celery beat, e.g. `5 * * * * .venv/bin/python manage.py settle_ratings`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = settle_due_ratings()
        self.stdout.write(f"已生效的评价 {count} 条。")
