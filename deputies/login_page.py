"""The accounts the login page lists for trying the system out (only with SHOW_DEMO_LOGINS).

`deputies` comes first in the chain, so it cannot know which accounts a demo makes: the app
that makes them registers them here from its `AppConfig.ready()`, as apps register their models
with Django's admin. With nothing registered the page lists none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ListedLogins:
    """(username, description) pairs in the order the page shows them, and their one password."""

    accounts: tuple[tuple[str, str], ...]
    password: str


_listed: ListedLogins | None = None


def register(*, accounts: Iterable[tuple[str, str]], password: str) -> None:
    """List these accounts on the login page; a second registration replaces the first."""
    global _listed
    _listed = ListedLogins(accounts=tuple(accounts), password=password)


def clear() -> None:
    global _listed
    _listed = None


def listed() -> ListedLogins | None:
    return _listed
