"""What every page's header needs: the navigation for the user's role and the unread count.
Each app registers its own entries (proposals/hooks.py `nav`); an entry whose page does not
exist is left out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from deputies.models import User
from deputies.streams import Stream, stream_of_role, words_of
from proposals import hooks

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class NavItem(TypedDict):
    url: str
    label: StrOrPromise
    active: bool
    primary: bool


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):  # no request user (an error page) or not logged in
        return {"CONGRESS_NAME": settings.CONGRESS_NAME, "words": words_of(Stream.SUGGESTION)}
    items: list[NavItem] = []
    for entry in hooks.nav_entries():
        if (
            entry.roles is not None
            and user.role not in entry.roles
            and not (entry.url_name == "admin:index" and user.is_superuser)
        ):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": entry.label, "active": False, "primary": entry.primary})
    # Highlight the one entry whose address is the longest prefix of this page's
    # (/proposals/review/ is 审查, not 建议 whose address /proposals/ it also starts with).
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {
        "CONGRESS_NAME": settings.CONGRESS_NAME,
        # The words of the user's stream (a member's, the proposals committee's), else the congress's.
        "words": words_of(stream_of_role(user.role) or Stream.SUGGESTION),
        "nav_items": items,
        "nav_more": [item for item in items if not item["primary"]],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        "unread_notifications_url": reverse("proposals:notifications") + "?unread=1",
    }
