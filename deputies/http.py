"""The request of a page behind a login, for annotations.

`@login_required` lets only logged-in users through, so the views it wraps take this request:
its `user` is a `User`, never `AnonymousUser`. Django builds the same `HttpRequest` as for any
page; this class only tells the type checker what the decorator guarantees.
"""

from __future__ import annotations

from django.http import HttpRequest

from deputies.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
