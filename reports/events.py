"""The reports' steps on a suggestion's trail (see proposals/events.py): a suggestion's history
written by the Excel import, and a reply kept from the public pages or let out again."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from proposals.events import OVERSEERS, EventKind, declare

declare(EventKind("import", gettext_lazy("Imported from Excel")))
# Staff keep a reply from the public pages, or let it out again (reports.publication).
declare(EventKind("disclosure_held", gettext_lazy("Reply kept from the public pages"), seen_by=frozenset({OVERSEERS})))
declare(
    EventKind(
        "disclosure_released", gettext_lazy("Reply shown on the public pages again"), seen_by=frozenset({OVERSEERS})
    )
)
