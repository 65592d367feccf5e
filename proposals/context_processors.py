"""What every page's header needs: the navigation for the user's role and the unread count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from deputies.models import Role

STAFF = (Role.STAFF, Role.ADMIN)
OVERSEERS = (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE)
UNITS = (Role.UNIT_HANDLER, Role.UNIT_HEAD)
EVERYONE = None

# (URL name, label, roles that see it, primary). Primary entries stand in the header; the
# others are under "更多" (on a phone everything is behind the 菜单 button). An entry whose
# page does not exist is left out.
NAVIGATION: list[tuple[str, Any, tuple[str, ...] | None, bool]] = [
    ("home", _("Workbench"), EVERYONE, True),
    ("proposals:list", _("Suggestions"), (*OVERSEERS, *UNITS), True),
    ("proposals:mine", _("My suggestions"), (Role.DEPUTY,), True),
    ("proposals:review_queue", _("Review"), STAFF, True),
    ("supervision:my_items", _("Items I lead"), (Role.LEADER,), True),
    ("supervision:key_list", _("Key suggestions"), (*OVERSEERS, *UNITS), True),
    ("supervision:followup", _("Follow-up"), (*STAFF, Role.SUPERVISION, *UNITS), True),
    ("supervision:urging_list", _("Urging"), (*STAFF, Role.SUPERVISION, *UNITS), True),
    ("handling:questions", _("Questions from deputies"), UNITS, True),
    ("reports:dashboard", _("Dashboard"), OVERSEERS, True),
    ("proposals:notifications", _("Notifications"), EVERYONE, True),
    ("handling:unrated_replies", _("Unrated replies"), STAFF, False),
    ("reports:annual_report", _("Annual report"), STAFF, False),
    ("reports:import", _("Excel import"), STAFF, False),
    ("disclosure:replies", _("Public replies"), EVERYONE, False),
    ("admin:index", _("Administration"), (Role.ADMIN,), False),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"CONGRESS_NAME": settings.CONGRESS_NAME}
    items = []
    for name, label, roles, primary in NAVIGATION:
        if roles is not None and user.role not in roles and not (name == "admin:index" and user.is_superuser):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False, "primary": primary})
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
        "nav_items": items,
        "nav_more": [item for item in items if not item["primary"]],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
