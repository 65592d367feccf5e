"""Formula injection: every workbook the app writes keeps text that a spreadsheet would run as
a formula (= + - @, tab, carriage return at the start) as text, with a quote in front, and the
import takes exactly that quote off again, so an export re-imports to the same text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from deputies.spreadsheet import neutralise_formula, restore_formula
from handling.models import Unit
from proposals.models import Proposal, ProposalState
from reports import excel
from reports.excel.workbook import read_workbook
from tests import factories as f
from tests.workflow import advance

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-5 元", "@user", "\tx", "\r=1+1", "\n=1+1", "=cmd|' /C calc'!A0"]
# Text that starts with a quote: one before a normal character was never neutralised and stays;
# one before a formula character is given a second quote, so the round trip still holds.
QUOTED = ["'abc", "'=x", "''+1"]


def as_stored(text: str) -> str:
    """What an .xlsx holds for `text`: its XML turns every carriage return into a line feed,
    wherever it stands and whatever this app does."""
    return text.replace("\r", "\n")


def cells(data: bytes):
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_no_formula(data: bytes) -> None:
    formulas = [(c.coordinate, c.value) for c in cells(data) if c.data_type == "f"]
    assert formulas == []


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_like_a_formula_gets_a_quote_in_front(text):
    assert neutralise_formula(text) == "'" + text
    assert restore_formula(neutralise_formula(text)) == text


@pytest.mark.parametrize("value", ["关于=号的建议", "abc", "'abc", "", 5, -5, 1.5, dt.date(2026, 3, 1), None])
def test_other_values_are_written_as_they_are(value):
    assert neutralise_formula(value) == value
    assert restore_formula(value) == value


def test_a_workbook_keeps_hostile_text_as_text_and_numbers_and_dates_as_themselves():
    rows = [[text, -5, dt.date(2026, 3, 1)] for text in [*HOSTILE, *QUOTED, "#N/A"]]
    data = excel.write_workbook([("s", ["=标题", "数", "日期"], rows)])

    assert_no_formula(data)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "'=标题"
    for (text, _n, _d), row in zip(rows, sheet.iter_rows(min_row=2), strict=True):
        assert row[0].data_type == "s", text
        assert row[0].value == as_stored(neutralise_formula(text))
        assert (row[1].data_type, row[1].value) == ("n", -5)
        assert row[2].is_date and row[2].value.date() == dt.date(2026, 3, 1)
    assert sheet["A2"].value == '\'=HYPERLINK("http://x","y")'


def test_reading_a_workbook_back_gives_the_exact_text():
    texts = [*HOSTILE, *QUOTED, "#N/A", "普通标题"]
    data = excel.write_workbook([("s", ["标题", "数"], [[text, 7] for text in texts])])
    dataset = read_workbook(io.BytesIO(data))
    assert dataset.headers == ["标题", "数", "_row"]
    assert list(dataset["标题"]) == [as_stored(text) for text in texts]
    assert list(dataset["数"]) == [7] * len(texts)


@pytest.mark.django_db
def test_a_staff_and_a_unit_export_of_hostile_titles_reimport_to_the_same_titles(
    client, cast, deputy, meeting, category, unit_handler
):
    titles = [text for text in HOSTILE if not text[0].isspace()] + QUOTED
    made = [
        advance(
            f.ProposalFactory(title=title, lead_deputy=deputy, meeting=meeting, category=category), "in_handling", cast
        )
        for title in titles
    ]
    exports = {}
    for who in (cast.staff, unit_handler):
        client.force_login(who)
        exports[who] = client.get(reverse("reports:export_proposals")).content
        assert_no_formula(exports[who])
        sheet = load_workbook(io.BytesIO(exports[who])).active
        exported = {c.value: c.data_type for c in sheet["C"][1:]}
        assert exported == {neutralise_formula(title): "s" for title in titles}

    # The originals give up their numbers, so the export comes back in as new suggestions.
    Proposal.objects.filter(pk__in=[p.pk for p in made]).update(number=None)
    outcome = excel.run_import("suggestions", io.BytesIO(exports[cast.staff]), user=cast.staff, dry_run=False)
    assert outcome.ok, (outcome.errors, [(b.row, b.problems) for b in outcome.bad_rows])
    imported = Proposal.objects.exclude(pk__in=[p.pk for p in made])
    assert sorted(imported.values_list("title", flat=True)) == sorted(titles)
    assert set(imported.values_list("state", flat=True)) == {ProposalState.IN_HANDLING}


@pytest.mark.django_db
def test_units_and_deputies_exports_neutralise_and_reimport_unchanged(staff):
    f.UnitFactory(name="=cmd|' /C calc'!A0", short_name="@单位", phone="+86 571 8888")
    f.DeputyFactory(name="-王", work_unit="=1+1", phone="+8613900000000")

    units, deputies = excel.export_units(), excel.export_deputies()
    for data in (units, deputies):
        assert_no_formula(data)
    assert {c.value for c in cells(units)} >= {"'=cmd|' /C calc'!A0", "'@单位", "'+86 571 8888"}
    assert {c.value for c in cells(deputies)} >= {"'-王", "'=1+1", "'+8613900000000"}

    # The same names come back: each row finds its own unit or deputy and changes nothing.
    for kind, data in (("units", units), ("deputies", deputies)):
        outcome = excel.run_import(kind, io.BytesIO(data), user=staff, dry_run=False)
        assert outcome.ok and outcome.created == {kind: 0} and outcome.updated == 0, (kind, outcome.as_dict())
    assert Unit.objects.get().phone == "+86 571 8888"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["units", "deputies", "suggestions"])
def test_the_templates_hold_no_formula(client, staff, kind):
    Unit.objects.create(name='=HYPERLINK("http://x")')  # listed on the suggestions template
    client.force_login(staff)
    assert_no_formula(client.get(reverse("reports:import_template", args=[kind])).content)
