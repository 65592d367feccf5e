"""The API's login: a phone code exchanged for a short-lived write token (hashed, listed and
revocable like a personal one), the WeChat mini-program's code exchanged with a local fake of
WeChat's jscode2session, binding and unbinding; throttling per address and per number; no 500
on odd input."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from deputies.api.auth import LoginRateThrottle
from deputies.api.tokens import digest_of
from deputies.models import ApiToken, AuditRecord, WechatBinding
from tests import factories as f
from tests.api.conftest import bearer
from tests.sms import CapturingSender

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captured_sms")]
SMS, TOKEN, WECHAT, BIND = (
    "/api/v1/auth/sms/",
    "/api/v1/auth/token/",
    "/api/v1/auth/wechat/",
    "/api/v1/auth/wechat/bind/",
)


def post(url: str, data, client: APIClient | None = None):
    return (client or APIClient()).post(url, data, format="json")


def login_token(phone: str) -> dict:
    assert post(SMS, {"phone": phone, "purpose": "login"}).status_code == 202
    response = post(TOKEN, {"phone": phone, "code": CapturingSender.last_code(phone)})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_phone_code_gives_a_two_hour_write_token_that_works_and_is_kept_hashed(deputy):
    answer = login_token(deputy.phone)
    assert answer["scope"] == "write"
    row = ApiToken.objects.get(digest=digest_of(answer["token"]))
    assert row.user == deputy.user and row.name == "短信验证码登录"
    assert dt.timedelta(hours=1, minutes=59) < row.expires_at - timezone.now() <= dt.timedelta(hours=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer['token']}")
    assert client.get("/api/v1/suggestions/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=1)):
        assert client.get("/api/v1/suggestions/").status_code == 401
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN, user=deputy.user, detail="短信验证码").exists()


def test_the_short_lived_token_is_listed_on_the_token_page_and_revoked_there(client, deputy):
    answer = login_token(deputy.phone)
    row = ApiToken.objects.get(digest=digest_of(answer["token"]))
    client.force_login(deputy.user)
    assert "短信验证码登录" in client.get("/accounts/tokens/").content.decode()
    client.post(f"/accounts/tokens/{row.pk}/revoke/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {answer['token']}")
    assert api.get("/api/v1/suggestions/").status_code == 401


def test_asking_for_a_code_answers_the_same_for_an_unknown_number(deputy):
    known = post(SMS, {"phone": deputy.phone, "purpose": "login"})
    unknown = post(SMS, {"phone": "13712345678", "purpose": "login"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert CapturingSender.to("13712345678") == []


def test_a_wrong_code_is_401_audited_and_counted(deputy):
    post(SMS, {"phone": deputy.phone})
    code = CapturingSender.last_code(deputy.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(4):
        response = post(TOKEN, {"phone": deputy.phone, "code": wrong})
        assert response.status_code == 401 and "验证码错误" in response.json()["detail"]
    fifth = post(TOKEN, {"phone": deputy.phone, "code": wrong})  # the fifth failure locks, as with passwords
    assert fifth.status_code == 429 and "锁定" in fifth.json()["detail"]
    assert post(TOKEN, {"phone": deputy.phone, "code": code}).status_code == 429
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN_FAILED, username="deputy").count() == 6
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOCKED_OUT, username="deputy").exists()


def test_the_second_code_within_a_minute_is_429(deputy):
    post(SMS, {"phone": deputy.phone})
    again = post(SMS, {"phone": deputy.phone})
    assert again.status_code == 429 and "秒后再试" in again.json()["detail"]


def test_the_login_endpoints_are_throttled_per_address_and_per_number(deputy, monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "rate", "3/hour", raising=False)  # API_AUTH_RATE
    for _n in range(3):
        post(TOKEN, {"phone": deputy.phone, "code": "123456"}, APIClient(REMOTE_ADDR="10.1.1.1"))
    by_number = post(TOKEN, {"phone": deputy.phone, "code": "123456"}, APIClient(REMOTE_ADDR="10.2.2.2"))
    assert by_number.status_code == 429 and "登录请求过于频繁" in by_number.json()["detail"]
    by_address = post(TOKEN, {"phone": "13700000001", "code": "123456"}, APIClient(REMOTE_ADDR="10.1.1.1"))
    assert by_address.status_code == 429
    forged = APIClient(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="10.8.8.8")
    assert post(TOKEN, {"phone": "13700000002", "code": "123456"}, forged).status_code == 429


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (SMS, {"phone": "abc"}),
        (SMS, {"phone": "13800138000", "purpose": "second_factor"}),
        (SMS, ["13800138000"]),
        (SMS, {"phone": None}),
        (SMS, {}),
        (TOKEN, {"phone": "13800138000", "code": "12345x"}),
        (TOKEN, {"phone": "13800138000"}),
        (TOKEN, {"phone": ["1"], "code": {"a": 1}}),
        (TOKEN, "not json at all"),
        (TOKEN, {"phone": "138 0013 8000", "code": "123456"}),  # the API takes the number as its schema says
        (TOKEN, {"phone": "13800138000\n", "code": "123456"}),
        (TOKEN, {"phone": "13800138000", "code": "١٢٣٤٥٦"}),  # digits, but not ASCII ones
    ],
)
def test_odd_input_is_a_400_with_reasons_never_a_500(url, body):
    client = APIClient(raise_request_exception=False)
    response = client.post(url, body, format="json")
    assert response.status_code == 400, response.content


def test_a_number_may_carry_the_country_code(deputy):
    assert post(SMS, {"phone": f"+86{deputy.phone}"}).status_code == 202
    assert CapturingSender.to(deputy.phone)


def test_a_broken_json_body_is_400():
    client = APIClient(raise_request_exception=False)
    response = client.post(TOKEN, data="{", content_type="application/json")
    assert response.status_code == 400


@override_settings(TWO_FACTOR_ROLES=["staff"])
def test_staff_who_need_two_factors_get_no_token_from_a_code():
    f.UserFactory(username="staff", role="staff", phone="13600001111")
    post(SMS, {"phone": "13600001111"})
    response = post(TOKEN, {"phone": "13600001111", "code": CapturingSender.last_code("13600001111")})
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@override_settings(LOGIN_SMS=False)
def test_with_the_code_login_off_the_endpoints_answer_404():
    assert post(SMS, {"phone": "13800138000"}).status_code == 404
    assert post(TOKEN, {"phone": "13800138000", "code": "123456"}).status_code == 404


# --- WeChat ------------------------------------------------------------------------------------------


class FakeWechat(BaseHTTPRequestHandler):
    """jscode2session as WeChat answers it: a known code gives its openid, anything else errcode 40029."""

    codes = {"code-of-wang": "oWang-openid-1", "code-of-li": "oLi-openid-2"}
    seen: list[dict[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802  # http.server's name
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        FakeWechat.seen.append(query)
        good = (
            url.path == "/sns/jscode2session"
            and query.get("appid") == "wx-test-app"
            and query.get("secret") == "wx-test-secret"
            and query.get("grant_type") == "authorization_code"
        )
        if good and query.get("js_code") in self.codes:
            body = {"openid": self.codes[query["js_code"]], "session_key": "c2Vzc2lvbg=="}
        elif not good:
            body = {"errcode": 40013, "errmsg": "invalid appid"}
        else:
            body = {"errcode": 40029, "errmsg": "invalid code"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")  # as WeChat does
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_wechat():
    FakeWechat.seen = []
    server = HTTPServer(("127.0.0.1", 0), FakeWechat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with override_settings(
        WECHAT_APPID="wx-test-app",
        WECHAT_SECRET="wx-test-secret",
        WECHAT_API_URL=f"http://127.0.0.1:{server.server_address[1]}",
    ):
        yield FakeWechat
    server.shutdown()
    server.server_close()


def test_a_bound_wechat_logs_in_and_an_unbound_one_does_not(fake_wechat, deputy):
    assert post(WECHAT, {"code": "code-of-wang"}).status_code == 401  # not bound yet
    bound = post(BIND, {"code": "code-of-wang"}, bearer(deputy.user))
    assert bound.status_code == 200
    assert WechatBinding.objects.get(user=deputy.user).openid == "oWang-openid-1"
    answer = post(WECHAT, {"code": "code-of-wang"})
    assert answer.status_code == 200 and answer.json()["scope"] == "write"
    row = ApiToken.objects.get(digest=digest_of(answer.json()["token"]))
    assert row.user == deputy.user and row.name == "微信小程序登录"
    assert fake_wechat.seen[-1]["js_code"] == "code-of-wang"


def test_an_account_locked_after_failed_logins_is_locked_to_wechat_too(fake_wechat, client, deputy):
    assert post(BIND, {"code": "code-of-wang"}, bearer(deputy.user)).status_code == 200
    for _attempt in range(5):  # wrong passwords on the login page lock the account
        client.post("/accounts/login/", {"username": deputy.user.username, "password": "not-the-password"})
    answer = post(WECHAT, {"code": "code-of-wang"})
    assert answer.status_code == 429 and "锁定" in answer.json()["detail"]
    assert not ApiToken.objects.filter(name="微信小程序登录").exists()


def test_a_code_wechat_refuses_is_401_and_403_when_binding(fake_wechat, deputy):
    response = post(WECHAT, {"code": "expired"})
    assert response.status_code == 401 and "wx.login" in response.json()["detail"]
    assert post(BIND, {"code": "expired"}, bearer(deputy.user)).status_code == 403
    assert post(WECHAT, {"code": ""}).status_code == 400
    assert not WechatBinding.objects.exists()


def test_binding_needs_a_signed_in_writer_and_an_openid_no_one_else_holds(fake_wechat, deputy, cosigner):
    assert post(BIND, {"code": "code-of-wang"}).status_code == 401
    assert post(BIND, {"code": "code-of-wang"}, bearer(deputy.user, scope="read")).status_code == 403
    assert post(BIND, {"code": "code-of-wang"}, bearer(deputy.user)).status_code == 200
    assert post(BIND, {"code": "code-of-wang"}, bearer(cosigner.user)).status_code == 409
    # Binding another WeChat replaces one's own.
    assert post(BIND, {"code": "code-of-li"}, bearer(deputy.user)).status_code == 200
    assert WechatBinding.objects.get(user=deputy.user).openid == "oLi-openid-2"


def test_unbinding_on_the_token_page_stops_the_wechat_login(fake_wechat, client, deputy):
    post(BIND, {"code": "code-of-wang"}, bearer(deputy.user))
    client.force_login(deputy.user)
    page = client.get("/accounts/tokens/").content.decode()
    assert "解除微信绑定" in page
    client.post("/accounts/tokens/wechat/unbind/")
    assert not WechatBinding.objects.exists()
    assert post(WECHAT, {"code": "code-of-wang"}).status_code == 401


def test_without_an_appid_the_wechat_endpoints_answer_404(deputy):
    assert post(WECHAT, {"code": "x"}).status_code == 404
    assert post(BIND, {"code": "x"}, bearer(deputy.user)).status_code == 404


def test_the_login_endpoints_are_in_the_schema(client, deputy):
    client.force_login(deputy.user)
    text = client.get("/api/v1/schema/").content.decode()
    for endpoint in ("/api/v1/auth/sms/", "/api/v1/auth/token/", "/api/v1/auth/wechat/", "/api/v1/auth/wechat/bind/"):
        assert endpoint in text
