"""Getting handling's objects for the requesting user, one function per kind: what they may
not see (or not do) answers 404, never 403, and the refusal is audited."""

from __future__ import annotations

from collections.abc import Collection

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from deputies.access import allowed, refuse
from handling.models import Assignment, Reply
from handling.rules import unit_id_of

REPLY_PAGE = (
    "assignment__unit",
    "assignment__proposal__meeting",
    "assignment__proposal__lead_deputy",
    "result_category",
)


def get_own_assignment(request: HttpRequest, pk: int, roles: Collection[str] | None = None) -> Assignment:
    """An active assignment of the user's own unit (in one of `roles`, for a page of theirs
    only: a co-handler has no reply, plan or extension of its own; an answering unit sends no
    co-handling opinion)."""
    found = (
        Assignment.objects.select_related("unit", "proposal__meeting", "proposal__lead_deputy").filter(pk=pk).first()
    )
    if found is None or not found.is_active or unit_id_of(request.user) != found.unit_id:
        raise refuse(request, f"assignment {pk}")
    if roles is not None and found.role not in roles:
        raise refuse(request, f"assignment {pk} ({found.role})")
    return found


def get_reply_for_user(request: HttpRequest, pk: int, rule: str = "view_reply") -> Reply:
    """A reply the user may see and, when `rule` is given, do `rule` on."""
    reply = get_object_or_404(Reply.objects.select_related(*REPLY_PAGE, "copied_from"), pk=pk)
    if not allowed(request.user, "view_reply", reply):
        raise refuse(request, f"reply {pk}")
    if rule != "view_reply" and not allowed(request.user, rule, reply):
        raise refuse(request, f"reply {pk} ({rule})")
    return reply
