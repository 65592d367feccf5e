"""Getting a suggestion for the requesting user: what they may not see answers 404 (never 403,
so that the existence of another deputy's item is not disclosed), and the refusal is audited."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from deputies.access import allowed, refuse
from proposals.models import Proposal


def get_proposal_for_user(
    request: HttpRequest, pk: int, *, queryset: QuerySet[Proposal] | None = None, rule: str = "view_proposal"
) -> Proposal:
    """The suggestion `pk` if the user may see it and, when `rule` is given, do `rule` on it."""
    queryset = Proposal.objects.all() if queryset is None else queryset
    try:
        proposal = queryset.get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404("not found") from None
    if not allowed(request.user, "view_proposal", proposal):
        raise refuse(request, f"proposal {pk}")
    if rule != "view_proposal" and not allowed(request.user, rule, proposal):
        raise refuse(request, f"proposal {pk} ({rule})")
    return proposal
