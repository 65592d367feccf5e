"""Every refused request (403) is written to the security audit log.

Requests for objects a user may not see answer 404; the permission helpers that decide so
log those themselves (`proposals.access`), since an ordinary 404 is not a refusal."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from deputies.audit import record_refused_access


class RefusedAccessAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            record_refused_access(
                request, detail=f"HTTP 403 {request.resolver_match.view_name if request.resolver_match else ''}"
            )
        return response
