"""One suggestion's page: everything about it and its timeline, each step with who and when;
deputies see their issued reply and rating, not the handlers' working papers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from handling import services as hs
from proposals import selectors
from proposals.models import ProposalState
from tests.pages import text
from tests.workflow import advance, countersign_all

S = ProposalState
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def handled(draft, cast, staff, co_unit, co_handler, deputy):
    """Assigned with a co-handler, a face-to-face contact, the co-handler's opinion, a reply
    returned once by the head, then approved, issued and rated."""
    cast.co_units = [co_unit]
    proposal = advance(draft, S.IN_HANDLING, cast)
    lead = proposal.assignments.get(unit=cast.unit)
    co = proposal.assignments.get(unit=co_unit)
    hs.sign_assignment(assignment=co, by=co_handler)
    hs.submit_co_opinion(assignment=co, by=co_handler, body="财政局协办意见：资金可列入明年预算")
    hs.record_contact(
        assignment=lead,
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=timezone.localdate(),
        people="王建国代表、教育局李科长",
        summary="到学校现场面商",
    )
    reply = hs.save_reply_draft(
        assignment=lead,
        by=cast.handler,
        result_category=cast.result,
        body="第一稿",
        signer="局长",
        reference_number="示教函〔2026〕1号",
    )
    hs.add_reply_attachment(reply=reply, by=cast.handler, upload=SimpleUploadedFile("办理方案.pdf", PDF))
    countersign_all(reply)
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.return_reply(reply=reply, by=cast.head, note="内部意见：请写明时间表")
    hs.save_reply_draft(assignment=lead, by=cast.handler, body="定稿：2026年9月前完成扩建")
    countersign_all(reply)
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    hs.issue_reply(reply=reply, by=staff)
    hs.rate_reply(final=True, reply=reply, by=deputy.user, attitude="satisfied", result="basic", comment="基本满意")
    proposal.refresh_from_db()
    return proposal


def page_text(client, user, proposal):
    client.force_login(user)
    response = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert response.status_code == 200
    return text(response)


def test_staff_see_everything_with_who_and_when(client, staff, handled, cast):
    body = page_text(client, staff, handled)
    assert handled.title in body and "已办结" in body
    # units, contact, co-handler's opinion, the letter with its attachment, the rating
    assert "区教育局" in body and "区财政局" in body and "协办单位" in body
    assert "面商" in body and "到学校现场面商" in body and "王建国代表、教育局李科长" in body
    assert "资金可列入明年预算" in body
    assert "示教函〔2026〕1号" in body and "定稿：2026年9月前完成扩建" in body and "办理方案.pdf" in body
    assert "办理态度 满意" in body and "办理结果 基本满意" in body
    # the timeline: every step, with who and when
    for label in (
        "登记",
        "交办",
        "签收",
        "登记与代表的联系",
        "协办单位提出协办意见",
        "协办单位会签答复稿",
        "单位负责人退回答复",
        "答复代表",
        "评价",
    ):
        assert label in body, label
    assert "内部意见：请写明时间表" in body
    assert f"{timezone.localtime().date():%Y-%m-%d}" in body
    assert "办理态度：满意；办理结果：基本满意" in body


def test_issuing_a_reply_shows_once_on_the_timeline(client, staff, handled):
    entries = [entry.event.label for entry in selectors.timeline_for(handled, staff)]
    assert entries.count("答复代表") == 1 and "已答复" not in entries
    assert handled.events.filter(action="reply_issue").exists()  # the audit record is kept


def test_the_deputy_sees_the_issued_reply_and_contacts_but_not_the_working_papers(client, deputy, handled):
    body = page_text(client, deputy.user, handled)
    assert "定稿：2026年9月前完成扩建" in body and "办理方案.pdf" in body
    assert "到学校现场面商" in body
    assert "资金可列入明年预算" not in body  # the co-handler's opinion to the lead unit
    assert "内部意见：请写明时间表" not in body  # the head's comment on the draft
    assert "第一稿" not in body
    assert "答复代表" in body and "评价" in body


def test_a_draft_reply_is_shown_to_the_units_not_to_the_deputy(client, draft, cast, deputy, unit_head):
    proposal = advance(draft, S.IN_HANDLING, cast)
    hs.save_reply_draft(assignment=proposal.assignments.get(), by=cast.handler, body="尚在起草的答复")
    assert "尚在起草的答复" in page_text(client, unit_head, proposal)
    assert "尚在起草的答复" not in page_text(client, deputy.user, proposal)


def test_a_co_handler_sees_the_suggestion_another_unit_gets_404(client, co_handler, other_unit_handler, handled):
    assert "资金可列入明年预算" in page_text(client, co_handler, handled)
    client.force_login(other_unit_handler)
    assert client.get(reverse("proposals:detail", args=[handled.pk])).status_code == 404


def test_the_deadline_shows_days_left_or_days_overdue_in_red(client, staff, draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    body = page_text(client, staff, proposal)
    days = (proposal.due_on - timezone.localdate()).days
    assert f"还剩 {days} 天" in body
    type(proposal).objects.filter(pk=proposal.pk).update(due_on=timezone.localdate() - dt.timedelta(days=4))
    client.force_login(staff)
    html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert 'class="due overdue"' in html and "超期 4 天" in html


def test_a_signed_unit_sees_why_it_can_no_longer_ask_for_reassignment_once_the_window_closed(client, draft, cast):
    with time_machine.travel(dt.datetime(2026, 3, 10, 2, tzinfo=dt.UTC), tick=False):
        proposal = advance(draft, S.IN_HANDLING, cast)  # signed for
    with time_machine.travel(dt.datetime(2026, 3, 18, 2, tzinfo=dt.UTC), tick=False):
        body = page_text(client, cast.handler, proposal)
        html = client.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert "申请调整的期限已于 2026-03-17 截止" in body
    assert reverse("handling:request_reassignment", args=[proposal.assignments.get().pk]) not in html
