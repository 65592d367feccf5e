"""The reports' step on a suggestion's trail (see proposals/events.py): a suggestion's history
written by the Excel import."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from proposals.events import EventKind, declare

declare(EventKind("import", gettext_lazy("Imported from Excel")))
