"""Template helpers of the reports: a share printed the one way (see reports.figures.share)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template

from deputies.streams import KEEP_CLOSE, KEEP_OPEN
from reports.figures import Figure

register = template.Library()


@register.filter
def pct(value: Figure | Decimal | float | str | None) -> str:
    """A Figure or a share as "18.06%", or "—" when it has no base."""
    if isinstance(value, Figure):
        value = value.pct
    if value is None or value == "":
        return "—"
    return f"{Decimal(value)}%"


@register.filter
def get_item(mapping: Mapping[Any, object], key: object) -> object:
    return mapping.get(key, "")


@register.filter
def keep(value: object) -> str:
    """Data in a report told in another stream's words (a title, a name, what someone wrote):
    marked so that it is left as written (deputies.streams.told_for)."""
    return f"{KEEP_OPEN}{value}{KEEP_CLOSE}"
