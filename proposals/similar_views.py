"""The drafting hint: suggestions like the one being written, fetched while the deputy types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from deputies.access import allowed, refuse
from deputies.http import AuthenticatedHttpRequest
from proposals import textindex

MAX_TEXT = 4000


@login_required
@require_GET
def similar_hint(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Up to five suggestions like the draft's title and body (a fragment for the draft page):
    the deputy's own in full, others' by title and public reply only."""
    if not allowed(request.user, "draft_proposal"):
        raise refuse(request, "similar hint")
    exclude = request.GET.get("exclude", "")
    items = textindex.similar_items(
        title=request.GET.get("title", "")[:200],
        body=request.GET.get("body", "")[:MAX_TEXT],
        user=request.user,
        exclude=int(exclude) if exclude.isdigit() else None,
    )
    return render(request, "proposals/_similar.html", {"similar_items": items, "for_deputy": True})
