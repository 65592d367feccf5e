"""The reports' access rules (on the user alone), registered in `deputies.access`."""

from __future__ import annotations

from deputies.access import add_rule, is_congress_staff, is_overseer, is_unit_person

# The dashboard and the lists behind its figures: everyone who oversees the handling.
add_rule("view_dashboard", is_overseer)
# The Excel export of a list: those who see lists; it holds only what they may see.
add_rule("export_proposals", is_overseer | is_unit_person)
# Imports, the annual report, exports of units and deputies, disclosure holds: congress staff.
add_rule("manage_reports", is_congress_staff)
