"""Figures and the annual report by stream: each stream's figures beside the combined ones
(which they add up to) in `handling_stats --json`, on the dashboard and in the report, whose
combined form is the government's 人大代表建议和政协委员提案办理情况."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from deputies.streams import Stream
from handling import services as hs
from proposals.models import ProposalState
from reports import annual
from reports import figures as fg
from reports.models import ScoringScheme
from supervision import services as ss
from tests import factories as f
from tests.workflow import advance, reply_and_issue, today

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def both(deputy, meeting, category, cast, member, cppcc_meeting, proposal_cast, staff, leader):
    """Two deputies' suggestions (one closed after a face-to-face talk, one between meetings and
    submitted) and three members' proposals (two closed, one in handling), the same year."""
    closed = advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于加强代表联络站的建议"),
        S.IN_HANDLING,
        cast,
    )
    hs.record_contact(
        assignment=closed.assignments.get(),
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=today(),
        people="王建国",
        summary="面商",
    )
    ss.save_key_item(by=staff, year=meeting.year, title="代表联络", leader=leader, proposals=[closed])
    reply = reply_and_issue(closed, cast)
    hs.rate_reply(final=True, reply=reply, by=cast.deputy_user, attitude="satisfied", result="satisfied")
    advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, channel="between"), S.SUBMITTED, cast
    )
    for state in (S.CLOSED, S.CLOSED, S.IN_HANDLING):
        advance(f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category), state, proposal_cast)
    return meeting.year


def test_each_streams_figures_add_up_to_the_combined_ones(both):
    scope = fg.Scope(year=both)
    combined = fg.count(scope)["counts"]
    suggestions = fg.count(scope.of_stream(Stream.SUGGESTION))["counts"]
    proposals = fg.count(scope.of_stream(Stream.PROPOSAL))["counts"]
    assert (suggestions["received"], proposals["received"], combined["received"]) == (2, 3, 5)
    assert (suggestions["between"], proposals["registered"]) == (0, 3)
    assert all(combined[name] == suggestions[name] + proposals[name] for name in combined)


def test_handling_stats_json_has_each_streams_counts_and_rates(both, capsys):
    call_command("handling_stats", "--year", str(both), "--json")
    data = json.loads(capsys.readouterr().out)
    assert set(data["streams"]) == {"suggestion", "proposal"}
    for stream in data["streams"].values():
        assert set(stream["counts"]) == set(data["counts"]) and set(stream["rates"]) == set(data["rates"])
    assert data["streams"]["proposal"]["counts"]["done"] == 2
    assert data["streams"]["suggestion"]["rates"]["face_to_face"]["pct"] == "100.00"
    assert data["counts"]["received"] == 5


def test_handling_stats_of_one_stream(both, capsys):
    call_command("handling_stats", "--year", str(both), "--stream", "proposal", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["scope"]["stream"], data["counts"]["received"]) == ("proposal", 3)
    assert "streams" not in data


def test_the_dashboard_shows_the_stream_chosen_and_one_bodys_staff_their_own(client, both, leader, proposals_staff):
    client.force_login(leader)
    chosen = client.get(reverse("reports:dashboard"), {"year": both, "stream": "proposal"})
    assert chosen.context["figures"].counts["received"] == 3
    combined = client.get(reverse("reports:dashboard"), {"year": both})
    assert combined.context["figures"].counts["received"] == 5
    client.force_login(proposals_staff)
    own = client.get(reverse("reports:dashboard"), {"year": both})
    assert own.context["figures"].counts["received"] == 3


def test_one_streams_dashboard_and_report_show_that_bodys_key_items_only(client, both, leader, proposals_staff):
    theirs = "代表联络"  # the congress's key item
    assert [i.title for i in fg.key_suggestions(fg.Scope(year=both))] == [theirs]
    assert [i.title for i in fg.key_suggestions(fg.Scope(year=both, stream=Stream.SUGGESTION))] == [theirs]
    assert not fg.key_suggestions(fg.Scope(year=both, stream=Stream.PROPOSAL)).exists()
    assert theirs not in annual.render_html(annual.report_context(both, stream=Stream.PROPOSAL), for_print=True)
    client.force_login(proposals_staff)
    assert theirs not in client.get(reverse("reports:dashboard"), {"year": both}).content.decode()
    client.force_login(leader)
    assert theirs in client.get(reverse("reports:dashboard"), {"year": both}).content.decode()


def _units_page_count(client, year, unit, **query):
    page = client.get(reverse("reports:units"), {"year": year, **query}).content.decode()
    return int(re.search(rf'unit={unit.pk}&amp;figure=unit_count">(\d+)</a>', page).group(1))


def test_the_units_page_counts_the_stream_chosen_and_one_bodys_staff_their_own(
    client, both, unit, leader, proposals_staff
):
    client.force_login(leader)
    assert _units_page_count(client, both, unit) == 4
    assert _units_page_count(client, both, unit, stream="suggestion") == 1
    client.force_login(proposals_staff)
    assert _units_page_count(client, both, unit) == 3  # the proposals of the unit, never the congress's
    assert _units_page_count(client, both, unit, stream="suggestion") == 3


def test_the_deputies_records_list_one_bodys_people_to_its_staff_and_both_to_the_supervision_office(
    client, both, deputy, member, staff, proposals_staff, supervision
):
    listed = {}
    for user in (staff, proposals_staff, supervision):
        client.force_login(user)
        page = client.get(reverse("reports:deputy_records"), {"year": both}).content.decode()
        listed[user.role] = {person.name for person in (deputy, member) if person.name in page}
    assert listed == {
        staff.role: {deputy.name},
        proposals_staff.role: {member.name},
        supervision.role: {deputy.name, member.name},
    }


def test_the_combined_report_states_each_streams_numbers_in_both_streams_words(both):
    assert annual.report_stream(both) == annual.BOTH
    html = annual.render_html(annual.report_context(both, stream=annual.BOTH), for_print=True)
    assert "人大代表建议和政协委员提案办理情况" in html
    assert "人大代表建议" in html and "政协委员提案" in html  # the two columns
    assert "收到建议提案" in html and "代表委员满意度" in html  # the prose about both
    assert "关于加强代表联络站的建议" in html  # what people wrote stays as written (a key item's title)
    assert "\ue000" not in html and "\ue001" not in html


def test_a_proposal_report_speaks_the_proposal_streams_words(both):
    html = annual.render_html(annual.report_context(both, stream=Stream.PROPOSAL), for_print=True)
    assert "政协委员提案办理情况" in html
    assert "收到提案" in html and "委员满意度" in html and "收到建议" not in html


def test_congress_staff_make_the_suggestion_report_the_proposals_committee_theirs(both, staff, proposals_staff):
    assert annual.report_stream(both, staff) == Stream.SUGGESTION
    assert annual.report_stream(both, proposals_staff) == Stream.PROPOSAL


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (bin/setup test)")
def test_annual_report_command_prints_the_combined_report_by_default(both, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    call_command("annual_report", "--year", str(both), "--out", str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "人大代表建议和政协委员提案办理情况" in text.replace("\n", "")
    call_command("annual_report", "--year", str(both), "--out", str(out), "--stream", "suggestion")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "政协委员提案" not in text.replace("\n", "")


def test_a_year_of_suggestions_only_keeps_its_report(deputy, meeting, category, cast):
    advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.SUBMITTED, cast)
    assert annual.report_stream(meeting.year) == Stream.SUGGESTION


def test_each_scheme_scores_the_units_on_its_own_stream(both, unit):
    ScoringScheme.objects.create(applies_from=both, stream="", contact_points=Decimal("10"))
    ScoringScheme.objects.create(applies_from=both, stream=Stream.PROPOSAL, contact_points=Decimal("50"))
    scope = fg.Scope(year=both)
    assert fg.compute(scope).scheme.stream == ""
    assert fg.compute(scope.of_stream(Stream.SUGGESTION)).scheme.stream == ""  # none of its own: both's
    proposals = fg.compute(scope.of_stream(Stream.PROPOSAL))
    assert proposals.scheme.stream == Stream.PROPOSAL
    (row,) = [u for u in proposals.units if u.unit_id == unit.pk]
    assert row.count == 3  # scored on the unit's three proposals only
    assert proposals.scheme.contact_points == Decimal("50")
