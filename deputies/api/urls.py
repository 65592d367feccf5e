"""/api/v1/: the endpoints the apps registered, the OpenAPI schema and its docs (local files)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from deputies.api.router import patterns

app_name = "api"


def __getattr__(name: str) -> Any:
    # Read when the URL map is first resolved, after every app's ready() has registered.
    if name == "urlpatterns":
        return [
            *patterns(),
            path("schema/", SpectacularAPIView.as_view(), name="schema"),
            path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
        ]
    raise AttributeError(name)
