"""Everyone's in-app notifications: the list (unread first in the header's count), opening
one (which marks it read and goes where it points), and marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deputies import access
from deputies.http import AuthenticatedHttpRequest
from deputies.pages import paginate
from deputies.streams import stream_words
from proposals.models import Notification

PAGE_SIZE = 20


def target_url(request: HttpRequest, notification: Notification) -> str:
    """Where a notice leads. A deputy's notice about one of their suggestions opens their own
    page of it (the core links every notice to the general detail page)."""
    proposal = notification.proposal
    url = notification.url
    if proposal is not None and access.deputy_id_of(request.user) is not None:
        # A deputy who declined to co-sign no longer sees the suggestion: their old invitation
        # leads to their list rather than to “not found”.
        if not access.allowed(request.user, "follow_proposal", proposal):
            return reverse("proposals:mine")
    if proposal is not None and (not url or url == reverse("proposals:detail", args=[proposal.pk])):
        if access.deputy_id_of(request.user) is not None:
            return reverse("proposals:mine_detail", args=[proposal.pk])
        if not access.allowed(request.user, "view_proposal", proposal):
            # No longer theirs to read (their unit was replaced, the item went to another
            # office): said on their notices, rather than “not found”.
            with stream_words(proposal.stream):
                messages.info(request, _("This suggestion is no longer with your unit, so it cannot be opened here."))
            return reverse("proposals:notifications")
        return reverse("proposals:detail", args=[proposal.pk])
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("proposals:notifications")


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = request.user.notifications.all()
    unread_only = request.GET.get("unread") == "1"
    shown = mine.filter(read_at__isnull=True) if unread_only else mine
    page = paginate(request, shown.select_related("proposal").order_by("-created_at", "-pk"), per_page=PAGE_SIZE)
    return render(
        request,
        "proposals/notifications.html",
        {"page": page, "unread_only": unread_only, "unread": mine.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = Notification.objects.select_related("proposal").filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise access.refuse(request, f"notification {pk} (not the user's)")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(target_url(request, notification))


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    if count:
        messages.success(request, _("%(n)s notifications marked as read.") % {"n": count})
    return redirect("proposals:notifications")
