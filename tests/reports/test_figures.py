"""Every figure on the crafted year (tests/reports/crafted.py), each known in advance, and each
figure's list holding exactly the suggestions it counts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from reports import figures as fg
from reports.models import ScoringScheme
from tests.reports.crafted import AS_OF, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def figs(year):
    return fg.compute(fg.Scope(year=YEAR, as_of=AS_OF))


def pct(figure):
    return str(figure.pct)


def test_the_rounding_rule_is_half_up_on_the_exact_fraction():
    assert fg.share(121, 670) == Decimal("18.06")  # Chengdu: 18.0597…
    assert fg.share(69, 670) == Decimal("10.30")
    assert fg.share(1, 8) == Decimal("12.50")
    assert fg.share(1, 3) == Decimal("33.33") and fg.share(2, 3) == Decimal("66.67")
    # 0.0125 exactly is a half: up, whatever binary floating point would say.
    assert fg.share(1, 8000) == Decimal("0.01")
    assert fg.share(0, 5) == Decimal("0.00")
    assert fg.share(3, 0) is None and fg.share(0, None) is None
    assert fg.round_half_up(Fraction(-1, 200)) == Decimal("-0.01")


def test_counts_of_the_year(figs):
    c = figs.counts
    assert c["received"] == 23  # everything but the draft
    assert c["registered"] == 20
    assert (c["meeting"], c["between"]) == (16, 4)
    assert (c["not_accepted"], c["withdrawn"], c["under_review"]) == (1, 1, 1)
    assert c["assigned"] == 19
    assert c["replied"] == 17
    assert c["done"] == 16
    assert c["closed"] == 14
    assert c["rehandling"] == 1
    assert c["overdue"] == 2  # hnd1 (first reply) and reh1 (re-handling reply)
    assert c["key"] == 2


def test_rates_of_the_year(figs):
    r = figs.rates
    assert pct(r["meeting"]) == "80.00" and pct(r["between"]) == "20.00"
    assert (r["completion"].n, r["completion"].of, pct(r["completion"])) == (16, 19, "84.21")
    assert (r["on_time"].n, r["on_time"].of, pct(r["on_time"])) == (14, 18, "77.78")
    assert (r["contact"].n, pct(r["contact"])) == (17, "89.47")  # the disputed contact does not count
    assert (r["face_to_face"].n, pct(r["face_to_face"])) == (10, "52.63")
    assert (r["fieldwork"].n, pct(r["fieldwork"])) == (15, "75.00")


def test_category_shares_and_the_top_five(figs):
    rows = [(row.label, row.figure.n, pct(row.figure)) for row in figs.categories]
    assert rows == [
        ("教科文卫体", 8, "40.00"),
        ("交通邮电", 6, "30.00"),
        ("农林水利", 4, "20.00"),
        ("财政金融", 2, "10.00"),
    ]
    assert [row.label for row in figs.top_categories] == ["教科文卫体", "交通邮电", "农林水利", "财政金融"]


def test_sources(figs):
    assert [(row.label, row.figure.n, pct(row.figure)) for row in figs.sources] == [
        ("专题调研", 15, "75.00"),
        ("个人调查了解", 5, "25.00"),
    ]


def test_result_classes_over_replied_with_the_worst_part_and_the_second_reply_standing(figs):
    classes = {row.key: (row.figure.n, row.figure.of, pct(row.figure)) for row in figs.result_classes}
    assert classes == {
        "A": (11, 17, "64.71"),
        "B": (4, 17, "23.53"),  # c11's second reply (B1) stands over its first (C)
        "C": (1, 17, "5.88"),  # c13: one unit A, the other C: counted C
        "D": (1, 17, "5.88"),
    }
    categories = {row.label: (row.figure.n, pct(row.figure)) for row in figs.result_categories}
    assert categories == {
        "已经解决或基本解决": (11, "64.71"),
        "列入当年计划解决": (2, "11.76"),
        "列入规划逐步解决": (2, "11.76"),
        "因条件限制暂时难以解决": (1, "5.88"),
        "留作参考": (1, "5.88"),
    }


def test_satisfaction_counts_only_rated_replies(figs):
    result, attitude = figs.satisfaction["result"], figs.satisfaction["attitude"]
    assert (result["satisfied"].n, result["satisfied"].of, pct(result["satisfied"])) == (9, 15, "60.00")
    assert (result["basic"].n, pct(result["basic"])) == (5, "33.33")
    assert (result["unsatisfied"].n, pct(result["unsatisfied"])) == (1, "6.67")
    assert (result["positive"].n, pct(result["positive"])) == (14, "93.33")
    assert (result["unrated"].n, result["unrated"].of) == (2, 17)  # replied, never counted as satisfied
    assert (attitude["satisfied"].n, pct(attitude["satisfied"])) == (14, "93.33")
    assert (attitude["basic"].n, pct(attitude["basic"])) == (1, "6.67")
    assert pct(attitude["positive"]) == "100.00"
    assert pct(figs.rates["satisfied"]) == "60.00" and pct(figs.rates["positive"]) == "93.33"


def test_units_table_with_scores_and_their_breakdown(figs):
    rows = {row.name: row for row in figs.units}
    u1, u2, u3, u4 = rows["区教育局"], rows["区交通运输局"], rows["区农业农村局"], rows["区财政局"]
    assert (u1.count, u1.due, u1.on_time, u1.not_on_time, u1.overdue) == (10, 10, 6, 4, 1)
    assert (u1.contacted, u1.face_to_face, u1.rated, u1.satisfied, u1.basic, u1.unsatisfied) == (10, 6, 7, 7, 0, 0)
    assert u1.score == Decimal("72.00")  # 18 + 10 + 12 + 40 + 0 − 4×2
    assert (u2.count, u2.due, u2.on_time, u2.rehandling_late, u2.overdue) == (8, 7, 7, 1, 1)
    assert (u2.contacted, u2.face_to_face, u2.rated, u2.satisfied, u2.basic, u2.unsatisfied) == (5, 3, 7, 3, 3, 1)
    assert u2.score == Decimal("66.75")  # 30 + 6.25 + 7.50 + 17.14 + 12.86 − 2 − 5
    assert [(line.points) for line in u2.breakdown] == [
        Decimal(v) for v in ("30.00", "6.25", "7.50", "17.14", "12.86", "-2.00", "-5.00")
    ]
    assert (u3.count, u3.on_time, u3.rated, u3.basic, u3.score) == (2, 2, 2, 2, Decimal("80.00"))
    assert (u4.count, u4.co, u4.score) == (0, 2, Decimal("0.00"))
    assert "区民政局" not in rows  # its assignment ended with the re-assignment
    assert [row.name for row in figs.units] == ["区农业农村局", "区教育局", "区交通运输局", "区财政局"]


def test_scores_follow_the_scheme_staff_edited(year):
    ScoringScheme.objects.create(
        applies_from=YEAR,
        on_time_points=Decimal("50"),
        contact_points=Decimal("0"),
        face_to_face_points=Decimal("0"),
        satisfied_points=Decimal("50"),
        basic_points=Decimal("0"),
        overdue_deduction=Decimal("1"),
        unsatisfied_deduction=Decimal("0"),
    )
    rows = {row.name: row for row in fg.compute(fg.Scope(year=YEAR, as_of=AS_OF)).units}
    assert rows["区教育局"].score == Decimal("76.00")  # 50×60% + 50×100% − 4
    # A scheme for a later year does not apply to this one.
    ScoringScheme.objects.filter(applies_from=YEAR).update(applies_from=YEAR + 1)
    rows = {row.name: row for row in fg.compute(fg.Scope(year=YEAR, as_of=AS_OF)).units}
    assert rows["区教育局"].score == Decimal("72.00")


def test_every_figure_lists_exactly_what_it_counts(year, figs):
    scope = fg.Scope(year=YEAR, as_of=AS_OF)
    for name in fg.FIGURES:
        assert fg.figure_queryset(scope, name).count() == figs.counts[name], name
    for row in figs.categories:
        assert fg.figure_queryset(scope, "category", row.key).count() == row.figure.n
    for row in figs.result_classes:
        assert fg.figure_queryset(scope, "class", row.key).count() == row.figure.n
    for row in figs.result_categories:
        assert fg.figure_queryset(scope, "result_category", row.key).count() == row.figure.n
    for row in figs.sources:
        assert fg.figure_queryset(scope, "source", row.key).count() == row.figure.n


def test_unit_figures_list_the_units_own_suggestions(year, figs):
    u2 = next(row for row in figs.units if row.name == "区交通运输局")
    scope = fg.Scope(year=YEAR, unit_id=u2.unit_id, as_of=AS_OF)
    for name in fg.UNIT_FIGURES:
        assert fg.figure_queryset(scope, name).count() == getattr(u2, name.removeprefix("unit_")), name
    titles = set(fg.figure_queryset(scope, "unit_count").values_list("title", flat=True))
    assert "关于c14事项的建议" in titles and "关于c13事项的建议" in titles


def test_a_meeting_scope_and_a_unit_scope(year, figs):
    by_meeting = fg.compute(fg.Scope(meeting_id=year.meeting.pk, as_of=AS_OF))
    assert by_meeting.counts == figs.counts
    u1 = year.units["U1"]
    mine = fg.compute(fg.Scope(year=YEAR, unit_id=u1.pk, as_of=AS_OF))
    assert mine.counts["assigned"] == 10
    assert [row.name for row in mine.units] == ["区教育局"]


def test_a_year_without_suggestions_has_no_shares(db):
    empty = fg.compute(fg.Scope(year=1999))
    assert empty.counts["registered"] == 0
    assert empty.rates["completion"].pct is None and empty.categories == [] and empty.units == []


def test_the_figures_are_counted_by_the_database_in_a_few_queries(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        fg.compute(fg.Scope(year=YEAR, as_of=AS_OF))


def test_key_suggestions_by_state(year, figs):
    assert [(row.key, row.figure.n, row.figure.of) for row in figs.key_states] == [
        ("rehandling", 1, 2),
        ("closed", 1, 2),
    ]
    scope = fg.Scope(year=YEAR, as_of=AS_OF)
    assert list(fg.figure_queryset(scope, "key_state", "closed").values_list("title", flat=True)) == [
        "关于c1事项的建议"
    ]
    with pytest.raises(fg.UnknownFigure):
        fg.figure_queryset(scope, "key_state", "nonsense")
