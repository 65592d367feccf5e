"""Uploads are judged by content and size; downloads check the access rules and never render inline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import reverse

from deputies.models import AuditRecord
from handling.models import ReplyAttachment
from proposals.models import ProposalAttachment, ProposalState
from proposals.uploads import validate_upload
from tests import files
from tests.workflow import advance, reply_and_issue

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = files.png()
DOC = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content"),
    [("调研报告.pdf", PDF), ("现场照片.png", PNG), ("情况说明.doc", DOC), ("情况说明.docx", files.docx())],
)
def test_pdf_word_and_images_are_accepted(name, content):
    validate_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [
        ("恶意.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),  # a PDF name, HTML inside
        ("脚本.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf"),
        ("图片.pdf", PNG, "application/pdf"),  # content and extension disagree
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name_or_claimed_type(name, content, claimed):
    with pytest.raises(ValidationError, match="PDF"):
        validate_upload(SimpleUploadedFile(name, content, content_type=claimed))


@override_settings(UPLOAD_MAX_MB=1)
def test_a_file_over_the_size_limit_is_refused_with_the_limit_named():
    with pytest.raises(ValidationError, match="1 MB"):
        validate_upload(SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024)))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("空.pdf", b""))


@pytest.mark.django_db
def test_attachments_download_only_for_those_who_may_see_them(client, draft, deputy, other_deputy):
    item = ProposalAttachment.objects.create(
        proposal=draft,
        file=SimpleUploadedFile("调研报告.pdf", PDF),
        name="调研报告.pdf",
        size=len(PDF),
        uploaded_by=deputy.user,
    )
    url = reverse("proposals:attachment", args=[item.pk])
    client.force_login(deputy.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    client.force_login(other_deputy.user)
    assert client.get(url).status_code == 404
    assert AuditRecord.objects.filter(kind="access_refused", user=other_deputy.user).exists()


@pytest.mark.django_db
def test_a_reply_attachment_is_seen_by_the_deputy_only_once_the_reply_is_issued(client, draft, cast, deputy):
    proposal = advance(draft, ProposalState.IN_HANDLING, cast)
    from handling import services as hs

    assignment = proposal.assignments.get()
    reply = hs.save_reply_draft(
        assignment=assignment, by=cast.handler, result_category=cast.result, body="答复", signer="局长"
    )
    item = ReplyAttachment.objects.create(
        reply=reply,
        file=SimpleUploadedFile("答复函.pdf", PDF),
        name="答复函.pdf",
        size=len(PDF),
        uploaded_by=cast.handler,
    )
    url = reverse("handling:reply_attachment", args=[item.pk])
    client.force_login(deputy.user)
    assert client.get(url).status_code == 404  # a draft is the unit's business
    client.force_login(cast.handler)
    assert client.get(url).status_code == 200
    reply_and_issue(proposal, cast)
    client.force_login(deputy.user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("deadline", "text", "css"),
    [
        (dt.date(2026, 3, 31), "还剩 23 天", "due"),
        (dt.date(2026, 3, 12), "还剩 4 天", "due soon"),
        (dt.date(2026, 3, 8), "今天到期", "due soon"),
        (dt.date(2026, 3, 3), "超期 5 天", "due overdue"),
    ],
)
@time_machine.travel(dt.datetime(2026, 3, 8, 4, 0, tzinfo=dt.UTC), tick=False)
def test_deadlines_read_as_days_left_or_days_overdue(deadline, text, css):
    html = Template("{% load proposals_tags %}{% due d %}").render(
        Context({"d": deadline, "request": RequestFactory().get("/")})
    )
    assert text in html and f'class="{css}"' in html
