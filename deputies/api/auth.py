"""Who is calling: `Authorization: Bearer <token>` (a personal token), or the signed-in
session (the schema's docs page, with DRF's CSRF check). A read-only token may read only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling, views
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from deputies.api.tokens import request_token
from deputies.models import ApiToken
from deputies.public import visitor_address


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer <token>”."))
        row = request_token(request._request)
        if row is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        return row.user, row

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScope(permissions.BasePermission):
    """Signed in, and for a change a token with the write scope (a session may write)."""

    message = gettext_lazy("This token may only read: make a token with the write scope.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_active):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            return token.scope == ApiToken.Scope.WRITE
        return True


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (a session: per user), counted in the cache."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = visitor_address(request._request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginRateThrottle(throttling.SimpleRateThrottle):
    """Requests to the login endpoints per address (API_AUTH_RATE)."""

    scope = "auth"

    def get_rate(self) -> str:
        return str(settings.API_AUTH_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": f"ip-{visitor_address(request._request)}"}


class PhoneRateThrottle(LoginRateThrottle):
    """Requests to the login endpoints per phone number sent (API_AUTH_RATE), whatever the address."""

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        data = request.data if isinstance(request.data, dict) else {}
        phone = str(data.get("phone", ""))[:40]
        if not phone:
            return None
        digits = "".join(c for c in phone if c.isdigit())[-11:]
        return self.cache_format % {"scope": self.scope, "ident": f"phone-{digits}"}


class LoginThrottled(exceptions.Throttled):
    default_detail = gettext_lazy("Too many login requests: wait and try again.")


class Pages(PageNumberPagination):
    page_size = 30
    page_size_query_param = "page_size"
    max_page_size = 100


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's name for the Bearer token (drf-spectacular finds it by subclassing)."""

    target_class = "deputies.api.auth.BearerTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "个人 API 令牌（read 或 write 范围）"}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answers, with our Chinese words for the refusals every endpoint shares (DRF's own
    translations are not loaded: they would replace Django's)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc = exceptions.NotAuthenticated(_("Send a personal token: Authorization: Bearer <token>."))
    elif isinstance(exc, exceptions.Throttled) and not isinstance(exc, LoginThrottled):
        exc = exceptions.Throttled(exc.wait, _("Too many requests with this token: wait and try again."))
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed("", _("This method is not allowed here."))
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("The body could not be read: send a JSON object."))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        exc = exceptions.UnsupportedMediaType("", _("Send the body as JSON (Content-Type: application/json)."))
    return views.exception_handler(exc, context)
