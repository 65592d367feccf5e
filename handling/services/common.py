"""What the handling services share: who in a unit is told, the check that a person acts for
the assignment's unit, and a merged group's rows, which mirror the main suggestion's."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from deputies.models import Role, User
from handling.models import Assignment
from handling.rules import unit_id_of
from proposals.models import Proposal
from proposals.workflow import Refused, lock_group


def unit_people(unit_ids: Sequence[int], roles: Sequence[str] = (Role.UNIT_HANDLER, Role.UNIT_HEAD)) -> list[User]:
    """The active logins of these units (handlers and heads, or the roles given): who is told."""
    return list(User.objects.filter(unit_membership__unit_id__in=unit_ids, role__in=roles, is_active=True))


def require_unit(by: User, assignment: Assignment) -> None:
    """Refuse the step unless `by` acts for the assignment's unit and the assignment is current."""
    if unit_id_of(by) != assignment.unit_id or not assignment.is_active:
        raise Refused(
            _("Only the people of %(unit)s can do this.") % {"unit": assignment.unit.name},
            by=by,
            what=f"act for unit on assignment {assignment.pk}",
        )


def group_of(main: Proposal) -> list[Proposal]:
    """The main suggestion followed by the members merged into it, all locked."""
    return [main, *lock_group(main)]


def twin_of(assignment: Assignment, proposal: Proposal) -> Assignment:
    """The member's active assignment mirroring `assignment` (same unit)."""
    return Assignment.objects.select_for_update().get(proposal=proposal, unit_id=assignment.unit_id, is_active=True)
