"""Template helpers of the reports: a share printed the one way (see reports.figures.share)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template

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
