from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deputies.streams import Stream
from proposals.models import Meeting
from reports import figures as fg

# What each stream states on its own in the JSON, beside the combined figures.
STREAM_KEYS = ("counts", "rates", "result_classes", "satisfaction", "top_categories")


class Command(BaseCommand):
    help = (
        "Print the handling figures of a year (or a meeting, or a unit; of both streams or one) from "
        "reports.figures, with the year's residents' matters; "
        '--json for machines, with each stream\'s figures under "streams".'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the year (of the meetings)")
        parser.add_argument("--meeting", type=int, help="one meeting's id instead of a year")
        parser.add_argument("--unit", type=int, help="only the suggestions this unit (id) answers")
        parser.add_argument("--as-of", help="count deadlines as of this day (YYYY-MM-DD; default today)")
        parser.add_argument(
            "--stream", choices=Stream.values, help="only deputies' suggestions or CPPCC proposals (default: both)"
        )
        parser.add_argument("--json", action="store_true", help="print every figure as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["year"] is None and options["meeting"] is None:
            raise CommandError("give --year or --meeting")
        if options["meeting"] is not None and not Meeting.objects.filter(pk=options["meeting"]).exists():
            raise CommandError(f"no meeting with id {options['meeting']}")
        extra = {}
        if options["as_of"]:
            try:
                extra["as_of"] = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of is a date: YYYY-MM-DD") from exc
        scope = fg.Scope(
            year=None if options["meeting"] else options["year"],
            meeting_id=options["meeting"],
            unit_id=options["unit"],
            stream=options["stream"],
            **extra,
        )
        figures = fg.compute(scope)
        matters = fg.matter_figures(scope.report_year, scope.stream, as_of=scope.as_of)
        if options["json"]:
            data = figures.as_dict()
            data["matters"] = matters.as_dict()
            if scope.stream is None:
                # Each stream's counts and rates beside the combined ones (which they add up to).
                data["streams"] = {
                    stream: {
                        key: value
                        for key, value in fg.compute(scope.of_stream(stream)).as_dict().items()
                        if key in STREAM_KEYS
                    }
                    for stream in Stream.values
                }
                for stream in Stream.values:
                    data["streams"][stream]["matters"] = fg.matter_figures(
                        scope.report_year, stream, as_of=scope.as_of
                    ).as_dict()
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        c, r = figures.counts, figures.rates

        def p(figure: fg.Figure) -> str:
            return "—" if figure.pct is None else f"{figure.pct}%"

        lines = [
            f"收到 {c['received']}，立案 {c['registered']}（大会 {c['meeting']}，闭会 {c['between']}），"
            f"交办 {c['assigned']}",
            f"已答复 {c['replied']}，办结 {c['done']}，办结率 {p(r['completion'])}；"
            f"重新办理 {c['rehandling']}；超期 {c['overdue']}",
            f"按时办复率 {p(r['on_time'])}（{c['on_time']}/{c['due']}）；"
            f"见面率 {p(r['contact'])}；面商率 {p(r['face_to_face'])}",
            f"经批准延期 {c['extended']} 件（按延期后期限按时答复 {c['on_time_extended']} 件）"
            + "".join(
                f"；{e.proposal}，{e.unit}，{e.original:%Y-%m-%d} → {e.extended_to:%Y-%m-%d}"
                for e in figures.extensions
            ),
            f"满意率（结果）{p(r['satisfied'])}；满意或基本满意 {p(r['positive'])}；"
            f"已评价 {c['rated']}，未评价 {c['unrated']}",
            "结果：" + "；".join(f"{row.key} {row.figure.n}（{p(row.figure)}）" for row in figures.result_classes),
            "类别前五："
            + "；".join(f"{row.label} {row.figure.n}（{p(row.figure)}）" for row in figures.top_categories),
        ]
        m = matters.total
        lines.append(
            f"群众意见（{matters.year}年收到）{m.received}，已答复 {m.answered}（答复率 {p(m.answered_rate)}），"
            f"转交单位 {m.forwarded}（单位已答复 {m.forwarded_answered}，超期 {m.forwarded_overdue}），"
            f"转为建议 {m.suggested}，合并 {m.merged}，不予办理 {m.closed}，待处理 {m.waiting}"
        )
        for line in lines:
            self.stdout.write(line)
