"""The reply letter in the browser: the handler drafts it (saved as typed, attachments checked
by content), the head approves or returns it with comments, staff review and issue it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from handling import services as hs
from handling.models import Reply, ReplyAttachment
from proposals import services as ps
from proposals.models import Notification, ProposalState
from tests import files
from tests.factories import ProposalFactory, ResultCategoryFactory
from tests.pages import many_approved_replies, many_proposals, text
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def handling(draft, cast):
    proposal = advance(draft, S.IN_HANDLING, cast)
    return proposal, proposal.assignments.get()


def letter(result, **extra):
    return {
        "reference_number": "示教函〔2026〕12号",
        "signer": "张局长",
        "contact_person": "李科长",
        "contact_phone": "0571-88880000",
        "result_category": result.pk,
        "body": "经研究，现答复如下：已完成扩建。",
        "done_items": "新增学位300个",
        "is_public": "on",
        **extra,
    }


def submitted_on_the_page(client, handler, assignment, result) -> Reply:
    """The handler writes the letter and sends it to the head, on the page."""
    client.force_login(handler)
    client.post(reverse("handling:reply_edit", args=[assignment.pk]), {**letter(result), "action": "submit"})
    return Reply.objects.get()


def test_a_draft_is_saved_exactly_as_typed(client, unit_handler, handling, result_a):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    url = reverse("handling:reply_edit", args=[assignment.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="head"' in page.content.decode()  # the head's name proposed as signer
    client.post(url, {"body": "写了一半的答复", "action": "save"})
    reply = Reply.objects.get()
    assert (reply.body, reply.state, reply.result_category) == ("写了一半的答复", "draft", None)
    assert "写了一半的答复" in client.get(url).content.decode()


def test_a_wrong_field_keeps_everything_typed_and_saves_the_rest(client, unit_handler, handling, result_a):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    page = client.post(
        reverse("handling:reply_edit", args=[assignment.pk]),
        letter(result_a, contact_phone="打电话", promised_by="明年", action="save"),
    )
    assert page.status_code == 400
    body = text(page)
    assert "请填写电话号码" in body and "草稿已保存" in body
    html = page.content.decode()
    assert "打电话" in html and "经研究，现答复如下：已完成扩建。" in html
    reply = Reply.objects.get()
    assert reply.body == "经研究，现答复如下：已完成扩建。" and reply.contact_phone == ""


def test_attachments_are_checked_by_content_and_the_text_is_still_saved(client, unit_handler, handling, result_a):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    url = reverse("handling:reply_edit", args=[assignment.pk])
    fake = SimpleUploadedFile("办理方案.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = client.post(url, {**letter(result_a), "action": "save", "attachments": [fake]})
    assert page.status_code == 400
    assert "“办理方案.pdf”不是 PDF" in text(page)
    assert not ReplyAttachment.objects.exists()
    assert Reply.objects.get().reference_number == "示教函〔2026〕12号"

    good = [
        SimpleUploadedFile("办理方案.pdf", PDF),
        SimpleUploadedFile("现场照片.png", files.png()),
    ]
    client.post(url, {**letter(result_a), "action": "save", "attachments": good})
    assert sorted(ReplyAttachment.objects.values_list("name", flat=True)) == ["办理方案.pdf", "现场照片.png"]
    item = ReplyAttachment.objects.get(name="办理方案.pdf")
    client.post(reverse("handling:reply_attachment_delete", args=[item.pk]))
    assert list(ReplyAttachment.objects.values_list("name", flat=True)) == ["现场照片.png"]


def test_a_removed_reply_attachments_file_goes_when_the_removal_commits(
    unit_handler, handling, result_a, django_capture_on_commit_callbacks
):
    from handling import services

    _proposal, assignment = handling
    reply = services.save_reply_draft(assignment=assignment, by=unit_handler, body="经研究，现答复如下。")
    item = services.add_reply_attachment(reply=reply, by=unit_handler, upload=SimpleUploadedFile("办理方案.pdf", PDF))
    storage, name = item.file.storage, item.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.remove_reply_attachment(attachment=item, by=unit_handler)
    assert storage.exists(name)  # until the removal commits: a rolled-back one keeps the row and its file
    for callback in callbacks:
        callback()
    assert not storage.exists(name) and not ReplyAttachment.objects.exists()


def test_a_zip_bomb_is_refused_and_the_letter_is_still_saved(client, unit_handler, handling, result_a):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    bomb = SimpleUploadedFile("办理方案.docx", files.nested_zip_bomb())
    page = client.post(
        reverse("handling:reply_edit", args=[assignment.pk]),
        {**letter(result_a), "action": "save", "attachments": [bomb]},
    )
    assert page.status_code == 400
    assert "“办理方案.docx”中有内容的压缩比超过 100 比 1" in text(page)
    assert "经研究，现答复如下：已完成扩建。" in page.content.decode()
    assert not ReplyAttachment.objects.exists()
    assert Reply.objects.get().reference_number == "示教函〔2026〕12号"


@override_settings(UPLOAD_MAX_MB=1)
def test_a_file_over_the_limit_is_refused_with_the_limit_named(client, unit_handler, handling, result_a):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024))
    page = client.post(reverse("handling:reply_edit", args=[assignment.pk]), {**letter(result_a), "attachments": [big]})
    assert "1 MB" in text(page)
    assert not ReplyAttachment.objects.exists()


def test_sending_an_incomplete_letter_is_refused_and_the_draft_kept(client, unit_handler, handling):
    _proposal, assignment = handling
    client.force_login(unit_handler)
    page = client.post(reverse("handling:reply_edit", args=[assignment.pk]), {"body": "只有正文", "action": "submit"})
    assert page.status_code == 400
    assert "办理结果类别" in text(page)
    reply = Reply.objects.get()
    assert (reply.state, reply.body) == ("draft", "只有正文")


def test_a_class_b_letter_says_what_is_promised_and_by_when(client, unit_handler, handling):
    _proposal, assignment = handling
    result_b = ResultCategoryFactory(name="列入计划逐步解决", result_class="B")
    client.force_login(unit_handler)
    url = reverse("handling:reply_edit", args=[assignment.pk])
    page = client.post(url, {**letter(result_b), "action": "submit"})
    assert "B类答复须写明计划落实事项和落实时限" in text(page)
    client.post(url, {**letter(result_b, promised_items="明年建成", promised_by="2027-06-30"), "action": "submit"})
    reply = Reply.objects.get()
    assert (reply.state, reply.promised_by) == ("pending_approval", dt.date(2027, 6, 30))


def test_the_letter_gives_the_promise_date_as_a_deadline_not_as_a_person(client, unit_handler, handling):
    _proposal, assignment = handling
    result_b = ResultCategoryFactory(name="列入计划逐步解决", result_class="B")
    client.force_login(unit_handler)
    url = reverse("handling:reply_edit", args=[assignment.pk])
    client.post(url, {**letter(result_b, promised_items="明年建成", promised_by="2027-06-30"), "action": "save"})
    body = text(client.get(reverse("handling:reply", args=[Reply.objects.get().pk])))
    assert "计划落实事项（2027-06-30 前）" in body
    assert "操作人" not in body


def test_the_head_returns_with_comments_the_handler_fixes_the_head_approves(
    client, unit_handler, unit_head, staff, handling, result_a
):
    proposal, assignment = handling
    reply = submitted_on_the_page(client, unit_handler, assignment, result_a)
    assert reply.state == "pending_approval"

    client.force_login(unit_head)
    page = client.get(reverse("handling:reply", args=[reply.pk]))
    assert "审核签发" in text(page) and "经研究，现答复如下" in text(page)
    empty = client.post(reverse("handling:reply_step", args=[reply.pk, "return"]), {"return-note": ""})
    assert empty.status_code == 400
    client.post(reverse("handling:reply_step", args=[reply.pk, "return"]), {"return-note": "请写明完成时间"})
    reply.refresh_from_db()
    assert reply.state == "returned"
    assert proposal.events.get(action="reply_return_to_handler").note == "请写明完成时间"

    client.force_login(unit_handler)
    edit = client.get(reverse("handling:reply_edit", args=[assignment.pk]))
    assert "请写明完成时间" in text(edit)
    client.post(
        reverse("handling:reply_edit", args=[assignment.pk]),
        {**letter(result_a, body="已于2026年8月完成扩建。"), "action": "submit"},
    )
    client.force_login(unit_head)
    client.post(reverse("handling:reply_step", args=[reply.pk, "approve"]))
    reply.refresh_from_db()
    assert (reply.state, reply.approved_by, reply.body) == ("approved", unit_head, "已于2026年8月完成扩建。")
    assert Notification.objects.filter(recipient=staff, kind="reply_review").exists()


def test_the_handler_cannot_approve_and_another_unit_cannot_see(
    client, unit_handler, other_unit_handler, handling, result_a
):
    _proposal, assignment = handling
    reply = submitted_on_the_page(client, unit_handler, assignment, result_a)
    client.post(reverse("handling:reply_step", args=[reply.pk, "approve"]))
    reply.refresh_from_db()
    assert reply.state == "pending_approval"
    client.force_login(other_unit_handler)
    assert client.get(reverse("handling:reply", args=[reply.pk])).status_code == 404
    assert client.post(reverse("handling:reply_step", args=[reply.pk, "approve"])).status_code == 404
    assert client.get(reverse("handling:reply_edit", args=[assignment.pk])).status_code == 404


@pytest.fixture
def approved(handling, cast, result_a):
    from handling import services as hs

    proposal, assignment = handling
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=result_a, body="答复正文", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    return proposal, Reply.objects.get(pk=reply.pk)


def test_staff_issue_it_and_the_deputy_sees_it(client, staff, deputy, approved):
    proposal, reply = approved
    client.force_login(deputy.user)
    assert client.get(reverse("handling:reply", args=[reply.pk])).status_code == 404  # not issued yet
    client.force_login(staff)
    queue = client.get(reverse("handling:reply_reviews"))
    assert proposal.title in text(queue)
    client.post(reverse("handling:reply_step", args=[reply.pk, "issue"]))
    reply.refresh_from_db()
    proposal.refresh_from_db()
    assert (reply.state, reply.issued_by, proposal.state) == ("issued", staff, S.REPLIED)
    assert Notification.objects.filter(recipient=deputy.user, kind="reply_issued").exists()
    client.force_login(deputy.user)
    assert "答复正文" in text(client.get(reverse("handling:reply", args=[reply.pk])))
    assert "答复正文" in text(client.get(reverse("proposals:detail", args=[proposal.pk])))


def test_staff_send_it_back_when_it_misses_the_points(client, staff, approved, cast):
    proposal, reply = approved
    client.force_login(staff)
    assert (
        client.post(reverse("handling:reply_step", args=[reply.pk, "staff_return"]), {"staff-note": ""}).status_code
        == 400
    )
    client.post(reverse("handling:reply_step", args=[reply.pk, "staff_return"]), {"staff-note": "未回应第二条建议"})
    reply.refresh_from_db()
    assert reply.state == "returned"
    assert proposal.events.get(action="reply_staff_return").note == "未回应第二条建议"
    assert Notification.objects.filter(recipient=cast.handler, message__contains="未回应第二条建议").exists()


def test_after_sending_a_reply_back_staff_land_on_their_review_list_not_a_404(client, staff, approved):
    """A returned reply is the unit's again and staff may not open it: the page after the
    button must be one staff can see, with the confirmation on it."""
    _proposal, reply = approved
    client.force_login(staff)
    page = client.post(
        reverse("handling:reply_step", args=[reply.pk, "staff_return"]), {"staff-note": "未回应第二条建议"}, follow=True
    )
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse("handling:reply_reviews")
    assert "已连同意见退回" in text(page)


def test_staff_correct_the_result_class_with_the_reason_recorded(client, staff, approved):
    proposal, reply = approved
    result_c = ResultCategoryFactory(name="因条件限制暂时难以解决", result_class="C")
    client.force_login(staff)
    page = client.post(
        reverse("handling:reply_step", args=[reply.pk, "correct"]), {"result_category": result_c.pk, "reason": ""}
    )
    assert page.status_code == 400
    client.post(
        reverse("handling:reply_step", args=[reply.pk, "correct"]),
        {"result_category": result_c.pk, "reason": "实际尚未解决"},
    )
    reply.refresh_from_db()
    assert reply.result_category == result_c
    event = proposal.events.get(action="reply_result_corrected")
    assert (event.note, event.data["to"]) == ("实际尚未解决", result_c.name)


def test_units_and_deputies_cannot_issue(client, unit_head, deputy, approved):
    _proposal, reply = approved
    for user in (unit_head, deputy.user):
        client.force_login(user)
        client.post(reverse("handling:reply_step", args=[reply.pk, "issue"]))
    reply.refresh_from_db()
    assert reply.state == "approved"


@override_settings(STAFF_REVIEWS_REPLIES=False)
def test_without_staff_review_the_heads_approval_issues_it(client, unit_handler, unit_head, deputy, handling, result_a):
    proposal, assignment = handling
    reply = submitted_on_the_page(client, unit_handler, assignment, result_a)
    client.force_login(unit_head)
    client.post(reverse("handling:reply_step", args=[reply.pk, "approve"]))
    reply.refresh_from_db()
    assert reply.state == "issued"
    assert Notification.objects.filter(recipient=deputy.user, kind="reply_issued").exists()


def test_every_deputy_of_a_merged_group_receives_the_reply(
    client, staff, deputy, other_deputy, meeting, category, cast, result_a
):
    from handling import services as hs

    main = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    member = advance(
        ProposalFactory(lead_deputy=other_deputy, meeting=meeting, category=category),
        S.REGISTERED,
        dataclasses.replace(cast, deputy_user=other_deputy.user),
    )
    ps.merge_proposals(main=main, members=[member], by=staff)
    hs.assign_proposal(proposal=main, by=staff, lead_unit=cast.unit)
    hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    reply = hs.save_reply_draft(
        assignment=main.assignments.get(), by=cast.handler, result_category=result_a, body="并案答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    hs.approve_reply(reply=reply, by=cast.head)
    client.force_login(staff)
    client.post(reverse("handling:reply_step", args=[reply.pk, "issue"]))
    for who, item in ((deputy, main), (other_deputy, member)):
        assert Notification.objects.filter(recipient=who.user, kind="reply_issued", proposal=item).exists()
        client.force_login(who.user)
        assert "并案答复" in text(client.get(reverse("proposals:detail", args=[item.pk])))


@pytest.mark.parametrize("rows", [10, 200])
def test_the_review_list_runs_a_fixed_number_of_queries(
    client,
    staff,
    unit_handler,
    unit_head,
    deputy,
    meeting,
    category,
    unit,
    result_a,
    django_assert_max_num_queries,
    rows,
):
    items = many_proposals(rows, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    many_approved_replies(items, unit_handler, unit_head, result_a)
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("handling:reply_reviews"))
    assert page.status_code == 200 and len(page.context["page"].object_list) == min(rows, 25)


def test_after_an_unsatisfied_rating_the_unit_writes_a_second_reply(
    client, draft, cast, deputy, co_unit, co_handler, result_a
):
    from handling import services as hs
    from tests.workflow import countersign_all

    cast.co_units = [co_unit]
    proposal = advance(draft, S.REPLIED, cast)
    first = Reply.objects.get(assignment__proposal=proposal, round=1)
    hs.rate_reply(
        final=True, reply=first, by=deputy.user, attitude="basic", result="unsatisfied", comment="问题仍未解决"
    )
    proposal.refresh_from_db()
    assert proposal.state == S.REHANDLING
    lead = proposal.assignments.get(unit=cast.unit)
    client.force_login(cast.handler)
    detail = client.get(reverse("proposals:detail", args=[proposal.pk]))
    assert "撰写答复" in text(detail)
    edit = client.get(reverse("handling:reply_edit", args=[lead.pk]))
    assert "重新办理后的答复" in text(edit) and "第一次答复" in text(edit)
    client.post(
        reverse("handling:reply_edit", args=[lead.pk]), {**letter(result_a, body="重新办理：已完成"), "action": "save"}
    )
    second = Reply.objects.get(assignment=lead, round=2)
    assert second.body == "重新办理：已完成"
    countersign_all(second)  # the co-handler countersigns the second reply too
    client.post(reverse("handling:reply_step", args=[second.pk, "submit"]))
    second.refresh_from_db()
    assert second.state == "pending_approval"


def test_a_reply_with_the_head_cannot_be_issued_yet(client, staff, handling, cast, result_a):
    from handling import services as hs

    _proposal, assignment = handling
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=result_a, body="答复", signer="局长"
    )
    hs.submit_reply(reply=reply, by=cast.handler)
    client.force_login(staff)
    # Staff do not see a reply before the head has approved it, and cannot issue it.
    assert client.post(reverse("handling:reply_step", args=[reply.pk, "issue"])).status_code == 404
    reply.refresh_from_db()
    assert reply.state == "pending_approval"
    assert not reply.assignment.proposal.events.filter(action="reply_issue").exists()


def test_a_unit_back_on_a_suggestion_is_not_offered_the_draft_of_its_ended_assignment(
    client, draft, cast, staff, new_unit, new_unit_handler
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from deputies.models import AuditRecord
    from handling import services as hs
    from tests import files

    proposal = advance(draft, "in_handling", cast)
    first = proposal.assignments.get(unit=cast.unit, is_active=True)
    old = hs.save_reply_draft(
        assignment=first, by=cast.handler, result_category=cast.result, body="旧稿", signer="局长"
    )
    attached = hs.add_reply_attachment(
        reply=old, by=cast.handler, upload=SimpleUploadedFile("附件.pdf", files.pdf(), content_type="application/pdf")
    )
    asked = hs.request_reassignment(assignment=first, by=cast.handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=asked, by=staff, accept=True, new_unit=new_unit)
    second = proposal.assignments.get(unit=new_unit, is_active=True)
    hs.sign_assignment(assignment=second, by=new_unit_handler)
    asked = hs.request_reassignment(assignment=second, by=new_unit_handler, reason="也不属于本单位职责")
    hs.decide_reassignment(request=asked, by=staff, accept=True, new_unit=cast.unit)
    client.force_login(cast.handler)
    assert client.get(reverse("handling:reply", args=[old.pk])).context["can_edit"] is False
    assert client.post(reverse("handling:reply_attachment_delete", args=[attached.pk])).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=cast.handler).count() == 1
    assert old.attachments.count() == 1


def test_a_letter_saved_after_it_was_sent_on_elsewhere_comes_back_with_why(client, handling, unit_handler, result_a):
    _proposal, assignment = handling
    letter = {"body": "旧文本", "result_category": result_a, "signer": "局长", "contact_phone": "0571-88880000"}
    reply = hs.save_reply_draft(assignment=assignment, by=unit_handler, **letter)
    hs.submit_reply(reply=reply, by=unit_handler)  # from another tab
    client.force_login(unit_handler)
    posted = {"body": "这边新写的一大段答复", "action": "save"}
    response = client.post(reverse("handling:reply_edit", args=[assignment.pk]), posted)
    page = response.content.decode()
    assert response.status_code == 400
    assert "这边新写的一大段答复" in page and "不能再修改" in page
    reply.refresh_from_db()
    assert reply.body == "旧文本"


def test_a_return_posted_after_a_colleague_approved_says_so_and_keeps_the_note(
    client, unit_handler, unit_head, handling, result_a
):
    _proposal, assignment = handling
    reply = submitted_on_the_page(client, unit_handler, assignment, result_a)
    hs.approve_reply(reply=reply, by=unit_head)  # from another tab, or another head
    client.force_login(unit_head)
    late = client.post(
        reverse("handling:reply_step", args=[reply.pk, "return"]), {"return-note": "请补充完成时间的依据"}
    )
    assert late.status_code == 400
    assert "请补充完成时间的依据" in late.content.decode()
    reply.refresh_from_db()
    assert reply.state != "returned"
