"""The 阿里云短信 adapter against a local fake of dysmsapi.aliyuncs.com that checks each request
as the service does: it recomputes the RPC v1 signature (HMAC-SHA1) from the received
parameters and the secret, and answers the service's success or error JSON."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from deputies.models import OneTimeCode
from deputies.sms_aliyun import AliyunSmsError, AliyunSmsSender, string_to_sign

KEY_ID, SECRET = "LTAI5tTestKeyId", "TestSecret/with+odd=chars"


def _encode(text: str) -> str:
    # The service's own description: URL-encode in UTF-8, then + → %20, * → %2A, %7E → ~.
    return urllib.parse.quote_plus(text, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def expected_signature(params: dict[str, str], method: str) -> str:
    canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_encode('/')}&{_encode(canonical)}"
    return base64.b64encode(hmac.new(f"{SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class FakeDysmsapi(BaseHTTPRequestHandler):
    received: list[dict[str, str]] = []
    answer_code = "OK"

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802  # http.server's name
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        params = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        FakeDysmsapi.received.append(params)
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != KEY_ID:
            return self._reply(
                404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
            )
        required = {"Action", "Version", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp"}
        if not required <= params.keys() or params["SignatureMethod"] != "HMAC-SHA1":
            return self._reply(400, {"Code": "MissingParameter", "Message": "missing"})
        if not hmac.compare_digest(signature, expected_signature(params, "POST")):
            return self._reply(
                400,
                {
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched with our calculation.",
                },
            )
        if FakeDysmsapi.answer_code != "OK":
            return self._reply(
                200, {"Code": FakeDysmsapi.answer_code, "Message": "触发小时级流控Permits:5", "RequestId": "R-2"}
            )
        return self._reply(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "R-1"})


@pytest.fixture
def fake_aliyun():
    FakeDysmsapi.received = []
    FakeDysmsapi.answer_code = "OK"
    server = HTTPServer(("127.0.0.1", 0), FakeDysmsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    with override_settings(
        ALIYUN_SMS_ACCESS_KEY_ID=KEY_ID,
        ALIYUN_SMS_ACCESS_KEY_SECRET=SECRET,
        ALIYUN_SMS_SIGN_NAME="示范区人大",
        ALIYUN_SMS_TEMPLATE="SMS_100000001",
        ALIYUN_SMS_CODE_TEMPLATE="SMS_100000002",
        ALIYUN_SMS_ENDPOINT=url,
    ):
        yield FakeDysmsapi
    server.shutdown()
    server.server_close()


def test_a_code_is_sent_with_the_code_template_and_a_signature_the_service_accepts(fake_aliyun):
    AliyunSmsSender().send_code("13800138000", "042917")
    (params,) = fake_aliyun.received
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["PhoneNumbers"] == "13800138000" and params["SignName"] == "示范区人大"
    assert params["TemplateCode"] == "SMS_100000002" and json.loads(params["TemplateParam"]) == {"code": "042917"}
    assert params["SignatureVersion"] == "1.0" and params["Timestamp"].endswith("Z")


def test_a_notice_goes_through_the_notice_template_with_its_text(fake_aliyun):
    AliyunSmsSender().send("13800138000", "【建议办理】您有一条答复待评价 (100%) & ~*")
    (params,) = fake_aliyun.received
    assert params["TemplateCode"] == "SMS_100000001"
    assert json.loads(params["TemplateParam"]) == {"content": "【建议办理】您有一条答复待评价 (100%) & ~*"}


def test_every_request_has_a_new_nonce(fake_aliyun):
    sender = AliyunSmsSender()
    sender.send_code("13800138000", "111111")
    sender.send_code("13800138000", "111111")
    assert fake_aliyun.received[0]["SignatureNonce"] != fake_aliyun.received[1]["SignatureNonce"]


def test_a_wrong_secret_is_refused_by_the_service_and_raises(fake_aliyun):
    with (
        override_settings(ALIYUN_SMS_ACCESS_KEY_SECRET="not-the-secret"),
        pytest.raises(AliyunSmsError, match="SignatureDoesNotMatch"),
    ):
        AliyunSmsSender().send("13800138000", "x")


def test_an_error_answer_raises_so_that_the_outbox_tries_again(fake_aliyun):
    fake_aliyun.answer_code = "isv.BUSINESS_LIMIT_CONTROL"
    with pytest.raises(AliyunSmsError, match="BUSINESS_LIMIT_CONTROL"):
        AliyunSmsSender().send("13800138000", "x")


def test_an_unreachable_service_raises():
    with (
        override_settings(
            ALIYUN_SMS_ACCESS_KEY_ID=KEY_ID,
            ALIYUN_SMS_ACCESS_KEY_SECRET=SECRET,
            ALIYUN_SMS_SIGN_NAME="x",
            ALIYUN_SMS_TEMPLATE="SMS_1",
            ALIYUN_SMS_ENDPOINT="http://127.0.0.1:9/",
        ),
        pytest.raises(AliyunSmsError),
    ):
        AliyunSmsSender().send("13800138000", "x")


def test_the_string_to_sign_matches_the_published_example_shape():
    text = string_to_sign("GET", {"b": "a b", "a": "x*y~z"})
    assert text == "GET&%2F&a%3Dx%252Ay~z%26b%3Da%2520b"


@pytest.mark.django_db
def test_a_login_code_reaches_the_fake_service_through_the_app(fake_aliyun, deputy, client):
    with override_settings(SMS_SENDER="deputies.sms_aliyun.AliyunSmsSender"):
        response = client.post("/accounts/login/sms/", {"phone": deputy.phone, "send": "1"})
    assert response.status_code == 200
    (params,) = fake_aliyun.received
    code = json.loads(params["TemplateParam"])["code"]
    assert params["PhoneNumbers"] == deputy.phone and len(code) == 6
    assert OneTimeCode.objects.filter(phone=deputy.phone).count() == 1
