"""The OpenAPI schema generates without a warning and names every endpoint the apps register."""

from __future__ import annotations

import pytest
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for endpoint in (
        "/api/v1/suggestions/:",
        "/api/v1/suggestions/{id}/submit/:",
        "/api/v1/suggestions/{id}/replies/:",
        "/api/v1/replies/{id}/rating/:",
        "/api/v1/replies/{id}/rating/settle/:",
        "/api/v1/notifications/{id}/read/:",
    ):
        assert endpoint in text
    assert "personalToken" in text


pytestmark = pytest.mark.django_db
