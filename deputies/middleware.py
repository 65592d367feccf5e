"""Every refused request is written to the security audit log, once.

The app answers 404 both for what does not exist and for what the user may not see (so
that another deputy's or unit's item is not disclosed); it cannot tell the two apart from
outside, so every 403 or 404 of a routed page is audited. Pages that refuse on purpose
record the reason themselves (`deputies.access.refuse`); steps refused inside a service are
noted there and written here, after the response, outside the rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from deputies.audit import collecting_refusals, record_refused_access


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
