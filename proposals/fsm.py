"""Small helpers for the django-fsm state machines (the suggestion's and the reply's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db.models import Model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Condition(Protocol):
    """A django-fsm condition carrying the message a refused user sees. django-fsm calls it
    with the instance whose transition is checked, typed only as a model; each condition
    takes its own model's instance (a suggestion, a reply), so the argument is Any here."""

    message: StrOrPromise

    def __call__(self, instance: Any, /) -> bool: ...


def condition(message: StrOrPromise) -> Callable[[Callable[[Any], bool]], Condition]:
    """Mark a django-fsm condition with the message a refused user sees."""

    def mark(func: Callable[[Any], bool]) -> Condition:
        marked = cast(Condition, func)  # the same function, given its message here
        marked.message = message
        return marked

    return mark


def transition_label(obj: Model | type[Model], name: str) -> str:
    """The name of the transition `name` for people (its `custom["label"]`)."""
    method = getattr(obj, name)
    for transition in method._django_fsm.transitions.values():
        return str((transition.custom or {}).get("label", name))
    return name


def source_states(model: type[Model], name: str) -> tuple[str, ...]:
    """The states the transition `name` leaves from: the list form of `can_proceed` (without
    its conditions), for a condition on many rows."""
    return tuple(getattr(model, name)._django_fsm.transitions)
