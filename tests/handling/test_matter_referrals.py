"""Residents' matters forwarded to a unit (民意件, handling/referrals.py): the services, the
rules, the pages of the station and of the unit, and what the resident's lookup shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deputies import matters
from deputies.access import allowed
from deputies.models import AuditRecord, ResidentMatter
from handling import referrals
from handling.models import MatterReferral
from proposals.deadlines import add_workdays
from proposals.hooks import workbench_tiles
from tests.deputies.matters_world import leave
from tests.files import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
M = ResidentMatter.State


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refusals() -> int:
    return AuditRecord.objects.filter(kind="access_refused").count()


def forward(matter, unit, by, **kwargs):
    kwargs.setdefault("text", matter.text)
    return referrals.forward_matter(matter=matter, unit=unit, by=by, **kwargs)


# --- the services -----------------------------------------------------------------------------------


def test_forwarding_makes_the_referral_with_its_working_day_deadline_and_moves_the_matter(
    stationed, station_staff, unit, settings
):
    settings.MATTER_REFERRAL_WORKDAYS = 15
    matter, _code = leave(station=stationed)
    referral = forward(matter, unit, station_staff, text="路灯坏了（已去掉住址）", note="请尽快修复")
    matter.refresh_from_db()
    assert matter.state == M.FORWARDED
    assert referral.deadline == add_workdays(timezone.localdate(), 15)
    assert (referral.unit, referral.text, referral.note, referral.forwarded_by) == (
        unit,
        "路灯坏了（已去掉住址）",
        "请尽快修复",
        station_staff,
    )
    event = matter.events.last()
    assert (event.action, event.from_state, event.to_state) == ("forwarded", "new", "forwarded")
    assert event.actor == station_staff


def test_the_deputy_of_a_matter_forwards_it_too(deputy, unit):
    matter, _code = leave(deputy=deputy)
    forward(matter, unit, deputy.user)
    assert MatterReferral.objects.get().matter == matter


def test_forwarding_is_refused_to_who_does_not_handle_the_matter_and_changes_nothing(
    stationed, other_station, unit, staff, unit_handler
):
    matter, _code = leave(station=stationed)
    for user in (other_station.staff.get(), staff, unit_handler):
        with pytest.raises(matters.MatterRefused):
            forward(matter, unit, user)
    matter.refresh_from_db()
    assert matter.state == M.NEW and not MatterReferral.objects.exists()
    assert list(matter.events.values_list("action", flat=True)) == ["received"]


def test_a_matter_no_longer_new_is_not_forwarded(stationed, station_staff, unit, other_unit):
    matter, _code = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="已修好", by=station_staff)
    with pytest.raises(matters.MatterError, match="已答复|answered"):
        forward(matter, unit, station_staff)
    forwarded, _code = leave(station=stationed)
    forward(forwarded, unit, station_staff)
    with pytest.raises(matters.MatterError):
        forward(forwarded, other_unit, station_staff)
    assert MatterReferral.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "字" * 2001])
def test_the_text_for_the_unit_is_required_and_limited(stationed, station_staff, unit, text):
    matter, _code = leave(station=stationed)
    with pytest.raises(matters.MatterError):
        forward(matter, unit, station_staff, text=text)
    matter.refresh_from_db()
    assert matter.state == M.NEW


def test_a_unit_no_longer_in_use_is_not_forwarded_to(stationed, station_staff, unit):
    unit.is_active = False
    unit.save()
    matter, _code = leave(station=stationed)
    with pytest.raises(matters.MatterError):
        forward(matter, unit, station_staff)


def test_the_unit_answers_once_and_the_matters_trail_says_so(stationed, station_staff, unit, unit_handler, unit_head):
    matter, _code = leave(station=stationed)
    referral = forward(matter, unit, station_staff)
    referrals.answer_referral(referral=referral, answer="已安排维修，三日内完成", by=unit_handler)
    referral.refresh_from_db()
    assert referral.is_answered and referral.answered_by == unit_handler
    with pytest.raises(matters.MatterError):
        referrals.answer_referral(referral=referral, answer="再答一次", by=unit_head)
    assert matter.events.last().action == "referral_answered"
    assert matter.events.last().label == "承办单位已答复"


def test_another_unit_or_the_station_cannot_answer(stationed, station_staff, unit, other_unit_handler, deputy):
    matter, _code = leave(station=stationed)
    referral = forward(matter, unit, station_staff)
    for user in (other_unit_handler, station_staff, deputy.user):
        with pytest.raises(matters.MatterRefused):
            referrals.answer_referral(referral=referral, answer="答复", by=user)
    referral.refresh_from_db()
    assert not referral.is_answered


# --- the rules ------------------------------------------------------------------------------------------


def test_a_referral_is_seen_by_its_unit_its_station_and_its_deputies_only(
    stationed, other_station, station_staff, deputy, cosigner, other_deputy, unit, unit_handler, unit_head,
    other_unit_handler, staff, leader, admin_user,
):  # fmt: skip
    matter, _code = leave(station=stationed)
    referral = forward(matter, unit, station_staff)
    for user in (unit_handler, unit_head, station_staff, deputy.user, cosigner.user):
        assert allowed(user, "view_referral", referral), user
    for user in (other_unit_handler, other_station.staff.get(), other_deputy.user, staff, leader, admin_user):
        assert not allowed(user, "view_referral", referral), user
    assert allowed(unit_handler, "answer_referral", referral)
    assert not allowed(station_staff, "answer_referral", referral)
    assert allowed(station_staff, "forward_matter", leave(station=stationed)[0])
    assert not allowed(unit_handler, "forward_matter", leave(station=stationed)[0])


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_matter_page_offers_forwarding_and_the_form_keeps_what_was_typed(stationed, station_staff, unit):
    matter, _code = leave(station=stationed)
    client = client_of(station_staff)
    page = client.get(reverse("matters:detail", args=[matter.pk]))
    url = reverse("handling:forward_matter", args=[matter.pk])
    assert url in page.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and "小区门口的路灯坏了三个月" in form.content.decode()
    bad = client.post(url, {"unit": "", "text": "已改写的内容", "note": "请核实"})
    assert bad.status_code == 400
    assert "已改写的内容" in bad.content.decode() and "请核实" in bad.content.decode()
    done = client.post(url, {"unit": unit.pk, "text": "已改写的内容", "note": "请核实"})
    assert done.status_code == 302 and done["Location"] == reverse("matters:detail", args=[matter.pk])
    page = client.get(reverse("matters:detail", args=[matter.pk])).content.decode()
    assert "区教育局" in page and url not in page


def test_forwarding_is_refused_with_an_audited_404(stationed, other_station, unit, unit_handler):
    matter, _code = leave(station=stationed)
    url = reverse("handling:forward_matter", args=[matter.pk])
    for user in (other_station.staff.get(), unit_handler):
        before = refusals()
        answer = client_of(user).post(url, {"unit": unit.pk, "text": "x"})
        assert answer.status_code == 404 and refusals() == before + 1
    matter.refresh_from_db()
    assert matter.state == M.NEW


def test_the_unit_lists_reads_and_answers_without_the_residents_phone_or_photo(
    stationed, station_staff, unit, unit_handler
):
    photo = SimpleUploadedFile("门口.jpg", jpeg(), content_type="image/jpeg")
    matter, _code = leave(station=stationed, phone="13912345678", photo=photo)
    referral = forward(matter, unit, station_staff, note="附近有学校")
    client = client_of(unit_handler)
    listing = client.get(reverse("handling:referrals")).content.decode()
    assert reverse("handling:referral", args=[referral.pk]) in listing
    page = client.get(reverse("handling:referral", args=[referral.pk])).content.decode()
    assert "小区门口的路灯坏了三个月" in page and "附近有学校" in page and "西乡塘街道代表联络站" in page
    for personal in ("13912345678", "139****5678", "5678", reverse("matters:photo", args=[matter.pk])):
        assert personal not in page and personal not in listing
    empty = client.post(reverse("handling:referral", args=[referral.pk]), {"answer": " "})
    assert empty.status_code == 400
    done = client.post(reverse("handling:referral", args=[referral.pk]), {"answer": "已安排维修"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.answer == "已安排维修"


def test_the_referral_page_is_refused_to_others_and_read_only_for_the_station(
    stationed, station_staff, unit, other_unit_handler, staff
):
    matter, _code = leave(station=stationed)
    referral = forward(matter, unit, station_staff)
    url = reverse("handling:referral", args=[referral.pk])
    for user in (other_unit_handler, staff):
        before = refusals()
        assert client_of(user).get(url).status_code == 404 and refusals() == before + 1
    station = client_of(station_staff)
    assert station.get(url).status_code == 200
    before = refusals()
    assert station.post(url, {"answer": "代答"}).status_code == 404 and refusals() == before + 1
    referral.refresh_from_db()
    assert not referral.is_answered
    assert client_of(station_staff).get(reverse("handling:referrals")).status_code == 404


def test_the_lookup_and_the_matter_page_show_the_unit_its_deadline_and_its_answer(
    stationed, station_staff, unit, unit_handler
):
    matter, code = leave(station=stationed)
    referral = forward(matter, unit, station_staff)
    story = matters.story_of(ResidentMatter.objects.get(pk=matter.pk))
    lines = " ".join(str(line) for o in story.outcomes for line in [o.title, *o.lines])
    assert "区教育局" in lines and referral.deadline.isoformat() in lines
    referrals.answer_referral(referral=referral, answer="已安排维修，三日内完成", by=unit_handler)
    story = matters.story_of(ResidentMatter.objects.get(pk=matter.pk))
    lines = " ".join(str(line) for o in story.outcomes for line in [o.title, *o.lines])
    assert "已安排维修，三日内完成" in lines and "handler" not in lines
    page = client_of(station_staff).get(reverse("matters:detail", args=[matter.pk])).content.decode()
    assert "已安排维修，三日内完成" in page


def test_a_merged_matter_follows_the_forwarded_ones_answer(stationed, station_staff, unit, unit_handler):
    main, _code = leave(station=stationed)
    member, _code = leave(station=stationed, text="路灯不亮")
    matters.merge_matters(main=main, members=[member], by=station_staff)
    referral = forward(main, unit, station_staff)
    referrals.answer_referral(referral=referral, answer="已修复", by=unit_handler)
    story = matters.story_of(ResidentMatter.objects.get(pk=member.pk))
    assert "已修复" in [line for o in story.outcomes for line in o.lines]


def test_the_units_workbench_counts_what_waits_and_alerts_on_the_overdue(stationed, station_staff, unit, unit_handler):
    first = forward(leave(station=stationed)[0], unit, station_staff)
    forward(leave(station=stationed)[0], unit, station_staff)
    tile = next(t for t in workbench_tiles(unit_handler) if t.key == "referrals")
    assert tile.count == 2 and not tile.alert
    MatterReferral.objects.filter(pk=first.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    tile = next(t for t in workbench_tiles(unit_handler) if t.key == "referrals")
    assert tile.alert
    assert not [t for t in workbench_tiles(station_staff) if t.key == "referrals"]


# --- the daily scan -------------------------------------------------------------------------------------------


def test_an_overdue_referral_is_reminded_to_its_unit_exactly_once(
    stationed, station_staff, unit, unit_handler, unit_head, other_unit_handler
):
    from proposals.models import Notification
    from supervision.reminders import run_daily_scan

    referral = forward(leave(station=stationed)[0], unit, station_staff)
    answered = forward(leave(station=stationed)[0], unit, station_staff)
    referrals.answer_referral(referral=answered, answer="已处理", by=unit_handler)
    assert run_daily_scan(referral.deadline, only=["referral"])["referral"] == 0  # due today: not yet overdue
    later = referral.deadline + dt.timedelta(days=1)
    assert run_daily_scan(later, only=["referral"])["referral"] == 2  # the handler and the head
    assert run_daily_scan(later + dt.timedelta(days=3), only=["referral"])["referral"] == 0
    notices = Notification.objects.filter(url=reverse("handling:referral", args=[referral.pk]))
    assert {n.recipient_id for n in notices} == {unit_handler.pk, unit_head.pk}
    assert not Notification.objects.filter(recipient=other_unit_handler).exists()


# --- a step taken meanwhile by a colleague -------------------------------------------------------------------


def test_a_colleague_answering_a_referral_already_answered_is_told_so_and_keeps_the_text(
    stationed, station_staff, unit, unit_handler, unit_head
):
    referral = forward(leave(station=stationed)[0], unit, station_staff)
    referrals.answer_referral(referral=referral, answer="科长先答复了", by=unit_head)
    before = refusals()
    late = client_of(unit_handler).post(reverse("handling:referral", args=[referral.pk]), {"answer": "我写的答复"})
    page = late.content.decode()
    assert late.status_code == 400 and "我写的答复" in page and "已经答复" in page
    assert refusals() == before  # a colleague of the unit is no stranger: nothing to audit
    referral.refresh_from_db()
    assert referral.answer == "科长先答复了"


def test_forwarding_a_matter_answered_meanwhile_is_refused_with_the_text_kept(stationed, station_staff, deputy, unit):
    matter, _code = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="代表已答复", by=deputy.user)
    posted = {"unit": unit.pk, "text": "改写后的问题内容", "note": "请尽快处理"}
    late = client_of(station_staff).post(reverse("handling:forward_matter", args=[matter.pk]), posted)
    page = late.content.decode()
    assert late.status_code == 400 and "改写后的问题内容" in page and "请尽快处理" in page
    assert not MatterReferral.objects.exists()
