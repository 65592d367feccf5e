"""What every page's header needs: the navigation for the user's role and the unread count."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from deputies.models import Role

# (URL name, label, roles that see it; None for everyone). Later steps' pages are named by
# URL only, and an entry whose page does not exist yet is left out.
NAVIGATION: list[tuple[str, Any, tuple[str, ...] | None]] = [
    ("home", _("Workbench"), None),
    (
        "proposals:list",
        _("Suggestions"),
        (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE, Role.UNIT_HANDLER, Role.UNIT_HEAD),
    ),
    ("proposals:mine", _("My suggestions"), (Role.DEPUTY,)),
    ("proposals:review_queue", _("Review"), (Role.STAFF, Role.ADMIN)),
    (
        "supervision:key_list",
        _("Key suggestions"),
        (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE),
    ),
    (
        "supervision:followup",
        _("Follow-up"),
        (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.UNIT_HANDLER, Role.UNIT_HEAD),
    ),
    # issue 5: supervision pages for leaders and units, and urging notices
    ("supervision:my_items", _("Items I lead"), (Role.LEADER,)),
    ("supervision:key_list", _("Key suggestions"), (Role.UNIT_HANDLER, Role.UNIT_HEAD)),
    (
        "supervision:urging_list",
        _("Urging"),
        (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.UNIT_HANDLER, Role.UNIT_HEAD),
    ),
    # end of issue 5
    ("reports:dashboard", _("Dashboard"), (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE)),
    # issue 6: the annual report and the Excel import for staff; the public replies for everyone
    ("reports:annual_report", _("Annual report"), (Role.STAFF, Role.ADMIN)),
    ("reports:import", _("Excel import"), (Role.STAFF, Role.ADMIN)),
    ("disclosure:replies", _("Public replies"), None),
    ("admin:index", _("Administration"), (Role.ADMIN,)),
    # issue 4: deputies on their phones
    ("handling:questions", _("Questions from deputies"), (Role.UNIT_HANDLER, Role.UNIT_HEAD)),
    ("handling:unrated_replies", _("Unrated replies"), (Role.STAFF, Role.ADMIN)),
    ("proposals:notifications", _("Notifications"), None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"CONGRESS_NAME": settings.CONGRESS_NAME}
    items = []
    for name, label, roles in NAVIGATION:
        if roles is not None and user.role not in roles and not (name == "admin:index" and user.is_superuser):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False})
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
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
