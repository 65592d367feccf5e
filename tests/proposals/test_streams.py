"""Two streams on one lifecycle: a CPPCC member's proposal goes the whole way a deputy's
suggestion goes, set up by the proposals committee, handled by the same units, and told in
its own words (提案, 委员, 联名, 界别, 第0012号提案) on its pages and in its notices."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from deputies.access import allowed
from deputies.streams import Stream, in_stream_words, stream_words, words_of
from handling.models import Reply
from proposals import services as ps
from proposals.models import Notification, Proposal, ProposalState
from proposals.rules import visible_proposals
from proposals.workflow import ProposalError
from scripts import po
from tests import factories as f
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


def test_each_stream_numbers_and_names_its_items_in_its_own_words():
    suggestion, proposal = words_of(Stream.SUGGESTION), words_of(Stream.PROPOSAL)
    assert (suggestion.number(12), proposal.number(12)) == ("第12号", "第0012号提案")
    assert [str(w.item) for w in (suggestion, proposal)] == ["建议", "提案"]
    assert [str(w.lead) for w in (suggestion, proposal)] == ["领衔代表", "领衔委员"]
    assert [str(w.cosigners) for w in (suggestion, proposal)] == ["附议代表", "联名委员"]
    assert [str(w.group) for w in (suggestion, proposal)] == ["代表团", "界别"]
    # The stream's own words stay themselves while the other stream's words are spoken.
    with stream_words(Stream.PROPOSAL):
        assert str(suggestion.item) == "建议"
        assert translation.gettext("My suggestions") == "我的提案"
    assert translation.gettext("My suggestions") == "我的建议"


def test_a_sentence_in_the_congress_words_reads_in_the_proposal_streams_words():
    assert in_stream_words("人大代表建议办理情况") == "政协委员提案办理情况"
    assert in_stream_words("领衔代表邀请附议代表附议") == "领衔委员邀请联名委员联名"
    assert in_stream_words("所属代表团") == "所属界别"


def test_the_proposal_streams_catalog_follows_the_chinese_catalogs():
    assert po.stream_catalog_is_current(), "run bin/i18n check to write locale/zh_Hans-proposal"


def test_a_proposal_is_numbered_per_cppcc_meeting_in_its_words(proposal_draft, proposal_cast):
    proposal = advance(proposal_draft, S.REGISTERED, proposal_cast)
    assert (proposal.stream, proposal.number, proposal.number_label) == (Stream.PROPOSAL, 1, "第0001号提案")


def test_a_member_writes_a_proposal_for_the_cppcc_meeting(client, member, cppcc_meeting, meeting, category):
    sector_only = f.CategoryFactory(name="政协专用类别", stream=Stream.PROPOSAL)
    congress_only = f.CategoryFactory(name="人大专用类别", stream=Stream.SUGGESTION)
    client.force_login(member.user)
    page = client.get(reverse("proposals:new"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "我的提案" in text and "我的建议" not in text
    assert sector_only.name in text and category.name in text and congress_only.name not in text
    token = page.context["token"]
    answer = client.post(
        reverse("proposals:new"),
        {"draft_token": token, "title": "关于发展特色产业的提案", "body": "正文", "channel": "meeting"},
    )
    assert answer.status_code == 302
    made = Proposal.objects.get(title="关于发展特色产业的提案")
    assert (made.stream, made.meeting, made.lead_deputy) == (Stream.PROPOSAL, cppcc_meeting, member)


def test_an_item_is_filed_under_its_own_bodys_categories_whichever_way_it_comes(
    client, member, cppcc_meeting, proposal_draft, proposal_cast, proposals_staff
):
    from proposals import services
    from proposals.workflow import ProposalError

    congress_only = f.CategoryFactory(name="人大专用类别", stream=Stream.SUGGESTION)
    client.force_login(member.user)
    token = client.get(reverse("proposals:new")).context["token"]
    typed = {"draft_token": token, "title": "关于发展特色产业的提案", "body": "正文", "channel": "meeting"}
    answer = client.post(reverse("proposals:new"), {**typed, "category": congress_only.pk})
    assert answer.status_code == 400 and "category" in answer.context["form"].errors
    assert answer.context["form"]["title"].value() == typed["title"]  # what was typed is kept
    assert not Proposal.objects.filter(category=congress_only).exists()
    submitted = advance(proposal_draft, S.SUBMITTED, proposal_cast)
    client.force_login(proposals_staff)
    assert congress_only.name not in client.get(reverse("proposals:review", args=[submitted.pk])).content.decode()
    refused = client.post(reverse("proposals:register", args=[submitted.pk]), {"category": congress_only.pk})
    assert refused.status_code == 400
    for step in (
        lambda: services.register_proposal(proposal=submitted, by=proposals_staff, category=congress_only),
        lambda: services.update_draft(
            proposal=f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting),
            by=member.user,
            category=congress_only,
        ),
        lambda: services.create_draft(
            lead_deputy=member, meeting=cppcc_meeting, title="t", body="", by=member.user, category=congress_only
        ),
    ):
        with pytest.raises(ProposalError, match="另一机构的类别"):
            step()
    submitted.refresh_from_db()
    assert submitted.state == S.SUBMITTED and submitted.category != congress_only


def test_a_count_of_several_proposals_reads_in_the_proposals_words(client, member, cppcc_meeting):
    for title in ("关于发展特色产业的提案", "关于保护古村落的提案"):
        f.ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, title=title, state=ProposalState.SUBMITTED)
    client.force_login(member.user)
    text = client.get(reverse("proposals:mine")).content.decode()
    assert "您领衔或联名的提案共 2 件" in text and "附议的建议" not in text


def test_a_step_on_a_proposal_tells_its_people_in_its_words(proposal_draft, member, joint_member):
    ps.invite_cosigners(proposal=proposal_draft, deputies=[joint_member], by=member.user)
    notice = Notification.objects.get(recipient=joint_member.user)
    assert "联名" in notice.message and "附议" not in notice.message


def test_a_submitted_proposal_goes_to_the_proposals_committee_not_to_congress_staff(
    proposal_draft, member, proposals_staff, staff
):
    ps.submit_proposal(proposal=proposal_draft, by=member.user)
    assert Notification.objects.filter(recipient=proposals_staff, proposal=proposal_draft).exists()
    assert not Notification.objects.filter(recipient=staff).exists()
    assert "提案" in Notification.objects.get(recipient=proposals_staff).message


@pytest.mark.parametrize("stream", [Stream.SUGGESTION, Stream.PROPOSAL])
def test_either_stream_goes_from_draft_to_closed_through_the_same_services(
    stream, draft, cast, proposal_draft, proposal_cast, unit_handler
):
    proposal, people = (draft, cast) if stream == Stream.SUGGESTION else (proposal_draft, proposal_cast)
    closed = advance(proposal, S.CLOSED, people)
    assert closed.stream == stream
    reply = Reply.objects.get(assignment__proposal=closed)
    assert reply.rating.rated_by == people.deputy_user  # the member rates their own proposal's reply
    # The same unit handled it, in its workbench beside the other stream's.
    assert allowed(unit_handler, "view_proposal", closed)


def test_each_body_sees_and_sets_up_its_own_stream_only(
    draft, cast, proposal_draft, proposal_cast, staff, proposals_staff, supervision, leader
):
    suggestion = advance(draft, S.SUBMITTED, cast)
    proposal = advance(proposal_draft, S.SUBMITTED, proposal_cast)
    assert set(visible_proposals(staff)) == {suggestion}
    assert set(visible_proposals(proposals_staff)) == {proposal}
    assert set(visible_proposals(supervision)) == set(visible_proposals(leader)) == {suggestion, proposal}
    with pytest.raises(ProposalError):
        ps.register_proposal(proposal=proposal, by=staff)
    with pytest.raises(ProposalError):
        ps.register_proposal(proposal=suggestion, by=proposals_staff)


def test_congress_staff_answer_404_on_a_proposal_page(client, proposal_draft, proposal_cast, staff, proposals_staff):
    proposal = advance(proposal_draft, S.SUBMITTED, proposal_cast)
    client.force_login(staff)
    assert client.get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404
    client.force_login(proposals_staff)
    page = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert page.status_code == 200


def test_a_units_page_of_a_proposal_speaks_the_proposals_words(
    client, proposal_draft, proposal_cast, unit_handler, draft, cast
):
    proposal = advance(proposal_draft, S.IN_HANDLING, proposal_cast)
    suggestion = advance(draft, S.IN_HANDLING, cast)
    client.force_login(unit_handler)
    proposal_page = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    suggestion_page = client.get(reverse("proposals:detail", args=[suggestion.pk])).content.decode()
    assert "第0001号提案" in proposal_page and "领衔委员" in proposal_page and "领衔代表" not in proposal_page
    assert "领衔代表" in suggestion_page


def test_a_joint_member_sees_the_proposal_and_an_outside_member_does_not(
    proposal_draft, member, joint_member, proposal_cast
):
    outside = f.MemberFactory(name="吴外人")
    ps.invite_cosigners(proposal=proposal_draft, deputies=[joint_member], by=member.user)
    ps.answer_cosign_invitation(signature=proposal_draft.cosignatures.get(), accept=True, by=joint_member.user)
    assert allowed(joint_member.user, "view_proposal", proposal_draft)
    assert not allowed(outside.user, "view_proposal", proposal_draft)


def test_a_collective_proposal_is_made_and_rated_by_its_organisations_contact_person(
    cppcc_meeting, category, proposal_cast
):
    body = f.MemberFactory(name="民盟县委", is_organisation=True, delegation=None)
    draft = f.ProposalFactory(lead_deputy=body, meeting=cppcc_meeting, category=category)
    people = proposal_cast.__class__(**{**vars(proposal_cast), "deputy_user": body.user})
    closed = advance(draft, S.CLOSED, people)
    assert Reply.objects.get(assignment__proposal=closed).rating.rated_by == body.user


def test_no_member_co_signs_a_collective_proposal(cppcc_meeting, category, joint_member, deputy):
    body = f.MemberFactory(name="民盟县委", is_organisation=True, delegation=None)
    draft = f.ProposalFactory(lead_deputy=body, meeting=cppcc_meeting, category=category)
    with translation.override("zh-hans"), pytest.raises(ProposalError, match="集体提案"):
        ps.invite_cosigners(proposal=draft, deputies=[joint_member], by=body.user)
    assert not draft.cosignatures.exists()


def test_a_deputy_does_not_co_sign_a_members_proposal(proposal_draft, member, deputy):
    with pytest.raises(ProposalError):
        ps.invite_cosigners(proposal=proposal_draft, deputies=[deputy], by=member.user)
    assert not proposal_draft.cosignatures.exists()
