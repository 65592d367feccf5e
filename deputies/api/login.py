"""Logging in on the API without a personal token: a phone code, or the WeChat mini-program.

    POST /api/v1/auth/sms/          {phone, purpose}  → 202, whether the number has an account or not
    POST /api/v1/auth/token/        {phone, code}     → a short-lived write token and its expiry
    POST /api/v1/auth/wechat/       {code}            → the same, for a bound WeChat (jscode2session)
    POST /api/v1/auth/wechat/bind/  {code}            → bind the caller's WeChat (signed in)

The codes, their limits, the lockout and the audit are deputies/otp.py's, as on the pages; the
token is an `ApiToken` like a personal one (hashed, listed and revocable on the token page) that
lasts API_LOGIN_TOKEN_HOURS. Each endpoint takes API_AUTH_RATE requests per address and per
phone number."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deputies import otp, wechat
from deputies.api.auth import LoginRateThrottle, LoginThrottled, PhoneRateThrottle
from deputies.api.tokens import create_token
from deputies.audit import record_security_event
from deputies.models import ApiToken, AuditRecord, User

Purpose = otp.Purpose


# The API takes numbers exactly as its schema says (the pages are more forgiving): a mainland
# mobile number, optionally with +86, 0086 or 86 in front, no spaces.
PHONE_PATTERN = r"^(\+86|0086|86)?1[3-9][0-9]{9}$"
CODE_PATTERN = r"^[0-9]{6}$"
# What wx.login() gives: letters, digits, - and _ (about 32 of them).
WECHAT_CODE_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"


def told_as(message: Any) -> dict[str, Any]:
    """Every way a text field can be wrong (missing, empty, null, not text, too long) told as
    the one message the person can act on, in Chinese; DRF's own messages are English here."""
    codes = ("required", "null", "blank", "invalid", "max_length", "min_length", "surrogate_characters_not_allowed")
    return dict.fromkeys(codes, message)


@extend_schema_field({"type": "string", "pattern": PHONE_PATTERN, "example": "13800138000"})
class PhoneField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        told = told_as(gettext_lazy("Enter an 11-digit mobile number, e.g. 13800138000."))
        super().__init__(trim_whitespace=False, max_length=20, error_messages=told, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        phone = otp.normalize_phone(text) if re.fullmatch(PHONE_PATTERN[1:-1], text) else None
        if phone is None:
            raise serializers.ValidationError(_("Enter an 11-digit mobile number, e.g. 13800138000."))
        return phone


@extend_schema_field({"type": "string", "pattern": CODE_PATTERN, "example": "042917"})
class CodeField(serializers.CharField):
    pattern = CODE_PATTERN

    def __init__(self, *, error_messages: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, error_messages=told_as(error_messages["invalid"]), **kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        if not re.fullmatch(self.pattern[1:-1], text):
            raise serializers.ValidationError(self.error_messages["invalid"])
        return text


@extend_schema_field({"type": "string", "pattern": WECHAT_CODE_PATTERN, "example": "0a3Kq1000abcDE1xYz2000FgHi3Kq1m"})
class WechatCodeField(CodeField):
    pattern = WECHAT_CODE_PATTERN


class LoginBody(serializers.Serializer[Any]):
    """A login endpoint's body: a JSON object, else told so in Chinese."""

    default_error_messages = {"invalid": gettext_lazy("The body could not be read: send a JSON object.")}


class CodeRequestSerializer(LoginBody):
    phone = PhoneField(help_text="手机号码（11 位）")
    purpose = serializers.ChoiceField(
        choices=[(Purpose.LOGIN.value, "login"), (Purpose.RESET.value, "reset")],
        default=Purpose.LOGIN.value,
        help_text="login：登录；reset：重设密码（在网页“忘记密码”上使用）",
        error_messages=dict.fromkeys(("null", "invalid_choice"), gettext_lazy("Choose login or reset.")),
    )


class TokenRequestSerializer(LoginBody):
    phone = PhoneField()
    code = CodeField(
        max_length=otp.DIGITS,
        help_text="短信中的 6 位验证码",
        error_messages={"invalid": gettext_lazy("Enter the 6-digit code sent to you.")},
    )


class WechatCodeSerializer(LoginBody):
    code = WechatCodeField(
        max_length=128,
        help_text="小程序 wx.login() 得到的 code",
        error_messages={"invalid": gettext_lazy("WeChat did not accept the login code: call wx.login() again.")},
    )


class LoginTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Authorization: Bearer <token>")
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField()


Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
# A 400 names what is wrong per field ({"phone": ["…"]}), or as a whole ({"detail": "…"}).
Invalid = OpenApiResponse(OpenApiTypes.OBJECT, description="输入有误：按字段列出原因，或 {detail}")


def _login_token(user: User, name: str) -> Response:
    row, token = create_token(
        user=user,
        name=name,
        scope=ApiToken.Scope.WRITE,
        lifetime=dt.timedelta(hours=settings.API_LOGIN_TOKEN_HOURS),
    )
    return Response({"token": token, "scope": row.scope, "expires_at": row.expires_at})


def _detail(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


class PublicLogin(APIView):
    """No authentication (a Bearer header is not read); throttled per address and number."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    # JSON only: a form's repeated keys would let a list pass for a number.
    parser_classes = [JSONParser]
    throttle_classes = [LoginRateThrottle, PhoneRateThrottle]

    def throttled(self, request: Request, wait: float | None) -> None:
        raise LoginThrottled(wait)


def _sms_on() -> None:
    if not settings.LOGIN_SMS:
        raise Http404


class SmsCode(PublicLogin):
    @extend_schema(
        request=CodeRequestSerializer,
        responses={202: Detail, 400: Invalid, 404: Detail, 429: Detail},
        summary="发送短信验证码",
        description=(
            "无论该号码是否属于某个账户，回答都相同（202）。同一号码每分钟 1 条、每天有上限；同一地址每小时有上限。"
        ),
    )
    def post(self, request: Request) -> Response:
        _sms_on()
        incoming = CodeRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            otp.issue_code(
                phone=incoming.validated_data["phone"],
                purpose=incoming.validated_data["purpose"],
                request=request._request,
            )
        except otp.TooManyCodes as exc:
            return _detail(str(exc), status.HTTP_429_TOO_MANY_REQUESTS)
        message = _("If this number belongs to an account, a 6-digit code was sent to it. It is valid for 5 minutes.")
        return _detail(message, status.HTTP_202_ACCEPTED)


class PhoneToken(PublicLogin):
    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: LoginTokenSerializer, 400: Invalid, 401: Detail, 403: Detail, 404: Detail, 429: Detail},
        summary="用短信验证码换取短期令牌",
        description=(
            "验证码错误与密码错误一样计入锁定次数并记入安全审计；令牌为 write 范围，有效期 API_LOGIN_TOKEN_HOURS 小时。"
        ),
    )
    def post(self, request: Request) -> Response:
        _sms_on()
        incoming = TokenRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        phone, code = incoming.validated_data["phone"], incoming.validated_data["code"]
        user = otp.sign_in_with_code(request._request, phone=phone, code=code, purpose=Purpose.LOGIN)
        if user is None:
            # A locked account is answered by django-axes (429, deputies/otp.lockout_response).
            message = _("Wrong or expired code. After %(limit)s failed attempts the account is locked.") % {
                "limit": settings.AXES_FAILURE_LIMIT
            }
            return _detail(message, status.HTTP_401_UNAUTHORIZED)
        if otp.needs_two_factors(user):
            record_security_event(
                kind=AuditRecord.Kind.LOGIN_FAILED,
                request=request._request,
                user=user,
                detail=_("API phone code: this account needs two factors"),
            )
            return _detail(_("This account logs in with its password and then a code, on the pages."), 403)
        # A login like the pages' (audited, django-axes' failures reset), only with no session.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return _login_token(user, "短信验证码登录")


class WechatLogin(PublicLogin):
    @extend_schema(
        request=WechatCodeSerializer,
        responses={200: LoginTokenSerializer, 400: Invalid, 401: Detail, 404: Detail, 429: Detail},
        summary="小程序登录：用 wx.login() 的 code 换取短期令牌",
        description="微信须已绑定账户（POST /api/v1/auth/wechat/bind/）。",
    )
    def post(self, request: Request) -> Response:
        if not wechat.enabled():
            raise Http404
        incoming = WechatCodeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            openid = wechat.openid_for(incoming.validated_data["code"])
        except wechat.WechatError:
            return _detail(_("WeChat did not accept the login code: call wx.login() again."), 401)
        user = wechat.bound_user(openid)
        if user is None or otp.needs_two_factors(user):
            record_security_event(
                kind=AuditRecord.Kind.LOGIN_FAILED, request=request._request, detail=_("WeChat: bound to no account")
            )
            return _detail(_("This WeChat is bound to no account: log in another way and bind it first."), 401)
        # An account locked after failed logins is locked whichever way it comes in.
        if otp.is_account_locked(request._request, user):
            record_security_event(
                kind=AuditRecord.Kind.LOGIN_FAILED,
                request=request._request,
                user=user,
                detail=_("WeChat: the account is locked"),
            )
            return _detail(otp.lockout_message(), status.HTTP_429_TOO_MANY_REQUESTS)
        record_security_event(kind=AuditRecord.Kind.LOGIN, request=request._request, user=user, detail=_("WeChat"))
        return _login_token(user, "微信小程序登录")


class WechatBind(APIView):
    """Signed in (a token with the write scope, or a session): bind my WeChat."""

    throttle_classes = [LoginRateThrottle]
    parser_classes = [JSONParser]

    def throttled(self, request: Request, wait: float | None) -> None:
        raise LoginThrottled(wait)

    @extend_schema(
        request=WechatCodeSerializer,
        responses={200: Detail, 400: Invalid, 401: Detail, 403: Detail, 404: Detail, 409: Detail, 429: Detail},
        summary="绑定我的微信（小程序）",
        description="之后小程序可用 POST /api/v1/auth/wechat/ 登录；在“API 令牌”页面解除绑定。",
    )
    def post(self, request: Request) -> Response:
        if not wechat.enabled():
            raise Http404
        incoming = WechatCodeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            openid = wechat.openid_for(incoming.validated_data["code"])
        except wechat.WechatError:
            # 403, not 401: the caller's own token is good, the WeChat code is not.
            return _detail(_("WeChat did not accept the login code: call wx.login() again."), 403)
        user = request.user
        assert isinstance(user, User)  # TokenScope lets only active logins through
        if not wechat.bind(user=user, openid=openid):
            return _detail(_("This WeChat is already bound to another account."), status.HTTP_409_CONFLICT)
        return _detail(_("Your WeChat is bound: the mini-program logs you in with it."), status.HTTP_200_OK)


def register() -> None:
    from deputies.api.router import register as add

    add(
        path("auth/sms/", SmsCode.as_view(), name="auth_sms"),
        path("auth/token/", PhoneToken.as_view(), name="auth_token"),
        path("auth/wechat/", WechatLogin.as_view(), name="auth_wechat"),
        path("auth/wechat/bind/", WechatBind.as_view(), name="auth_wechat_bind"),
    )
