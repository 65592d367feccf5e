"""The menu offers each person the pages their rules let them open, and only those: every link
a person is shown opens, and the lists the rules give a person are in their menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PEOPLE = [
    "staff",
    "proposals_staff",
    "supervision",
    "leader",
    "committee_member",
    "unit_handler",
    "unit_head",
    "admin_user",
]


def menu(client, user) -> list[str]:
    client.force_login(user)
    return [item["url"] for item in client.get("/", follow=True).context["nav_items"]]


@pytest.mark.parametrize("who", PEOPLE)
def test_every_link_in_a_persons_menu_opens_for_them(client, request, who):
    user = request.getfixturevalue(who)
    for url in menu(client, user):
        if url.startswith("/admin/"):
            continue  # Django's admin, with its own login
        assert client.get(url).status_code == 200, (who, url)


@pytest.mark.parametrize("who", ["leader", "committee_member", "supervision", "staff", "unit_handler"])
def test_whoever_may_read_the_follow_up_and_urging_lists_finds_them_in_the_menu(client, request, who):
    links = menu(client, request.getfixturevalue(who))
    assert reverse("supervision:followup") in links and reverse("supervision:urging_list") in links
