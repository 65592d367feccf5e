"""Text messages (短信): the one sender interface. Reminders and urging notices are sent as text
messages to people whose account (or deputy record) has a mobile number, and one-time login
codes (deputies/otp.py) go the same way.

The product ships no contract with an SMS provider: government offices each contract their own
(a carrier's 政企短信 gateway, a cloud SMS service...). Sending goes through one small interface:

    class MySender:
        def send(self, phone: str, text: str) -> None:
            ...  # call the provider; raise any exception when it fails (it is tried again later)

        # optional: providers that send a code through its own template (验证码模板)
        def send_code(self, phone: str, code: str) -> None: ...

Plug a provider in by writing such a class (in any module on the path) and setting
`SMS_SENDER=mypackage.sms.MySender`. One is included: `deputies.sms_aliyun.AliyunSmsSender`
(阿里云短信). The default, `LoggingSmsSender`, writes each message to the log and sends nothing;
`FileSmsSender` (development only) appends them to the file `SMS_FILE`, where a script can read
a login code; `SMS_SENDER=` (empty) turns text messages off. Notices leave through the outbox
(proposals/outbox.py), at most once per notification: a failure of the provider is tried again
later, and what was sent to which number is kept there. A login code is sent at once, never
through the outbox (see deputies/otp.py).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from deputies.models import User

log = logging.getLogger("jianyi.sms")

# Carriers cut longer messages into several; keep one message one message.
MAX_LENGTH = 300


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone`; raise on failure."""


class LoggingSmsSender:
    """Writes each message to the `jianyi.sms` log instead of sending it."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class FileSmsSender:
    """Development only (refused in production): appends each message as one JSON line
    ({"at", "phone", "text"}) to the file `SMS_FILE`, so that a script driving the API
    (scripts/api_walkthrough.py --code-file) can read the login code it was sent."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        with self._lock, open(settings.SMS_FILE, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def get_sender() -> SmsSender | None:
    """The configured sender, or None when text messages are off."""
    path = settings.SMS_SENDER
    if not path:
        return None
    return import_string(path)()


def phone_of(user: User) -> str:
    """The mobile number to text a user at: their account's, or their deputy record's."""
    phone = (getattr(user, "phone", "") or "").strip()
    if phone:
        return phone
    try:
        return (user.deputy.phone or "").strip()
    except ObjectDoesNotExist:
        return ""


def message_text(text: str) -> str:
    body = f"【建议办理】{text}"
    return body if len(body) <= MAX_LENGTH else body[: MAX_LENGTH - 1] + "…"
