"""Two middlewares of the security baseline: the idle timeout's session refresh, and the audit
of refused requests.

The idle timeout: a session ends SESSION_COOKIE_AGE after its row was last saved (the cookie
itself lasts until the browser closes). Saving the row on every request would cost a write per
page; it is saved when its data change, and otherwise when the last refresh is a minute old or
more, so an idle session ends between one minute before and exactly at the timeout after the
last request, never later.

Every refused request is written to the security audit log, once.

The app answers 404 both for what does not exist and for what the user may not see (so
that another deputy's or unit's item is not disclosed); it cannot tell the two apart from
outside, so every 403 or 404 of a routed page is audited. Pages that refuse on purpose
record the reason themselves (`deputies.access.refuse`); steps refused inside a service are
noted there and written here, after the response, outside the rolled-back transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from deputies.audit import collecting_refusals, record_refused_access


class IdleTimeoutMiddleware:
    """Mark the session to be saved (which pushes its end back) when it is due a refresh."""

    REFRESH_SECONDS = 60
    KEY = "_idle_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response  # no session cookie: nothing to refresh, and none to create
        last = session.get(self.KEY)
        if session.is_empty():
            return response  # an expired or unknown key, or a logout: nothing to keep alive
        now = int(time.time())
        if session.modified or not isinstance(last, int) or not 0 <= now - last < self.REFRESH_SECONDS:
            session[self.KEY] = now
        return response


class RefusedAccessAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with collecting_refusals() as noted:
            response = self.get_response(request)
        if noted:
            record_refused_access(request, "; ".join(noted))
        elif response.status_code in (403, 404) and request.resolver_match is not None:
            record_refused_access(request, f"HTTP {response.status_code} {request.resolver_match.view_name}")
        return response
