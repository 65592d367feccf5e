from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from deputies.api.tokens import create_token


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def bearer(user, scope="write", **kwargs) -> APIClient:
    """An API client acting as `user` with a new personal token."""
    _row, token = create_token(user=user, name="测试", scope=scope, **kwargs)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api(deputy):
    return bearer(deputy.user)
