"""The safety net under a deputy's rating: it waits, changeable, for RATING_CHANGE_WORKDAYS working
days (or until staff act on the suggestion) and moves nothing meanwhile; the deputy may change
it or confirm it (确认，不再修改); the hourly run lets it take effect when the window ends; a
paper rating, signed by the deputy, takes effect at once. Every change is on the trail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from handling import services as hs
from handling.models import Rating, Reply
from handling.rules import is_changeable
from proposals import deadlines
from proposals.models import Notification, ProposalState
from proposals.workflow import ProposalError, Refused, record_event
from reports import figures as fg
from tests.files import pdf
from tests.workflow import advance

S = ProposalState
pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(draft, cast):
    return advance(draft, S.REPLIED, cast)


def first_reply(proposal):
    return Reply.objects.get(assignment__proposal=proposal, round=1)


def rate(proposal, cast, **choice):
    choice = {"attitude": "satisfied", "result": "unsatisfied", "comment": "路灯还没修好"} | choice
    return hs.rate_reply(reply=first_reply(proposal), by=cast.deputy_user, **choice)


def travel_past(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC))


def test_a_deputys_rating_waits_and_moves_nothing_yet(replied, cast):
    rating = rate(replied, cast)

    replied.refresh_from_db()
    assert replied.state == S.REPLIED  # no re-handling before it takes effect
    assert rating.changeable_until == deadlines.add_workdays(timezone.localdate(), 3)
    assert is_changeable(rating)
    event = replied.events.get(action="rating_entered")
    assert (event.actor, event.data["result"], event.data["until"]) == (
        cast.deputy_user,
        "unsatisfied",
        rating.changeable_until.isoformat(),
    )
    assert not Notification.objects.filter(recipient=cast.handler, kind="rated").exists()
    assert not replied.assignments.get().rehandling_deadline


def test_the_window_counts_working_days(replied, cast):
    with time_machine.travel(dt.datetime(2027, 3, 5, 10, tzinfo=dt.UTC)):  # a Friday
        rating = rate(replied, cast)
    assert rating.changeable_until == dt.date(2027, 3, 10)  # Mon, Tue, Wed


def test_the_deputy_changes_a_waiting_rating_and_the_trail_keeps_both(replied, cast):
    rating = rate(replied, cast)

    hs.change_rating(rating=rating, by=cast.deputy_user, attitude="satisfied", result="basic", comment="")

    rating.refresh_from_db()
    assert (rating.attitude, rating.result, rating.comment, rating.is_pending) == ("satisfied", "basic", "", True)
    event = replied.events.get(action="rating_changed")
    assert event.data["before"] == {"attitude": "satisfied", "result": "unsatisfied"}
    assert event.data["result"] == "basic"
    replied.refresh_from_db()
    assert replied.state == S.REPLIED


def test_only_the_lead_deputy_changes_it(replied, cast, cosigner, staff):
    rating = rate(replied, cast)
    for who in (cosigner.user, staff, cast.handler):
        with pytest.raises(Refused):
            hs.change_rating(rating=rating, by=who, attitude="satisfied", result="satisfied")
        with pytest.raises(Refused):
            hs.confirm_rating(rating=rating, by=who)
    rating.refresh_from_db()
    assert rating.result == "unsatisfied" and rating.is_pending


@override_settings(REHANDLING_PERIOD="1m")
def test_when_the_window_ends_the_rating_takes_effect_and_rehandling_starts(replied, cast):
    rating = rate(replied, cast)
    assert hs.settle_due_ratings() == 0  # still within its window

    with travel_past(rating.changeable_until):
        with pytest.raises(ProposalError):
            hs.change_rating(rating=rating, by=cast.deputy_user, attitude="satisfied", result="satisfied")
        call_command("settle_ratings")
        settled_on = timezone.localdate()

    rating.refresh_from_db()
    replied.refresh_from_db()
    assert not rating.is_pending
    assert replied.state == S.REHANDLING
    assert replied.assignments.get().rehandling_deadline == deadlines.rehandling_deadline(settled_on)
    event = replied.events.get(action="rate")
    assert (event.actor, event.to_state, event.data["settled"]) == (cast.deputy_user, S.REHANDLING, "window")
    assert Notification.objects.filter(recipient=cast.handler, kind="rated", message__contains="路灯还没修好").exists()
    assert hs.settle_due_ratings() == 0  # safe to run again


def test_staff_acting_on_the_suggestion_ends_the_window(replied, cast):
    rating = rate(replied, cast)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        record_event(replied, "staff_note", by=cast.staff, note="已电话联系代表")
        assert not is_changeable(rating)
        with pytest.raises(ProposalError):
            hs.change_rating(rating=rating, by=cast.deputy_user, attitude="satisfied", result="satisfied")
        assert hs.settle_due_ratings() == 1

    replied.refresh_from_db()
    assert replied.state == S.REHANDLING
    assert replied.events.get(action="rate").data["settled"] == "staff_acted"


def test_the_deputy_confirms_and_it_takes_effect_at_once(replied, cast):
    rating = rate(replied, cast, attitude="satisfied", result="satisfied", comment="")

    hs.confirm_rating(rating=rating, by=cast.deputy_user)

    rating.refresh_from_db()
    replied.refresh_from_db()
    assert not rating.is_pending
    assert replied.state == S.CLOSED
    assert replied.events.get(action="rate").data["settled"] == "confirmed"
    with pytest.raises(ProposalError):
        hs.confirm_rating(rating=rating, by=cast.deputy_user)


def test_a_paper_rating_takes_effect_at_once(replied, cast, staff):
    rating = hs.record_paper_rating(
        reply=first_reply(replied),
        by=staff,
        attitude="satisfied",
        result="unsatisfied",
        comment="纸质反馈：未解决",
        paper_form=SimpleUploadedFile("反馈表.pdf", pdf("代表意见反馈表"), content_type="application/pdf"),
    )

    replied.refresh_from_db()
    assert not rating.is_pending
    assert replied.state == S.REHANDLING
    assert replied.events.get(action="rate").data["settled"] == "paper"
    assert not replied.events.filter(action="rating_entered").exists()


@override_settings(RATING_CHANGE_WORKDAYS=0)
def test_without_a_window_a_rating_is_final_at_once(replied, cast):
    rate(replied, cast, attitude="satisfied", result="satisfied", comment="")
    replied.refresh_from_db()
    assert replied.state == S.CLOSED


def test_the_figures_count_a_changed_rating_as_its_final_value(replied, cast):
    rating = rate(replied, cast)
    hs.change_rating(rating=rating, by=cast.deputy_user, attitude="satisfied", result="basic")
    hs.confirm_rating(rating=rating, by=cast.deputy_user)

    figures = fg.compute(fg.Scope(year=replied.meeting.year))

    result = figures.satisfaction["result"]
    assert (result["basic"].n, result["unsatisfied"].n, result["basic"].of) == (1, 0, 1)
    assert Rating.objects.get().result == "basic"


def test_on_the_page_the_deputy_sees_the_wait_changes_it_and_confirms(client, replied, cast):
    reply = first_reply(replied)
    url = reverse("handling:rate", args=[reply.pk])
    client.force_login(cast.deputy_user)
    client.post(url, {"attitude": "satisfied", "result": "unsatisfied", "comment": "没解决", "confirmed": "1"})
    rating = Rating.objects.get()
    until = rating.changeable_until.isoformat()

    detail = client.get(reverse("proposals:mine_detail", args=[replied.pk])).content.decode()
    assert f"评价待确认，可修改至 {until}" in detail and "确认，不再修改" in detail
    change_page = client.get(url).content.decode()
    assert "修改评价" in change_page and 'value="unsatisfied" id="id_result_2" required checked' in change_page
    restated = client.post(url, {"attitude": "satisfied", "result": "satisfied", "comment": ""}).content.decode()
    assert "对办理结果的评价是“满意”" in restated and "确认修改" in restated
    back = client.post(url, {"attitude": "satisfied", "result": "satisfied", "comment": "", "back": "1"})
    assert 'value="satisfied" id="id_result_0" required checked' in back.content.decode()
    client.post(url, {"attitude": "satisfied", "result": "satisfied", "comment": "", "confirmed": "1"})
    rating.refresh_from_db()
    assert rating.result == "satisfied" and rating.is_pending

    response = client.post(url, {"settle": "1"})

    assert response.status_code == 302
    replied.refresh_from_db()
    assert replied.state == S.CLOSED
    assert client.get(url).status_code == 302  # nothing left to change


def test_a_rating_that_cannot_take_effect_does_not_hold_back_the_others(replied, cast, other_deputy, meeting, caplog):
    from tests import factories as f
    from tests.workflow import Cast

    first = rate(replied, cast)
    theirs = Cast(**{**cast.__dict__, "deputy_user": other_deputy.user})
    second_item = advance(f.ProposalFactory(lead_deputy=other_deputy, meeting=meeting), S.REPLIED, theirs)
    second = hs.rate_reply(
        reply=Reply.objects.get(assignment__proposal=second_item),
        by=other_deputy.user,
        attitude="satisfied",
        result="satisfied",
    )
    # The first deputy's record is linked to a new login meanwhile: its rating can no longer be
    # settled in that deputy's name.
    replied.lead_deputy.user = f.UserFactory(username="new_login", role="deputy")
    replied.lead_deputy.save(update_fields=["user"])
    with travel_past(max(first.changeable_until, second.changeable_until)):
        assert hs.settle_due_ratings() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    second_item.refresh_from_db()
    assert first.is_pending and not second.is_pending and second_item.state == S.CLOSED
    assert f"rating {first.pk}" in caplog.text
