"""The demo registers its main accounts for the login page (DemoConfig.ready()): the page lists
those that exist, in the demo's order, with the one password."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from demo.accounts import MAIN_LOGINS, PASSWORD
from tests import factories as f

pytestmark = pytest.mark.django_db


@override_settings(SHOW_DEMO_LOGINS=True)
def test_the_login_page_lists_the_demo_accounts_that_exist(client):
    for username in ("deputy", "staff"):
        f.UserFactory(username=username)
    response = client.get(reverse("login"))
    assert response.context["demo_logins"] == [
        ("staff", "人大常委会代表工作委员会"),
        ("deputy", "人大代表（领衔多件建议）"),
    ]
    assert response.context["demo_password"] == PASSWORD
    html = response.content.decode()
    assert "<code>staff</code>" in html and "<code>admin</code>" not in html


@override_settings(SHOW_DEMO_LOGINS=True)
def test_every_main_login_is_listed_once_built(client):
    for username, _role, _description in MAIN_LOGINS:
        f.UserFactory(username=username)
    response = client.get(reverse("login"))
    assert response.context["demo_logins"] == [(u, description) for u, _role, description in MAIN_LOGINS]
