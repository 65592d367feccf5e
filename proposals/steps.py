"""Running one workflow step from a view: call the service, turn a refusal into a message in
Chinese, redirect. A refused step changes nothing, so the page simply shows why."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from proposals.services import ProposalError


def run_step(request: HttpRequest, step: Callable[[], object], success: str) -> bool:
    """Run `step`; report success or the refusal as a message. True when it was done."""
    try:
        step()
    except ProposalError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True
