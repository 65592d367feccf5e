"""The triage pages of station staff and deputies: the inbox (phones masked), a matter's page
(the phone whole), answering, closing, merging, the QR cards; 404 and an audit record for
everyone else."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deputies import matters
from deputies.models import AuditRecord, ResidentMatter
from tests.deputies.matters_world import leave
from tests.files import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
M = ResidentMatter.State


def refusals() -> int:
    return AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED).count()


def test_the_inbox_shows_the_phone_masked_and_filters_by_state(client, stationed, station_staff):
    new, _ = leave(station=stationed)
    done, _ = leave(station=stationed, text="垃圾清运不及时", phone="13900002222")
    matters.answer_matter(matter=done, answer="已协调环卫所。", by=station_staff)
    client.force_login(station_staff)
    page = client.get(reverse("matters:inbox")).content.decode()
    assert "138****1234" in page and "13812341234" not in page
    assert "路灯" in page and "垃圾清运" in page
    answered = client.get(reverse("matters:inbox"), {"state": "answered"}).content.decode()
    assert "垃圾清运" in answered and "路灯" not in answered


def test_the_inbox_lists_a_bounded_number_of_queries(client, stationed, station_staff, django_assert_max_num_queries):
    for n in range(12):
        leave(station=stationed, text=f"第{n}件")
    client.force_login(station_staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("matters:inbox")).status_code == 200


def test_the_matter_page_shows_the_whole_phone_and_the_photo_to_the_deputy(client, stationed, deputy):
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    matter, _ = leave(station=stationed, photo=photo)
    client.force_login(deputy.user)
    page = client.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    assert "13812341234" in page
    answer = client.get(reverse("matters:photo", args=[matter.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert answer["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["staff", "leader", "admin_user", "unit_handler", "other_deputy", "outsider"])
def test_anyone_else_gets_an_audited_404(client, stationed, request, who):
    matter, _ = leave(station=stationed, photo=SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg"))
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    for name in ("matters:detail", "matters:photo"):
        before = refusals()
        assert client.get(reverse(name, args=[matter.pk])).status_code == 404
        assert refusals() == before + 1
    before = refusals()
    assert client.post(reverse("matters:answer", args=[matter.pk]), {"answer": "x"}).status_code == 404
    assert refusals() == before + 1
    matter.refresh_from_db()
    assert matter.state == M.NEW


def test_answering_from_the_page(client, stationed, station_staff):
    matter, code = leave(station=stationed)
    client.force_login(station_staff)
    answer = client.post(reverse("matters:answer", args=[matter.pk]), {"answer": "已修好。"})
    assert answer.status_code == 302
    assert matters.matter_by_code(code).state == M.ANSWERED


def test_an_empty_answer_is_refused_on_the_page(client, stationed, station_staff):
    matter, _ = leave(station=stationed)
    client.force_login(station_staff)
    answer = client.post(reverse("matters:answer", args=[matter.pk]), {"answer": ""})
    assert answer.status_code == 400
    matter.refresh_from_db()
    assert matter.state == M.NEW


def test_closing_from_the_page_keeps_a_long_reason_when_refused(client, stationed, station_staff):
    matter, _ = leave(station=stationed)
    client.force_login(station_staff)
    too_long = "因" * 2001
    answer = client.post(reverse("matters:close", args=[matter.pk]), {"reason": too_long})
    assert answer.status_code == 400 and too_long in answer.content.decode()
    assert client.post(reverse("matters:close", args=[matter.pk]), {"reason": "非本站事项"}).status_code == 302
    matter.refresh_from_db()
    assert matter.state == M.CLOSED


def test_merging_from_the_page(client, stationed, station_staff):
    main, _ = leave(station=stationed)
    other, _ = leave(station=stationed, text="路灯不亮")
    client.force_login(station_staff)
    page = client.get(reverse("matters:detail", args=[main.pk])).content.decode()
    assert f'value="{other.pk}"' in page
    assert client.post(reverse("matters:merge", args=[main.pk]), {"members": [other.pk]}).status_code == 302
    other.refresh_from_db()
    assert other.merged_into == main


def test_merging_a_matter_of_another_station_is_refused_and_audited(client, stationed, other_station, station_staff):
    main, _ = leave(station=stationed)
    foreign, _ = leave(station=other_station)
    client.force_login(station_staff)
    before = refusals()
    client.post(reverse("matters:merge", args=[main.pk]), {"members": [foreign.pk]})
    assert refusals() == before + 1
    foreign.refresh_from_db()
    assert foreign.state == M.NEW


def test_the_cards_page_shows_the_qr_codes_of_the_station_and_its_deputies(client, stationed, station_staff, deputy):
    client.force_login(station_staff)
    page = client.get(reverse("matters:cards")).content.decode()
    assert stationed.name in page and deputy.name in page and "<svg" in page
    assert f"/public/stations/{stationed.code}/" in page
    deputy.refresh_from_db()
    assert f"/public/deputies/{deputy.public_code}/" in page
    png = client.get(reverse("matters:station_qr", args=[stationed.pk]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(reverse("matters:deputy_qr", args=[deputy.pk])).status_code == 200


def test_a_deputy_without_a_station_gets_their_own_card(client, other_deputy, deputy):
    client.force_login(deputy.user)
    page = client.get(reverse("matters:cards")).content.decode()
    assert deputy.name in page
    assert client.get(reverse("matters:deputy_qr", args=[other_deputy.pk])).status_code == 404


def test_station_staff_start_on_their_inbox(client, station_staff, stationed):
    client.force_login(station_staff)
    answer = client.get(reverse("home"))
    assert answer.status_code == 302 and answer["Location"] == reverse("matters:inbox")


def test_people_without_matters_have_no_inbox(client, staff, unit_handler):
    for user in (staff, unit_handler):
        client.force_login(user)
        assert client.get(reverse("matters:inbox")).status_code == 404
        assert client.get(reverse("matters:cards")).status_code == 404
