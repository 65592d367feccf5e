"""The services and rules of residents' matters (deputies/matters.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from deputies import matters
from deputies.access import allowed
from deputies.models import ResidentMatter, ResidentMatterEvent
from tests.deputies.matters_world import leave
from tests.files import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
M = ResidentMatter.State


def test_a_matter_is_received_with_a_code_only_its_digest_is_kept(stationed):
    matter, code = leave(station=stationed)
    assert len(code) == 8 and matters.looks_like_code(code)
    assert code not in matter.lookup_digest
    assert matters.matter_by_code(code.lower()) == matter
    assert matters.matter_by_code("-".join([code[:4], code[4:]])) == matter
    assert matter.state == M.NEW
    assert list(matter.events.values_list("action", flat=True)) == ["received"]


def test_the_phone_is_masked_in_lists(stationed):
    matter, _code = leave(station=stationed)
    assert matter.masked_phone == "138****1234"


def test_station_matters_are_seen_by_its_staff_and_its_deputies_and_nobody_else(
    stationed, other_station, deputy, cosigner, other_deputy, station_staff, staff, leader, admin_user, unit_handler
):
    matter, _code = leave(station=stationed)
    for user in (station_staff, deputy.user, cosigner.user):
        assert allowed(user, "view_matter", matter)
        assert matter in matters.matters_for(user)
    for user in (other_deputy.user, staff, leader, admin_user, unit_handler, other_station.staff.get()):
        assert not allowed(user, "view_matter", matter)
        assert matter not in matters.matters_for(user)


def test_a_deputys_matter_is_seen_by_the_deputy_and_the_staff_of_their_station_only(
    stationed, deputy, cosigner, station_staff
):
    matter, _code = leave(deputy=deputy)
    assert allowed(deputy.user, "view_matter", matter)
    assert not allowed(cosigner.user, "view_matter", matter)  # stationed too, but not theirs
    assert not allowed(station_staff, "view_matter", matter)  # left with the deputy, not at the station
    assert allowed(deputy.user, "suggest_from_matter", matter)


def test_only_deputies_turn_matters_into_suggestions(stationed, station_staff, deputy):
    matter, _code = leave(station=stationed)
    assert allowed(deputy.user, "suggest_from_matter", matter)
    assert not allowed(station_staff, "suggest_from_matter", matter)


def test_answering_moves_the_matter_and_writes_its_trail(stationed, station_staff):
    matter, _code = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="已联系街道，下周修好。", by=station_staff)
    matter.refresh_from_db()
    assert matter.state == M.ANSWERED and matter.answer == "已联系街道，下周修好。"
    assert matter.handled_by == station_staff and matter.answered_at is not None
    event = matter.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "answered",
        "new",
        "answered",
        station_staff,
    )


def test_answering_twice_is_refused_and_changes_nothing(stationed, station_staff):
    matter, _code = leave(station=stationed)
    matters.answer_matter(matter=matter, answer="第一次", by=station_staff)
    with pytest.raises(matters.MatterError):
        matters.answer_matter(matter=matter, answer="第二次", by=station_staff)
    matter.refresh_from_db()
    assert matter.answer == "第一次" and matter.events.count() == 2


def test_someone_who_does_not_handle_it_cannot_answer(stationed, other_station, staff):
    matter, _code = leave(station=stationed)
    for user in (staff, other_station.staff.get()):
        with pytest.raises(matters.MatterRefused):
            matters.answer_matter(matter=matter, answer="不是我的", by=user)
    matter.refresh_from_db()
    assert matter.state == M.NEW and matter.events.count() == 1


def test_an_empty_answer_is_refused(stationed, station_staff):
    matter, _code = leave(station=stationed)
    with pytest.raises(matters.MatterError):
        matters.answer_matter(matter=matter, answer="  ", by=station_staff)
    matter.refresh_from_db()
    assert matter.state == M.NEW


def test_closing_keeps_the_reason_for_the_resident(stationed, deputy):
    matter, code = leave(station=stationed)
    matters.close_matter(matter=matter, reason="属于个人纠纷，请通过法律途径解决。", by=deputy.user)
    story = matters.story_of(ResidentMatter.objects.get(pk=matter.pk))
    assert story.state == M.CLOSED
    assert "属于个人纠纷" in story.outcomes[0].lines[0]


def test_merged_matters_follow_the_main_ones_outcome(stationed, station_staff):
    main, _c1 = leave(station=stationed)
    other, code = leave(station=stationed, text="路灯不亮，晚上很黑", phone="13900001111")
    matters.merge_matters(main=main, members=[other], by=station_staff)
    other.refresh_from_db()
    assert other.state == M.MERGED and other.merged_into == main
    assert main.events.filter(action="merged_in").exists()
    matters.answer_matter(matter=main, answer="路灯已修复。", by=station_staff)
    story = matters.story_of(matters.matter_by_code(code))
    texts = " ".join(line for outcome in story.outcomes for line in outcome.lines)
    assert "路灯已修复。" in texts
    assert "小区门口" not in texts and "13812341234" not in texts  # nothing of the other resident's matter


def test_a_matter_of_another_station_cannot_be_merged_in(stationed, other_station, station_staff):
    main, _c = leave(station=stationed)
    foreign, _c2 = leave(station=other_station)
    with pytest.raises(matters.MatterRefused):
        matters.merge_matters(main=main, members=[foreign], by=station_staff)
    foreign.refresh_from_db()
    assert foreign.state == M.NEW


def test_merging_into_a_merged_matter_is_refused(stationed, station_staff):
    a, _ = leave(station=stationed)
    b, _ = leave(station=stationed)
    c, _ = leave(station=stationed)
    matters.merge_matters(main=a, members=[b], by=station_staff)
    with pytest.raises(matters.MatterError):
        matters.merge_matters(main=ResidentMatter.objects.get(pk=b.pk), members=[c], by=station_staff)


def test_the_retention_purge_removes_phone_and_photo_once_and_records_it(stationed, settings):
    settings.RESIDENT_DATA_DAYS = 30
    photo = SimpleUploadedFile("p.jpg", jpeg(), content_type="image/jpeg")
    old, _ = leave(station=stationed, photo=photo)
    recent, _ = leave(station=stationed)
    ResidentMatter.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=31))
    storage, name = old.photo.storage, old.photo.name
    assert storage.exists(name)
    with pytest.MonkeyPatch.context():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            assert matters.purge_resident_data() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.phone == "" and not old.photo and old.personal_data_removed_at is not None
    assert not storage.exists(name)
    assert ResidentMatterEvent.objects.filter(matter=old, action="personal_data_removed").count() == 1
    assert recent.phone == "13812341234"
    assert matters.purge_resident_data() == 0


def test_the_purge_command_and_its_beat_row(stationed, beat_rows):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("purge_resident_data")
    row = PeriodicTask.objects.get(task="deputies.tasks.purge_resident_data")
    assert row.enabled and row.crontab.hour == "3"


def test_the_trail_is_append_only(stationed):
    from deputies.appendonly import AppendOnlyError

    matter, _ = leave(station=stationed)
    event = matter.events.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        matter.events.all().delete()
