"""The daily scan through a real Celery worker: the worker is started as a separate process
against the local Redis and the test's PostgreSQL database, the scan task is sent to it, and
the notifications it writes appear in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from proposals.models import Notification
from supervision.models import Reminder
from supervision.tasks import DAILY_SCAN_TASK
from tests.brokers import this_tests_database_url
from tests.supervision.conftest import due_in

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://"):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("the Celery worker test needs REDIS_URL (e.g. redis://127.0.0.1:6379/5)")
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/N")
    return url


def test_a_real_worker_runs_the_scan_and_writes_the_notifications(handled, unit_handler, tmp_path):
    broker = redis_url()
    due = due_in(handled, 7)
    queue = f"jianyi-test-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The worker must see this test's database, not the plain one.
        "DATABASE_URL": this_tests_database_url(),
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(tmp_path),
        "SMS_SENDER": "",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # Not the current app: the tests after this one must keep sending tasks to the eager one.
    client = Celery("jianyi-test", broker=broker, set_as_current=False)
    try:
        client.send_task(DAILY_SCAN_TASK, queue=queue)
        written = Notification.objects.filter(recipient=unit_handler, kind=Notification.Kind.DEADLINE)
        give_up = time.monotonic() + 90
        while not written.exists():
            assert worker.poll() is None, f"the worker stopped:\n{log.read_text()}"
            assert time.monotonic() < give_up, f"no notification after 90 s:\n{log.read_text()}"
            time.sleep(0.5)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            worker.kill()
            worker.wait()
        client.close()
        import redis

        store = redis.Redis.from_url(broker)
        for key in [queue, *store.scan_iter(f"_kombu.*{queue}*")]:
            store.delete(key)
    (note,) = written
    assert due.isoformat() in note.message
    assert Reminder.objects.filter(recipient=unit_handler, threshold=f"7d@{due.isoformat()}").count() == 1
    assert f"Task {DAILY_SCAN_TASK}" in log.read_text() and "succeeded" in log.read_text()
