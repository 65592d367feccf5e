"""The login backend: Django's, loading the request's user together with the one-to-one records
the access rules read on almost every request (the deputy record behind a login; what later
apps register, e.g. a unit person's membership), in the same query rather than one each.

    deputies.backends.load_with_user("unit_membership")   # in a later app's AppConfig.ready()
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from deputies.models import User
from deputies.otp import check_code

_WITH_USER: list[str] = ["deputy"]


def load_with_user(relation: str) -> None:
    """Load the reverse one-to-one `relation` of the user with the user (a missing record then
    reads as missing without a query)."""
    if relation not in _WITH_USER:
        _WITH_USER.append(relation)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            user = User._default_manager.select_related(*_WITH_USER).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PhoneCodeBackend(UserBackend):
    """Signs in with a one-time code sent to the account's mobile number (deputies/otp.py).
    Called as `authenticate(request, username=..., phone=..., code=..., purpose=...)`, after
    django-axes' backend, so a locked account is refused and a wrong code counts as a failure."""

    def authenticate(  # type: ignore[override]  # other credentials than a password
        self,
        request: Any,
        phone: str | None = None,
        code: str | None = None,
        purpose: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if phone is None or code is None or purpose is None:
            return None
        user = check_code(phone=phone, purpose=purpose, code=code)
        return user if user is not None and self.user_can_authenticate(user) else None
