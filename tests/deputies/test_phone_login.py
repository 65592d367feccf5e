"""The pages: 短信验证码登录 (number → code → signed in), 忘记密码 (number → code → a new password
under the password rules), and the second step of a two-factor login (TWO_FACTOR_ROLES)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from deputies.models import AuditRecord, User
from tests import factories as f
from tests.factories import PASSWORD
from tests.sms import CapturingSender

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captured_sms")]
SMS_LOGIN = "/accounts/login/sms/"
RESET = "/accounts/password/reset/"
NEW_PASSWORD = "Qingshui#River42"


def test_the_login_page_offers_the_code_login_and_the_reset(client):
    text = client.get("/accounts/login/").content.decode()
    assert "短信验证码登录" in text and "忘记密码" in text and SMS_LOGIN in text and RESET in text


def test_a_deputy_logs_in_with_a_code(client, deputy):
    sent = client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    assert sent.status_code == 200
    page = sent.content.decode()
    assert "验证码已发送至该号码" in page and deputy.phone in page  # the number stays in the form
    code = CapturingSender.last_code(deputy.phone)
    response = client.post(SMS_LOGIN, {"phone": deputy.phone, "code": code, "next": "/proposals/mine/"})
    assert response.status_code == 302 and response["Location"] == "/proposals/mine/"
    assert client.get("/").wsgi_request.user == deputy.user
    login = AuditRecord.objects.get(kind=AuditRecord.Kind.LOGIN)
    assert login.user == deputy.user and login.detail == "短信验证码"


def test_an_unknown_number_gets_the_same_page_as_a_known_one(client, deputy):
    known = client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"}).content.decode()
    unknown = client.post(SMS_LOGIN, {"phone": "13712345678", "send": "1"}).content.decode()
    token = 'name="csrfmiddlewaretoken" value="'

    def without_varying_parts(text: str, phone: str) -> str:
        text = text.replace(phone, "PHONE")
        start = text.find(token)
        return text[:start] + text[text.find('"', start + len(token)) :] if start >= 0 else text

    assert without_varying_parts(known, deputy.phone) == without_varying_parts(unknown, "13712345678")


def test_a_wrong_code_is_explained_and_keeps_the_number(client, deputy):
    client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    code = CapturingSender.last_code(deputy.phone)
    response = client.post(SMS_LOGIN, {"phone": deputy.phone, "code": "000000" if code != "000000" else "111111"})
    text = response.content.decode()
    assert response.status_code == 400 and "验证码错误或已过期" in text and deputy.phone in text
    assert not response.wsgi_request.user.is_authenticated


def test_a_bad_number_is_explained(client):
    response = client.post(SMS_LOGIN, {"phone": "12345", "send": "1"})
    assert response.status_code == 400 and "11 位手机号码" in response.content.decode()
    assert CapturingSender.sent == []


def test_asking_again_within_the_minute_is_refused_with_the_wait(client, deputy):
    client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    again = client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    assert again.status_code == 400 and "秒后再试" in again.content.decode()
    assert len(CapturingSender.to(deputy.phone)) == 1


def test_five_wrong_codes_lock_the_account_for_the_password_too(client, deputy):
    client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    code = CapturingSender.last_code(deputy.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        client.post(SMS_LOGIN, {"phone": deputy.phone, "code": wrong})
    locked = client.post(SMS_LOGIN, {"phone": deputy.phone, "code": code})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert client.post("/accounts/login/", {"username": "deputy", "password": PASSWORD}).status_code == 429
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOCKED_OUT, username="deputy").exists()


@override_settings(LOGIN_SMS=False)
def test_the_code_login_can_be_turned_off(client):
    assert client.get(SMS_LOGIN).status_code == 404
    assert client.get(RESET).status_code == 404
    assert "短信验证码登录" not in client.get("/accounts/login/").content.decode()


def test_a_forgotten_password_is_reset_with_a_code_under_the_password_rules(client, deputy):
    client.post(RESET, {"phone": deputy.phone, "send": "1"})
    code = CapturingSender.last_code(deputy.phone)
    verified = client.post(RESET, {"phone": deputy.phone, "code": code, "verify": "1"})
    assert verified.status_code == 302 and verified["Location"] == reverse("password_reset_sms_set")
    weak = client.post(verified["Location"], {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 400 and "常见" in weak.content.decode()
    old = client.post(verified["Location"], {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert old.status_code == 400  # the password history: the current one is refused
    done = client.post(verified["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    user = User.objects.get(pk=deputy.user.pk)
    assert user.check_password(NEW_PASSWORD)
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.PASSWORD_RESET, user=user).exists()
    # The step is over: the page asks for a code again.
    assert client.get(reverse("password_reset_sms_set"))["Location"] == RESET


def test_the_new_password_page_needs_a_code_checked_within_ten_minutes(client, deputy):
    assert client.get(reverse("password_reset_sms_set"))["Location"] == RESET
    client.post(RESET, {"phone": deputy.phone, "send": "1"})
    client.post(RESET, {"phone": deputy.phone, "code": CapturingSender.last_code(deputy.phone), "verify": "1"})
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert client.get(reverse("password_reset_sms_set"))["Location"] == RESET


def test_a_login_code_does_not_reset_a_password(client, deputy):
    client.post(SMS_LOGIN, {"phone": deputy.phone, "send": "1"})
    response = client.post(RESET, {"phone": deputy.phone, "code": CapturingSender.last_code(deputy.phone)})
    assert response.status_code == 400 and "验证码错误" in response.content.decode()


class TestTwoFactors:
    @pytest.fixture(autouse=True)
    def _two_factors(self):
        with override_settings(TWO_FACTOR_ROLES=["staff", "admin"]):
            yield

    @pytest.fixture
    def staff(self):
        return f.UserFactory(username="staff", role="staff", phone="13600001111")

    def test_staff_give_the_password_then_the_code(self, client, staff):
        first = client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
        assert first.status_code == 302 and first["Location"] == reverse("login_second_factor")
        assert not client.get("/").wsgi_request.user.is_authenticated
        page = client.get(first["Location"]).content.decode()
        assert "136****1111" in page
        code = CapturingSender.last_code("13600001111")
        done = client.post(first["Location"], {"code": code, "verify": "1"})
        assert done.status_code == 302
        assert client.get("/").wsgi_request.user == staff

    def test_a_wrong_second_code_counts_towards_the_lockout(self, client, staff):
        client.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
        code = CapturingSender.last_code("13600001111")
        wrong = "000000" if code != "000000" else "111111"
        response = client.post(reverse("login_second_factor"), {"code": wrong, "verify": "1"})
        assert response.status_code == 400 and "验证码错误" in response.content.decode()
        assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN_FAILED, username="staff").count() == 1

    def test_the_code_alone_does_not_sign_staff_in(self, client, staff):
        client.post(SMS_LOGIN, {"phone": "13600001111", "send": "1"})
        response = client.post(SMS_LOGIN, {"phone": "13600001111", "code": CapturingSender.last_code("13600001111")})
        assert response.status_code == 400 and "密码加验证码" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated

    def test_an_account_without_a_number_is_told_to_ask_the_administrator(self, client):
        f.UserFactory(username="admin2", role="admin")
        response = client.post("/accounts/login/", {"username": "admin2", "password": PASSWORD})
        assert response.status_code == 200 and "联系系统管理员" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated

    def test_the_second_step_without_the_first_goes_back_to_the_login(self, client):
        assert client.get(reverse("login_second_factor"))["Location"] == reverse("login")

    def test_deputies_are_not_asked_for_a_code(self, client, deputy):
        response = client.post("/accounts/login/", {"username": "deputy", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/"
