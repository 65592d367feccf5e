"""The suggestion's states and the groups of them the rest of the code asks about."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_ACCEPTED = "not_accepted", _("Not accepted (referred elsewhere)")
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    REASSIGN_REQUESTED = "reassign_requested", _("Re-assignment requested")
    IN_HANDLING = "in_handling", _("In handling")
    REPLIED = "replied", _("Replied")
    REHANDLING = "rehandling", _("Re-handling")
    CLOSED = "closed", _("Closed")


S = ProposalState

# Handed to units and not yet closed.
HANDLING_STATES = (S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING, S.REPLIED, S.REHANDLING)
# Some unit owes a reply.
REPLY_DUE_STATES = (S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING, S.REHANDLING)
# The units have signed for it and write their replies (the first, or after re-handling the second).
REPLYING_STATES = (S.IN_HANDLING, S.REHANDLING)
# Counted as "assigned" by the reports: handed to a unit, whatever happened next.
ASSIGNED_STATES = (*HANDLING_STATES, S.CLOSED)
# Registered and every later state: numbered by the congress (or the CPPCC) and listed.
REGISTERED_STATES = (S.REGISTERED, *ASSIGNED_STATES)
# Replied to: the units' replies stand and may be read (rated, handled again, or closed).
REPLIED_STATES = (S.REPLIED, S.REHANDLING, S.CLOSED)
# While a merged group (并案) is in one of these states it is handled as one, on its main
# suggestion, and its members mirror each step; from the reply on, each goes its own way.
GROUP_HANDLED_STATES = (S.REGISTERED, S.ASSIGNED, S.REASSIGN_REQUESTED, S.IN_HANDLING)
# The deputy may still change it.
EDITABLE_STATES = (S.DRAFT, S.RETURNED)
# Finished: nothing more happens to it (a closed one's promises are followed up elsewhere).
FINAL_STATES = (S.WITHDRAWN, S.NOT_ACCEPTED, S.CLOSED)
# An invitation to co-sign may still be answered (until registration).
COSIGNABLE_STATES = (*EDITABLE_STATES, S.SUBMITTED)
