from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.streams import Stream
from reports import annual
from reports.models import AnnualReport

ALL = "all"


class Command(BaseCommand):
    help = (
        "Write the annual handling report of a year as a PDF (the same as the staff's button): of "
        "deputies' suggestions, of CPPCC proposals, or of both together (the default when the year has both)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument(
            "--stream",
            choices=[*Stream.values, ALL],
            help="suggestion, proposal or all (default: all when the year has both, else the one it has)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year, out = options["year"], Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"no such folder: {out.parent}")
        asked = options["stream"]
        stream = annual.report_stream(year) if asked is None else annual.BOTH if asked == ALL else asked
        text = AnnualReport.objects.filter(year=year, stream=stream).first()
        if text is None or not text.practices.strip() or not text.plans.strip():
            self.stderr.write("注意：主要做法或下一步工作打算尚未撰写，报告中将标注“尚未撰写”。")
        started = time.monotonic()
        data, pages = annual.build_pdf(year, stream=stream)
        out.write_bytes(data)
        self.stdout.write(f"{out}：{pages} 页，{len(data) // 1024} KB，用时 {time.monotonic() - started:.1f} 秒")
