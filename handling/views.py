from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from handling.models import ReplyAttachment
from proposals import rules as access
from proposals.access import download, refuse


@login_required
def reply_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply's attachment, for whoever may see that reply or one of its merged-group copies."""
    item = get_object_or_404(ReplyAttachment.objects.select_related("reply__assignment__proposal"), pk=pk)
    replies = [item.reply, *item.reply.copies.select_related("assignment__proposal")]
    if not any(access.allowed(request.user, "view_reply", reply) for reply in replies):
        raise refuse(request, f"reply attachment {pk}")
    return download(request, item.file, item.name)
