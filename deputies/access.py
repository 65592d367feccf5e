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
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar, cast

import rules
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from rules.predicates import Predicate

from deputies.audit import record_refused_access
from deputies.models import Role, User, UserOrAnonymous
from deputies.streams import Stream

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser, PermissionsMixin

RULES = rules.RuleSet()

_T = TypeVar("_T")

# Those who oversee the handling of every item past its draft (of their streams, below).
OVERSEER_ROLES = (Role.STAFF, Role.PROPOSALS_STAFF, Role.ADMIN, Role.SUPERVISION, Role.LEADER, Role.COMMITTEE)
# Those who set items up (review, number, assign, report): each body's staff, of its own stream.
STAFF_ROLES = (Role.STAFF, Role.PROPOSALS_STAFF, Role.ADMIN)
# The congress's own staff: the system's security (the audit log) is theirs.
CONGRESS_STAFF_ROLES = (Role.STAFF, Role.ADMIN)
UNIT_ROLES = (Role.UNIT_HANDLER, Role.UNIT_HEAD)
# Those who submit items: deputies their suggestions, CPPCC members their proposals.
SUBMITTER_ROLES = (Role.DEPUTY, Role.MEMBER)

# The streams a role works on, where it is not both: the congress's staff set up and see the
# deputies' suggestions only, the proposals committee the members' proposals only. The
# government (supervision office, units), leaders, committees and the administrator see both;
# a deputy or a member sees their own items, whatever this says.
_ROLE_STREAMS: dict[str, tuple[str, ...]] = {
    Role.STAFF: (Stream.SUGGESTION,),
    Role.PROPOSALS_STAFF: (Stream.PROPOSAL,),
}
ALL_STREAMS: tuple[str, ...] = tuple(Stream.values)


def add_rule(name: str, predicate: Predicate | Callable[..., bool]) -> None:
    """Declare a rule. A name is declared once, by the app that owns its objects."""
    if RULES.rule_exists(name):
        raise ValueError(f"access rule {name!r} is declared twice")
    RULES.add_rule(name, predicate)


def allowed(user: UserOrAnonymous, name: str, obj: object = None) -> bool:
    """May `user` do `name` (on `obj`, an object of any app's model)? Unknown rules are
    refused."""
    return RULES.rule_exists(name) and RULES.test_rule(name, user, obj)


def rule_permission(
    name: str, of: Callable[[Any], Model] | None = None
) -> Callable[[Model, AbstractUser | AnonymousUser | PermissionsMixin], bool]:
    """A django-fsm transition permission that asks the rule `name` about the instance (or
    about `of(instance)`, e.g. a reply's suggestion; `of` takes the instance of whichever
    model the transition is on)."""

    def check(instance: Model, user: AbstractUser | AnonymousUser | PermissionsMixin) -> bool:
        # django-fsm types the user as any of Django's; it hands back the one our services
        # passed in, which is always ours.
        return allowed(cast(UserOrAnonymous, user), name, of(instance) if of is not None else instance)

    check.__name__ = f"perm_{name}"
    return check


def refuse(request: HttpRequest, detail: str) -> Http404:
    """Audit a refusal and return the 404 to raise: `raise refuse(request, "reply 12")`."""
    record_refused_access(request, detail)
    return Http404("not found")


def is_active_login(user: UserOrAnonymous) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_active


def remembered(user: User, key: str, load: Callable[[], _T]) -> _T:
    """`load()` once per user object, kept on it under `key`: a request's user lives as long
    as the request, so each answer is looked up once per request."""
    if not hasattr(user, key):
        setattr(user, key, load())
    value: _T = getattr(user, key)
    return value


def deputy_id_of(user: UserOrAnonymous) -> int | None:
    """The id of the deputy record behind a login, or None (cached on the user)."""
    if not isinstance(user, User):
        return None
    return remembered(user, "_deputy_id", lambda: _deputy_id(user))


def _deputy_id(user: User) -> int | None:
    try:
        return user.deputy.id
    except ObjectDoesNotExist:
        return None


def streams_of(user: UserOrAnonymous) -> tuple[str, ...]:
    """The streams `user` oversees or sets up (see `_ROLE_STREAMS`)."""
    return _ROLE_STREAMS.get(getattr(user, "role", ""), ALL_STREAMS)


def stream_of(obj: object) -> str | None:
    """The stream of an item, or of an object of any app that belongs to one (its `proposal`,
    its `assignment`'s): read from the loaded object, without importing its app."""
    for path in ((), ("proposal",), ("assignment", "proposal")):
        current: Any = obj
        for name in path:
            current = getattr(current, name, None)
        stream = getattr(current, "stream", None)
        if isinstance(stream, str):
            return stream
    return None


_Row = TypeVar("_Row", bound=Model)


def of_users_streams(user: UserOrAnonymous, queryset: QuerySet[_Row], path: str) -> QuerySet[_Row]:
    """The list form of `works_on_its_stream`: the rows whose item (reached by `path`, e.g.
    "assignment__proposal__") is of a stream the user works on."""
    streams = streams_of(user)
    return queryset if streams == ALL_STREAMS else queryset.filter(**{f"{path}stream__in": streams})


@rules.predicate
def works_on_its_stream(user: UserOrAnonymous, obj: object) -> bool:
    """The object (an item, or something of one) is of a stream the user works on; an
    object of no item (a page, a list) is; one of both streams (blank) is for those who work
    on both."""
    stream = stream_of(obj)
    if stream == "":  # of both streams together (the combined annual report)
        return streams_of(user) == ALL_STREAMS
    return stream is None or stream in streams_of(user)


# --- predicates on the user alone ----------------------------------------------------------------


def has_role(*roles: str) -> Predicate:
    @rules.predicate(name=f"has_role_{'_'.join(roles)}")
    def check(user: UserOrAnonymous) -> bool:
        return is_active_login(user) and user.role in roles

    return check


# The staff who set up an item of their stream (the congress's or the proposals committee's).
is_congress_staff = has_role(*STAFF_ROLES) & works_on_its_stream
# The congress's own staff, for what is not of any stream (the security audit log).
is_congress_office = has_role(*CONGRESS_STAFF_ROLES)
is_supervision = has_role(Role.SUPERVISION)
is_leader = has_role(Role.LEADER)
is_committee = has_role(Role.COMMITTEE)
is_unit_person = has_role(*UNIT_ROLES)
is_unit_head = has_role(Role.UNIT_HEAD)
is_overseer = has_role(*OVERSEER_ROLES) & works_on_its_stream
is_submitter = has_role(*SUBMITTER_ROLES)


@rules.predicate
def is_deputy(user: UserOrAnonymous) -> bool:
    """An active login linked to a deputy's or a member's record."""
    return is_active_login(user) and deputy_id_of(user) is not None
