"""The request of a page behind a login, for annotations, and the login of an admin request.

`@login_required` lets only logged-in users through, so the views it wraps take this request:
its `user` is a `User`, never `AnonymousUser`. Django builds the same `HttpRequest` as for any
page; this class only tells the type checker what the decorator guarantees.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from deputies.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def user_of(request: HttpRequest) -> User:
    """The login behind a request only logged-in users reach (the admin's pages and actions,
    whose signatures Django fixes as taking any `HttpRequest`)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
