"""Helpers that get an object for the requesting user. What a user may not see answers 404, never 403,
so that the existence of another deputy's or unit's item is not disclosed; each such refusal
is written to the security audit log."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest

from deputies.audit import record_refused_access
from proposals import rules as access
from proposals.models import Proposal


def refuse(request: HttpRequest, detail: str) -> Http404:
    record_refused_access(request, detail)
    return Http404("not found")


def get_proposal_for_user(request: HttpRequest, pk: int, *, queryset: Any = None) -> Proposal:
    queryset = Proposal.objects.all() if queryset is None else queryset
    try:
        proposal = queryset.get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404("not found") from None
    if not access.allowed(request.user, "view_proposal", proposal):
        raise refuse(request, f"proposal {pk}")
    return proposal


def download(request: HttpRequest, stored: Any, name: str) -> FileResponse:
    """Serve a stored upload as a download (never inline: its content is the uploader's)."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
