"""Personal API tokens: made (the token shown once, its SHA-256 kept), found, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from deputies.models import ApiToken, User
from deputies.streams import add_request_user

PREFIX = "jy_"


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.READ,
    days: int | None = None,
    lifetime: dt.timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`: the row and the token itself (to be shown once, never again).
    It lasts `lifetime`, or `days` (API_TOKEN_DAYS by default)."""
    token = PREFIX + secrets.token_urlsafe(32)
    if lifetime is None:
        lifetime = dt.timedelta(days=days if days is not None else settings.API_TOKEN_DAYS)
    row = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        digest=digest_of(token),
        prefix=token[: len(PREFIX) + 5],
        scope=scope,
        expires_at=timezone.now() + lifetime,
    )
    return row, token


def active_token(token: str) -> ApiToken | None:
    """The live token row for `token` (not revoked, not expired, its user active), or None."""
    row = ApiToken.objects.select_related("user").filter(digest=digest_of(token)).first()
    now = timezone.now()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1):
        # Written at most once a minute per token: a busy client costs no write per call.
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def request_token(request: HttpRequest) -> ApiToken | None:
    """The live token a request carries as "Authorization: Bearer <token>", or None; looked up
    once per request (its words are chosen before DRF authenticates it, see deputies.streams)."""
    if not hasattr(request, "_bearer_token"):
        parts = request.headers.get("Authorization", "").split()
        found = active_token(parts[1]) if len(parts) == 2 and parts[0].lower() == "bearer" else None
        request._bearer_token = found  # type: ignore[attr-defined]
    row: ApiToken | None = request._bearer_token  # type: ignore[attr-defined]
    return row


def _token_user(request: HttpRequest) -> User | None:
    token = request_token(request) if request.path.startswith("/api/") else None
    return token.user if token is not None else None


# The API's pages speak their caller's stream's words, as the pages do their signed-in user's.
add_request_user(_token_user)


def revoke(row: ApiToken) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
