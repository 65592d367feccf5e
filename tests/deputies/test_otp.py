"""One-time codes: 6 digits kept only as a keyed hash, 5 minutes, 5 attempts, used once; limits
per number and per address; an unknown number answered as a known one; wrong codes counted
towards the lockout and audited as failed logins, as passwords are."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import RequestFactory, override_settings
from django.utils import timezone

from deputies import otp
from deputies.models import AuditRecord, OneTimeCode, Role
from tests import factories as f
from tests.sms import CapturingSender

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("captured_sms")]
Purpose = OneTimeCode.Purpose


def request(ip: str = "10.0.0.1"):
    req = RequestFactory().post("/accounts/login/sms/", REMOTE_ADDR=ip)
    req.session = {}  # type: ignore[attr-defined]
    return req


def ask(phone: str, purpose: str = Purpose.LOGIN, ip: str = "10.0.0.1") -> str | None:
    otp.issue_code(phone=phone, purpose=purpose, request=request(ip))
    return CapturingSender.last_code(phone)


def test_phone_numbers_are_read_in_their_usual_forms():
    for typed in ("13800138000", "+86 138 0013 8000", "86-138-0013-8000", "0086 13800138000", " 138-0013-8000 "):
        assert otp.normalize_phone(typed) == "13800138000"
    for bad in ("", "1380013800", "23800138000", "138001380001", "abc", "12800138000"):
        assert otp.normalize_phone(bad) is None


def test_a_code_is_six_digits_sent_at_once_and_only_its_keyed_hash_is_kept(deputy):
    code = ask(deputy.phone)
    assert code is not None and len(code) == 6 and code.isdigit()
    row = OneTimeCode.objects.get(phone=deputy.phone)
    assert row.user == deputy.user and row.purpose == Purpose.LOGIN
    assert code not in row.digest and len(row.digest) == 64
    assert row.expires_at - row.created_at == dt.timedelta(minutes=5)
    assert "5" in CapturingSender.to(deputy.phone)[0] and "【建议办理】" in CapturingSender.to(deputy.phone)[0]


def test_the_right_code_signs_in_once(deputy):
    code = ask(deputy.phone)
    assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=code) == deputy.user
    assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=code) is None  # used


def test_a_code_is_good_for_its_purpose_only(deputy):
    code = ask(deputy.phone, Purpose.RESET)
    assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=code) is None
    assert otp.check_code(phone=deputy.phone, purpose=Purpose.RESET, code=code) == deputy.user


def test_a_code_expires_after_five_minutes(deputy):
    code = ask(deputy.phone)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5, seconds=1)):
        assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=code) is None


def test_five_wrong_attempts_spend_the_code(deputy):
    code = ask(deputy.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=wrong) is None
    assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=code) is None
    assert OneTimeCode.objects.get(phone=deputy.phone).attempts == 5


def test_only_the_latest_code_counts(deputy):
    first = ask(deputy.phone)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        second = ask(deputy.phone)
        if first != second:
            assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=first) is None
        assert otp.check_code(phone=deputy.phone, purpose=Purpose.LOGIN, code=second) == deputy.user


def test_one_code_a_minute_per_number_and_a_daily_limit(deputy):
    ask(deputy.phone)
    with pytest.raises(otp.TooManyCodes, match="秒"):
        ask(deputy.phone, ip="10.0.0.2")
    start = timezone.now()
    with override_settings(SMS_CODE_DAILY_LIMIT=3):
        for minute in (2, 4):
            with time_machine.travel(start + dt.timedelta(minutes=minute)):
                ask(deputy.phone)
        with time_machine.travel(start + dt.timedelta(minutes=6)), pytest.raises(otp.TooManyCodes, match="明天"):
            ask(deputy.phone)
    assert len(CapturingSender.to(deputy.phone)) == 3


@override_settings(SMS_CODE_IP_HOURLY_LIMIT=3)
def test_one_address_may_ask_for_so_many_codes_an_hour_whatever_the_numbers():
    for n in range(3):
        ask(f"1370000000{n}")
    with pytest.raises(otp.TooManyCodes, match="地址"):
        ask("13700000009")
    ask("13700000009", ip="10.9.9.9")  # another address may


def test_an_unknown_number_is_answered_as_a_known_one_and_sent_nothing(deputy):
    unknown = "13711112222"
    assert ask(unknown) is None and CapturingSender.sent == []
    row = OneTimeCode.objects.get(phone=unknown)
    assert row.user is None
    # The same limits apply to it: the limits cannot tell known numbers from unknown ones.
    with pytest.raises(otp.TooManyCodes):
        ask(unknown)
    ask(deputy.phone)
    with pytest.raises(otp.TooManyCodes):
        ask(deputy.phone)


def test_a_number_two_active_accounts_share_signs_no_one_in(deputy):
    f.UserFactory(username="twin", phone=deputy.phone)
    assert otp.account_for(deputy.phone) is None
    assert ask(deputy.phone) is None


def test_an_inactive_account_gets_no_code(deputy):
    deputy.user.is_active = False
    deputy.user.save()
    assert ask(deputy.phone) is None


def test_an_accounts_own_number_comes_before_its_deputy_records(deputy):
    deputy.user.phone = "138 0013 8000"
    deputy.user.save()
    assert otp.account_for("13800138000") == deputy.user
    assert otp.account_for(deputy.phone) is None


def test_a_failing_provider_loses_the_code_and_nothing_else(deputy, caplog):
    with override_settings(SMS_SENDER="tests.deputies.test_otp.BrokenSender"):
        otp.issue_code(phone=deputy.phone, purpose=Purpose.LOGIN, request=request())
    assert "sending a one-time code failed" in caplog.text
    assert OneTimeCode.objects.filter(phone=deputy.phone).count() == 1


class BrokenSender:
    def send(self, phone: str, text: str) -> None:
        raise OSError("provider down")


class CodeTemplateSender:
    codes: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        raise AssertionError("a code goes through send_code")

    def send_code(self, phone: str, code: str) -> None:
        CodeTemplateSender.codes.append((phone, code))


def test_a_sender_with_a_code_template_gets_the_bare_code(deputy):
    with override_settings(SMS_SENDER="tests.deputies.test_otp.CodeTemplateSender"):
        otp.issue_code(phone=deputy.phone, purpose=Purpose.LOGIN, request=request())
    phone, code = CodeTemplateSender.codes[-1]
    assert phone == deputy.phone and otp.check_code(phone=phone, purpose=Purpose.LOGIN, code=code) == deputy.user


def test_wrong_codes_are_failed_logins_in_the_audit_and_lock_the_account_as_passwords_do(deputy):
    code = ask(deputy.phone)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        assert otp.sign_in_with_code(request(), phone=deputy.phone, code=wrong) is None
    failed = AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN_FAILED, username="deputy")
    assert failed.count() == 5 and "短信验证码（登录）" in failed.first().detail
    # Locked: even a new, right code is refused, and the password too.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        fresh = ask(deputy.phone)
        locked = request()
        assert otp.sign_in_with_code(locked, phone=deputy.phone, code=fresh) is None
        assert otp.is_locked_out(locked)
    from django.test import Client

    from tests.factories import PASSWORD

    response = Client().post("/accounts/login/", {"username": "deputy", "password": PASSWORD})
    assert response.status_code == 429


def test_wrong_codes_for_an_unknown_number_lock_that_number_as_well():
    unknown = "13711113333"
    ask(unknown)
    for _attempt in range(5):
        otp.sign_in_with_code(request(), phone=unknown, code="123456")
    locked = request()
    otp.sign_in_with_code(locked, phone=unknown, code="123456")
    assert otp.is_locked_out(locked)
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.LOGIN_FAILED, username=unknown).count() == 6


@override_settings(TWO_FACTOR_ROLES=["staff", "admin"])
def test_two_factors_are_needed_by_the_roles_set_and_by_superusers_when_admin_is_one():
    assert otp.needs_two_factors(f.UserFactory(role=Role.STAFF))
    assert otp.needs_two_factors(f.UserFactory(role=Role.DEPUTY, is_superuser=True))
    assert not otp.needs_two_factors(f.UserFactory(role=Role.DEPUTY))


def test_a_misspelt_two_factor_role_stops_the_checks():
    from deputies.checks import check_two_factor_roles

    with override_settings(TWO_FACTOR_ROLES=["staff", "admins"]):
        (error,) = check_two_factor_roles(None)
    assert error.id == "deputies.E001" and "admins" in error.msg
    with override_settings(TWO_FACTOR_ROLES=["staff", "admin"]):
        assert check_two_factor_roles(None) == []
