"""Who may see and do what: the one registry of the product's object-level access rules.

Each app declares the rules on the data it owns in its own `rules.py`, which its AppConfig
imports when the project starts (as Django's admin registers models): `proposals/rules.py`
holds the suggestion's rules, `handling/rules.py` the units', replies' and ratings',
`supervision/rules.py` key items', urging notices' and promises', `reports/rules.py` the
reports'. Every caller asks `allowed(user, "rule_name", obj)`; an unknown rule is refused.

The rules use their own RuleSet rather than Django's permissions, so no superuser shortcut
applies: an administrator cannot, for instance, rate a reply on a deputy's behalf.

Refusing is part of the same design: a page that must not show an object answers 404 through
`refuse()`, never 403 (so the existence of another deputy's or unit's item is not disclosed),
and the refusal is written to the security audit log (see `deputies.audit`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest

from deputies.audit import record_refused_access
from deputies.models import Role

RULES = rules.RuleSet()

_MISSING = object()

# Those who oversee the handling of every suggestion past its draft.
OVERSEER_ROLES = (Role.STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE)
STAFF_ROLES = (Role.STAFF, Role.ADMIN)
UNIT_ROLES = (Role.UNIT_HANDLER, Role.UNIT_HEAD)


def add_rule(name: str, predicate: Any) -> None:
    """Declare a rule. A name is declared once, by the app that owns its objects."""
    if RULES.rule_exists(name):
        raise ValueError(f"access rule {name!r} is declared twice")
    RULES.add_rule(name, predicate)


def allowed(user: Any, name: str, obj: Any = None) -> bool:
    """May `user` do `name` (on `obj`)? Unknown rules are refused."""
    return RULES.rule_exists(name) and RULES.test_rule(name, user, obj)


def rule_permission(name: str, of: Callable[[Any], Any] | None = None) -> Callable[[Any, Any], bool]:
    """A django-fsm transition permission that asks the rule `name` about the instance (or
    about `of(instance)`, e.g. a reply's suggestion)."""

    def check(instance: Any, user: Any) -> bool:
        return allowed(user, name, of(instance) if of is not None else instance)

    check.__name__ = f"perm_{name}"
    return check


def refuse(request: HttpRequest, detail: str) -> Http404:
    """Audit a refusal and return the 404 to raise: `raise refuse(request, "reply 12")`."""
    record_refused_access(request, detail)
    return Http404("not found")


def is_active_login(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def deputy_id_of(user: Any) -> int | None:
    """The id of the deputy record behind a login, or None (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_deputy_id", _MISSING)
    if cached is _MISSING:
        try:
            cached = user.deputy.id
        except ObjectDoesNotExist:
            cached = None
        user._deputy_id = cached
    return cached  # type: ignore[return-value]


# --- predicates on the user alone ----------------------------------------------------------------


def has_role(*roles: str) -> Any:
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def check(user: Any) -> bool:
        return is_active_login(user) and user.role in roles

    return check


is_congress_staff = has_role(*STAFF_ROLES)
is_supervision = has_role(Role.SUPERVISION)
is_leader = has_role(Role.LEADER)
is_committee = has_role(Role.COMMITTEE)
is_unit_person = has_role(*UNIT_ROLES)
is_unit_head = has_role(Role.UNIT_HEAD)
is_overseer = has_role(*OVERSEER_ROLES)


@rules.predicate
def is_deputy(user: Any) -> bool:
    """An active login linked to a deputy record."""
    return is_active_login(user) and deputy_id_of(user) is not None
