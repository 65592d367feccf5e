"""What the reports add to the suggestion's pages (registered in `proposals.hooks`): the
Excel export of a list, the printable letter on a reply's page, the link to the deputy's record
on "my suggestions", and the navigation to the dashboard, the deputies' records, the annual
report, the import and the public replies."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from deputies.access import OVERSEER_ROLES, STAFF_ROLES, SUBMITTER_ROLES
from proposals import hooks

hooks.slot("list.actions", "reports/_export_link.html")
hooks.slot("reply.letter", "reports/_letter_link.html")
hooks.slot("mine.links", "reports/_my_record_link.html")
hooks.slot("public.links", "reports/_public_links.html")

for entry in (
    hooks.NavEntry("reports:dashboard", gettext_lazy("Dashboard"), OVERSEER_ROLES, order=100),
    hooks.NavEntry("reports:my_record", gettext_lazy("My record"), SUBMITTER_ROLES, order=35),
    hooks.NavEntry("reports:deputy_records", gettext_lazy("Deputy records"), OVERSEER_ROLES, False, order=125),
    hooks.NavEntry("reports:annual_report", gettext_lazy("Annual report"), STAFF_ROLES, False, order=130),
    hooks.NavEntry("reports:import", gettext_lazy("Excel import"), STAFF_ROLES, False, order=140),
    hooks.NavEntry("disclosure:replies", gettext_lazy("Public replies"), None, False, order=150),
):
    hooks.nav(entry)
