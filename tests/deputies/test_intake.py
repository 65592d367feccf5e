"""The public intake and lookup of residents' matters: no account, a question to answer, rate
limits, size limits, and nothing typed lost on a refusal."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deputies import matters
from deputies.intake import Challenge, check_answer
from deputies.models import ResidentMatter
from tests.deputies.matters_world import answered_challenge, leave
from tests.files import MB, jpeg, pdf, png_claiming

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]

TEXT = "小区门口的路灯坏了三个月，晚上很黑"


def _post(client, url, **extra):
    data = {"text": TEXT, "phone": "13812341234", **answered_challenge(), **extra}
    return client.post(url, data)


def test_a_deputys_page_takes_a_matter_with_a_photo_and_gives_a_code(client, deputy):
    url = reverse("intake:deputy", args=[deputy.public_code])
    page = client.get(url)
    assert page.status_code == 200 and "王建国" in page.content.decode()
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg(), content_type="image/jpeg")
    answer = _post(client, url, photo=photo)
    assert answer.status_code == 302 and answer["Location"] == reverse("intake:received")
    shown = client.get(answer["Location"]).content.decode()
    matter = ResidentMatter.objects.get()
    assert matter.deputy == deputy and matter.station is None and matter.photo
    assert "IMG_0001" not in matter.photo.name  # the resident's file name is not kept
    code = next(c for c in shown.split('id="lookup-code">')[1:2])[:8]
    assert matters.matter_by_code(code) == matter
    # The code is shown once.
    assert client.get(reverse("intake:received")).status_code == 302


def test_a_stations_page_takes_a_matter(client, stationed):
    answer = _post(client, reverse("intake:station", args=[stationed.code]))
    assert answer.status_code == 302
    assert ResidentMatter.objects.get().station == stationed


def test_an_unknown_or_closed_station_answers_404(client, stationed):
    assert client.get(reverse("intake:station", args=["XXXXXXXX"])).status_code == 404
    stationed.is_active = False
    stationed.save()
    assert client.get(reverse("intake:station", args=[stationed.code])).status_code == 404


def test_a_wrong_answer_keeps_what_was_typed_and_asks_again(client, deputy):
    url = reverse("intake:deputy", args=[deputy.public_code])
    right = answered_challenge()
    answer = client.post(url, {"text": TEXT, "phone": "13812341234", "token": right["token"], "answer": "99"})
    body = answer.content.decode()
    assert answer.status_code == 400
    assert TEXT in body and "13812341234" in body
    assert "答案不对" in body
    assert not ResidentMatter.objects.exists()


def test_a_form_sent_at_once_is_refused(client, deputy, settings):
    settings.RESIDENT_MIN_FILL_SECONDS = 3
    challenge = Challenge.new()
    answer = client.post(
        reverse("intake:deputy", args=[deputy.public_code]),
        {"text": TEXT, "token": challenge.token, "answer": str(challenge.a + challenge.b)},
    )
    assert answer.status_code == 400 and not ResidentMatter.objects.exists()


def test_an_old_or_forged_token_is_refused(settings):
    settings.RESIDENT_CHALLENGE_MAX_AGE = 60
    old = Challenge.new(now=time.time() - 120)
    assert check_answer(old.token, str(old.a + old.b))
    assert check_answer("forged:token", "3")
    fresh = Challenge.new(now=time.time() - 10)
    assert check_answer(fresh.token, str(fresh.a + fresh.b)) is None
    assert check_answer(
        fresh.token, "１" if fresh.a + fresh.b != 1 else "２"
    )  # full-width digits are read, still wrong


def test_the_hidden_field_filled_in_is_refused(client, deputy):
    answer = _post(client, reverse("intake:deputy", args=[deputy.public_code]), website="http://spam.example")
    assert answer.status_code == 400 and not ResidentMatter.objects.exists()


def test_a_text_over_the_limit_is_refused_and_kept(client, deputy, settings):
    settings.RESIDENT_TEXT_MAX_CHARS = 50
    long_text = "长" * 51
    answer = _post(client, reverse("intake:deputy", args=[deputy.public_code]), text=long_text)
    assert answer.status_code == 400 and long_text in answer.content.decode()
    assert not ResidentMatter.objects.exists()


@pytest.mark.parametrize(
    "upload, problem",
    [
        (lambda: SimpleUploadedFile("x.jpg", pdf(), content_type="image/jpeg"), "只能添加照片"),
        (lambda: SimpleUploadedFile("x.png", png_claiming(100_000, 100_000), content_type="image/png"), "像素"),
        (lambda: SimpleUploadedFile("x.jpg", b"\xff\xd8\xff" + b"0" * (2 * MB), content_type="image/jpeg"), "MB"),
    ],
)
def test_a_photo_that_is_not_one_or_too_big_is_refused_with_the_text_kept(client, deputy, settings, upload, problem):
    settings.RESIDENT_PHOTO_MAX_MB = 1
    answer = _post(client, reverse("intake:deputy", args=[deputy.public_code]), photo=upload())
    body = answer.content.decode()
    assert answer.status_code == 400 and problem in body and TEXT in body
    assert not ResidentMatter.objects.exists()


def test_a_bad_phone_number_is_refused(client, deputy):
    answer = _post(client, reverse("intake:deputy", args=[deputy.public_code]), phone="12ab")
    assert answer.status_code == 400 and not ResidentMatter.objects.exists()


def test_too_many_matters_from_one_address_are_refused(client, deputy, settings):
    settings.RESIDENT_MATTERS_PER_HOUR = 2
    url = reverse("intake:deputy", args=[deputy.public_code])
    assert _post(client, url).status_code == 302
    assert _post(client, url).status_code == 302
    third = _post(client, url)
    assert third.status_code == 429 and TEXT in third.content.decode()
    assert ResidentMatter.objects.count() == 2


def test_the_lookup_shows_the_answer_and_never_the_phone_or_photo(client, stationed, station_staff):
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    matter, code = leave(station=stationed, photo=photo)
    matters.answer_matter(matter=matter, answer="路灯已于本周修复。", by=station_staff)
    page = client.post(reverse("intake:lookup"), {"code": code.lower()})
    body = page.content.decode()
    assert page.status_code == 200 and "路灯已于本周修复。" in body
    assert "13812341234" not in body and "138****" not in body
    assert matter.photo.name not in body and "photo" not in body


def test_a_wrong_code_says_so_and_keeps_it(client):
    page = client.post(reverse("intake:lookup"), {"code": "ABCD3467"})
    assert page.status_code == 200 and "ABCD3467" in page.content.decode()
    assert "没有" in page.content.decode()


def test_too_many_lookups_from_one_address_are_refused(client, stationed, settings):
    settings.RESIDENT_LOOKUPS_PER_HOUR = 3
    _matter, code = leave(station=stationed)
    for _ in range(3):
        client.post(reverse("intake:lookup"), {"code": "ABCD3467"})
    refused = client.post(reverse("intake:lookup"), {"code": code})
    assert refused.status_code == 429


def test_no_personal_data_reaches_any_public_page(client, stationed, station_staff, deputy, staff, meeting, category):
    """A resident's phone (whole or masked) and photo never show on a page without a login: the
    intake pages, the code's page, every state's lookup, the public disclosure pages and the
    suggestion's public progress page (where the installation has one)."""
    from django.urls import NoReverseMatch

    from proposals.from_matters import draft_from_matters
    from tests.workflow import Cast, advance

    photo = lambda: SimpleUploadedFile("IMG_PRIVATE.jpg", jpeg(), content_type="image/jpeg")  # noqa: E731
    new, new_code = leave(station=stationed, phone="13912345678", photo=photo())
    answered, answered_code = leave(station=stationed, phone="13912345678", photo=photo())
    matters.answer_matter(matter=answered, answer="已处理。", by=station_staff)
    merged, merged_code = leave(station=stationed, phone="13912345678")
    matters.merge_matters(main=answered, members=[merged], by=station_staff)
    taken, taken_code = leave(deputy=deputy, phone="13912345678", photo=photo())
    proposal = draft_from_matters(matters=[taken], by=deputy.user)
    proposal.category = category
    proposal.save()
    advance(
        proposal,
        "registered",
        Cast(deputy_user=deputy.user, staff=staff, handler=None, head=None, unit=None, result=None),
    )
    photos = [m.photo.name for m in ResidentMatter.objects.exclude(photo="")]

    pages = [
        client.get(reverse("intake:station", args=[stationed.code])),
        client.get(reverse("intake:deputy", args=[deputy.public_code])),
        client.get(reverse("intake:lookup")),
        client.get(reverse("disclosure:replies")),
    ]
    for code in (new_code, answered_code, merged_code, taken_code):
        pages.append(client.post(reverse("intake:lookup"), {"code": code}))
    try:
        pages.append(client.get(reverse("public_progress:detail", args=[proposal.pk])))
    except NoReverseMatch:
        pass
    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert "13912345678" not in body and "139****5678" not in body and "5678" not in body
        assert "IMG_PRIVATE" not in body and "/photo/" not in body
        assert not any(name in body for name in photos)
