"""The daily scan's rule for residents' matters forwarded to a unit (民意件, handling/referrals.py):
once a forwarded matter's deadline has passed without the unit's answer, its handlers and
heads are told, once per matter and deadline (the scan's `Reminder` claim makes it exactly
once, however often the scan runs)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handling.models import MatterReferral
from proposals.models import Notification
from supervision import reminders
from supervision.models import Reminder

TEXT_SHOWN = 40


def referral_rule(today: dt.date, people: reminders.Directory, links: reminders.Links) -> list[reminders.Candidate]:
    rows = (
        MatterReferral.objects.filter(MatterReferral.overdue_condition(today))
        .values("pk", "unit_id", "deadline", "text", "matter__station__name", "matter__deputy__name")
        .order_by("pk")
    )
    marker = 987654321
    page = reverse("handling:referral", args=[marker]).replace(str(marker), "{}")
    out = []
    for row in rows:
        text = " ".join(row["text"].split())[:TEXT_SHOWN]
        facts = {
            "source": row["matter__station__name"] or row["matter__deputy__name"] or "",
            "date": row["deadline"].isoformat(),
            "text": text,
        }
        message = (
            _(
                "The residents' matter forwarded by %(source)s was to be answered by %(date)s and is not "
                "answered yet: %(text)s"
            )
            % facts
        )
        for user_id in people.unit_all(row["unit_id"]):
            out.append(
                reminders.Candidate(
                    Reminder.Kind.REFERRAL,
                    f"m{row['pk']}",
                    f"@{facts['date']}",
                    user_id,
                    None,
                    message,
                    page.format(row["pk"]),
                    Notification.Kind.OVERDUE,
                    text,
                )
            )
    return out


reminders.add_rule("referral", gettext_lazy("Reminders of overdue forwarded matters"), referral_rule)
