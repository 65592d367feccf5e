"""Writing a suggestion on the phone: a draft is saved as typed (button and autosave), with
checked attachments; submitting asks for what staff need; a returned one shows its reason and
is resubmitted; withdrawing before registration."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from proposals import services as ps
from proposals.models import Proposal, ProposalEvent, ProposalState
from proposals.tasks import discard_empty_drafts
from tests import factories as f
from tests import files
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db
NEW = reverse("proposals:new")
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def source():
    return f.SourceFactory(name="专题调研")


def typed(category=None, source=None, **extra):
    data = {
        "title": "关于增设学校周边交通信号灯的建议",
        "body": "学校门口上下学时段车流量大，建议增设信号灯。",
        "channel": "between",
        "category": category.pk if category else "",
        "source": source.pk if source else "",
    }
    data.update(extra)
    return data


def test_a_new_draft_is_saved_as_typed(client, deputy, meeting, category):
    client.force_login(deputy.user)
    response = client.post(NEW, typed(category, title="只写了标题", body="", action="save"))

    proposal = Proposal.objects.get(lead_deputy=deputy)
    assert response.status_code == 302 and response["Location"] == reverse("proposals:edit", args=[proposal.pk])
    assert (proposal.state, proposal.title, proposal.body, proposal.category, proposal.channel) == (
        S.DRAFT,
        "只写了标题",
        "",
        category,
        "between",
    )
    assert proposal.meeting == meeting
    assert list(proposal.events.values_list("action", flat=True)) == ["create"]


def test_autosave_creates_the_draft_once_then_updates_it(client, deputy, meeting):
    client.force_login(deputy.user)
    page = client.get(NEW)
    token = page.context["token"]
    assert token

    first = client.post(NEW, typed(title="关于", autosave="1", draft_token=token))
    assert first.status_code == 200
    edit_url = first.json()["edit_url"]
    # The form still posts to the "new" address with the same token until the script moves it:
    # the same draft is updated, never a second one made.
    second = client.post(NEW, typed(title="关于学校交通", autosave="1", draft_token=token))
    third = client.post(edit_url, typed(title="关于学校交通安全的建议", autosave="1"))

    assert second.json()["edit_url"] == edit_url and third.status_code == 200
    proposal = Proposal.objects.get(lead_deputy=deputy)
    assert proposal.title == "关于学校交通安全的建议"
    assert Proposal.objects.count() == 1


def test_autosave_reports_bad_input_and_keeps_the_saved_draft(client, deputy, draft):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    response = client.post(url, typed(title="长" * 201, autosave="1"))
    assert response.status_code == 400
    answer = json.loads(response.content)
    assert "title" in answer["errors"]
    assert answer["error"].startswith("标题：")  # the page's status line names the field and why
    draft.refresh_from_db()
    assert draft.title != "长" * 201


def test_bad_input_comes_back_with_what_was_typed(client, deputy, draft):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    response = client.post(url, typed(title="长" * 201, body="我写的正文", action="save"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "我写的正文" in html and "长" * 201 in html
    assert "200" in str(response.context["form"].errors["title"])


def test_attachments_are_checked_by_their_content_and_the_text_is_kept(client, deputy, draft, category):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    fake = SimpleUploadedFile("调研报告.pdf", b"MZ this is an executable", content_type="application/pdf")

    response = client.post(url, {**typed(category, body="新的正文", action="save"), "attachments": [fake]})

    assert response.status_code == 400
    form = response.context["form"]
    assert "调研报告.pdf" in str(form.errors["attachments"])
    assert "请重新选择附件" in str(form.non_field_errors())
    draft.refresh_from_db()
    assert draft.body == "新的正文"  # the text was saved even though the file was refused
    assert not draft.attachments.exists()


def test_a_docx_with_a_program_inside_is_refused_by_name_and_the_text_is_kept(client, deputy, draft, category):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    bad = SimpleUploadedFile("材料.docx", files.docx({"word/run.exe": b"MZ\x90\x00"}))

    response = client.post(url, {**typed(category, body="新的正文", action="save"), "attachments": [bad]})

    assert response.status_code == 400
    assert "“材料.docx”内含可执行程序（word/run.exe）" in str(response.context["form"].errors["attachments"])
    assert "新的正文" in response.content.decode()
    draft.refresh_from_db()
    assert draft.body == "新的正文" and not draft.attachments.exists()


def test_good_attachments_are_added_and_can_be_removed(client, deputy, draft, category):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    chosen = [
        SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("照片.png", files.png(), content_type="image/png"),
    ]
    response = client.post(url, {**typed(category, action="save"), "attachments": chosen})
    assert response.status_code == 302
    assert sorted(draft.attachments.values_list("name", flat=True)) == ["照片.png", "调研报告.pdf"]
    event = draft.events.get(action="attachment_added")
    assert sorted(event.data["names"]) == ["照片.png", "调研报告.pdf"]

    attachment = draft.attachments.get(name="照片.png")
    response = client.post(reverse("proposals:remove_attachment", args=[draft.pk, attachment.pk]))
    assert response.status_code == 302
    assert list(draft.attachments.values_list("name", flat=True)) == ["调研报告.pdf"]
    assert draft.events.filter(action="attachment_removed").exists()


def test_a_removed_attachments_file_goes_only_when_the_removal_commits(
    deputy, draft, django_capture_on_commit_callbacks
):
    from proposals import services as ps

    (attachment,) = ps.add_attachments(
        proposal=draft, files=[SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")], by=deputy.user
    )
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ps.remove_attachment(attachment=attachment, by=deputy.user)
    assert storage.exists(name)  # a rolled-back removal would keep the row and its file
    for callback in callbacks:
        callback()
    assert not storage.exists(name)


def test_submitting_asks_for_everything_staff_need_and_keeps_the_draft(client, deputy, draft):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    response = client.post(url, typed(None, None, body="改过的正文", action="submit"))

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"category", "source"}
    draft.refresh_from_db()
    assert (draft.state, draft.body) == (S.DRAFT, "改过的正文")


def test_submitting_a_complete_draft(client, deputy, draft, category, source, staff):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    response = client.post(url, typed(category, source, action="submit"))

    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:mine_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == S.SUBMITTED and draft.submitted_at is not None
    assert draft.events.filter(action="submit", actor=deputy.user).exists()


def test_a_new_suggestion_can_be_written_and_submitted_in_one_go(client, deputy, meeting, category, source):
    client.force_login(deputy.user)
    response = client.post(NEW, typed(category, source, action="submit"))
    proposal = Proposal.objects.get(lead_deputy=deputy)
    assert response.status_code == 302 and proposal.state == S.SUBMITTED


@override_settings(REQUIRED_COSIGNERS=1)
def test_submitting_waits_for_the_required_cosigners(client, deputy, cosigner, draft, category, source):
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)

    response = client.post(url, typed(category, source, action="submit"))
    assert response.status_code == 400
    assert "附议" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == S.DRAFT

    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    response = client.post(url, typed(category, source, action="submit"))
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.state == S.SUBMITTED


def test_a_returned_suggestion_shows_the_reason_and_is_resubmitted(client, deputy, draft, cast, source):
    proposal = advance(draft, S.RETURNED, cast)
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[proposal.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert "请补充调研数据" in page.content.decode()
    assert "重新提交" in page.content.decode()

    response = client.post(url, typed(proposal.category, source, body="补充了调研数据", action="submit"))
    proposal.refresh_from_db()
    assert response.status_code == 302
    assert (proposal.state, proposal.body) == (S.SUBMITTED, "补充了调研数据")
    assert [e.action for e in proposal.events.order_by("pk")][-2:] == ["return_for_revision", "submit"]


def test_a_submitted_suggestion_can_no_longer_be_edited(client, deputy, draft, cast):
    proposal = advance(draft, S.SUBMITTED, cast)
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[proposal.pk])
    assert client.get(url)["Location"] == reverse("proposals:mine_detail", args=[proposal.pk])
    # Saved in a tab left open after submitting in another: refused, with why and the text kept.
    response = client.post(url, typed(title="另一个标签页里改的标题", action="save"))
    proposal.refresh_from_db()
    assert response.status_code == 400 and proposal.title != "另一个标签页里改的标题"
    assert "另一个标签页里改的标题" in response.content.decode() and "不能再修改" in response.content.decode()
    assert client.post(url, typed(title="偷偷改", autosave="1")).status_code == 409


@pytest.mark.parametrize("who", ["cosigner", "other_deputy", "staff"])
def test_nobody_else_edits_the_draft(client, request, deputy, cosigner, draft, who):
    ps.invite_cosigners(proposal=draft, deputies=[cosigner], by=deputy.user)
    ps.answer_cosign_invitation(signature=draft.cosignatures.get(), accept=True, by=cosigner.user)
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    url = reverse("proposals:edit", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, typed(title="别人改的", action="save")).status_code == 404
    draft.refresh_from_db()
    assert draft.title != "别人改的"


def test_withdrawing_before_registration(client, deputy, draft, cast):
    proposal = advance(draft, S.SUBMITTED, cast)
    client.force_login(deputy.user)
    url = reverse("proposals:withdraw", args=[proposal.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "与另一件建议重复"})

    proposal.refresh_from_db()
    assert response.status_code == 302 and proposal.state == S.WITHDRAWN
    event = ProposalEvent.objects.get(proposal=proposal, action="withdraw")
    assert (event.actor, event.note) == (deputy.user, "与另一件建议重复")


def test_a_registered_suggestion_cannot_be_withdrawn(client, deputy, draft, cast):
    proposal = advance(draft, S.REGISTERED, cast)
    client.force_login(deputy.user)
    response = client.post(reverse("proposals:withdraw", args=[proposal.pk]), {"reason": ""})
    proposal.refresh_from_db()
    assert response.status_code == 302 and proposal.state == S.REGISTERED


def test_another_deputy_cannot_withdraw(client, other_deputy, draft):
    client.force_login(other_deputy.user)
    assert client.post(reverse("proposals:withdraw", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_the_draft_page_links_its_small_autosave_script(client, deputy, draft):
    client.force_login(deputy.user)
    html = client.get(reverse("proposals:edit", args=[draft.pk])).content.decode()
    assert "js/deputy-draft.js" in html and 'id="draft-form"' in html


def test_a_category_taken_out_of_use_stays_on_the_draft_that_chose_it(client, deputy, draft, category):
    category.is_active = False
    category.save()
    client.force_login(deputy.user)
    url = reverse("proposals:edit", args=[draft.pk])
    response = client.post(url, typed(category, body="改了正文", action="save"))
    draft.refresh_from_db()
    assert response.status_code == 302 and (draft.category, draft.body) == (category, "改了正文")
    other = f.CategoryFactory(name="已停用的类别", is_active=False)
    response = client.post(url, typed(other, action="save"))
    assert response.status_code == 400 and "category" in response.context["form"].errors


# --- empty drafts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["save", "submit"])
def test_pressing_save_or_submit_on_an_empty_page_creates_nothing_and_says_why(
    client, deputy, meeting, category, action
):
    client.force_login(deputy.user)
    response = client.post(NEW, typed(category, title="", body="  ", action=action))

    assert response.status_code == 400
    assert "空草稿不会保存" in response.content.decode()
    assert response.context["form"]["category"].value() == str(category.pk)  # what was chosen stays
    assert not Proposal.objects.filter(lead_deputy=deputy).exists()


def test_autosave_of_an_empty_page_keeps_nothing(client, deputy, meeting):
    client.force_login(deputy.user)
    token = client.get(NEW).context["token"]
    response = client.post(NEW, typed(title="", body="", autosave="1", draft_token=token))

    assert response.status_code == 200 and response.json() == {"empty": True}
    assert not Proposal.objects.exists()


def test_a_draft_with_only_an_attachment_is_kept(client, deputy, meeting):
    client.force_login(deputy.user)
    upload = SimpleUploadedFile("现场.pdf", files.pdf(), content_type="application/pdf")
    response = client.post(NEW, typed(title="", body="", action="save", attachments=[upload]))

    assert response.status_code == 302
    assert Proposal.objects.get(lead_deputy=deputy).attachments.count() == 1
    assert "未命名草稿" in client.get(reverse("proposals:mine")).content.decode()  # and listed


def _empty_draft(deputy, meeting, *, days_old):
    proposal = ps.create_draft(lead_deputy=deputy, meeting=meeting, by=deputy.user, title="", body="")
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=timezone.now() - dt.timedelta(days=days_old))
    return proposal


def test_empty_drafts_never_show_in_the_deputys_list(client, deputy, meeting, draft):
    _empty_draft(deputy, meeting, days_old=0)
    client.force_login(deputy.user)
    page = client.get(reverse("proposals:mine")).content.decode()

    assert draft.title in page
    assert "未命名草稿" not in page


def test_empty_drafts_older_than_a_day_are_withdrawn_with_a_trail_and_the_rest_kept(deputy, meeting, draft):
    old = _empty_draft(deputy, meeting, days_old=2)
    fresh = _empty_draft(deputy, meeting, days_old=0)
    with_attachment = _empty_draft(deputy, meeting, days_old=2)
    ps.add_attachments(proposal=with_attachment, files=[SimpleUploadedFile("a.pdf", files.pdf())], by=deputy.user)
    Proposal.objects.filter(pk=with_attachment.pk).update(updated_at=timezone.now() - dt.timedelta(days=2))
    Proposal.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))

    assert discard_empty_drafts() == 1
    assert discard_empty_drafts() == 0  # already done

    states = dict(Proposal.objects.values_list("pk", "state"))
    assert states[old.pk] == S.WITHDRAWN
    assert (states[fresh.pk], states[with_attachment.pk], states[draft.pk]) == (S.DRAFT, S.DRAFT, S.DRAFT)
    step = ProposalEvent.objects.get(proposal=old, action="discard_empty")
    assert (step.actor, step.from_state, step.to_state) == (None, S.DRAFT, S.WITHDRAWN)


def test_the_nightly_removal_is_a_beat_row_and_a_command(beat_rows, deputy, meeting):
    from django_celery_beat.models import PeriodicTask

    row = PeriodicTask.objects.get(task="proposals.tasks.discard_empty_drafts")
    assert (row.crontab.hour, row.crontab.minute, row.enabled) == ("3", "15", True)
    _empty_draft(deputy, meeting, days_old=3)
    out = io.StringIO()
    call_command("discard_empty_drafts", stdout=out)
    assert "1" in out.getvalue()
