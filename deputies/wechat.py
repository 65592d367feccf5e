"""The WeChat mini-program's login: the code a mini-program gets from `wx.login()` is
exchanged with WeChat for the person's openid (`jscode2session`, written against WeChat's
published HTTP API: GET {WECHAT_API_URL}/sns/jscode2session?appid=…&secret=…&js_code=…
&grant_type=authorization_code, answering JSON with `openid` and `session_key`, or `errcode`
and `errmsg`). A person binds their openid once, signed in (POST /api/v1/auth/wechat/bind/),
and unbinds it on their token page; a bound openid then logs in (POST /api/v1/auth/wechat/).
The session_key is never kept: the app needs nothing WeChat encrypts."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import IntegrityError, transaction

from deputies.models import User, WechatBinding

TIMEOUT_SECONDS = 10


class WechatError(Exception):
    """WeChat refused the code (invalid, used, expired: errcode 40029, 40163…) or was unreachable."""


def enabled() -> bool:
    return bool(settings.WECHAT_APPID and settings.WECHAT_SECRET)


def openid_for(code: str) -> str:
    """The openid WeChat gives for a mini-program's login code; raises WechatError."""
    query = urllib.parse.urlencode(
        {
            "appid": settings.WECHAT_APPID,
            "secret": settings.WECHAT_SECRET,
            "js_code": code,
            "grant_type": "authorization_code",
        }
    )
    url = f"{settings.WECHAT_API_URL.rstrip('/')}/sns/jscode2session?{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # our endpoint
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError) as exc:
        raise WechatError(f"{type(exc).__name__}") from exc
    if not isinstance(answer, dict):
        raise WechatError("not a JSON object")
    if answer.get("errcode") or not answer.get("openid"):
        raise WechatError(f"{answer.get('errcode')}: {answer.get('errmsg', '')}")
    return str(answer["openid"])[:64]


def bound_user(openid: str) -> User | None:
    binding = WechatBinding.objects.select_related("user").filter(openid=openid).first()
    return binding.user if binding is not None and binding.user.is_active else None


def bind(*, user: User, openid: str) -> bool:
    """Bind `openid` to `user` (replacing the user's earlier one). False when another account
    holds that openid already."""
    try:
        with transaction.atomic():
            WechatBinding.objects.filter(user=user).exclude(openid=openid).delete()
            WechatBinding.objects.get_or_create(user=user, openid=openid)
    except IntegrityError:
        return False
    return True


def unbind(*, user: User) -> bool:
    deleted, _ = WechatBinding.objects.filter(user=user).delete()
    return bool(deleted)
