"""Logging in with a one-time code sent to one's mobile number (短信验证码登录), resetting a
forgotten password the same way (忘记密码), and the second step of a two-factor login (the
roles of TWO_FACTOR_ROLES: password, then a code). The codes, their limits, the lockout and the
audit are deputies/otp.py's; these pages only ask and answer.

Each page is one form: 获取验证码 (send) asks for a code and shows the same form again with
what was typed; the other button checks the code. Whether a number belongs to an account is
never told: the answer to 获取验证码 is the same for every well-formed number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from deputies import otp
from deputies.audit import record_security_event
from deputies.models import AuditRecord, User, mask_phone
from deputies.sms import phone_of

Purpose = otp.Purpose
# How long a person has for the step after the one that proved them (the code after the
# password; the new password after the code).
STEP_WINDOW = dt.timedelta(minutes=10)
PENDING_LOGIN = "two_factor_pending"
PENDING_RESET = "password_reset_verified"


class PhoneCodeForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=otp.DIGITS,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_phone(self) -> str:
        phone = otp.normalize_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("Enter an 11-digit mobile number, e.g. 13800138000."))
        return phone


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=otp.DIGITS,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _wrong_code_message() -> str:
    return _(
        "Wrong or expired code. After %(limit)s failed attempts the account is locked for %(minutes)s minutes."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}


def _sent_message() -> str:
    return _("If this number belongs to an account, a 6-digit code was sent to it. It is valid for 5 minutes.")


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _sms_on() -> None:
    if not settings.LOGIN_SMS:
        raise Http404


def _ask_for_code(request: HttpRequest, form: forms.Form, phone: str, purpose: str, user: User | None = None) -> bool:
    try:
        otp.issue_code(phone=phone, purpose=purpose, request=request, user=user)
    except otp.TooManyCodes as exc:
        form.add_error(None, str(exc))
        return False
    return True


def _focus_code(form: forms.Form) -> None:
    """Once a code is on its way, the cursor waits in the code field."""
    form.fields["phone"].widget.attrs.pop("autofocus", None)
    form.fields["code"].widget.attrs["autofocus"] = True


def _number_and_code(request: HttpRequest, form: PhoneCodeForm, purpose: str) -> tuple[bool, User | None]:
    """The step the number-and-code pages share: 获取验证码 sends a code (whether it did is the
    first value); a code given is checked, and the person it proves is the second value (None,
    with the form's error, when it proves no one)."""
    phone = form.cleaned_data["phone"]
    code = form.cleaned_data["code"].strip()
    if "send" in request.POST:
        sent = _ask_for_code(request, form, phone, purpose)
        _focus_code(form)
        return sent, None
    if not code:
        form.add_error("code", _("Enter the 6-digit code sent to you (获取验证码 first)."))
        return False, None
    user = otp.sign_in_with_code(request, phone=phone, code=code, purpose=purpose)
    if user is None:
        form.add_error("code", _wrong_code_message())
    return False, user


@sensitive_post_parameters("code")
@never_cache
def login_sms(request: HttpRequest) -> HttpResponse:
    """短信验证码登录: number → code → signed in."""
    _sms_on()
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = PhoneCodeForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        sent, user = _number_and_code(request, form, Purpose.LOGIN)
        if user is not None and otp.needs_two_factors(user):
            record_security_event(
                kind=AuditRecord.Kind.LOGIN_FAILED,
                request=request,
                user=user,
                detail=_("phone code: this account needs two factors"),
            )
            form.add_error(None, _("This account logs in with its password and then a code: use 密码登录."))
        elif user is not None:
            login(request, user)
            return redirect(_next_url(request))
    return render(
        request,
        "registration/login_sms.html",
        {
            "form": form,
            "sent": sent,
            "sent_message": _sent_message(),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("code")
@never_cache
def password_reset_sms(request: HttpRequest) -> HttpResponse:
    """忘记密码, first step: number → code; the next page sets the new password."""
    _sms_on()
    form = PhoneCodeForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        sent, user = _number_and_code(request, form, Purpose.RESET)
        if user is not None:
            request.session[PENDING_RESET] = {"user": user.pk, "at": timezone.now().timestamp()}
            return redirect("password_reset_sms_set")
    return render(
        request,
        "registration/password_reset_sms.html",
        {"form": form, "sent": sent, "sent_message": _sent_message()},
        status=400 if form.errors else 200,
    )


def _pending_user(request: HttpRequest, key: str) -> tuple[User | None, dict[str, Any]]:
    """The account a step is pending for, while its window lasts."""
    pending = request.session.get(key)
    if not isinstance(pending, dict):
        return None, {}
    started = float(pending.get("at", 0))
    if timezone.now().timestamp() - started > STEP_WINDOW.total_seconds():
        request.session.pop(key, None)
        return None, {}
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return user, pending


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def password_reset_sms_set(request: HttpRequest) -> HttpResponse:
    """忘记密码, second step: the new password, under the password rules and history."""
    _sms_on()
    user, _pending = _pending_user(request, PENDING_RESET)
    if user is None:
        messages.error(
            request, _("Prove the number with a code first (the code is good for 10 minutes after it is checked).")
        )
        return redirect("password_reset_sms")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        request.session.pop(PENDING_RESET, None)
        record_security_event(kind=AuditRecord.Kind.PASSWORD_RESET, request=request, user=user, detail=_("phone code"))
        messages.success(request, _("Your password is set: log in with it now."))
        return redirect("login")
    return render(
        request, "registration/password_reset_sms_set.html", {"form": form}, status=400 if form.errors else 200
    )


def start_second_factor(request: HttpRequest, user: User, next_url: str) -> str | None:
    """After the right password of an account that needs two factors: send it a code and
    remember who is half-way. Returns the refusal's message when it cannot be done."""
    phone = otp.normalize_phone(phone_of(user))
    if phone is None:
        record_security_event(
            kind=AuditRecord.Kind.LOGIN_FAILED,
            request=request,
            user=user,
            detail=_("second factor: the account has no mobile number"),
        )
        return _("This account needs a code sent to its mobile number, and it has none: ask the administrator.")
    request.session[PENDING_LOGIN] = {"user": user.pk, "at": timezone.now().timestamp(), "next": next_url}
    try:
        otp.issue_code(phone=phone, purpose=Purpose.SECOND_FACTOR, request=request, user=user)
    except otp.TooManyCodes:
        pass  # a code sent within the interval is still good; the next page can ask again later
    return None


@sensitive_post_parameters("code")
@never_cache
def login_second_factor(request: HttpRequest) -> HttpResponse:
    """Two factors, second step: the code sent to the account's number after the password."""
    user, pending = _pending_user(request, PENDING_LOGIN)
    if user is None:
        messages.error(request, _("Log in with your password first."))
        return redirect("login")
    phone = otp.normalize_phone(phone_of(user)) or ""
    form = CodeForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if "send" in request.POST:
            sent = _ask_for_code(request, form, phone, Purpose.SECOND_FACTOR, user=user)
        elif not code:
            form.add_error("code", _("Enter the 6-digit code sent to you."))
        else:
            proved = otp.sign_in_with_code(request, phone=phone, code=code, purpose=Purpose.SECOND_FACTOR)
            if proved is None or proved.pk != user.pk:
                form.add_error("code", _wrong_code_message())
            else:
                request.session.pop(PENDING_LOGIN, None)
                login(request, proved)
                wanted = str(pending.get("next") or "")
                safe = url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure())
                return redirect(wanted if wanted and safe else resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "registration/login_second_factor.html",
        {"form": form, "sent": sent, "masked_phone": mask_phone(phone) or "****"},
        status=400 if form.errors else 200,
    )
