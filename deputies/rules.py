"""The access rule on the security audit log, registered in `deputies.access`."""

from __future__ import annotations

from deputies.access import add_rule, is_congress_office

# Reading and exporting the security audit log: congress staff and administrators.
add_rule("view_audit_log", is_congress_office)
