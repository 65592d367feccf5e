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
        "/api/v1/cosign-invitations/{id}/accept/:",
        "/api/v1/assignments/:",
        "/api/v1/assignments/{id}/sign/:",
        "/api/v1/assignments/{id}/contacts/:",
        "/api/v1/assignments/{id}/reply/:",
        "/api/v1/replies/{id}/approve/:",
        "/api/v1/proposals/:",
        "/api/v1/proposals/{id}/register/:",
        "/api/v1/proposals/{id}/assign/:",
        "/api/v1/figures/:",
        "/api/v1/public/replies/{id}/:",
        "/api/v1/public/figures/{year}/:",
        "/api/v1/public/suggestions/:",
        "/api/v1/public/suggestions/{id}/:",
    ):
        assert endpoint in text
    assert "personalToken" in text


def test_the_lists_filters_are_the_pages_filter_forms_fields(tmp_path):
    from drf_spectacular.generators import SchemaGenerator

    from proposals.forms import ProposalFilterForm

    schema = SchemaGenerator().get_schema(request=None, public=True)
    named = {p["name"] for p in schema["paths"]["/api/v1/proposals/"]["get"]["parameters"]}
    assert set(ProposalFilterForm().fields) | {"page", "page_size"} == named
    assert {"unit", "todo"} <= named  # the filters later apps add to the list page


pytestmark = pytest.mark.django_db
