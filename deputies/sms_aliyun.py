"""阿里云短信 (Alibaba Cloud Short Message Service) as an SMS sender: `SMS_SENDER=deputies.sms_aliyun.AliyunSmsSender`.

Written against the published HTTP API: action `SendSms`, version 2017-05-25, at
`https://dysmsapi.aliyuncs.com/`, signed with the RPC signature v1:

1. every parameter but `Signature` (the common ones: AccessKeyId, Action, Format, RegionId,
   SignatureMethod=HMAC-SHA1, SignatureNonce, SignatureVersion=1.0, Timestamp in UTC as
   2026-01-02T03:04:05Z, Version; and SendSms's: PhoneNumbers, SignName, TemplateCode,
   TemplateParam) is percent-encoded (RFC 3986: only A-Z a-z 0-9 - _ . ~ kept; a space is
   %20, never +), sorted by name and joined as name=value&...;
2. StringToSign = METHOD & percent("/") & percent(that query string);
3. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).

The answer is JSON; `"Code": "OK"` is success, any other code (isv.BUSINESS_LIMIT_CONTROL,
SignatureDoesNotMatch, …) or an HTTP error raises `AliyunSmsError`, so that the outbox tries a
notice again later. Every message goes through a template approved in the console: notices
through `ALIYUN_SMS_TEMPLATE` (its variable `${content}` gets the text), login codes through
`ALIYUN_SMS_CODE_TEMPLATE` (its variable `${code}`), under the signature `ALIYUN_SMS_SIGN_NAME`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TIMEOUT_SECONDS = 10


class AliyunSmsError(Exception):
    """The provider refused the message or could not be reached."""


def percent(text: str) -> str:
    """RFC 3986 percent-encoding as the signature wants it (`~` kept, space as %20)."""
    return urllib.parse.quote(text, safe="~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(f"{percent(k)}={percent(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent('/')}&{percent(canonical)}"


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    mac = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class AliyunSmsSender:
    """Sends through 阿里云短信's SendSms. Settings: ALIYUN_SMS_ACCESS_KEY_ID,
    ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME, ALIYUN_SMS_TEMPLATE,
    ALIYUN_SMS_CODE_TEMPLATE, ALIYUN_SMS_ENDPOINT (the default is the service's)."""

    def __init__(self) -> None:
        self.key_id = settings.ALIYUN_SMS_ACCESS_KEY_ID
        self.secret = settings.ALIYUN_SMS_ACCESS_KEY_SECRET
        self.sign_name = settings.ALIYUN_SMS_SIGN_NAME
        self.endpoint = settings.ALIYUN_SMS_ENDPOINT
        if not (self.key_id and self.secret and self.sign_name):
            raise ImproperlyConfigured(
                "AliyunSmsSender needs ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET and ALIYUN_SMS_SIGN_NAME"
            )

    def send(self, phone: str, text: str) -> None:
        self._send_sms(phone, settings.ALIYUN_SMS_TEMPLATE, {"content": text})

    def send_code(self, phone: str, code: str) -> None:
        self._send_sms(phone, settings.ALIYUN_SMS_CODE_TEMPLATE, {"code": code})

    def _send_sms(self, phone: str, template: str, values: dict[str, str]) -> dict[str, Any]:
        if not template:
            raise ImproperlyConfigured("AliyunSmsSender: set ALIYUN_SMS_TEMPLATE and ALIYUN_SMS_CODE_TEMPLATE")
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": "cn-hangzhou",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            "PhoneNumbers": phone,
            "SignName": self.sign_name,
            "TemplateCode": template,
            "TemplateParam": json.dumps(values, ensure_ascii=False),
        }
        params["Signature"] = signature(self.secret, "POST", params)
        body = "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items()).encode()
        request = urllib.request.Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # our endpoint
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            answer = _json_of(exc.read())
            raise AliyunSmsError(f"HTTP {exc.code}: {answer.get('Code', '')} {answer.get('Message', '')}") from exc
        except (OSError, ValueError) as exc:
            raise AliyunSmsError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            code = answer.get("Code", "") if isinstance(answer, dict) else ""
            message = answer.get("Message", "") if isinstance(answer, dict) else ""
            raise AliyunSmsError(f"{code}: {message}")
        return answer


def _json_of(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
