"""Login auditing: successful and failed logins, logouts and lockouts go to the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from deputies.audit import record_security_event
from deputies.models import AuditRecord, OneTimeCode, User


@receiver(user_logged_in)
def _logged_in(sender: type[User], request: HttpRequest, user: User, **kwargs: Any) -> None:
    how = _("phone code") if getattr(user, "backend", "").endswith(".PhoneCodeBackend") else ""
    record_security_event(kind=AuditRecord.Kind.LOGIN, request=request, user=user, detail=how)


@receiver(user_logged_out)
def _logged_out(sender: type[User] | type[None], request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record_security_event(kind=AuditRecord.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    record_security_event(
        kind=AuditRecord.Kind.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
        detail=_("phone code (%(purpose)s)") % {"purpose": _purpose_label(credentials["purpose"])}
        if credentials.get("purpose")
        else "",
    )


def _purpose_label(purpose: str) -> str:
    return str(dict(OneTimeCode.Purpose.choices).get(purpose, purpose))


@receiver(user_locked_out)
def _locked_out(sender: str, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    record_security_event(kind=AuditRecord.Kind.LOCKED_OUT, request=request, username=username or "")
