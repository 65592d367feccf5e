"""One-time codes by text message: phone-number login, password reset, and the second factor.

- A code is 6 digits from `secrets`, good for 5 minutes and 5 attempts, used once; only the
  latest code of a number and purpose counts. Only a keyed hash is stored (HMAC with the
  SECRET_KEY: a plain hash of a 6-digit code would be read back by trying all million).
- It is sent at once, straight through the SMS sender, never through the outbox: a login code
  is wanted now, and the outbox would retry it for hours, long after it expired. A failure of
  the provider is logged and the person asks for a new code.
- A number no account has (or more than one active account has) is answered exactly as a known
  one: the same words, a row written the same way (with no user, nothing sent), the same limits.
  The limits count rows in the database, so every instance sees them: one code per number every
  `SMS_CODE_INTERVAL_SECONDS`, `SMS_CODE_DAILY_LIMIT` a day, `SMS_CODE_IP_HOURLY_LIMIT` an hour
  from one address.
- Checking a code is a login attempt like a password (deputies/backends.PhoneCodeBackend, through
  `django.contrib.auth.authenticate`): a wrong code counts towards django-axes' lockout of the
  account (of the number itself when no account has it) and writes the same failed-login record
  to the security audit log; a locked account is refused before its code is looked at.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from deputies import sms
from deputies.audit import client_ip
from deputies.models import OneTimeCode, Role, User

log = logging.getLogger(__name__)

Purpose = OneTimeCode.Purpose
CODE_LIFETIME = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 5
DIGITS = 6
# Mainland mobile numbers: 11 digits from 13x to 19x; +86 / 86 / 0086, spaces and dashes are taken off.
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class TooManyCodes(Exception):
    """A limit on asking for codes was reached; the message says how long to wait, in Chinese."""


def normalize_phone(text: str) -> str | None:
    """The 11-digit mobile number in `text`, or None when it is not one."""
    digits = re.sub(r"[\s\-()]", "", str(text or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    return digits if MOBILE.match(digits) else None


def account_for(phone: str) -> User | None:
    """The one active account with this mobile number (its own, or its deputy record's); None
    when there is none, or more than one (an ambiguous number signs no one in)."""
    variants = [
        phone,
        f"+86{phone}",
        f"86{phone}",
        f"{phone[:3]} {phone[3:7]} {phone[7:]}",
        f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
    ]
    found = list(
        User.objects.filter(is_active=True)
        .filter(Q(phone__in=variants) | (Q(phone="") & Q(deputy__phone__in=variants)))
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def needs_two_factors(user: User) -> bool:
    roles = set(settings.TWO_FACTOR_ROLES)
    return user.role in roles or (user.is_superuser and Role.ADMIN in roles)


def login_name(phone: str) -> str:
    """Who a code login is for, as django-axes counts attempts and the audit log names them:
    the account's username, or the number itself when no account has it."""
    user = account_for(phone)
    return user.get_username() if user is not None else phone


def _digest(phone: str, purpose: str, code: str) -> str:
    return salted_hmac("deputies.otp", f"{phone}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _check_limits(phone: str, ip: str | None, now: dt.datetime) -> None:
    asked = OneTimeCode.objects.filter(phone=phone)
    interval = dt.timedelta(seconds=settings.SMS_CODE_INTERVAL_SECONDS)
    last = asked.filter(created_at__gt=now - interval).order_by("-created_at").values_list("created_at", flat=True)
    if last:
        wait = int((last[0] + interval - now).total_seconds()) + 1
        raise TooManyCodes(_("A code was just sent to this number: wait %(seconds)s seconds.") % {"seconds": wait})
    if asked.filter(created_at__gt=now - dt.timedelta(days=1)).count() >= settings.SMS_CODE_DAILY_LIMIT:
        raise TooManyCodes(_("This number has been sent too many codes today: try again tomorrow."))
    if ip is not None:
        hour = OneTimeCode.objects.filter(ip_address=ip, created_at__gt=now - dt.timedelta(hours=1)).count()
        if hour >= settings.SMS_CODE_IP_HOURLY_LIMIT:
            raise TooManyCodes(_("Too many codes were asked for from this address: try again in an hour."))


def issue_code(*, phone: str, purpose: str, request: HttpRequest | None, user: User | None = None) -> None:
    """Make and send a code for `phone` (normalized) to the account with that number, or to
    `user` (the second factor, whose number it is). Raises TooManyCodes over a limit. Answers
    the same, and costs the same database work, whether an account has the number or not."""
    now = timezone.now()
    ip = client_ip(request)
    with transaction.atomic():
        _check_limits(phone, ip, now)
        owner = user if user is not None else account_for(phone)
        code = f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"
        OneTimeCode.objects.create(
            phone=phone,
            purpose=purpose,
            user=owner,
            digest=_digest(phone, purpose, code),
            ip_address=ip,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    # Rows of the last day are all the limits read; older ones go (a cheap indexed delete).
    OneTimeCode.objects.filter(created_at__lt=now - dt.timedelta(days=2)).delete()
    if owner is None:
        return
    sender = sms.get_sender()
    if sender is None:
        log.warning("a one-time code was asked for but text messages are off (SMS_SENDER is empty)")
        return
    try:
        send_code = getattr(sender, "send_code", None)
        if callable(send_code):
            send_code(phone, code)
        else:
            minutes = int(CODE_LIFETIME.total_seconds() // 60)
            text = _("Your code is %(code)s, valid for %(minutes)s minutes. Never tell it to anyone.") % {
                "code": code,
                "minutes": minutes,
            }
            sender.send(phone, sms.message_text(text))
    except Exception:  # the provider failed: the person asks again; a code is never retried later
        log.exception("sending a one-time code failed")


def check_code(*, phone: str, purpose: str, code: str) -> User | None:
    """The account the code was sent to, if `code` is the number's latest live code for
    `purpose`; counts the attempt (at most MAX_ATTEMPTS) and uses the code up when right.
    Call it through `authenticate` (PhoneCodeBackend), which counts failures for the lockout."""
    typed = str(code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.used_at is not None or row.expires_at <= now or row.attempts >= MAX_ATTEMPTS:
            return None
        row.attempts += 1
        right = hmac.compare_digest(row.digest, _digest(phone, purpose, typed))
        if right:
            row.used_at = now
        row.save(update_fields=["attempts", "used_at"])
    if not right or row.user_id is None:
        return None
    return User.objects.filter(pk=row.user_id, is_active=True).first()


def sign_in_with_code(request: HttpRequest, *, phone: str, code: str, purpose: str = Purpose.LOGIN) -> User | None:
    """Authenticate with a code as with a password: django-axes refuses a locked account
    first, and a failure is counted and audited (deputies/signals.py)."""
    user = authenticate(request, username=login_name(phone), phone=phone, code=code, purpose=purpose)
    return user if isinstance(user, User) else None


def is_locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins: this account is locked for %(minutes)s minutes.") % {"minutes": minutes}


def is_account_locked(request: HttpRequest, user: User) -> bool:
    """Is `user`'s account locked after failed logins (django-axes), for a login that asks
    no password (WeChat)?"""
    from axes.handlers.proxy import AxesProxyHandler  # reads the settings when imported

    return bool(AxesProxyHandler.is_locked(request, credentials={"username": user.username}))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked account: our page, or JSON (429) on the API."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_timedelta": settings.AXES_COOLOFF_TIME}, status=429
    )
