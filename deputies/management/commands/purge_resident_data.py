from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from deputies import matters


class Command(BaseCommand):
    help = (
        "Remove the phone numbers and photos of residents' matters received more than RESIDENT_DATA_DAYS "
        "ago, as beat does every night; each matter's trail records it. For cron where there is no "
        "Celery beat, e.g. `20 3 * * * .venv/bin/python manage.py purge_resident_data`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = matters.purge_resident_data()
        self.stdout.write(f"已删除 {count} 件群众意见的电话和照片（保存期限 {settings.RESIDENT_DATA_DAYS} 天）。")
