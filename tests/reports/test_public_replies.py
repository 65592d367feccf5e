"""The public page: no login, replies the unit allowed and staff did not hold back, of replied
suggestions, by year and category, with search; never a deputy's contact data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deputies.models import AuditRecord, Role
from handling.models import Reply
from handling.rules import public_replies
from proposals.models import Proposal
from proposals.services import release_to_public, withhold_from_public
from proposals.states import REPLIED_STATES, ProposalState
from reports import views
from reports.models import DisclosureHold
from tests.factories import MeetingFactory, UserFactory
from tests.pages import many_proposals, many_public_replies, queries_for
from tests.reports.crafted import YEAR

pytestmark = pytest.mark.django_db


def reply_of(year, name):
    return Reply.objects.filter(assignment__proposal=year.p(name), state="issued").order_by("-round").first()


def listed(client, **params):
    return client.get(reverse("disclosure:replies"), params).content.decode()


def test_anyone_reads_the_replies_without_logging_in(client, year):
    page = listed(client)
    assert "建议提案办理结果公开" in page
    assert "关于c1事项的建议" in page and "c1的答复正文。" in page and "区教育局" in page
    # 17 replied suggestions, c13 with two units' replies and c11 with its second reply shown
    assert page.count('class="card public-item"') == 19


def test_what_is_not_public_is_not_shown(client, year):
    Reply.objects.filter(pk=reply_of(year, "c2").pk).update(is_public=False)  # the unit's choice
    DisclosureHold.objects.create(reply=reply_of(year, "c3"), reason="涉及个人隐私", held_by=year.staff)  # staff's
    Proposal.objects.filter(pk=year.p("c4").pk).update(state="in_handling")  # not replied (any more)
    page = listed(client)
    for hidden in ("c2", "c3", "c4"):
        assert f"关于{hidden}事项的建议" not in page
        pk = reply_of(year, hidden).pk
        assert client.get(reverse("disclosure:reply", args=[pk])).status_code == 404
    assert "关于c5事项的建议" in page


def test_a_suggestion_withheld_from_the_public_takes_its_replies_with_it(client, year):
    c5, reply = year.p("c5"), reply_of(year, "c5")
    withhold_from_public(proposal=c5, by=year.staff, reason="涉及个人隐私")
    assert "关于c5事项的建议" not in listed(client)
    assert client.get(reverse("disclosure:reply", args=[reply.pk])).status_code == 404
    assert client.get(f"/api/v1/public/replies/{reply.pk}/").status_code == 404
    assert reply.pk not in {r["id"] for r in client.get("/api/v1/public/replies/", {"year": YEAR}).json()["results"]}
    release_to_public(proposal=Proposal.objects.get(pk=c5.pk), by=year.staff)
    assert "关于c5事项的建议" in listed(client)
    assert client.get(reverse("disclosure:reply", args=[reply.pk])).status_code == 200


def test_a_reply_is_public_only_while_its_suggestion_is_replied_to_and_public(year):
    """The one rule every page that shows a reply to the public reads (the public pages, the API,
    the public progress page, the similar suggestions beside a deputy's draft): a unit's issued
    reply waits while the suggestion is handled (another unit may still be answering)."""
    c1, reply = year.p("c1"), reply_of(year, "c1")
    for state in ProposalState:
        Proposal.objects.filter(pk=c1.pk).update(state=state)
        assert public_replies().filter(pk=reply.pk).exists() == (state in REPLIED_STATES), state


def test_no_deputy_contact_data_is_shown(client, year):
    reply = reply_of(year, "c1")
    Reply.objects.filter(pk=reply.pk).update(contact_person="张科长", contact_phone="0571-87654321")
    deputy = year.p("c1").lead_deputy
    for page in (listed(client), client.get(reverse("disclosure:reply", args=[reply.pk])).content.decode()):
        assert deputy.phone not in page and deputy.name not in page
        assert "0571-87654321" not in page and "张科长" not in page


def test_search_by_title_number_unit_and_words_of_the_reply(client, year):
    assert "关于c12事项的建议" in listed(client, q="c12事项")
    by_number = listed(client, q=f"第{year.p('c12').number}号")
    assert "关于c12事项的建议" in by_number and "关于c1事项的建议" not in by_number
    by_unit = listed(client, q="农业农村局")
    assert "关于c11事项的建议" in by_unit and "关于c1事项的建议" not in by_unit
    assert "关于c7事项的建议" in listed(client, q="c7的答复")
    assert "没有符合条件的答复" in listed(client, q="没有这样的话")


def test_search_words_separated_by_spaces_each_match_somewhere(client, year):
    both = listed(client, q="c11事项 农业农村局")  # one word in the title, one in the unit
    assert "关于c11事项的建议" in both and "关于c12事项的建议" not in both


def test_filter_by_year_and_category(client, year):
    x_only = listed(client, year=YEAR, category=year.categories["W"].pk)
    assert "关于c14事项的建议" in x_only and "关于c1事项的建议" not in x_only
    assert listed(client, year=YEAR).count('class="card public-item"') == 19


def test_the_detail_shows_units_and_the_whole_reply(client, year):
    reply = reply_of(year, "c1")
    page = client.get(reverse("disclosure:reply", args=[reply.pk])).content.decode()
    assert "c1的答复正文。" in page and "区财政局" in page and "已经解决或基本解决" in page


def test_staff_hold_a_reply_back_and_publish_it_again(client, year):
    reply = reply_of(year, "c5")
    client.force_login(year.staff)
    assert "关于c5事项的建议" in client.get(reverse("reports:disclosure")).content.decode()
    refused = client.post(reverse("reports:disclosure_hold", args=[reply.pk]), {"reason": ""}, follow=True)
    assert "请填写暂缓公开的理由" in refused.content.decode() and not DisclosureHold.objects.exists()
    client.post(reverse("reports:disclosure_hold", args=[reply.pk]), {"reason": "涉及在办案件"})
    assert DisclosureHold.objects.get(reply=reply).held_by == year.staff
    client.logout()
    assert "关于c5事项的建议" not in listed(client)
    client.force_login(year.staff)
    client.post(reverse("reports:disclosure_release", args=[reply.pk]))
    client.logout()
    assert "关于c5事项的建议" in listed(client)


def test_only_staff_hold_replies_back(client, year):
    handler = year.handlers["U1"]
    client.force_login(handler)
    reply = reply_of(year, "c5")
    assert client.post(reverse("reports:disclosure_hold", args=[reply.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("reports:disclosure")).status_code == 404
    assert not DisclosureHold.objects.exists()
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=handler).count() == 2


def test_one_bodys_staff_neither_hold_nor_release_nor_count_the_other_bodys_replies(client, year):
    reply = reply_of(year, "c5")  # a deputy's suggestion: the congress's
    Reply.objects.filter(pk=reply_of(year, "c2").pk).update(is_public=False)  # its unit's choice
    client.force_login(UserFactory(username="p_staff", role=Role.PROPOSALS_STAFF))
    refused = AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED)
    before = refused.count()
    assert client.post(reverse("reports:disclosure_hold", args=[reply.pk]), {"reason": "x"}).status_code == 404
    assert not DisclosureHold.objects.exists()
    DisclosureHold.objects.create(reply=reply, reason="涉及在办案件", held_by=year.staff)
    assert client.post(reverse("reports:disclosure_release", args=[reply.pk])).status_code == 404
    assert DisclosureHold.objects.filter(reply=reply).exists()
    assert refused.count() == before + 2
    assert client.get(reverse("reports:disclosure")).context["unit_withheld"] == 0
    client.force_login(year.staff)
    assert client.get(reverse("reports:disclosure")).context["unit_withheld"] == 1


def test_staff_see_one_year_of_public_replies_the_latest_with_any_unless_they_choose(client, year):
    MeetingFactory(year=YEAR + 1)  # its suggestions are not replied to yet
    client.force_login(year.staff)
    page = client.get(reverse("reports:disclosure"))
    assert page.context["year"] == YEAR and page.context["page"].paginator.count == 19
    assert f'<option value="{YEAR}" selected>' in page.content.decode() and f"{YEAR}年正在公开" in page.content.decode()
    later = client.get(reverse("reports:disclosure"), {"year": YEAR + 1})
    assert later.context["page"].paginator.count == 0 and "关于c5事项的建议" not in later.content.decode()


# --- one year at a time, turned by keyset -------------------------------------------------------------


def shown(page) -> list[int]:
    return [reply.pk for reply in page.context["replies"]]


def test_without_a_year_the_latest_year_with_public_replies_is_shown(client, year):
    MeetingFactory(year=YEAR + 1)  # its suggestions are not replied to yet
    page = client.get(reverse("disclosure:replies"))
    assert page.context["year"] == YEAR
    assert len(shown(page)) == 19
    assert f'<option value="{YEAR}" selected>' in page.content.decode()


def test_pages_turn_forward_and_back_by_the_last_and_first_reply(client, year, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 5)
    ordered = public_replies().filter(assignment__proposal__meeting__year=YEAR)
    everything = list(ordered.order_by(*views.PUBLIC_ORDER).values_list("pk", flat=True))
    pages, page = [], client.get(reverse("disclosure:replies"))
    while True:
        pages.append(shown(page))
        if page.context["next_query"] is None:
            break
        page = client.get(f"{reverse('disclosure:replies')}?{page.context['next_query']}")
    assert [len(p) for p in pages] == [5, 5, 5, 4]
    assert [pk for p in pages for pk in p] == everything
    back = []
    while page.context["previous_query"] is not None:
        page = client.get(f"{reverse('disclosure:replies')}?{page.context['previous_query']}")
        back.append(shown(page))
    assert back == pages[-2::-1]  # the same pages, in reverse
    assert page.context["next_query"] is not None


def test_a_malformed_cursor_shows_the_first_page(client, year, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_PAGE_SIZE", 5)
    first = shown(client.get(reverse("disclosure:replies")))
    assert shown(client.get(reverse("disclosure:replies"), {"after": "1.x.3"})) == first
    assert shown(client.get(reverse("disclosure:replies"), {"before": "-1.0.0"})) == first


def test_the_query_count_does_not_grow_with_the_replies(
    client, meeting, category, deputy, staff, unit, result_a, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0  # the pages' own queries, not the cache's answer
    rows = many_proposals(25, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit)
    many_public_replies(rows, staff, result_a)
    few = queries_for(client, reverse("disclosure:replies"))
    rows = many_proposals(250, meeting=meeting, category=category, deputy=deputy, staff=staff, unit=unit, start=26)
    many_public_replies(rows, staff, result_a)
    assert queries_for(client, reverse("disclosure:replies")) == few
    assert queries_for(client, f"{reverse('disclosure:replies')}?after=30.0.0") == few


def test_holding_back_a_merged_groups_reply_holds_back_its_copies_and_letting_it_out_them_too(
    client, cast, deputy, meeting, staff
):
    from handling import services as hs
    from proposals import services as ps
    from tests.factories import DeputyFactory, ProposalFactory
    from tests.workflow import advance, reply_and_issue

    main = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting), ProposalState.REGISTERED, cast)
    second = DeputyFactory(name="周敏")
    member = ProposalFactory(lead_deputy=second, meeting=meeting)
    ps.submit_proposal(proposal=member, by=second.user)
    ps.register_proposal(proposal=member, by=staff)
    ps.merge_proposals(main=main, members=[member], by=staff)
    hs.assign_proposal(proposal=main, by=staff, lead_unit=cast.unit)
    hs.sign_assignment(assignment=main.assignments.get(), by=cast.handler)
    reply = reply_and_issue(main, cast, text="并案答复正文")
    copy = Reply.objects.get(copied_from=reply)
    group = Reply.objects.filter(pk__in=[reply.pk, copy.pk])
    assert set(public_replies(group)) == {reply, copy}
    client.force_login(staff)
    client.post(reverse("reports:disclosure_hold", args=[copy.pk]), {"reason": "涉及在办案件"})
    assert not public_replies(group).exists()
    assert client.get(reverse("disclosure:reply", args=[reply.pk])).status_code == 404
    client.post(reverse("reports:disclosure_release", args=[reply.pk]))
    assert set(public_replies(group)) == {reply, copy}
    # On each suggestion's trail, for the overseers: who held it back, why, and who let it out.
    for item in (main, member):
        held = item.events.get(action="disclosure_held")
        assert (held.actor, held.note) == (staff, "涉及在办案件")
        assert item.events.filter(action="disclosure_released", actor=staff).exists()


def test_the_api_tells_a_suggestion_from_a_proposal_of_the_same_number(client, year):
    reply = reply_of(year, "c5")
    row = next(
        r for r in client.get("/api/v1/public/replies/", {"year": YEAR}).json()["results"] if r["id"] == reply.pk
    )
    proposal = reply.assignment.proposal
    assert (row["stream"], row["number"], row["number_label"]) == (
        "suggestion",
        proposal.number,
        proposal.number_label,
    )
    assert client.get(f"/api/v1/public/replies/{reply.pk}/").json()["number_label"] == proposal.number_label


def test_a_reply_is_found_by_its_number_as_written_and_the_type_chosen(
    client, year, proposal_cast, member, cppcc_meeting
):
    from tests.factories import ProposalFactory
    from tests.workflow import advance, reply_and_issue

    c12 = year.p("c12")
    theirs = advance(
        ProposalFactory(lead_deputy=member, meeting=cppcc_meeting, title="关于文化惠民的提案"),
        ProposalState.IN_HANDLING,
        proposal_cast,
    )
    reply_and_issue(theirs, proposal_cast)
    theirs.refresh_from_db()
    Proposal.objects.filter(pk=theirs.pk).update(number=c12.number)
    label = f"第{c12.number:04d}号提案"
    by_label = listed(client, q=label, year=cppcc_meeting.year)
    assert "关于文化惠民的提案" in by_label and "关于c12事项的建议" not in by_label
    both = listed(client, q=f"第{c12.number}号", year=YEAR)
    assert "关于c12事项的建议" in both
    only = listed(client, stream="proposal", year=cppcc_meeting.year)
    assert "关于文化惠民的提案" in only and "关于c1事项的建议" not in only
    api = client.get("/api/v1/public/replies/", {"year": cppcc_meeting.year, "stream": "suggestion"}).json()
    assert "关于文化惠民的提案" not in {r["title"] for r in api["results"]}
