"""Writing the security audit log. Everything here only appends (see `AuditRecord`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from deputies.models import AuditRecord


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    detail: str = "",
) -> AuditRecord:
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditRecord.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_ip(request),
        method=(request.method or "") if request is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        detail=detail[:500],
    )


def record_refused_access(request: HttpRequest, detail: str) -> None:
    """Log a refusal once per request (a helper may log a 404-for-privacy, then the
    middleware would see a 403 or 404 too)."""
    if getattr(request, "_refusal_recorded", False):
        return
    request._refusal_recorded = True  # type: ignore[attr-defined]
    record_security_event(kind=AuditRecord.Kind.ACCESS_REFUSED, request=request, user=request.user, detail=detail)
