from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from proposals import selectors
from proposals.access import get_proposal_for_user
from proposals.models import Proposal, ProposalState


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
