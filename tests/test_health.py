"""The health endpoint for the load balancer: no login, checks the database, Redis (when set)
and the outbox's oldest waiting message, and says only "ok" or which check failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from config import health
from deputies.models import AuditRecord
from proposals.models import Notification, OutboxMessage
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/healthz"


def waiting_since(minutes: int, status: str = OutboxMessage.Status.PENDING) -> OutboxMessage:
    notice = Notification.objects.create(recipient=f.UserFactory(), kind="other", message="通知")
    return OutboxMessage.objects.create(
        notification=notice, channel="mail", status=status, created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_all_well_is_ok_without_a_login_a_session_or_a_host_check(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the trivial query and the outbox's oldest message
        response = client.get(URL, HTTP_HOST="10.0.0.7")  # a load balancer probing by address
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store" and not response.cookies


def test_a_database_that_fails_answers_503_naming_it_and_nothing_else(client, monkeypatch):
    def broken():
        raise OperationalError('could not connect to server: Connection refused, host "db.internal"')

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get(URL)
    assert (response.status_code, response.json()) == (503, {"status": "fail", "failed": ["database"]})
    assert b"db.internal" not in response.content


def test_redis_is_checked_only_when_it_is_configured(client, settings):
    settings.REDIS_URL = ""
    assert client.get(URL).status_code == 200
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get(URL)
    assert (response.status_code, response.json()) == (503, {"status": "fail", "failed": ["redis"]})


def test_a_message_waiting_too_long_fails_the_outbox_check(client, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_MINUTES = 15
    waiting_since(60, status=OutboxMessage.Status.SENT)  # long sent: not waiting
    waiting_since(10)
    assert client.get(URL).status_code == 200
    waiting_since(16)
    assert client.get(URL).json() == {"status": "fail", "failed": ["outbox"]}


def test_a_failing_probe_is_not_audited_as_a_refusal(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert client.get(URL).status_code == 503
    assert not AuditRecord.objects.exists()


def test_the_https_redirect_does_not_apply_to_the_probe(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(URL).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
