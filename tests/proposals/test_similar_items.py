"""Similar items: their ranking, what each viewer may read of them, the drafting hint's route,
the repeated mark and merge hint, and search on the text index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals import textindex
from proposals.models import Proposal
from proposals.similarity import document_tokens, shared_words, tokenize
from tests import factories as f
from tests.workflow import Cast, advance

pytestmark = pytest.mark.django_db

TRAFFIC = ("关于缓解学校周边上下学交通拥堵的建议", "东城实验小学门口上学放学时段家长车辆乱停乱放，道路严重拥堵。")
TRAFFIC_AGAIN = (
    "关于缓解学校周边交通拥堵的建议",
    "上下学时段学校门口接送车辆拥堵，建议增派警力疏导，设置即停即走车位。",
)
LIBRARY = ("关于延长区图书馆开放时间的建议", "区图书馆晚上和周一闭馆，上班族和学生借书不方便。")
SECRET_BODY = "此处为代表未公开的调研细节，涉及个人信息"


def hint(client, title, body):
    return client.post(reverse("proposals:similar_hint"), {"title": title, "body": body})


def replied_last_year(deputy, meeting, cast):
    """`deputy`'s suggestion on the traffic matter at last year's meeting, replied to."""
    earlier = f.MeetingFactory(year=meeting.year - 1, number=meeting.number - 1, name="十七届人大四次会议")
    theirs = f.ProposalFactory(lead_deputy=deputy, meeting=earlier, title=TRAFFIC[0], body=TRAFFIC[1])
    advance(theirs, "replied", cast)
    return earlier, theirs


def test_tokens_are_character_pairs_without_the_boilerplate():
    assert tokenize("关于加快加装电梯的建议") == ["加装", "装电", "电梯"]
    assert tokenize("配置AED和5G") == ["配置", "aed", "和", "5g"]
    assert document_tokens("学校拥堵", "拥堵")[:3] == ["学校", "校拥", "拥堵"]


def test_shared_words_are_the_longest_common_runs():
    words = shared_words("关于缓解学校周边交通拥堵的建议", "整治学校周边交通秩序")
    assert "学校周边交通" in words


def test_the_ranking_is_deterministic_by_score_then_id(deputy, staff, meeting, category):
    made = [f.ProposalFactory(meeting=meeting, category=category, title=TRAFFIC[0], body=TRAFFIC[1]) for _ in range(3)]
    for p in made:
        Proposal.objects.filter(pk=p.pk).update(state="registered")
    first = textindex.similar_items(title=TRAFFIC_AGAIN[0], body=TRAFFIC_AGAIN[1], user=staff)
    again = textindex.similar_items(title=TRAFFIC_AGAIN[0], body=TRAFFIC_AGAIN[1], user=staff)
    assert [i.proposal.pk for i in first] == [i.proposal.pk for i in again] == sorted(p.pk for p in made)
    assert len({i.score for i in first}) == 1


def test_a_deputy_sees_only_the_title_of_anothers_registered_suggestion(client, deputy, other_deputy, meeting):
    theirs = f.ProposalFactory(
        lead_deputy=other_deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1] + SECRET_BODY
    )
    Proposal.objects.filter(pk=theirs.pk).update(state="registered", number=1)
    client.force_login(deputy.user)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert theirs.title in html
    assert SECRET_BODY not in html and "东城实验小学" not in html
    assert reverse("proposals:mine_detail", args=[theirs.pk]) not in html
    assert other_deputy.name not in html


def test_a_deputy_never_sees_anothers_draft_or_submitted_suggestion(client, deputy, other_deputy, meeting):
    f.ProposalFactory(lead_deputy=other_deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    submitted = f.ProposalFactory(lead_deputy=other_deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    Proposal.objects.filter(pk=submitted.pk).update(state="submitted")
    client.force_login(deputy.user)
    assert TRAFFIC[0] not in hint(client, *TRAFFIC_AGAIN).content.decode()


def test_a_deputy_sees_their_own_suggestion_in_full_with_a_link(client, deputy, meeting):
    mine = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    client.force_login(deputy.user)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert reverse("proposals:mine_detail", args=[mine.pk]) in html
    assert "%" in html


def test_an_earlier_reply_shows_its_class_and_only_when_public_for_others(
    client, deputy, other_deputy, cast: Cast, meeting, result_b
):
    earlier, theirs = replied_last_year(deputy, meeting, cast)
    client.force_login(other_deputy.user)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert theirs.title in html and str(earlier.year) in html and "答复正文" in html
    theirs.assignments.get().replies.update(is_public=False)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert theirs.title in html and "答复正文" not in html


def test_only_the_standing_reply_is_shown_and_an_earlier_round_never_stands_in_for_it(
    client, deputy, other_deputy, staff, cast: Cast, meeting, result_b
):
    from handling.models import Reply

    _, theirs = replied_last_year(deputy, meeting, cast)
    first = theirs.assignments.get().replies.get()
    second = Reply.objects.create(
        assignment=first.assignment,
        round=2,
        state=Reply.State.ISSUED,
        body="重新办理后的新答复",
        is_public=False,
        created_by=staff,
    )
    client.force_login(other_deputy.user)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert theirs.title in html and "答复正文" not in html and "重新办理后的新答复" not in html
    Reply.objects.filter(pk=second.pk).update(is_public=True)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert "重新办理后的新答复" in html and "答复正文" not in html


def test_an_earlier_reply_held_back_by_staff_is_not_shown_to_other_deputies(
    client, deputy, other_deputy, staff, cast: Cast, meeting, result_b
):
    from reports.models import DisclosureHold

    _, theirs = replied_last_year(deputy, meeting, cast)
    reply = theirs.assignments.get().replies.get()
    DisclosureHold.objects.create(reply=reply, reason="涉及个人隐私", held_by=staff)
    client.force_login(other_deputy.user)
    html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert theirs.title in html and "答复正文" not in html
    client.force_login(deputy.user)
    assert "答复正文" in hint(client, *TRAFFIC_AGAIN).content.decode()


def test_a_suggestion_withheld_from_the_public_is_not_named_to_other_deputies(
    client, deputy, other_deputy, member, staff, cast: Cast, meeting
):
    from proposals.services import release_to_public, withhold_from_public

    _, theirs = replied_last_year(deputy, meeting, cast)
    withhold_from_public(proposal=theirs, by=staff, reason="涉及在办信访事项")
    for who in (other_deputy.user, member.user):
        client.force_login(who)
        assert theirs.title not in hint(client, *TRAFFIC_AGAIN).content.decode()
    client.force_login(deputy.user)  # its own deputy still sees it
    assert theirs.title in hint(client, *TRAFFIC_AGAIN).content.decode()
    release_to_public(proposal=theirs, by=staff)
    client.force_login(other_deputy.user)
    assert theirs.title in hint(client, *TRAFFIC_AGAIN).content.decode()


def test_a_unit_sees_only_the_suggestions_assigned_to_it(cast: Cast, deputy, other_unit_handler, meeting):
    mine = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    advance(mine, "assigned", cast)
    other = f.ProposalFactory(meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    Proposal.objects.filter(pk=other.pk).update(state="registered")
    seen = textindex.similar_items(title=TRAFFIC_AGAIN[0], body=TRAFFIC_AGAIN[1], user=cast.handler)
    assert [i.proposal.pk for i in seen] == [mine.pk]
    assert textindex.similar_items(title=TRAFFIC_AGAIN[0], body=TRAFFIC_AGAIN[1], user=other_unit_handler) == []


def test_the_hint_runs_a_fixed_number_of_queries(client, deputy, other_deputy, meeting):
    def make(n):
        for _ in range(n):
            p = f.ProposalFactory(lead_deputy=other_deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
            Proposal.objects.filter(pk=p.pk).update(state="registered", number=p.pk)

    client.force_login(deputy.user)
    make(1)

    with CaptureQueriesContext(connection) as one:
        hint(client, *TRAFFIC_AGAIN)
    make(4)
    with CaptureQueriesContext(connection) as five:
        html = hint(client, *TRAFFIC_AGAIN).content.decode()
    assert html.count('class="similar-item"') == 5

    def ours(queries):  # without the session's own bookkeeping
        return [q for q in queries.captured_queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]]

    assert len(ours(five)) == len(ours(one))


def test_the_hint_is_for_deputies_only_and_posted(client, staff, deputy):
    client.force_login(staff)
    assert hint(client, *TRAFFIC_AGAIN).status_code == 404
    client.force_login(deputy.user)
    assert client.get(reverse("proposals:similar_hint"), {"title": TRAFFIC[0], "body": TRAFFIC[1]}).status_code == 405


def test_review_marks_a_matter_raised_in_earlier_years_and_offers_merging(client, staff, meeting, other_deputy):
    earlier = f.MeetingFactory(year=meeting.year - 1, number=meeting.number - 1, name="十七届人大四次会议")
    old = f.ProposalFactory(meeting=earlier, title=TRAFFIC[0], body=TRAFFIC[1])
    twin = f.ProposalFactory(meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    Proposal.objects.filter(pk__in=[old.pk, twin.pk]).update(state="registered")
    Proposal.objects.filter(pk=old.pk).update(state="closed")
    new = f.ProposalFactory(meeting=meeting, lead_deputy=other_deputy, title=TRAFFIC_AGAIN[0], body=TRAFFIC_AGAIN[1])
    Proposal.objects.filter(pk=new.pk).update(state="submitted")
    client.force_login(staff)
    html = client.get(reverse("proposals:review", args=[new.pk])).content.decode()
    assert "repeat-mark" in html and str(earlier.year) in html
    assert reverse("proposals:detail", args=[twin.pk]) in html and "并案" in html


def test_search_finds_by_title_words_number_deputy_and_unit(
    client, staff, cast: Cast, deputy, meeting, django_capture_on_commit_callbacks
):
    school = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=TRAFFIC[0], body=TRAFFIC[1])
    library = f.ProposalFactory(lead_deputy=deputy, meeting=meeting, title=LIBRARY[0], body=LIBRARY[1] + "学校")
    with django_capture_on_commit_callbacks(execute=True):
        advance(school, "assigned", cast)
        advance(library, "registered", cast)
    school.refresh_from_db()
    base = Proposal.objects.all()
    assert list(textindex.search(base, "交通拥堵")) == [school]
    assert list(textindex.search(base, f"第{school.number}号")) == [school]
    assert list(textindex.search(base, school.number_label)) == [school]
    assert list(textindex.search(base, f"第{school.number:04d}号")) == [school]  # as a proposal's is written
    assert list(textindex.search(base, cast.unit.name)) == [school]
    assert school in textindex.search(base, school.lead_deputy.name)
    ranked = textindex.search(base, "学校").order_by("-search_rank", "pk")
    assert list(ranked) == [school, library]  # in the title weighs more than in the body


def test_the_list_marks_the_searched_words_in_titles(client, staff, meeting):
    school = f.ProposalFactory(meeting=meeting, title="关于<b>缓解</b>学校周边交通拥堵的建议", body=TRAFFIC[1])
    Proposal.objects.filter(pk=school.pk).update(state="registered")
    client.force_login(staff)
    html = client.get(reverse("proposals:list"), {"q": "交通拥堵"}).content.decode()
    assert '<mark class="hit">交通拥堵</mark>' in html
    assert "&lt;b&gt;缓解&lt;/b&gt;" in html  # the rest of the title stays escaped
