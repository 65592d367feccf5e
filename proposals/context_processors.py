"""What every page's header needs: the navigation for the user's role and the unread count.
Each app registers its own entries (proposals/hooks.py `nav`); an entry whose page does not
exist is left out."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils.safestring import SafeString

from deputies.models import User
from deputies.streams import Stream, stream_of_role, words_of
from proposals import hooks
from proposals.models import Notification

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class NavItem(TypedDict):
    url: str
    label: StrOrPromise
    active: bool
    primary: bool
    attrs: SafeString  # the link's class and aria-current, for the header's bar


_ATTRS = {
    # (active, primary): the attributes of the entry's link in the bar
    (False, True): SafeString(""),
    (True, True): SafeString(' class="active" aria-current="page"'),
    (False, False): SafeString(' class="nav-secondary"'),
    (True, False): SafeString(' class="nav-secondary active" aria-current="page"'),
}


@functools.cache
def _entries_for(role: str, is_superuser: bool, urlconf: str) -> tuple[tuple[str, StrOrPromise, bool], ...]:
    """The entries one kind of person sees, with their addresses: (url, label, primary). The
    same for every request on one URL map (the registry is filled at start), so worked out
    once; the labels stay lazy, translated when the page is drawn."""
    found = []
    for entry in hooks.nav_entries():
        if (
            entry.roles is not None
            and role not in entry.roles
            and not (entry.url_name == "admin:index" and is_superuser)
        ):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        found.append((url, entry.label, entry.primary))
    return tuple(found)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):  # no request user (an error page) or not logged in
        return {"CONGRESS_NAME": settings.CONGRESS_NAME, "words": words_of(Stream.SUGGESTION)}
    items: list[NavItem] = [
        {"url": url, "label": label, "active": False, "primary": primary, "attrs": _ATTRS[False, primary]}
        for url, label, primary in _entries_for(user.role, user.is_superuser, _urlconf())
    ]
    # Highlight the one entry whose address is the longest prefix of this page's
    # (/proposals/review/ is 审查, not 建议 whose address /proposals/ it also starts with).
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        active = max(matches, key=lambda item: len(item["url"]))
        active["active"], active["attrs"] = True, _ATTRS[True, active["primary"]]
    more = [item for item in items if not item["primary"]]
    return {
        "CONGRESS_NAME": settings.CONGRESS_NAME,
        # The words of the user's stream (a member's, the proposals committee's), else the congress's.
        "words": words_of(stream_of_role(user.role) or Stream.SUGGESTION),
        "nav_items": items,
        "nav_more": more,
        "nav_more_active": any(item["active"] for item in more),
        "unread_notifications": Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count(),
        "unread_notifications_url": _notifications_url(),
    }


def _urlconf() -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return urlconf if isinstance(urlconf, str) else repr(urlconf)


def _notifications_url() -> str:
    return _reversed("proposals:notifications", _urlconf()) + "?unread=1"


@functools.cache
def _reversed(name: str, urlconf: str) -> str:
    return reverse(name)
