"""Real Redis servers and Celery workers for the fault tests: a private `redis-server` on a free
port that a test can stop and start again, a worker process against the test's own database,
and the app's Celery pointed at a broker (not eager) for the length of a test."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_string
from pathlib import Path

import pytest
import redis
from django.db import connection
from kombu import pools

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str, seconds: float = 60, every: float = 0.1) -> None:
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"{what}: not after {seconds} s")
        time.sleep(every)


class RedisServer:
    """A redis-server of the test's own, on a free port, with no persistence."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            if os.environ.get("REQUIRE_POSTGRES"):
                pytest.fail("the fault tests need redis-server (apt-get install redis-server)")
            pytest.skip("needs redis-server")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*args, "--dir", str(self.folder)], stdout=subprocess.DEVNULL)
        wait_for(self.ping, "redis-server answering", seconds=20, every=0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def forget_broker_connections() -> None:
    """Close and drop every pooled broker connection and producer: they stay bound to the broker
    they were made for, and Celery uses them even with eager tasks. (Celery has no public way to
    re-point them; `app.close()` would also unregister the app.)"""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_pointed_at(url: str) -> Iterator[None]:
    """The app's Celery queues to `url` for real (not eager) inside the block."""
    conf = app.conf
    saved = conf.broker_url, conf.task_always_eager
    forget_broker_connections()
    conf.broker_url, conf.task_always_eager = url, False
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        forget_broker_connections()


def this_tests_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` in its own process, on the test's database and broker, with the app's
    settings but mail written to files in `folder/mail` (tests/worker_settings.py)."""

    def __init__(self, broker: str, folder: Path, **settings: str) -> None:
        self.folder = folder
        self.mail = folder / "mail"
        self.mail.mkdir(exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": this_tests_database_url(),
            "REDIS_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "REPORT_JOBS_IN_THREAD": "0",
            "VAR_DIR": str(folder),
            "TEST_MAIL_DIR": str(self.mail),
            **settings,
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "worker.log"

    def start(self) -> None:
        args = ["worker", "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        with self.log.open("a") as out:
            out.write("\n--- start ---\n")
            out.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel", "INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        starts = self.log_text().count("--- start ---")
        wait_for(lambda: self.log_text().split("--- start ---")[starts].count(" ready.") > 0, "the worker ready")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, nothing cleaned up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            self.kill()
        self.process = None

    def mails_to(self) -> dict[str, int]:
        """How many mails each address received (the file backend: one file per connection,
        messages separated by a line of dashes)."""
        counts: dict[str, int] = {}
        for path in sorted(self.mail.iterdir()):
            for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
                if chunk.strip():
                    to = message_from_string(chunk)["To"]
                    counts[to] = counts.get(to, 0) + 1
        return counts
