"""The access rules on what `deputies` owns, registered in `deputies.access`: the security
audit log, liaison stations and residents' matters (see `deputies.matters`)."""

from __future__ import annotations

import rules

from deputies.access import add_rule, deputy_id_of, is_active_login, is_congress_office
from deputies.matters import can_handle, is_matter_deputy, is_station_staff, is_stationed, triages
from deputies.models import Deputy, LiaisonStation, ResidentMatter, UserOrAnonymous

# Reading and exporting the security audit log: congress staff and administrators.
add_rule("view_audit_log", is_congress_office)


@rules.predicate
def handles_matter(user: UserOrAnonymous, matter: object) -> bool:
    return can_handle(user, matter)


@rules.predicate
def is_deputy_of_matter(user: UserOrAnonymous, matter: object) -> bool:
    return isinstance(matter, ResidentMatter) and is_matter_deputy(user, matter)


@rules.predicate
def has_matter_inbox(user: UserOrAnonymous) -> bool:
    return triages(user)


@rules.predicate
def prints_card(user: UserOrAnonymous, obj: object) -> bool:
    """A station's card: its staff and its deputies. A deputy's card: the deputy, and the staff
    of a station the deputy is stationed at."""
    if not is_active_login(user):
        return False
    if isinstance(obj, LiaisonStation):
        return is_station_staff(user, obj) or is_stationed(user, obj)
    if isinstance(obj, Deputy):
        return deputy_id_of(user) == obj.pk or obj.stations.filter(staff=user).exists()
    return False


# A matter: its station's staff and its deputy (the stationed deputies for one left at the
# station), nobody else; they see it whole (the phone unmasked, the photo) and triage it.
add_rule("view_matter", handles_matter)
add_rule("handle_matter", handles_matter)
# Turning a matter into a draft suggestion: the deputy who would lead it.
add_rule("suggest_from_matter", is_deputy_of_matter)
# The inbox of matters and the QR cards: station staff and deputies.
add_rule("triage_matters", has_matter_inbox)
add_rule("print_intake_card", prints_card)
