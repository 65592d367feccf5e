from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from proposals import rules as access
from proposals import selectors
from proposals.access import download, get_proposal_for_user, refuse
from proposals.models import Proposal, ProposalAttachment, ProposalState


@login_required
def home(request: HttpRequest) -> HttpResponse:
    counts = selectors.state_counts(request.user)
    states = [(value, label, counts.get(value, 0)) for value, label in ProposalState.choices]
    recent = selectors.proposals_for(request.user).order_by("-updated_at")[:20]
    return render(request, "proposals/home.html", {"states": states, "recent": recent, "total": sum(counts.values())})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_proposal_for_user(
        request,
        pk,
        queryset=Proposal.objects.select_related(
            "meeting", "lead_deputy__delegation", "category", "source", "merged_into"
        ),
    )
    return render(
        request,
        "proposals/detail.html",
        {"proposal": proposal, "events": selectors.timeline(proposal)},
    )


@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(ProposalAttachment.objects.select_related("proposal"), pk=pk)
    if not access.allowed(request.user, "view_proposal", item.proposal):
        raise refuse(request, f"proposal attachment {pk}")
    return download(request, item.file, item.name)
