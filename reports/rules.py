"""The reports' access rules, registered in `deputies.access`."""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q

from deputies.access import (
    add_rule,
    allowed,
    deputy_id_of,
    is_congress_staff,
    is_deputy,
    is_overseer,
    is_unit_person,
)
from deputies.models import Deputy, UserOrAnonymous
from handling.rules import add_public_reply_condition
from reports.models import DisclosureHold

# The dashboard and the lists behind its figures: everyone who oversees the handling.
add_rule("view_dashboard", is_overseer)
# The Excel export of a list: those who see lists; it holds only what they may see.
add_rule("export_proposals", is_overseer | is_unit_person)
# Imports, the annual report, exports of units and deputies, disclosure holds: congress staff.
add_rule("manage_reports", is_congress_staff)


@rules.predicate
def is_own_record(user: UserOrAnonymous, deputy: Deputy | None) -> bool:
    """The deputy record is the user's own."""
    return deputy is not None and deputy_id_of(user) == deputy.pk


# Deputies' yearly records (履职档案): the list of every deputy for those who oversee the
# handling; one deputy's record for them and for the deputy alone. Units see none.
add_rule("view_deputy_records", is_overseer)
add_rule("view_deputy_record", is_overseer | (is_deputy & is_own_record))
add_rule("view_own_record", is_deputy)
# The reply letter (答复函) as a PDF to print, sign and seal: whoever may read the reply: its
# units and, once past the unit head, staff while it is prepared; the deputies once issued.
add_rule("print_reply_letter", lambda user, reply: reply is not None and allowed(user, "view_reply", reply))


def not_held_back() -> Q:
    """A reply staff have held back from the public (DisclosureHold) is not public, whatever
    the unit chose. NOT EXISTS rather than a LEFT JOIN … IS NULL: with the join the planner
    estimated a few hundred replies and read all the public ones to sort them."""
    return ~Q(Exists(DisclosureHold.objects.filter(reply=OuterRef("pk"))))


add_public_reply_condition(not_held_back)
