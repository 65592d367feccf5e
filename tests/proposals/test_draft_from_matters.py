"""A deputy turns residents' matters into a draft suggestion (proposals/from_matters.py):
the text prefilled, linked both ways, and the resident's lookup follows the suggestion."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies import matters
from deputies.models import AuditRecord, ResidentMatter
from proposals.from_matters import draft_from_matters
from proposals.models import Proposal
from proposals.workflow import ProposalError
from tests import factories as f
from tests.deputies.matters_world import leave
from tests.workflow import Cast, advance

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
M = ResidentMatter.State


def test_a_matter_becomes_a_draft_of_the_deputy_linked_both_ways(stationed, deputy, meeting):
    source = f.SourceFactory(name="联络站收集群众意见")
    matter, _ = leave(station=stationed)
    proposal = draft_from_matters(matters=[matter], by=deputy.user)
    matter.refresh_from_db()
    assert proposal.state == "draft" and proposal.lead_deputy == deputy
    assert proposal.body == matter.text and "路灯" in proposal.title and proposal.source == source
    assert list(proposal.from_matters.all()) == [matter] and list(matter.suggestions.all()) == [proposal]
    assert matter.state == M.SUGGESTED and matter.events.last().action == "suggested"


def test_station_staff_cannot_make_a_deputys_draft(stationed, station_staff, meeting):
    matter, _ = leave(station=stationed)
    with pytest.raises(matters.MatterRefused):
        draft_from_matters(matters=[matter], by=station_staff)
    matter.refresh_from_db()
    assert matter.state == M.NEW and not Proposal.objects.exists()


def test_a_deputy_not_of_the_matter_is_refused(stationed, other_deputy, meeting):
    matter, _ = leave(station=stationed)
    with pytest.raises(matters.MatterRefused):
        draft_from_matters(matters=[matter], by=other_deputy.user)
    assert not Proposal.objects.exists()


def test_nothing_to_take_up_is_refused(deputy, meeting):
    with pytest.raises(ProposalError):
        draft_from_matters(matters=[], by=deputy.user)


def test_a_matter_already_answered_is_not_turned(stationed, deputy, station_staff, meeting):
    matter, _ = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="已答复", by=station_staff)
    with pytest.raises(matters.MatterError):
        draft_from_matters(matters=[matter], by=deputy.user)
    assert not Proposal.objects.exists()


def test_the_lookup_follows_the_suggestion_once_registered(client, stationed, deputy, staff, meeting, category):
    matter, code = leave(station=stationed)
    proposal = draft_from_matters(matters=[matter], by=deputy.user)
    story = matters.story_of(matters.matter_by_code(code))
    assert any("正在据此起草建议" in line for o in story.outcomes for line in o.lines)
    proposal.category = category
    proposal.save()
    advance(
        proposal,
        "registered",
        Cast(deputy_user=deputy.user, staff=staff, handler=None, head=None, unit=None, result=None),
    )
    proposal.refresh_from_db()
    page = client.post(reverse("intake:lookup"), {"code": code}).content.decode()
    assert proposal.number_label in page and proposal.title in page
    assert "13812341234" not in page


def test_the_button_on_the_matter_page_makes_the_draft(client, stationed, deputy, meeting):
    matter, _ = leave(station=stationed)
    client.force_login(deputy.user)
    page = client.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    url = reverse("proposals:draft_from_matter", args=[matter.pk])
    assert url in page
    answer = client.post(url)
    proposal = Proposal.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("proposals:edit", args=[proposal.pk])


def test_station_staff_see_no_button_and_are_refused(client, stationed, station_staff, meeting):
    matter, _ = leave(station=stationed)
    client.force_login(station_staff)
    url = reverse("proposals:draft_from_matter", args=[matter.pk])
    assert url not in client.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    before = AuditRecord.objects.count()
    client.post(url)
    assert AuditRecord.objects.count() == before + 1
    assert not Proposal.objects.exists()
