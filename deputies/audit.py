"""Writing the security audit log. Everything here only appends (see `AuditRecord`).

Refusals: every refused request writes exactly one `access_refused` record (who, what, which
object, why). A page that answers 404 for what the user may not see says why
(`deputies.access.refuse`); a step refused inside a service (a handler approving their own
unit's reply, a leader confirming a promise) notes it (`note_refusal`). Both may happen inside
a transaction that the refusal rolls back, so within a request they are only noted, and
`RefusedAccessAuditMiddleware` writes the record once the response is ready, outside any
transaction.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.http import HttpRequest

from deputies.models import AuditRecord, User, UserOrAnonymous

log = logging.getLogger(__name__)

# The refusals noted during the current request; None outside a request (a command, a task).
_noted: ContextVar[list[str] | None] = ContextVar("noted_refusals", default=None)


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: UserOrAnonymous | None = None,
    username: str = "",
    detail: str = "",
) -> AuditRecord:
    login = user if isinstance(user, User) else None
    return AuditRecord.objects.create(
        kind=kind,
        user=login,
        username=(username or (login.get_username() if login else ""))[:150],
        ip_address=client_ip(request),
        method=(request.method or "") if request is not None else "",
        path=request.get_full_path()[:500] if request is not None else "",
        detail=detail[:500],
    )


def record_refused_access(request: HttpRequest, detail: str) -> None:
    """Log a refusal once per request (a helper may log a 404-for-privacy, then the
    middleware would see the 404 too). Within a request it is only noted, and written by the
    middleware once the response is ready: a page may refuse inside a transaction (an import
    applied by someone who may not), whose rollback would take the record with it."""
    noted = _noted.get()
    if noted is not None:
        noted.append(detail)
        return
    if getattr(request, "_refusal_recorded", False):
        return
    request._refusal_recorded = True  # type: ignore[attr-defined]  # a mark on this request object only
    record_security_event(kind=AuditRecord.Kind.ACCESS_REFUSED, request=request, user=request.user, detail=detail)


def note_refusal(user: User, detail: str) -> None:
    """Remember that `user` was refused a step; the request's middleware audits it."""
    noted = _noted.get()
    if noted is None:
        log.warning("refused outside a request: %s: %s", getattr(user, "pk", None), detail)
        return
    noted.append(detail)


class collecting_refusals:
    """Collect the refusals noted while the block runs (the middleware's request scope)."""

    def __enter__(self) -> list[str]:
        self.noted: list[str] = []
        self.token = _noted.set(self.noted)
        return self.noted

    def __exit__(self, *exc: object) -> None:
        _noted.reset(self.token)
