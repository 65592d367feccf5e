"""The health endpoint for the load balancer: `GET /healthz`, no login.

It checks what the app needs to do its work: the database (a trivial query), Redis (a ping,
only when REDIS_URL is set) and the outbox (no message waiting longer than
HEALTH_OUTBOX_MAX_AGE_MINUTES: a longer wait means mail or text messages are not leaving).
It answers 200 `{"status": "ok"}`, or 503 `{"status": "fail", "failed": [...]}` naming the
checks that failed, and nothing else: no versions, hosts, counts or error text (the reason is
in the server's log).

It is a middleware placed first, not a view: the probe skips the sessions, the CSRF and login
machinery, the refused-access audit and the HTTPS redirect, and a load balancer that probes
by IP address is not refused for its Host header. A database that is down therefore costs the
probe one failed query, not a failed session lookup first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from proposals.outbox import oldest_pending_age

log = logging.getLogger(__name__)

PATH = "/healthz"
# Seconds the Redis ping may take: a probe must answer before the load balancer gives up on it.
REDIS_TIMEOUT = 2


def database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def redis_ok() -> bool:
    if not settings.REDIS_URL:
        return True
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
    )
    try:
        return bool(client.ping())
    finally:
        client.close()


def outbox_ok() -> bool:
    age = oldest_pending_age()
    return age is None or age <= dt.timedelta(minutes=settings.HEALTH_OUTBOX_MAX_AGE_MINUTES)


CHECKS: dict[str, Callable[[], bool]] = {"database": database_ok, "redis": redis_ok, "outbox": outbox_ok}


def health() -> list[str]:
    """The names of the checks that fail (an outbox that cannot be read is the database's fault)."""
    failed = []
    for name, check in CHECKS.items():
        if name == "outbox" and "database" in failed:
            continue
        try:
            ok = check()
        except Exception as exc:
            # One line per probe: a load balancer probes every few seconds.
            log.warning("health check %s failed: %s: %s", name, type(exc).__name__, exc)
            ok = False
        else:
            if not ok:
                log.warning("health check %s failed", name)
        if not ok:
            failed.append(name)
    return failed


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        failed = health()
        if failed:
            response = JsonResponse({"status": "fail", "failed": failed}, status=503)
            # Logged above, check by check: Django need not log every failing probe again as an error.
            setattr(response, "_has_been_logged", True)  # noqa: B010 - the flag django.utils.log reads
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response
