"""What the figures make of deadline extensions and of ratings still inside their change window:
a reply is on time against its approved deadline, and the extensions are counted and listed
apart (which suggestion, which unit, the old and the new date), on the dashboard, in
`handling_stats --json` and in the annual report; a rating the deputy may still change is not
counted as a rating until it takes effect."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from handling import services as hs
from handling.models import Reply
from proposals.models import ProposalState
from reports import annual
from reports import figures as fg
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db
ASSIGNED_AT = dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC)  # the reply is due 10 June 2026
ASKED_AT = dt.datetime(2026, 5, 20, 2, tzinfo=dt.UTC)
REPLIED_AT = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)  # after the first deadline, before the new one
AS_OF = dt.date(2026, 7, 2)


@pytest.fixture
def extended(draft, cast, staff):
    """A suggestion whose unit had its deadline extended to 10 August and replied on 1 July."""
    with time_machine.travel(ASSIGNED_AT, tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    assignment = proposal.assignments.get()
    with time_machine.travel(ASKED_AT, tick=False):
        asked = hs.request_extension(
            assignment=assignment, by=cast.handler, reason="需协调省级部门", new_deadline=dt.date(2026, 8, 10)
        )
        hs.decide_extension(extension=asked, by=staff, approve=True, note="同意")
    with time_machine.travel(REPLIED_AT, tick=False):
        reply_and_issue(proposal, cast)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def refused(deputy, meeting, category, cast, staff):
    """Another suggestion whose unit was refused an extension and replied after its deadline."""
    from tests import factories as f

    draft = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    with time_machine.travel(ASSIGNED_AT, tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)
    with time_machine.travel(ASKED_AT, tick=False):
        asked = hs.request_extension(
            assignment=proposal.assignments.get(),
            by=cast.handler,
            reason="需协调省级部门",
            new_deadline=dt.date(2026, 8, 10),
        )
        hs.decide_extension(extension=asked, by=staff, approve=False, note="期限内可以完成")
    with time_machine.travel(REPLIED_AT, tick=False):
        reply_and_issue(proposal, cast)
    return proposal


def test_an_extended_reply_is_on_time_against_the_approved_deadline_and_listed_apart(extended, refused, meeting, unit):
    figures = fg.compute(fg.Scope(year=meeting.year, as_of=AS_OF))
    c = figures.counts
    assert (c["due"], c["on_time"], c["extended"], c["on_time_extended"]) == (2, 1, 1, 1)
    [row] = figures.extensions
    assert (row.proposal_id, row.unit, row.round) == (extended.pk, unit.name, 1)
    assert (row.original, row.extended_to) == (dt.date(2026, 6, 10), dt.date(2026, 8, 10))
    [unit_row] = figures.units
    assert (unit_row.extended, unit_row.on_time, unit_row.not_on_time) == (1, 1, 1)
    listed = fg.figure_queryset(fg.Scope(year=meeting.year, as_of=AS_OF), "extended")
    assert list(listed) == [extended]


def test_the_dashboard_shows_the_extensions_with_their_dates_and_unit(client, leader, extended, meeting, unit):
    client.force_login(leader)
    with time_machine.travel(REPLIED_AT, tick=False):
        page = client.get(reverse("reports:dashboard"), {"year": meeting.year}).content.decode()
    assert "批准延期" in page
    assert "2026-06-10 → 2026-08-10" in page
    assert unit.name in page
    # The units' page: each unit's extensions, linked to the list of its extended suggestions.
    with time_machine.travel(REPLIED_AT, tick=False):
        units = client.get(reverse("reports:units"), {"year": meeting.year}).content.decode()
        listed = re.search(r'href="([^"]*figure=unit_extended[^"]*)">1</a>', units).group(1)
        assert extended.title in client.get(listed.replace("&amp;", "&")).content.decode()


def test_handling_stats_json_and_text_list_the_extensions(extended, meeting, capsys):
    call_command("handling_stats", "--year", str(meeting.year), "--as-of", AS_OF.isoformat(), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["extended"] == 1
    assert data["extensions"][0]["from"] == "2026-06-10"
    assert data["extensions"][0]["to"] == "2026-08-10"
    assert data["units"][0]["extended"] == 1
    call_command("handling_stats", "--year", str(meeting.year), "--as-of", AS_OF.isoformat())
    assert "经批准延期 1 件" in capsys.readouterr().out


def test_the_annual_report_names_the_extensions(extended, meeting, unit):
    html = render_to_string(annual.TEMPLATE, annual.report_context(meeting.year, as_of=AS_OF))
    assert "经批准延期的1件" in html
    assert "经批准延期答复的建议（1次）" in html and unit.name in html


def test_a_rating_inside_its_change_window_is_not_counted_until_it_takes_effect(draft, cast, meeting):
    proposal = advance(draft, S.REPLIED, cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    rating = hs.rate_reply(reply=reply, by=cast.deputy_user, attitude="satisfied", result="satisfied")
    assert rating.changeable_until is not None
    counts = fg.compute(fg.Scope(year=meeting.year)).counts
    assert (counts["replied"], counts["rated"], counts["unrated"], counts["result_satisfied"]) == (1, 0, 1, 0)
    hs.confirm_rating(rating=rating, by=cast.deputy_user)
    counts = fg.compute(fg.Scope(year=meeting.year)).counts
    assert (counts["rated"], counts["unrated"], counts["result_satisfied"]) == (1, 0, 1)


def test_a_merged_members_deadline_moves_with_the_main_ones_and_counts_as_extended(
    deputy, meeting, category, cast, staff, unit
):
    from proposals import services as ps
    from tests import factories as f

    with time_machine.travel(ASSIGNED_AT, tick=False):
        main, member = (
            advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
            for _ in range(2)
        )
        ps.merge_proposals(main=main, members=[member], by=staff)
        hs.assign_proposal(proposal=main, by=staff, lead_unit=unit)
        hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    with time_machine.travel(ASKED_AT, tick=False):
        asked = hs.request_extension(
            assignment=main.assignments.get(), by=cast.handler, reason="需协调", new_deadline=dt.date(2026, 8, 10)
        )
        hs.decide_extension(extension=asked, by=staff, approve=True)
    with time_machine.travel(REPLIED_AT, tick=False):
        reply_and_issue(main, cast)
    figures = fg.compute(fg.Scope(year=meeting.year, as_of=AS_OF))
    assert (figures.counts["extended"], figures.counts["on_time_extended"], figures.counts["on_time"]) == (2, 2, 2)
    assert len(figures.extensions) == 1  # one extension, approved once for the group
