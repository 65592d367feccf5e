"""The drafting hint: suggestions like the one being written, fetched while the deputy types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from deputies.access import allowed, refuse
from deputies.http import AuthenticatedHttpRequest
from proposals import textindex

MAX_TEXT = 4000


@login_required
@require_POST
def similar_hint(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Up to five suggestions like the draft's title and body (a fragment for the draft page):
    the deputy's own in full, others' by title and public reply only."""
    if not allowed(request.user, "draft_proposal"):
        raise refuse(request, "similar hint")
    # Posted, not in the query string: a draft's text stays out of URLs and access logs, and
    # its length out of the servers' limits on a request line.
    exclude = request.POST.get("exclude", "")
    items = textindex.similar_items(
        title=request.POST.get("title", "")[:200],
        body=request.POST.get("body", "")[:MAX_TEXT],
        user=request.user,
        exclude=int(exclude) if exclude.isdigit() else None,
    )
    return render(request, "proposals/_similar.html", {"similar_items": items, "for_deputy": True})
