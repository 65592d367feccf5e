"""Exactly one beat: two real `celery beat` processes on one PostgreSQL database and one Redis;
only the first sends the periodic tasks while the second waits, and when the first is killed
(SIGKILL, nothing cleaned up) the second takes over by itself. On SQLite (one machine) the lock
is a file lock."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.beat import FileBeatLock
from scripts.processes import app_environment, start

SENT = "Scheduler: Sending due task every-second"
HOLDS = "holds the schedule lock and sends the periodic tasks"
WAITS = "another celery beat holds the schedule lock"


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis://"):
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("the beat test needs REDIS_URL (e.g. redis://127.0.0.1:6379/5)")
        pytest.skip("needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/N")
    return url


def this_tests_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_on_one_machine_the_lock_is_a_file_lock_one_holder_at_a_time(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = FileBeatLock(), FileBeatLock()
    assert first.try_acquire()
    assert not second.try_acquire() and f"pid {os.getpid()}" in second.holder()
    first.release()  # as the operating system does when the process ends
    assert second.try_acquire()
    second.release()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_beat_waits_and_takes_over_when_the_first_dies(tmp_path):
    broker = redis_url()
    queue = f"jianyi-beat-test-{uuid.uuid4().hex[:10]}"
    # A task due every second, sent to a queue nobody reads: each message in it is one sending.
    PeriodicTask.objects.create(
        name="every-second",
        task="jianyi.test.every_second",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        queue=queue,
    )
    env = app_environment(
        DATABASE_URL=this_tests_database_url(),
        REDIS_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
        BEAT_LOCK_RETRY_SECONDS="1",
        VAR_DIR=str(tmp_path),
    )
    beat = ["-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
    store = redis.Redis.from_url(broker)
    first = start("beat-1", beat, env=env, logs=tmp_path)
    second = None
    try:
        first.wait_for(HOLDS)
        first.wait_for(SENT)
        second = start("beat-2", beat, env=env, logs=tmp_path)
        second.wait_for(WAITS)
        before = first.count(SENT)
        time.sleep(4)
        # The first keeps sending, the second sends nothing and says why, once.
        assert first.count(SENT) >= before + 3
        assert second.count(SENT) == 0 and second.count(HOLDS) == 0 and second.count(WAITS) == 1
        assert f"pid {first.popen.pid}" in second.text()  # it names the holder

        first.kill()
        second.wait_for(HOLDS, timeout=15)
        second.wait_for(SENT, times=2)
        second.stop()
        # Every message on the queue was sent by the one beat that held the lock at the time.
        # (Beat logs "Sending due task" just before it publishes: the first, killed, may have
        # logged its last one and not sent it.)
        sent = first.count(SENT) + second.count(SENT)
        assert store.llen(queue) in (sent, sent - 1)
    finally:
        first.kill()
        if second is not None:
            second.stop()
        for key in [queue, *store.scan_iter(f"_kombu.*{queue}*")]:
            store.delete(key)
        store.close()
