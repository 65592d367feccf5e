"""The reply letter (答复函) printed from the reply's facts in the official format: its unit
and reference number at the head, the deputy addressed, the text, the unit and the date at
the end, the contact; the reply's readers may print it, a deputy only once it is issued."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from deputies.models import AuditRecord
from handling.models import Reply
from tests.workflow import advance, reply_and_issue

pytestmark = pytest.mark.django_db


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_letter_states_the_facts_of_the_reply_in_the_official_layout(client, cast, draft, deputy, tmp_path):
    replied = advance(draft, "replied", cast)
    reply = Reply.objects.get(assignment__proposal=replied)
    Reply.objects.filter(pk=reply.pk).update(
        reference_number="示教函〔2026〕7号", contact_person="张联系", contact_phone="0571-1234567"
    )
    client.force_login(cast.handler)
    response = client.get(reverse("reports:reply_letter", args=[reply.pk]))
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    text = _text(response.content, tmp_path).replace("\n", "")
    for fact in (cast.unit.name, "示教函〔2026〕7号", "王建国代表", "答复正文", "张联系", "0571-1234567", "（盖章）"):
        assert fact in text, fact
    assert "草稿" not in text


def test_a_proposals_letter_names_the_proposal_and_the_member(client, proposal_cast, proposal_draft, tmp_path):
    replied = advance(proposal_draft, "replied", proposal_cast)
    reply = Reply.objects.get(assignment__proposal=replied)
    client.force_login(proposal_cast.handler)
    text = _text(client.get(reverse("reports:reply_letter", args=[reply.pk])).content, tmp_path).replace("\n", "")
    assert f"第{replied.number:04d}号提案的答复" in text and "陈思远政协委员" in text
    assert "号建议" not in text and "代表" not in text


def test_a_draft_letter_is_marked_as_a_draft(client, cast, draft, tmp_path):
    in_handling = advance(draft, "in_handling", cast)
    from handling import services as hs

    assignment = in_handling.assignments.get(unit=cast.unit)
    reply = hs.save_reply_draft(assignment=assignment, by=cast.handler, result_category=cast.result, body="草拟")
    client.force_login(cast.handler)
    assert "草稿" in _text(client.get(reverse("reports:reply_letter", args=[reply.pk])).content, tmp_path)


def test_the_deputy_prints_it_only_once_issued_and_another_unit_never(client, cast, draft, deputy, other_unit_handler):
    in_handling = advance(draft, "in_handling", cast)
    from handling import services as hs

    assignment = in_handling.assignments.get(unit=cast.unit)
    reply = hs.save_reply_draft(assignment=assignment, by=cast.handler, result_category=cast.result, body="草拟")
    url = reverse("reports:reply_letter", args=[reply.pk])
    for who in (deputy.user, other_unit_handler):
        client.force_login(who)
        before = AuditRecord.objects.count()
        assert client.get(url).status_code == 404
        assert AuditRecord.objects.count() == before + 1
    issued = reply_and_issue(in_handling, cast)
    assert issued.state == "issued"
    client.force_login(deputy.user)
    assert client.get(reverse("reports:reply_letter", args=[issued.pk])).status_code == 200


def test_the_reply_page_links_to_the_letter(client, cast, draft):
    replied = advance(draft, "replied", cast)
    reply = Reply.objects.get(assignment__proposal=replied)
    client.force_login(cast.handler)
    page = client.get(reverse("handling:reply", args=[reply.pk])).content.decode()
    assert reverse("reports:reply_letter", args=[reply.pk]) in page
