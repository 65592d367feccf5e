"""The figures the dashboard keeps (reports/stored.py) always equal a recount: after random
workflows run through the real services, after bulk writes that send no signal, after a day
passes; and `manage.py check_figures` says so."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from deputies.streams import Stream
from handling import services as hs
from handling.models import Assignment, ContactRecord, DeadlineExtension, Reply
from proposals.models import Proposal, ProposalState
from proposals.workflow import ProposalError
from reports import figures as fg
from reports import stored
from reports.models import FiguresSnapshot
from supervision import services as ss
from tests import factories as f
from tests.workflow import advance, today

S = ProposalState
TARGETS = [
    S.DRAFT,
    S.SUBMITTED,
    S.RETURNED,
    S.WITHDRAWN,
    S.NOT_ACCEPTED,
    S.REGISTERED,
    S.ASSIGNED,
    S.REASSIGN_REQUESTED,
    S.IN_HANDLING,
    S.REPLIED,
    S.REHANDLING,
    S.CLOSED,
]


def assert_kept_equals_recount(scope: fg.Scope) -> None:
    """The dashboard's figures (kept or counted) are those of a recount, and the counts kept
    now are too."""
    assert stored.figures(scope).as_dict() == fg.compute(scope).as_dict()
    assert stored.differences(scope) == []


def contact(proposal: Proposal, cast, rng: random.Random) -> None:
    assignment = Assignment.objects.filter(proposal=proposal, is_active=True, role="lead").first()
    if assignment is None or proposal.state not in (S.ASSIGNED, S.IN_HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED):
        return
    hs.record_contact(
        assignment=assignment,
        by=cast.handler,
        kind=rng.choice([ContactRecord.Kind.PHONE, ContactRecord.Kind.FACE_TO_FACE]),
        stage=ContactRecord.Stage.DURING,
        contact_date=today(),
        people="王局长",
        summary="当面沟通办理方案",
    )


def extend(proposal: Proposal, cast, staff, rng: random.Random) -> None:
    """The unit asks for an extension of its deadline; the office approves or refuses it."""
    assignment = Assignment.objects.filter(proposal=proposal, is_active=True, role="lead").first()
    if assignment is None or proposal.state not in (S.ASSIGNED, S.IN_HANDLING):
        return
    try:
        asked = hs.request_extension(
            assignment=assignment,
            by=cast.handler,
            reason="需协调省级部门",
            new_deadline=assignment.deadline + dt.timedelta(days=20),
        )
        hs.decide_extension(extension=asked, by=staff, approve=rng.random() < 0.7, note="期限内可以完成")
    except ProposalError:
        pass  # already extended as often as allowed


def rate_in_window(proposal: Proposal, cast) -> None:
    """The deputy rates a reply; the rating waits in its change window (not counted yet)."""
    reply = Reply.objects.filter(assignment__proposal=proposal, state="issued", rating__isnull=True).first()
    if reply is not None and proposal.state == S.REPLIED:
        hs.rate_reply(reply=reply, by=cast.deputy_user, attitude="satisfied", result="basic")


@pytest.mark.django_db(transaction=True)  # every step commits, as in production (PostgreSQL's deferred triggers)
def test_kept_figures_equal_a_recount_after_random_workflows(
    cast, deputy, meeting, category, staff, leader, member, cppcc_meeting, proposal_cast
):
    rng = random.Random(20240312)
    scope = fg.Scope(year=meeting.year)
    # Both streams together, and each stream alone: every one is kept and proven.
    scopes = [scope, *(scope.of_stream(stream) for stream in Stream.values)]
    proposals: list[Proposal] = []
    for step in range(20):
        for each in scopes:
            assert_kept_equals_recount(each)  # keeps the counts: the next write must make them stale
        roll = rng.random()
        if roll < 0.5 or not proposals:
            if rng.random() < 0.5:
                draft = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
                proposals.append(advance(draft, rng.choice(TARGETS), cast))
            else:
                draft = f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, category=category)
                proposals.append(advance(draft, rng.choice(TARGETS), proposal_cast))
        elif roll < 0.58:
            extend(rng.choice(proposals), cast, staff, rng)
        elif roll < 0.63:
            rate_in_window(rng.choice(proposals), cast)
        elif roll < 0.7:
            contact(rng.choice(proposals), cast, rng)
        elif roll < 0.8:
            handled = (S.REGISTERED, S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING, S.REPLIED, S.REHANDLING)
            chosen = [p for p in proposals if p.state in handled][:2]
            if chosen:
                ss.save_key_item(by=staff, year=meeting.year, title=f"重点督办{step}", leader=leader, proposals=chosen)
        elif roll < 0.9:
            # A bulk write sends no signal: the database still notices.
            Reply.objects.filter(assignment__proposal__in=proposals).update(
                issued_at=dt.datetime(meeting.year + 1, 12, 31, tzinfo=dt.UTC)
            )
        else:
            Proposal.objects.filter(pk=rng.choice(proposals).pk).update(category=None)
    for each in scopes:
        assert_kept_equals_recount(each)
    # An approved and a refused extension, and a rating waiting in its window, whatever the dice said.
    for seed in (0, 1):  # the first refuses, the second approves
        handled = advance(
            f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.IN_HANDLING, cast
        )
        assert_kept_equals_recount(scope)
        extend(handled, cast, staff, random.Random(seed))
        assert_kept_equals_recount(scope)
    replied = advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    assert_kept_equals_recount(scope)
    rate_in_window(replied, cast)
    for each in scopes:
        assert_kept_equals_recount(each)
        assert FiguresSnapshot.objects.filter(scope=stored.scope_key(each)).exists()
    assert len({p.state for p in proposals}) >= 4
    assert {p.stream for p in proposals} == set(Stream.values)
    # What the figures read beyond the suggestions themselves was written too.
    assert DeadlineExtension.objects.filter(status="approved").exists()
    # The two streams' counts add up to the combined ones.
    both, apart = fg.count(scope)["counts"], [fg.count(each)["counts"] for each in scopes[1:]]
    assert both == {name: sum(counts[name] for counts in apart) for name in both}


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_shows_a_write_at_its_next_read(client, staff, cast, deputy, meeting, category):
    client.force_login(staff)
    draft = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    advance(draft, S.REGISTERED, cast)
    url = reverse("reports:dashboard") + f"?year={meeting.year}"
    assert client.get(url).context["figures"].counts["registered"] == 1
    second = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    advance(second, S.ASSIGNED, cast)
    figures = client.get(url).context["figures"]
    assert (figures.counts["registered"], figures.counts["assigned"]) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_kept_figures_are_counted_again_the_next_day(cast, deputy, meeting, category):
    draft = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    advance(draft, S.IN_HANDLING, cast)
    Proposal.objects.filter(pk=draft.pk).update(due_on=today() + dt.timedelta(days=1))
    assert stored.figures(fg.Scope(year=meeting.year)).counts["overdue"] == 0
    later = fg.Scope(year=meeting.year, as_of=today() + dt.timedelta(days=3))
    assert stored.figures(later).counts["overdue"] == 1


@pytest.mark.django_db
def test_a_transaction_that_wrote_counts_its_own_writes(cast, deputy, meeting, category):
    # Inside one transaction (this test's), a kept count never hides the transaction's own writes.
    scope = fg.Scope(year=meeting.year)
    assert stored.figures(scope).counts["registered"] == 0
    advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    assert stored.figures(scope).counts["registered"] == 1


@pytest.mark.django_db
def test_every_counted_table_has_its_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'reports_figures_bump'")
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_figures_%'"
            )
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == set(stored.COUNTED_TABLES)


@pytest.mark.django_db
def test_check_figures_proves_the_kept_figures(cast, deputy, meeting, category, capsys):
    advance(f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REPLIED, cast)
    call_command("check_figures")
    assert "equal a recount" in capsys.readouterr().out
