"""The shape of one demo suggestion's text (demo/content/suggestions_*.py)."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class SuggestionText(TypedDict):
    category: str
    title: str
    source: str
    body: str
    lead_unit: str
    co_units: list[str]
    # What the reply says: done (class A and B), promised (class B; last year's may name the
    # month as `{by}`), and why not (class C and D).
    done: str
    plan: str
    limit: str
    # Last year's only: the class each one ends with.
    result: NotRequired[str]
