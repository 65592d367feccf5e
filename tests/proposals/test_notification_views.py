"""In-app notifications: the list with its unread count, opening one (marks it read and goes
to the deputy's own page of the suggestion), marking all read; and every kind the deputy
must receive is emitted, and mailed to those with an address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from deputies.models import AuditRecord
from handling import services as hs
from handling.models import Reply
from proposals.models import Notification, ProposalState
from proposals.notify import notify
from tests.factories import ProposalFactory
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = pytest.mark.django_db
LIST = reverse("proposals:notifications")


def test_the_list_shows_my_notifications_with_the_unread_count(client, deputy, other_deputy, draft):
    notify([deputy.user], Notification.Kind.OTHER, "给我的第一条", proposal=draft)
    notify([deputy.user], Notification.Kind.OTHER, "给我的第二条", proposal=draft)
    notify([other_deputy.user], Notification.Kind.OTHER, "给别人的")
    client.force_login(deputy.user)

    response = client.get(LIST)

    html = response.content.decode()
    assert "给我的第一条" in html and "给我的第二条" in html and "给别人的" not in html
    assert response.context["unread"] == 2
    assert response.context["unread_notifications"] == 2  # the header's count
    assert [n.message for n in client.get(LIST, {"unread": "1"}).context["page"]] == ["给我的第二条", "给我的第一条"]


def test_opening_a_notice_marks_it_read_and_goes_to_my_page_of_the_suggestion(client, deputy, draft):
    [notice] = notify([deputy.user], Notification.Kind.REGISTERED, "已登记", proposal=draft)
    client.force_login(deputy.user)

    response = client.post(reverse("proposals:notification_open", args=[notice.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:mine_detail", args=[draft.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(LIST).context["unread_notifications"] == 0


def test_a_staff_notice_goes_to_the_general_page_and_a_foreign_link_is_not_followed(client, staff, draft, cast):
    proposal = advance(draft, S.SUBMITTED, cast)
    [notice] = notify([staff], Notification.Kind.OTHER, "待审查", proposal=proposal)
    [evil] = notify([staff], Notification.Kind.OTHER, "外链", url="https://evil.example.com/")
    client.force_login(staff)
    opened = client.post(reverse("proposals:notification_open", args=[notice.pk]))
    assert opened["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert client.post(reverse("proposals:notification_open", args=[evil.pk]))["Location"] == LIST


def test_nobody_opens_someone_elses_notice(client, deputy, other_deputy):
    [notice] = notify([deputy.user], Notification.Kind.OTHER, "私人的")
    client.force_login(other_deputy.user)
    assert client.post(reverse("proposals:notification_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client, deputy, other_deputy):
    notify([deputy.user, other_deputy.user], Notification.Kind.OTHER, "群发")
    notify([deputy.user], Notification.Kind.OTHER, "单发")
    client.force_login(deputy.user)
    response = client.post(reverse("proposals:notifications_read_all"))
    assert response.status_code == 302
    assert not deputy.user.notifications.filter(read_at__isnull=True).exists()
    assert other_deputy.user.notifications.filter(read_at__isnull=True).count() == 1


def test_opening_needs_a_post(client, deputy):
    [notice] = notify([deputy.user], Notification.Kind.OTHER, "x")
    client.force_login(deputy.user)
    assert client.get(reverse("proposals:notification_open", args=[notice.pk])).status_code == 405


def test_the_deputy_is_told_of_every_step_in_app_and_by_mail(deputy, draft, cast, django_capture_on_commit_callbacks):
    """registered, returned, assigned, contact recorded, reply issued, re-handling reply issued."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal = advance(draft, S.RETURNED, cast)
        proposal = advance(proposal, S.IN_HANDLING, cast)  # resubmitted, registered, assigned, signed
        hs.record_contact(
            assignment=proposal.assignments.get(),
            by=cast.handler,
            kind="phone",
            stage="before",
            contact_date=dt.date.today(),
            people="王建国",
            summary="电话沟通",
        )
        reply_and_issue(proposal, cast)
        hs.rate_reply(
            final=True,
            reply=Reply.objects.get(assignment__proposal=proposal, round=1),
            by=deputy.user,
            attitude="basic",
            result="unsatisfied",
            comment="没解决",
        )
        proposal.refresh_from_db()
        reply_and_issue(proposal, cast, text="重新办理后的答复")

    kinds = list(deputy.user.notifications.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["returned", "registered", "assigned", "contact", "reply_issued", "rehandling_reply"]
    mailed = [m for m in mail.outbox if m.to == ["deputy@example.cn"]]
    assert len(mailed) == len(kinds)
    assert all(n.emailed_at for n in deputy.user.notifications.all())


@pytest.mark.parametrize("rows", [10, 200])
def test_the_list_takes_a_fixed_number_of_queries(
    client, deputy, meeting, category, rows, django_assert_max_num_queries
):
    proposal = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)
    Notification.objects.bulk_create(
        [Notification(recipient=deputy.user, kind="other", message=f"第{i}条", proposal=proposal) for i in range(rows)]
    )
    client.force_login(deputy.user)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.context["unread"] == rows


def test_a_notice_about_a_suggestion_gone_to_another_unit_says_so_instead_of_not_found(
    client, draft, cast, staff, unit_handler, other_unit
):
    proposal = advance(draft, S.ASSIGNED, cast)
    notice = Notification.objects.filter(recipient=unit_handler, proposal=proposal).latest("pk")
    asked = hs.request_reassignment(assignment=proposal.assignments.get(), by=unit_handler, reason="不属于本单位职责")
    hs.decide_reassignment(request=asked, by=staff, accept=True, new_unit=other_unit)
    client.force_login(unit_handler)
    opened = client.post(reverse("proposals:notification_open", args=[notice.pk]), follow=True)
    assert opened.redirect_chain[-1][0] == LIST
    assert "已不由您单位办理" in opened.content.decode()
    assert not AuditRecord.objects.filter(kind="access_refused", user=unit_handler).exists()
