"""What the API tests that walk the schema share: the persons they act as, and the kind of
object each path's {id} names, so that a generated request can be sent on a real one."""

from __future__ import annotations

import re

# The world's personas (tests/access/world.py) the API is used as.
ROLES = (
    "lead deputy",
    "unit handler",
    "unit head",
    "congress staff",
    "proposals committee",
    "CPPCC member",
    "anonymous",
)
# The kind of object (tests/access/crawl.py KINDS) each path's {id} names.
KIND_OF_PATH = [
    (re.compile(r"^/api/v1/(public/)?(suggestions|proposals)/\{id\}"), "proposal"),
    (re.compile(r"^/api/v1/(public/)?replies/\{id\}"), "reply"),
    (re.compile(r"^/api/v1/assignments/\{id\}"), "assignment"),
    (re.compile(r"^/api/v1/cosign-invitations/\{id\}"), "co-signature"),
    (re.compile(r"^/api/v1/notifications/\{id\}"), "notification"),
]


def kind_of(path: str) -> str | None:
    """The kind of object `path`'s {id} names; None for a path with no id."""
    return next((kind for pattern, kind in KIND_OF_PATH if pattern.match(path)), None)
