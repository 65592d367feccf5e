"""The login page lists the accounts a later app registered (deputies/login_page.py), only
those that exist, and only with SHOW_DEMO_LOGINS; with none registered it lists none."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from deputies import login_page
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """A registration of this test's own, the app's one put back afterwards."""
    before = login_page.listed()
    login_page.register(accounts=[("zhao", "Zhao, who exists"), ("qian", "Qian, who does not")], password="Try#2026")
    yield
    if before is None:
        login_page.clear()
    else:
        login_page.register(accounts=before.accounts, password=before.password)


def test_the_account_pages_keep_their_paths():
    assert reverse("login") == "/accounts/login/"
    assert reverse("logout") == "/accounts/logout/"
    assert reverse("password_change") == "/accounts/password/"


@override_settings(SHOW_DEMO_LOGINS=True)
def test_it_lists_the_registered_accounts_that_exist(client, registered):
    f.UserFactory(username="zhao")
    response = client.get(reverse("login"))
    assert response.context["demo_logins"] == [("zhao", "Zhao, who exists")]
    assert response.context["demo_password"] == "Try#2026"
    assert "Try#2026" in response.content.decode()


@override_settings(SHOW_DEMO_LOGINS=False)
def test_it_lists_nothing_when_the_setting_is_off(client, registered):
    f.UserFactory(username="zhao")
    response = client.get(reverse("login"))
    assert "demo_logins" not in response.context
    assert "Try#2026" not in response.content.decode()


@override_settings(SHOW_DEMO_LOGINS=True)
def test_it_lists_nothing_when_no_app_registered_accounts(client, monkeypatch):
    monkeypatch.setattr(login_page, "_listed", None)
    f.UserFactory(username="staff")
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "demo_logins" not in response.context
