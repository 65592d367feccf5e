"""The error pages: 400, 403, 404 and 500 in Chinese, in the app's frame, with a way back;
Django's technical pages (DEBUG on) only for an administrator, never for anyone else; and
pages that cannot fail in turn."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from django.utils.functional import SimpleLazyObject

from deputies import errors
from deputies.models import Role, User
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urlconfs.failing")]

URLS = {400: "/fail/400/", 403: "/fail/403/", 404: "/no-such-page/", 500: "/fail/500/"}
HEADINGS = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 500: "服务器出错"}
# Django's technical 404 and 500 pages both end with this explanation.
TECHNICAL = "You’re seeing this error because you have <code>DEBUG = True</code>"


def visitor(who: str) -> Client:
    # A 500 is answered with a page, not re-raised into the test.
    client = Client(raise_request_exception=False)
    if who == "deputy":
        client.force_login(f.DeputyFactory(user=f.UserFactory(role=Role.DEPUTY)).user)
    elif who == "admin":
        client.force_login(f.UserFactory(role=Role.ADMIN))
    elif who == "superuser":
        # A superuser whatever the role field says.
        client.force_login(User.objects.create_superuser("root", password="Root#2026x", role=Role.DEPUTY))
    return client


def assert_our_page(response, status: int) -> None:
    page = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{HEADINGS[status]}</h1>" in page
    assert 'href="/"' in page and "返回首页" in page  # the way back
    assert TECHNICAL not in page and "Traceback" not in page and "secret-local-detail" not in page


@pytest.mark.parametrize("status", [400, 403, 404, 500])
@pytest.mark.parametrize("who", ["anonymous", "deputy", "admin"])
def test_with_debug_off_everyone_gets_our_page(status, who):
    assert_our_page(visitor(who).get(URLS[status]), status)


@pytest.mark.parametrize("status", [400, 403, 404, 500])
@pytest.mark.parametrize("who", ["anonymous", "deputy"])
@override_settings(DEBUG=True)
def test_with_debug_on_a_non_administrator_still_gets_our_page(status, who):
    assert_our_page(visitor(who).get(URLS[status]), status)


@pytest.mark.parametrize("status", [400, 404, 500])
@pytest.mark.parametrize("who", ["admin", "superuser"])
@override_settings(DEBUG=True)
def test_with_debug_on_an_administrator_gets_djangos_technical_page(status, who):
    response = visitor(who).get(URLS[status])
    assert response.status_code == status
    assert TECHNICAL in response.content.decode()


@override_settings(DEBUG=True)
def test_with_debug_on_403_is_our_page_even_for_an_administrator():
    # Django has no technical 403 page: the handler answers, DEBUG or not.
    assert_our_page(visitor("admin").get(URLS[403]), 403)


@override_settings(DEBUG=True)
def test_a_technical_page_asked_for_as_plain_text_is_replaced_too():
    response = visitor("deputy").get(URLS[500], HTTP_ACCEPT="application/json")
    assert_our_page(response, 500)


@override_settings(DEBUG=True)
def test_a_pages_own_400_is_left_as_it_is():
    # A form with errors answers 400 itself: that is no technical page.
    response = visitor("deputy").get("/fail/form/")
    assert (response.status_code, response.content) == (400, b"the form, with its errors marked")


def test_a_suggestion_refused_to_a_deputy_is_our_404(deputy, outsider, draft):
    client = Client()
    client.force_login(outsider)
    response = client.get(f"/proposals/{draft.pk}/")
    assert_our_page(response, 404)
    assert draft.title not in response.content.decode()
    assert "outsider" in response.content.decode()  # signed in: the frame shows who, and the menu


def test_an_expired_form_gets_our_page_that_explains_what_to_do(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/accounts/logout/")  # no CSRF token
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>页面已过期</h1>" in page and "刷新页面后重新提交" in page


def test_the_500_page_needs_neither_the_database_nor_the_request(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: 1 / 0)  # reading the user would fail
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert_our_page(response, 500)


def test_if_the_500_template_fails_a_fixed_page_answers(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors.loader, "render_to_string", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>服务器出错</h1>" in response.content.decode() and 'href="/"' in response.content.decode()


@override_settings(DEBUG=True)
def test_with_debug_on_the_middleware_answers_even_when_our_page_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the menu's query failed")

    monkeypatch.setattr(errors, "render", broken)
    response = visitor("deputy").get(URLS[404])
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.content.decode()
    assert TECHNICAL not in response.content.decode()


def test_a_user_who_cannot_be_read_is_no_administrator():
    request = RequestFactory().get("/")
    assert errors.is_administrator(request) is False  # no user at all (before the login was read)
    request.user = SimpleLazyObject(lambda: 1 / 0)  # the database is what failed
    assert errors.is_administrator(request) is False


def test_an_inactive_administrator_is_no_administrator():
    request = RequestFactory().get("/")
    request.user = f.UserFactory(role=Role.ADMIN, is_active=False)
    assert errors.is_administrator(request) is False


def test_our_error_pages_carry_the_content_security_policy():
    response = visitor("deputy").get(URLS[404])
    assert "script-src 'self'" in response["Content-Security-Policy"]
