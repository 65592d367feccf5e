"""The public progress pages (/public/suggestions/): which items are public, how their state and
milestones read, the list's filters and keyset pages, the reply only when public, staff
withholding an item, and the guard for anonymous visitors (cache, rate limit)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from deputies.models import AuditRecord, Role
from handling.models import Reply
from proposals import public
from proposals import services as ps
from proposals.models import Proposal, ProposalEvent
from proposals.workflow import ProposalError
from reports.models import DisclosureHold
from tests import factories as f
from tests.pages import many_proposals, queries_for
from tests.reports import conftest as crafted

# The crafted year's fixtures (tests/reports/crafted.py): every state, built once per module.
crafted_year, year = crafted.crafted_year, crafted.year

pytestmark = pytest.mark.django_db

NEVER_PUBLIC = ("draft", "withdrawn", "declined", "submitted")


def page(client, url_name, *args, **params):
    return client.get(reverse(url_name, args=args), params)


def listed(client, **params):
    return page(client, "public_progress:list", **params).content.decode()


def detail_url(proposal):
    return reverse("public_progress:detail", args=[proposal.pk])


# --- what is public ------------------------------------------------------------------------------------


def test_registered_items_in_every_later_state_are_public_and_the_others_never(year):
    for name, proposal in year.proposals.items():
        proposal.refresh_from_db()
        assert public.is_public(proposal) == (name not in NEVER_PUBLIC), (name, proposal.state)
    expected = {p.pk for name, p in year.proposals.items() if name not in NEVER_PUBLIC}
    assert set(public.public_proposals().values_list("pk", flat=True)) == expected


@pytest.mark.parametrize("name", NEVER_PUBLIC)
def test_an_item_never_registered_answers_404_and_the_404_is_audited(client, year, name):
    before = AuditRecord.objects.filter(kind="access_refused").count()
    assert client.get(detail_url(year.p(name))).status_code == 404
    assert AuditRecord.objects.filter(kind="access_refused").count() == before + 1
    assert year.p(name).title not in listed(client)


def test_a_withheld_item_is_neither_listed_nor_shown(client, year):
    c1 = year.p("c1")
    assert c1.title in listed(client)
    ps.withhold_from_public(proposal=c1, by=year.staff, reason="涉及个人隐私")
    assert client.get(detail_url(c1)).status_code == 404
    assert c1.title not in listed(client)
    ps.release_to_public(proposal=year.p("c1"), by=year.staff)
    assert client.get(detail_url(c1)).status_code == 200


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("reg1", "已立案，等待交办"),
        ("asg1", "承办单位正在办理"),
        ("hnd1", "承办单位正在办理"),
        ("rep1", "已答复，等待代表评价"),
        ("reh1", "重新办理中"),
        ("c1", "已办结"),
    ],
)
def test_the_state_reads_in_plain_words(client, year, name, words):
    proposal = year.p(name)
    assert public.progress_label(proposal) == words
    assert words in client.get(detail_url(proposal)).content.decode()


# --- one item's page -------------------------------------------------------------------------------------


def test_the_page_shows_number_title_units_and_the_milestones_with_their_dates(client, year):
    c1 = year.p("c1")
    html = client.get(detail_url(c1)).content.decode()
    assert c1.title in html and c1.number_label in html and "教科文卫体" in html
    assert "区教育局" in html and "区财政局" in html  # the lead unit and the co-handler
    milestones = [m.text for m in public.milestones(c1)]
    assert milestones[0] == f"立案，编号第{c1.number}号"
    assert any(m.startswith("交办给区教育局（主办单位）、区财政局（协办单位）") for m in milestones)
    assert "区教育局已联系代表" in milestones
    assert "区教育局已答复" in milestones
    assert milestones[-1] == "已评价办理情况"
    assert "2025-04-01" in html  # the reply's day


def test_a_milestone_never_names_who_did_it_nor_carries_a_note(client, year):
    c1 = year.p("c1")
    html = client.get(detail_url(c1)).content.decode()
    for event in ProposalEvent.objects.filter(proposal=c1).select_related("actor"):
        if event.actor is not None and event.actor.full_name:
            assert event.actor.full_name not in html, event.action
        if len(event.note) >= 4:
            assert event.note not in html, event.action
    assert c1.lead_deputy.name not in html and c1.body not in html


def test_the_reply_is_shown_only_when_public(client, year):
    c2 = year.p("c2")
    reply = Reply.objects.get(assignment__proposal=c2, state="issued")
    assert reply.body in client.get(detail_url(c2)).content.decode()
    cache.clear()
    Reply.objects.filter(pk=reply.pk).update(is_public=False)  # the unit's choice
    html = client.get(detail_url(c2)).content.decode()
    assert reply.body not in html and "区教育局已答复" in html  # the milestone stays
    Reply.objects.filter(pk=reply.pk).update(is_public=True)
    DisclosureHold.objects.create(reply=reply, reason="涉及在办案件", held_by=year.staff)  # staff's hold
    cache.clear()
    assert reply.body not in client.get(detail_url(c2)).content.decode()


def test_an_item_not_yet_assigned_has_no_units_and_no_reply(client, year):
    html = client.get(detail_url(year.p("reg1"))).content.decode()
    assert "主办单位" not in html and "的答复" not in html


# --- the list ----------------------------------------------------------------------------------------------


def titles(html):
    return re.findall(r'<h3><a href="/public/suggestions/\d+/">([^<]+)</a></h3>', html)


def test_the_list_shows_the_latest_year_with_public_items(client, year):
    html = listed(client)
    assert "2025年" in html
    assert len(titles(html)) == 20
    assert not any(name in html for name in ("关于draft", "关于submitted"))


def test_filters_by_category_state_unit_and_type(client, year):
    by_category = titles(listed(client, category=year.categories["W"].pk))
    assert sorted(by_category) == sorted([year.p("reg1").title, year.p("c14").title])
    assert titles(listed(client, state="registered")) == [year.p("reg1").title]
    assert sorted(titles(listed(client, state="rehandling"))) == [year.p("reh1").title]
    by_unit = titles(listed(client, unit=year.units["U3"].pk))
    assert sorted(by_unit) == sorted([year.p("c11").title, year.p("c12").title])
    assert titles(listed(client, stream="proposal")) == []


def test_a_filter_that_cannot_be_read_is_left_out_and_said_so(client, year):
    html = listed(client, category="nonsense", year="1900", state="registered")
    assert "部分筛选条件无法识别" in html
    assert titles(html) == [year.p("reg1").title]  # the state still applies, in the latest year


def test_pages_turn_by_cursor_and_each_item_shows_once(client, meeting, category, deputy, staff, unit):
    rows = many_proposals(45, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    seen, query, pages = [], {}, 0
    while True:
        html = listed(client, **query)
        seen += titles(html)
        pages += 1
        found = re.search(r'<a href="\?([^"]+)" rel="next"', html)
        if not found:
            break
        query = dict(pair.split("=", 1) for pair in found.group(1).replace("&amp;", "&").split("&"))
    assert pages == 3 and len(seen) == 45 and len(set(seen)) == 45
    assert seen == [p.title for p in sorted(rows, key=lambda p: p.number)]
    # the last page's "previous" gives the second page back
    back = re.search(r'<a href="\?([^"]+)" rel="prev"', html)
    assert back is not None
    second = titles(
        client.get(reverse("public_progress:list") + "?" + back.group(1).replace("&amp;", "&")).content.decode()
    )
    assert second == seen[20:40]


def test_the_list_costs_the_same_queries_for_few_and_many_items(
    client, meeting, category, deputy, staff, unit, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0  # the page's own queries, not the cache's answer
    many_proposals(25, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    url = reverse("public_progress:list")
    few = queries_for(client, url)
    few_by_unit = queries_for(client, f"{url}?unit={unit.pk}")
    many_proposals(250, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, start=26)
    assert queries_for(client, url) == few
    assert queries_for(client, f"{url}?unit={unit.pk}") == few_by_unit
    assert queries_for(client, f"{url}?after={meeting.pk}.200") == few


def test_the_detail_costs_the_same_queries_however_long_its_story(client, year, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    short = queries_for(client, detail_url(year.p("rep1")))
    long = queries_for(client, detail_url(year.p("c11")))  # re-handled: twice the steps, two replies
    assert short == long


# --- staff withhold an item ---------------------------------------------------------------------------------


def test_staff_withhold_an_item_with_a_reason_and_the_trail_says_who(client, year):
    c4 = year.p("c4")
    client.force_login(year.staff)
    answer = client.post(reverse("proposals:withhold_public", args=[c4.pk]), {"withhold-reason": "涉及个人隐私"})
    assert answer.status_code == 302
    c4.refresh_from_db()
    assert c4.withheld_at is not None and c4.withheld_reason == "涉及个人隐私"
    event = ProposalEvent.objects.get(proposal=c4, action="withhold_public")
    assert event.actor == year.staff and event.note == "涉及个人隐私"
    staff_page = client.get(reverse("proposals:detail", args=[c4.pk])).content.decode()
    assert "不在公开页面显示" in staff_page and "涉及个人隐私" in staff_page
    client.post(reverse("proposals:release_public", args=[c4.pk]))
    c4.refresh_from_db()
    assert c4.withheld_at is None and ProposalEvent.objects.filter(proposal=c4, action="release_public").exists()


def test_withholding_needs_a_reason_and_keeps_nothing_half_done(client, year):
    c4 = year.p("c4")
    client.force_login(year.staff)
    answer = client.post(reverse("proposals:withhold_public", args=[c4.pk]), {"withhold-reason": ""})
    assert answer.status_code == 400 and "这个字段是必填项" in answer.content.decode()
    c4.refresh_from_db()
    assert c4.withheld_at is None


def test_only_its_bodys_staff_may_withhold_it(client, year):
    c4 = year.p("c4")
    handler = year.handlers["U1"]
    with pytest.raises(ProposalError):
        ps.withhold_from_public(proposal=c4, by=handler, reason="x")
    client.force_login(f.UserFactory(username="p_staff", role=Role.PROPOSALS_STAFF))
    before = AuditRecord.objects.filter(kind="access_refused").count()
    answer = client.post(reverse("proposals:withhold_public", args=[c4.pk]), {"withhold-reason": "x"})
    assert answer.status_code == 404
    assert AuditRecord.objects.filter(kind="access_refused").count() == before + 1
    c4.refresh_from_db()
    assert c4.withheld_at is None and not ProposalEvent.objects.filter(action="withhold_public").exists()


def test_withholding_twice_or_releasing_what_is_shown_is_refused_with_a_message(year):
    c4 = year.p("c4")
    with pytest.raises(ProposalError):
        ps.release_to_public(proposal=c4, by=year.staff)
    ps.withhold_from_public(proposal=c4, by=year.staff, reason="x")
    with pytest.raises(ProposalError):
        ps.withhold_from_public(proposal=year.p("c4"), by=year.staff, reason="y")


# --- the guard: cache and rate limit ---------------------------------------------------------------------------


def test_anonymous_visitors_are_served_from_the_cache_and_signed_in_people_never(client, year):
    c1 = year.p("c1")
    first = client.get(detail_url(c1)).content.decode()
    Proposal.objects.filter(pk=c1.pk).update(title="改过的标题")
    assert client.get(detail_url(c1)).content.decode() == first  # kept for PUBLIC_CACHE_SECONDS
    client.force_login(year.staff)
    signed_in = client.get(detail_url(c1)).content.decode()
    assert "改过的标题" in signed_in and "周工作" in signed_in  # fresh, with the staff's own header
    client.logout()
    again = client.get(detail_url(c1)).content.decode()
    assert again == first and "周工作" not in again


def test_a_signed_in_view_never_reaches_the_cache(client, year):
    client.force_login(year.staff)
    mine = listed(client)
    assert "周工作" in mine
    client.logout()
    theirs = listed(client)
    assert "周工作" not in theirs and "退出" not in theirs


def test_a_staff_withholding_shows_at_once_to_the_public(client, year):
    c1 = year.p("c1")
    assert client.get(detail_url(c1)).status_code == 200  # now in the cache
    ps.withhold_from_public(proposal=c1, by=year.staff, reason="x")
    assert client.get(detail_url(c1)).status_code == 404


def test_too_many_requests_from_one_address_answer_429_in_chinese(client, year, settings):
    settings.PUBLIC_RATE = (3, 60)
    for _ in range(3):
        assert client.get(reverse("public_progress:list")).status_code == 200
    refused = client.get(reverse("public_progress:list"))
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "请求过于频繁" in refused.content.decode()
    assert client.get(reverse("disclosure:replies")).status_code == 429  # every public page counts
    other = client.get(reverse("public_progress:list"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
    client.force_login(year.staff)  # signed-in people are not counted
    assert client.get(reverse("public_progress:list")).status_code == 200


def test_behind_a_proxy_the_visitor_is_counted_by_the_header_it_sets(client, year, settings):
    settings.PUBLIC_RATE = (1, 60)
    settings.PUBLIC_CLIENT_IP_HEADER = "X-Real-IP"
    url = reverse("public_progress:list")
    assert client.get(url, HTTP_X_REAL_IP="203.0.113.5").status_code == 200
    assert client.get(url, HTTP_X_REAL_IP="203.0.113.5").status_code == 429
    assert client.get(url, HTTP_X_REAL_IP="203.0.113.6").status_code == 200
