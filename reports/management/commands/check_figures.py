from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.streams import Stream
from proposals.models import Meeting
from reports import figures as fg
from reports import stored


class Command(BaseCommand):
    help = (
        "Prove the figures kept for the dashboard (reports.stored) equal to a recount: for every "
        "year (or the --year given), both streams together and each alone, keep its counts if none "
        "are good, then count again and compare."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="only this year (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["year"] or sorted(set(Meeting.objects.values_list("year", flat=True)))
        problems: list[str] = []
        for year in years:
            # Both streams together, and each stream alone.
            found = [
                d for stream in (None, *Stream.values) for d in stored.differences(fg.Scope(year=year, stream=stream))
            ]
            problems += found
            self.stdout.write(f"{year}: {'differs' if found else 'equal to a recount'}")
        if problems:
            raise CommandError("kept figures differ from a recount:\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"{len(years)} years: the kept figures equal a recount"))
