"""Exactly one beat: the scheduler Celery beat runs (CELERY_BEAT_SCHEDULER) sends nothing until
it holds a lock, and holds it for the rest of its life.

The lock (PostgreSQL) is a session-level advisory lock, taken on a database connection of its
own that stays open as long as beat runs. Why this one:
- it needs nothing beat does not already use: the schedule itself lives in PostgreSQL;
- a crashed beat needs no cleanup: PostgreSQL drops a session's advisory locks when its
  connection ends, and the connection ends with the process, `kill -9` included. If the beat's
  whole machine vanishes, PostgreSQL notices through the TCP keepalives set on this connection
  (about a minute) and the lock is free again;
- there is no lease to renew in time and no clock to trust, unlike a Redis key with a TTL.
The connection must reach PostgreSQL itself (or a pooler in session mode): a pooler in
transaction mode would hand the session, and the lock, to someone else.

A second beat waits: it logs once who holds the lock, tries again every
BEAT_LOCK_RETRY_SECONDS and takes over when the first one stops. So a beat can run on every
server: one schedules, the others stand by. It waits in its first tick, not while it is being
built, so that SIGTERM stops a waiting beat at once (celery's handler asks for the scheduler,
which would otherwise be built, and wait, a second time).

A beat that loses its lock connection (PostgreSQL restarted, the network cut) may no longer
hold the lock: it stops at once with an error (exit status 1), so that two beats never send
the same tasks for long. Run beat under a supervisor that restarts it (systemd
`Restart=always`); it then waits like any other.

Without PostgreSQL (SQLite: one machine) the lock is an exclusive `flock` on
VAR_DIR/celery-beat.lock, which the operating system also releases with the process.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# The advisory lock's two int4 keys ("jian", "yi-b"); advisory locks belong to one database, so
# two installations on one PostgreSQL server never meet.
LOCK_KEYS = (0x6A69616E, 0x79692D62)
# How often the holder makes sure its lock connection is still there.
CHECK_EVERY_SECONDS = 5.0


class BeatLockLost(RuntimeError):
    """The beat's lock connection is gone: another beat may hold the lock now."""


class BeatLock(Protocol):
    def try_acquire(self) -> bool: ...

    def holder(self) -> str: ...

    def check(self) -> None: ...

    def release(self) -> None: ...


def identity() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class PostgresBeatLock:
    """A session-level advisory lock on a connection of its own (see the module's head)."""

    def __init__(self) -> None:
        self.db: BaseDatabaseWrapper | None = None

    def _connect(self) -> BaseDatabaseWrapper:
        base = connections.settings[DEFAULT_DB_ALIAS]
        options = {
            **base.get("OPTIONS", {}),
            # Seen in pg_stat_activity: a waiting beat names the holder from it.
            "application_name": f"celery beat {identity()}"[:63],
            # The client side: a dead server or network is noticed within about a minute.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            "tcp_user_timeout": 60_000,
        }
        db = load_backend(base["ENGINE"]).DatabaseWrapper(
            {**base, "OPTIONS": options, "CONN_MAX_AGE": None}, alias="celery-beat-lock"
        )
        db.ensure_connection()
        with db.cursor() as cursor:
            # The server side: a holder whose machine vanished loses the lock within about a minute.
            cursor.execute("SET tcp_keepalives_idle = 30")
            cursor.execute("SET tcp_keepalives_interval = 10")
            cursor.execute("SET tcp_keepalives_count = 3")
        return db

    def try_acquire(self) -> bool:
        if self.db is None:
            self.db = self._connect()
        with self.db.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", LOCK_KEYS)
            row = cursor.fetchone()
        return bool(row and row[0])

    def holder(self) -> str:
        if self.db is None:
            return "?"
        with self.db.cursor() as cursor:
            cursor.execute(
                """
                SELECT a.application_name, a.client_addr, a.backend_start
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %s AND l.objid = %s
                  AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """,
                LOCK_KEYS,
            )
            row = cursor.fetchone()
        if row is None:
            return "a beat that has just stopped"
        name, address, since = row
        started = timezone.localtime(since)
        return f"{name or 'an unnamed session'} from {address or 'a local socket'}, since {started:%Y-%m-%d %H:%M:%S}"

    def check(self) -> None:
        assert self.db is not None
        try:
            with self.db.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Error as exc:
            raise BeatLockLost(f"the lock's database connection is gone ({exc})") from exc

    def release(self) -> None:
        if self.db is not None:
            try:
                self.db.close()  # ends the session, and with it the lock
            except Error:
                pass
            self.db = None


class FileBeatLock:
    """An exclusive flock on a file: for SQLite, where everything runs on one machine."""

    def __init__(self) -> None:
        self.path = settings.VAR_DIR / "celery-beat.lock"
        self.handle: IO[str] | None = None

    def try_acquire(self) -> bool:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(identity())
        handle.flush()
        self.handle = handle
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text() or "?"
        except OSError:
            return "?"

    def check(self) -> None:
        pass  # a held flock cannot be lost while the process lives

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def beat_lock() -> BeatLock:
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return PostgresBeatLock()
    return FileBeatLock()


class SingleBeatScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler that sends nothing unless it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock: BeatLock | None = None
        self.lock_checked_at = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if self.lock is None:
            self.lock = self.wait_for_lock()
            # What was read while waiting is stale (the other beat ran things since): read the
            # schedule afresh before sending anything.
            self._initial_read = True
            self._heap = None
        elif time.monotonic() - self.lock_checked_at >= CHECK_EVERY_SECONDS:
            try:
                self.lock.check()
            except BeatLockLost:
                logger.error("celery beat lost its schedule lock: it stops now, restart it to wait again")
                raise
            self.lock_checked_at = time.monotonic()
        interval: float = super().tick(*args, **kwargs)
        return interval

    def wait_for_lock(self) -> BeatLock:
        lock, retry = beat_lock(), settings.BEAT_LOCK_RETRY_SECONDS
        said = ""
        while True:
            try:
                if lock.try_acquire():
                    break
                news = (
                    f"another celery beat holds the schedule lock ({lock.holder()}): "
                    "this one waits and takes over when it stops"
                )
            except Error as exc:
                lock.release()
                news = f"celery beat cannot reach the database for its schedule lock ({exc})"
            if news != said:  # once per change, not every few seconds
                logger.warning("%s; trying again every %s s", news, retry)
                said = news
            time.sleep(retry)
        logger.info("celery beat %s holds the schedule lock and sends the periodic tasks", identity())
        self.lock_checked_at = time.monotonic()
        return lock

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None
