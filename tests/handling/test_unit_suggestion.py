"""The suggested lead unit: learned from the final assignments (a re-assignment corrects the
label), shown with its reasons on the assignment page, deterministic."""

from __future__ import annotations

import pytest
from django.urls import reverse

from handling import services as hs
from handling.unit_suggestion import Past, refresh_all, suggest, suggest_units
from proposals.models import Proposal
from tests import factories as f
from tests.workflow import Cast, advance

pytestmark = pytest.mark.django_db

WATER = [
    ("关于解决龙泉镇山村供水水压不足的建议", "龙泉镇一些山村自来水水压低，旱季常常停水，建议延伸农村供水管网。"),
    ("关于推进城乡供水一体化的建议", "农村小水厂水质不稳定，建议将城区供水管网延伸到乡镇，实现城乡同网同质。"),
]
NEW_WATER = ("关于解决山区村庄季节性缺水的建议", "山村每年夏季用水高峰自来水断供，建议延伸供水管网，新建蓄水池。")


def test_suggest_orders_by_score_then_unit_and_names_its_reasons():
    query = {"供水": 1.0}
    neighbours = [
        (0.6, Past("a", "水务局", ("财政局",))),
        (0.5, Past("b", "水务局", ("财政局",))),
        (0.2, Past("c", "农业农村局")),
    ]
    first = suggest(query, neighbours, {}, {})
    assert [s.unit for s in first] == ["水务局", "农业农村局"]
    assert first[0].reasons == ["a", "b"] and first[0].co_units == ["财政局"]
    assert suggest(query, neighbours, {}, {}) == first
    tied = suggest(query, [(0.5, Past("x", "乙")), (0.5, Past("y", "甲"))], {}, {})
    assert [s.unit for s in tied] == ["乙", "甲"]  # equal scores: by the unit's key


def test_the_unit_that_finally_led_after_a_reassignment_is_what_is_learned(
    cast: Cast, deputy, meeting, new_unit, staff, django_capture_on_commit_callbacks
):
    for title, body in WATER:
        past = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=title, body=body)
        advance(past, "assigned", cast)
        request = hs.request_reassignment(
            assignment=past.assignments.get(unit=cast.unit), by=cast.handler, reason="不属于本单位职责"
        )
        hs.decide_reassignment(request=request, by=staff, accept=True, new_unit=new_unit, note="同意")
    refresh_all()
    new = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=NEW_WATER[0], body=NEW_WATER[1])
    Proposal.objects.filter(pk=new.pk).update(state="registered")
    new.refresh_from_db()
    top = suggest_units(new, staff)
    assert top[0].unit == new_unit
    assert top[0].reasons and {r.proposal.title for r in top[0].reasons} <= {t for t, _ in WATER}


def test_the_assignment_page_shows_the_top_units_with_their_reasons(client, cast: Cast, deputy, meeting, staff):
    for title, body in WATER:
        advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=title, body=body), "assigned", cast)
    refresh_all()
    new = advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=NEW_WATER[0], body=NEW_WATER[1]),
        "registered",
        cast,
    )
    client.force_login(staff)
    html = client.get(reverse("handling:assign", args=[new.pk])).content.decode()
    assert 'id="unit-suggestions"' in html
    assert f'data-pick-unit="{cast.unit.pk}"' in html
    assert WATER[0][0] in html
    assert f'<option value="{cast.unit.pk}" selected' not in html  # the choice stays staff's


def test_the_reasons_are_past_items_the_staff_may_see_never_the_other_bodys(
    client, cast: Cast, proposal_cast: Cast, deputy, member, meeting, cppcc_meeting, staff
):
    theirs = [
        advance(
            f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, title=t, body=b), "assigned", proposal_cast
        )
        for t, b in WATER
    ]
    ours = advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=WATER[0][0], body=WATER[0][1]), "assigned", cast
    )
    refresh_all()
    new = advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=NEW_WATER[0], body=NEW_WATER[1]),
        "registered",
        cast,
    )
    reasons = {r.proposal.pk for s in suggest_units(new, staff) for r in s.reasons}
    assert reasons == {ours.pk}
    client.force_login(staff)
    html = client.get(reverse("handling:assign", args=[new.pk])).content.decode()
    assert all(reverse("proposals:detail", args=[p.pk]) not in html for p in theirs)
    cppcc_reasons = {r.proposal.pk for s in suggest_units(new, proposal_cast.staff) for r in s.reasons}
    assert cppcc_reasons and cppcc_reasons <= {p.pk for p in theirs}
