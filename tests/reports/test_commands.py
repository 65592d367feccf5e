"""`manage.py handling_stats`: the figures module's numbers, as text or JSON."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports import figures as fg
from tests.reports.crafted import AS_OF, YEAR

pytestmark = pytest.mark.django_db


def test_the_json_is_the_figures_module(year, capsys):
    call_command("handling_stats", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--json")
    data = json.loads(capsys.readouterr().out)
    streams = data.pop("streams")  # each stream's own figures beside the combined ones
    matters = data.pop("matters")  # the year's residents' matters, counted apart
    assert matters == fg.matter_figures(YEAR, as_of=AS_OF).as_dict()
    assert data == json.loads(json.dumps(fg.compute(fg.Scope(year=YEAR, as_of=AS_OF)).as_dict(), ensure_ascii=False))
    assert streams["suggestion"]["counts"] == data["counts"]  # this year has suggestions only
    assert streams["proposal"]["counts"]["received"] == 0
    assert data["rates"]["completion"] == {"n": 16, "of": 19, "pct": "84.21"}
    assert data["categories"][0] == {
        "key": year.categories["X"].pk,
        "label": "教科文卫体",
        "n": 8,
        "of": 20,
        "pct": "40.00",
    }


def test_the_text_summary(year, capsys):
    call_command("handling_stats", "--year", str(YEAR), "--as-of", AS_OF.isoformat())
    out = capsys.readouterr().out
    assert "办结率 84.21%" in out and "按时办复率 77.78%（14/18）" in out and "A 11（64.71%）" in out


def test_a_meeting_and_a_unit(year, capsys):
    call_command("handling_stats", "--meeting", str(year.meeting.pk), "--unit", str(year.units["U3"].pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["assigned"] == 2 and [u["name"] for u in data["units"]] == ["区农业农村局"]


def test_bad_arguments_are_explained(db):
    with pytest.raises(CommandError, match="--year or --meeting"):
        call_command("handling_stats")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("handling_stats", "--year", "2025", "--as-of", "tomorrow")
    with pytest.raises(CommandError, match="no meeting"):
        call_command("handling_stats", "--meeting", "999")
