"""The API's one URL map: each app adds its endpoints from its AppConfig.ready() (as pages
register their hooks), so no earlier app names a later one's views."""

from __future__ import annotations

from django.urls import URLPattern

_patterns: list[URLPattern] = []


def register(*patterns: URLPattern) -> None:
    """Add endpoints under /api/v1/ (their names in the "api" namespace)."""
    _patterns.extend(patterns)


def patterns() -> list[URLPattern]:
    return list(_patterns)
