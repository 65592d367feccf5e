"""Small helpers for the django-fsm state machines (the suggestion's and the reply's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def condition(message: Any) -> Callable[[Any], Any]:
    """Mark a django-fsm condition with the message a refused user sees."""

    def mark(func: Any) -> Any:
        func.message = message
        return func

    return mark


def transition_label(obj: Any, name: str) -> str:
    """The name of the transition `name` for people (its `custom["label"]`)."""
    method = getattr(obj, name)
    for transition in method._django_fsm.transitions.values():
        return str((transition.custom or {}).get("label", name))
    return name
