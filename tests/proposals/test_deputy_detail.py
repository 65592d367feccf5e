"""Following one suggestion: where it stands, what is asked of me, the reply with its
attachments (a merged group's copy included), the contacts to confirm, and a timeline in
plain words; only its own deputies see this page."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from handling import services as hs
from handling.models import ReplyAttachment
from proposals import services as ps
from proposals.models import Notification, ProposalState
from tests.factories import ProposalFactory
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db


def page(client, proposal):
    return client.get(reverse("proposals:mine_detail", args=[proposal.pk]))


def step_texts(response):
    return [step.text for step in response.context["steps"]]


def test_the_timeline_tells_the_story_in_plain_words(client, deputy, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    hs.record_contact(
        assignment=proposal.assignments.get(),
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=dt.date.today(),
        people="王建国代表、教育局李科长",
        summary="到学校现场面商",
    )
    reply = reply_and_issue(proposal, cast)
    client.force_login(deputy.user)

    response = page(client, proposal)

    assert response.status_code == 200
    texts = step_texts(response)
    deadline = proposal.assignments.get().deadline
    expected = [
        "区教育局作出答复",
        "区教育局记录了与您的联系：面商，办中沟通",
        "区教育局签收，开始办理",
        f"交办给区教育局（主办单位），答复期限为{deadline.year}年{deadline.month}月{deadline.day}日",
        "登记为十七届人大五次会议第1号建议",
        "提交至人大代表工作机构",
    ]
    assert [t for t in texts if t in expected] == expected  # newest first
    # The unit's internal drafting and approval are not the deputy's business.
    assert not any("单位负责人" in t for t in texts)
    assert response.context["steps"][0].link == f"#reply-{reply.pk}"


def test_the_reply_is_shown_with_its_attachments(client, deputy, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    assignment = proposal.assignments.get()
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=cast.result, body="已增设信号灯。", signer="局长"
    )
    ReplyAttachment.objects.create(
        reply=reply, file=ContentFile(b"%PDF-1.4 x", name="a.pdf"), name="答复函.pdf", size=10, uploaded_by=cast.handler
    )
    reply = reply_and_issue(proposal, cast, text="已在校门口增设信号灯。")
    client.force_login(deputy.user)

    response = page(client, proposal)

    html = response.content.decode()
    assert "已在校门口增设信号灯。" in html
    link = reverse("handling:reply_attachment", args=[reply.attachments.get().pk])
    assert link in html and "答复函.pdf" in html
    assert client.get(link).status_code == 200
    assert reverse("handling:rate", args=[reply.pk]) in html  # the lead deputy may rate it now


def test_a_merged_member_sees_its_copy_of_the_reply_with_the_main_ones_attachments(
    client, deputy, other_deputy, meeting, category, cast
):
    other_cast = replace(cast, deputy_user=other_deputy.user)
    main = advance(
        ProposalFactory(lead_deputy=other_deputy, meeting=meeting, category=category), S.REGISTERED, other_cast
    )
    member = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    ps.merge_proposals(main=main, members=[member], by=cast.staff)
    hs.assign_proposal(proposal=main, by=cast.staff, lead_unit=cast.unit)
    hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    draft_reply = hs.save_reply_draft(
        assignment=main.assignments.get(), by=cast.handler, result_category=cast.result, body="并案答复", signer="局长"
    )
    ReplyAttachment.objects.create(
        reply=draft_reply,
        file=ContentFile(b"%PDF-1.4 x", name="m.pdf"),
        name="并案答复附件.pdf",
        size=10,
        uploaded_by=cast.handler,
    )
    main.refresh_from_db()
    reply_and_issue(main, cast, text="并案答复")
    member.refresh_from_db()
    assert member.state == S.REPLIED
    client.force_login(deputy.user)

    response = page(client, member)

    copy = response.context["replies"][0]
    assert copy.copied_from_id == draft_reply.pk
    link = reverse("handling:reply_attachment", args=[draft_reply.attachments.get().pk])
    assert link in response.content.decode()
    assert client.get(link).status_code == 200
    assert any("并案" in t for t in step_texts(response))


def test_the_lead_deputy_is_offered_to_confirm_or_dispute_each_contact(client, deputy, cosigner, draft, cast):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    proposal = advance(draft, S.IN_HANDLING, cast)
    contact = hs.record_contact(
        assignment=proposal.assignments.get(),
        by=cast.handler,
        kind="phone",
        stage="before",
        contact_date=dt.date.today(),
        people="王建国",
        summary="电话联系",
    )
    answer_url = reverse("handling:contact_answer", args=[contact.pk])

    client.force_login(deputy.user)
    response = page(client, proposal)
    assert answer_url in response.content.decode()
    today = dt.date.today()
    assert response.context["asks"][0].text == f"请确认{today.year}年{today.month}月{today.day}日的联系记录是否属实"
    assert "区教育局记录了与您的联系：电话，办前联系" in step_texts(response)

    client.force_login(cosigner.user)
    response = page(client, proposal)
    assert response.status_code == 200
    assert answer_url not in response.content.decode()  # only the lead deputy answers
    assert "区教育局记录了与领衔代表的联系：电话，办前联系" in step_texts(response)  # not "with you"


def test_a_cosigner_follows_but_does_not_rate(client, deputy, cosigner, draft, cast):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    proposal = advance(draft, S.REPLIED, cast)
    reply = proposal.assignments.get().replies.get()
    client.force_login(cosigner.user)

    response = page(client, proposal)

    assert response.status_code == 200
    assert reverse("handling:rate", args=[reply.pk]) not in response.content.decode()
    assert reverse("handling:reply_comment", args=[reply.pk]) in response.content.decode()


@pytest.mark.parametrize("who", ["other_deputy", "staff", "unit_handler", "outsider"])
def test_nobody_else_sees_a_deputys_page(client, request, draft, cast, who):
    proposal = advance(draft, S.IN_HANDLING, cast)
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert page(client, proposal).status_code == 404


def test_reading_the_page_marks_its_notifications_read(client, deputy, draft, cast):
    proposal = advance(draft, S.ASSIGNED, cast)
    unread = Notification.objects.filter(recipient=deputy.user, proposal=proposal, read_at__isnull=True)
    assert unread.count() == 2  # registered, assigned
    client.force_login(deputy.user)
    page(client, proposal)
    assert unread.count() == 0


def test_a_returned_suggestion_shows_why_and_offers_to_revise(client, deputy, draft, cast):
    proposal = advance(draft, S.RETURNED, cast)
    client.force_login(deputy.user)
    response = page(client, proposal)
    html = response.content.decode()
    assert "请补充调研数据" in html
    assert reverse("proposals:edit", args=[proposal.pk]) in html
    assert response.context["state_text"] == "退回修改"


def test_the_page_takes_a_bounded_number_of_queries(client, deputy, draft, cast, django_assert_max_num_queries):
    proposal = advance(draft, S.CLOSED, cast)
    for day in range(5):
        hs.record_contact(
            assignment=proposal.assignments.get(),
            by=cast.handler,
            kind="phone",
            stage="after",
            contact_date=dt.date.today() - dt.timedelta(days=day),
            people="王建国",
            summary=f"回访{day}",
        )
    client.force_login(deputy.user)
    with django_assert_max_num_queries(30):
        response = page(client, proposal)
    assert len(response.context["contacts"]) == 5
