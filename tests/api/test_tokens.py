"""Personal API tokens: kept hashed, shown once, acting as their user within their scope until
they expire or are revoked (by the user on their page, or by an administrator)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deputies.api.tokens import active_token, create_token
from deputies.models import ApiToken, AuditRecord
from proposals.models import Proposal
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db

MINE = "/api/v1/suggestions/"


def test_a_token_is_kept_only_as_its_sha256_and_works_as_its_user(deputy):
    row, token = create_token(user=deputy.user, name="小程序")
    assert token not in {row.digest, row.prefix} and row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(digest=token).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(MINE).status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_no_token_an_unknown_one_an_expired_one_and_a_revoked_one_are_all_401(deputy):
    anonymous = APIClient().get(MINE)
    assert anonymous.status_code == 401 and "个人令牌" in anonymous.json()["detail"]
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Bearer jy_nothing")
    assert unknown.get(MINE).status_code == 401

    row, token = create_token(user=deputy.user, name="x", days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        response = client.get(MINE)
    assert response.status_code == 401 and "过期" in response.json()["detail"]

    row.revoked_at = timezone.now()
    row.save()
    assert client.get(MINE).status_code == 401
    assert active_token(token) is None


def test_a_read_token_may_read_but_not_write_and_nothing_changes(deputy, meeting):
    client = bearer(deputy.user, scope="read")
    assert client.get(MINE).status_code == 200
    response = client.post(MINE, {"title": "关于增设公交线路的建议"}, format="json")
    assert response.status_code == 403
    assert "只能读取" in response.json()["detail"]
    assert not Proposal.objects.exists()


def test_the_user_makes_a_token_on_their_page_sees_it_once_and_revokes_it(client, deputy):
    client.force_login(deputy.user)
    response = client.post(reverse("api_tokens"), {"name": "小程序", "scope": "write", "days": 30})
    assert response.status_code == 200
    token = response.context["shown"]
    assert token.startswith("jy_") and token in response.content.decode()
    page = client.get(reverse("api_tokens")).content.decode()
    assert token not in page and "小程序" in page

    row = ApiToken.objects.get(user=deputy.user)
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 302
    assert active_token(token) is None


def test_another_users_token_cannot_be_revoked_it_answers_404_and_is_audited(client, deputy, other_deputy):
    row, token = create_token(user=other_deputy.user, name="别人的")
    client.force_login(deputy.user)
    assert client.post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    assert AuditRecord.objects.filter(kind="access_refused", user=deputy.user).count() == 1
    assert active_token(token) is not None


def test_requests_are_throttled_per_token(deputy, monkeypatch):
    from deputies.api.auth import TokenRateThrottle

    # The rates are read when a throttle is made; the class keeps them (restored after the test).
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    first, second = bearer(deputy.user), bearer(deputy.user)
    answers = [first.get(MINE) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "请求过多" in answers[2].json()["detail"]
    assert second.get(MINE).status_code == 200  # another token has its own count


def test_the_api_sends_no_cors_headers(api):
    response = api.get(MINE, HTTP_ORIGIN="https://elsewhere.example")
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


def test_an_administrator_revokes_tokens_in_the_admin(client, admin_user, deputy):
    row, token = create_token(user=deputy.user, name="x")
    client.force_login(admin_user)
    url = reverse("admin:deputies_apitoken_changelist")
    response = client.post(url, {"action": "revoke_tokens", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert active_token(token) is None
