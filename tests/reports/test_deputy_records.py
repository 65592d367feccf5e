"""Deputies' yearly records (履职档案): what a record holds, when a rating is late, the staff
list with its filters, and who may read which record (a deputy only their own, no unit any)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from deputies.models import AuditRecord
from handling.models import ContactRecord, Rating
from proposals.models import CoSignature
from reports import records
from tests import factories as f
from tests.workflow import advance

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def closed(cast, draft, cosigner):
    CoSignature.objects.create(proposal=draft, deputy=cosigner, status=CoSignature.Status.CONFIRMED)
    return advance(draft, "closed", cast)


def _contact(proposal, kind, response="", people="王建国"):
    assignment = proposal.assignments.get(is_active=True)
    return ContactRecord.objects.create(
        proposal=proposal,
        assignment=assignment,
        kind=kind,
        stage=ContactRecord.Stage.DURING,
        contact_date=dt.date(2026, 3, 1),
        people=people,
        summary="面商",
        recorded_by=proposal.lead_deputy.user,
        deputy_response=response,
    )


def test_a_record_holds_the_suggestions_led_and_co_signed_with_results_and_ratings(closed, deputy, cosigner):
    mine = records.deputy_record(deputy, YEAR)
    assert [line.proposal for line in mine.led] == [closed] and mine.cosigned == []
    assert mine.led[0].results and mine.led[0].results[0].startswith("A ")
    assert [r.result for r in mine.ratings] == ["满意"] and not mine.rated_late
    theirs = records.deputy_record(cosigner, YEAR)
    assert theirs.led == [] and [line.proposal for line in theirs.cosigned] == [closed]
    assert theirs.ratings == []


def test_contacts_count_face_to_face_apart_and_a_disputed_one_is_listed_but_not_counted(closed, deputy, cosigner):
    _contact(closed, ContactRecord.Kind.FACE_TO_FACE)
    _contact(closed, ContactRecord.Kind.PHONE, response=ContactRecord.DeputyResponse.DISPUTED)
    record = records.deputy_record(deputy, YEAR)
    assert len(record.contacts) == 2 and record.contacts_counted == 1 and record.face_to_face == 1
    # A co-signer attended only the contacts that name them.
    assert records.deputy_record(cosigner, YEAR).contacts == []
    _contact(closed, ContactRecord.Kind.VISIT, people="王建国、李红梅")
    assert len(records.deputy_record(cosigner, YEAR).contacts) == 1


def test_a_rating_given_after_the_reminder_window_is_late(closed, deputy, settings):
    settings.RATING_REMINDER_DAYS = 15
    rating = Rating.objects.get(proposal=closed)
    Rating.objects.filter(pk=rating.pk).update(rated_at=rating.reply.issued_at + dt.timedelta(days=16))
    assert records.deputy_record(deputy, YEAR).rated_late == 1
    rows = {row.deputy: row for row in records.record_rows(YEAR)}
    assert rows[deputy].rated_late == 1 and rows[deputy].late == 1
    Rating.objects.filter(pk=rating.pk).update(rated_at=rating.reply.issued_at + dt.timedelta(days=14))
    assert records.deputy_record(deputy, YEAR).rated_late == 0
    assert records.record_rows(YEAR, only="late") == []


def test_a_reply_waiting_for_the_rating_past_the_window_counts_as_late(cast, draft, deputy, settings):
    settings.RATING_REMINDER_DAYS = 15
    replied = advance(draft, "replied", cast)
    later = timezone.now() + dt.timedelta(days=16)
    assert records.deputy_record(deputy, YEAR).waiting_late == 0
    assert records.deputy_record(deputy, YEAR, now=later).waiting_late == 1
    assert [row.deputy for row in records.record_rows(YEAR, only="late", now=later)] == [replied.lead_deputy]


def test_the_staff_list_counts_each_deputy_and_filters_those_who_led_none(closed, deputy, cosigner, outsider):
    rows = {row.deputy.name: row for row in records.record_rows(YEAR)}
    assert rows["王建国"].led == 1 and rows["王建国"].rated == 1 and rows["李红梅"].cosigned == 1
    none = {row.deputy.name for row in records.record_rows(YEAR, only="none")}
    assert "王建国" not in none and {"李红梅", "孙局外"} <= none


def test_the_staff_table_links_each_record_and_its_pdf_for_the_year_with_names_escaped(
    client, closed, deputy, outsider, staff
):
    outsider.deputy.name = "孙<b>局外</b>"
    outsider.deputy.save()
    client.force_login(staff)
    page = client.get(reverse("reports:deputy_records") + f"?year={YEAR}").content.decode()
    record = reverse("reports:deputy_record", args=[deputy.pk]) + f"?year={YEAR}"
    pdf = reverse("reports:deputy_record_pdf", args=[deputy.pk]) + f"?year={YEAR}"
    assert f'<a href="{record}">王建国</a>' in page and f'<a href="{pdf}">PDF</a>' in page
    assert "孙&lt;b&gt;局外&lt;/b&gt;" in page and "<b>局外" not in page
    row = page[page.index(record) :].split("</tr>")[0]
    assert '<td class="num">1</td>' in row  # led one, rated once


def test_a_deputy_reads_only_their_own_record_and_a_unit_none(client, closed, deputy, cosigner, unit_handler, staff):
    client.force_login(deputy.user)
    assert "王建国" in client.get(reverse("reports:my_record")).content.decode()
    assert client.get(reverse("reports:deputy_record", args=[deputy.pk])).status_code == 200
    for url in (reverse("reports:deputy_record", args=[cosigner.pk]), reverse("reports:deputy_records")):
        refused = AuditRecord.objects.count()
        assert client.get(url).status_code == 404
        assert AuditRecord.objects.count() == refused + 1
    client.force_login(unit_handler)
    for url in (reverse("reports:my_record"), reverse("reports:deputy_record_pdf", args=[deputy.pk])):
        refused = AuditRecord.objects.count()
        assert client.get(url).status_code == 404
        assert AuditRecord.objects.count() == refused + 1
    client.force_login(staff)
    page = client.get(reverse("reports:deputy_records") + "?only=none").content.decode()
    assert "李红梅" in page and "王建国" not in page


def test_the_yearly_pdf_is_chinese_text_with_the_record(client, closed, deputy, tmp_path):
    client.force_login(deputy.user)
    response = client.get(reverse("reports:deputy_record_pdf", args=[deputy.pk]) + f"?year={YEAR}")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "2026年代表履职档案" in text and "王建国" in text and closed.title[:8] in text


def test_a_record_is_a_fixed_number_of_queries(closed, deputy, django_assert_max_num_queries, meeting):
    for n in range(3):
        extra = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=f"建议{n}")
        assert extra.pk
    with django_assert_max_num_queries(9):
        records.deputy_record(deputy, YEAR)


def test_a_members_yearly_pdf_speaks_of_members_and_proposals(client, member, tmp_path):
    from urllib.parse import unquote

    member.name = "代表建议研究会"  # what people wrote stays as written
    member.save(update_fields=["name"])
    client.force_login(member.user)
    response = client.get(reverse("reports:deputy_record_pdf", args=[member.pk]) + f"?year={YEAR}")
    assert "委员履职档案" in unquote(response["Content-Disposition"])
    path = tmp_path / "record.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "委员履职档案" in text and "联名提案" in text and "代表建议研究会" in text
    assert "代表履职" not in text and "附议建议" not in text
