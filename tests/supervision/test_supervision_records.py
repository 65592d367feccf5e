"""Supervision records on key items: site inspections, meetings, on-the-spot handling, with
the people, notes and photos; each one lands on the timeline of the item's suggestions."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from deputies.models import SpecialCommittee
from proposals.models import ProposalEvent, ProposalState
from proposals.workflow import ProposalError
from supervision import services
from supervision.models import SupervisionPhoto, SupervisionRecord
from tests.supervision.conftest import today

S = ProposalState
pytestmark = pytest.mark.django_db


def jpeg(name: str = "现场.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def record(key_item, by, **extra):
    fields = {
        "kind": SupervisionRecord.Kind.INSPECTION,
        "held_on": today(),
        "participants": "刘振华、领衔代表、区教育局",
        "notes": "实地察看新建学校工地，要求九月前完工。",
    }
    return services.add_supervision_record(key_item=key_item, by=by, **(fields | extra))


def test_the_leader_records_an_inspection_with_photos(key_item, make_proposal, leader):
    other = make_proposal(S.IN_HANDLING)
    key_item.proposals.add(other)
    saved = record(key_item, leader, photos=[jpeg("一.jpg"), jpeg("二.jpg")])
    assert saved.recorded_by == leader and saved.photos.count() == 2
    for proposal in key_item.proposals.all():
        event = ProposalEvent.objects.filter(proposal=proposal).latest("pk")
        assert event.action == "supervision_record" and event.label == "督办记录"
        assert "实地视察" in event.note and "新建学校工地" in event.note and "刘振华" in event.note


@pytest.mark.parametrize("who", ["staff", "supervision", "leader", "committee_member"])
def test_who_may_record(request, key_item, who):
    assert record(key_item, request.getfixturevalue(who)).pk


def test_a_member_of_another_committee_may_not(key_item, committee_member):
    committee_member.committee = SpecialCommittee.objects.create(name="法制委员会")
    committee_member.save()
    with pytest.raises(ProposalError, match="无权"):
        record(key_item, committee_member)


@pytest.mark.parametrize("who", ["unit_handler", "outsider"])
def test_units_and_deputies_may_not(request, key_item, who):
    with pytest.raises(ProposalError):
        record(key_item, request.getfixturevalue(who))
    assert not SupervisionRecord.objects.exists()
    assert not ProposalEvent.objects.filter(action="supervision_record").exists()


def test_another_leader_may_not(key_item, staff):
    from tests.factories import UserFactory

    with pytest.raises(ProposalError):
        record(key_item, UserFactory(role="leader"))


def test_a_record_cannot_be_dated_in_the_future(key_item, leader):
    with pytest.raises(ProposalError, match="不能晚于今天"):
        record(key_item, leader, held_on=today() + dt.timedelta(days=1))


def test_a_file_that_is_not_an_image_is_refused(key_item, leader):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo at all", content_type="image/jpeg")
    with pytest.raises(ProposalError):
        record(key_item, leader, photos=[fake])
    assert not SupervisionRecord.objects.exists()


# --- the page -----------------------------------------------------------------------------------------


def test_the_form_saves_a_record_with_photos(client, key_item, leader):
    client.force_login(leader)
    url = reverse("supervision:record_new", args=[key_item.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "meeting",
            "held_on": today().isoformat(),
            "participants": "教科文卫委员会委员",
            "notes": "召开座谈会",
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )
    assert response.status_code == 302
    saved = SupervisionRecord.objects.get()
    assert saved.kind == "meeting" and saved.photos.count() == 2


def test_a_pdf_given_as_a_photo_is_refused_as_not_a_photo_and_keeps_what_was_typed(client, key_item, leader):
    """Photos are JPG or PNG only: the reason names the file and must not say a PDF or Word
    file would do; everything typed stays on the form."""
    client.force_login(leader)
    pdf = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        reverse("supervision:record_new", args=[key_item.pk]),
        {
            "kind": "on_site",
            "held_on": today().isoformat(),
            "participants": "现场人员名单",
            "notes": "现场办理情况记录",
            "photos": [pdf],
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "“scan.pdf”不是 JPG 或 PNG 格式的照片" in body
    assert "Word" not in body
    assert "现场人员名单" in body and "现场办理情况记录" in body
    assert not SupervisionRecord.objects.exists()
    with pytest.raises(ProposalError, match="不是 JPG 或 PNG 格式的照片"):
        record(key_item, leader, photos=[SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n")])


def test_a_unit_cannot_reach_the_form(client, key_item, unit_handler):
    client.force_login(unit_handler)
    assert client.get(reverse("supervision:record_new", args=[key_item.pk])).status_code == 404


def test_photos_are_shown_to_those_who_see_the_item_only(client, key_item, leader, unit_handler, other_unit_handler):
    record(key_item, leader, photos=[jpeg()])
    photo = SupervisionPhoto.objects.get()
    url = reverse("supervision:photo", args=[photo.pk])
    client.force_login(unit_handler)
    response = client.get(url + "?inline=1")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_unit_handler)
    assert client.get(url).status_code == 404


def test_the_detail_page_lists_records_with_their_photos(client, key_item, leader, staff):
    record(key_item, leader, photos=[jpeg()])
    client.force_login(staff)
    body = client.get(reverse("supervision:key_detail", args=[key_item.pk])).content.decode()
    assert "实地视察" in body and "新建学校工地" in body
    assert reverse("supervision:photo", args=[SupervisionPhoto.objects.get().pk]) in body
