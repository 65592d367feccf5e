"""Queueing a Celery task from a page, without ever failing the page.

A request that has committed its work must answer success even when Redis is down: the work
is in the database, and what the task would have done is picked up later from there (the
outbox's periodic drain, the report jobs' sweeper). So a request never calls `task.delay()`;
it calls `send_quietly(task, ...)`, which tries once, within `BROKER_CONNECT_TIMEOUT`, and logs a
warning instead of raising. (`delay()` would retry the connection for seconds and then raise:
an HTTP 500 for a step that was saved, which the user then repeats.)

With eager tasks (the embedded default) the task runs here and now, as `delay()` would.
"""

from __future__ import annotations

import logging
from typing import ParamSpec, TypeVar

from celery import Task
from django.conf import settings

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def send_quietly(task: Task[P, R], *args: P.args, **kwargs: P.kwargs) -> bool:
    """Queue `task` (or run it, with eager tasks); False, with a warning in the log, when it
    could not be queued. Never raises."""
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args, kwargs)
            return True
        # One connection attempt, no retry: the connection's own retry loop is what turned a
        # stopped Redis into a page that hung for seconds and then failed.
        with task.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=settings.BROKER_CONNECT_TIMEOUT)
            producer = task.app.amqp.Producer(connection, auto_declare=False)
            task.apply_async(args, kwargs, producer=producer, retry=False)
    except Exception:
        log.warning("task %s not queued now; it will be picked up later", task.name, exc_info=True)
        return False
    return True
