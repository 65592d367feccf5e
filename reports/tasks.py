"""Thin tasks, and how a report job is started: by a Celery worker, or without one (tasks would
run in-process, inside the request, and the page could show no progress) in a thread."""

from __future__ import annotations

import threading
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import connections, transaction

from deputies.broker import send_quietly
from reports import jobs


@shared_task(name="reports.build_annual_report")
def build_annual_report(job_id: int, attempt: int | None = None) -> None:
    jobs.run_job(job_id, attempt)


@shared_task(name="reports.sweep_report_jobs")
def sweep_report_jobs() -> int:
    """Beat's sweep of lost report jobs; returns how many were queued again."""
    return len(sweep_and_restart())


def start_report_job(job_id: int, attempt: int) -> None:
    """Start the job's attempt (after the commit that queued it). With Redis down the job stays
    queued: the sweeper queues it again."""
    if settings.REPORT_JOBS_IN_THREAD:
        name = f"report-job-{job_id}-{attempt}"
        threading.Thread(target=_run_in_thread, args=(job_id, attempt), name=name, daemon=True).start()
    else:
        send_quietly(build_annual_report, job_id, attempt)


def sweep_and_restart() -> list[tuple[int, int]]:
    """Sweep the lost jobs and start their new attempts (once what the sweep wrote is committed)."""
    restart = jobs.sweep()
    for job_id, attempt in restart:
        transaction.on_commit(partial(start_report_job, job_id, attempt))
    return restart


def _run_in_thread(job_id: int, attempt: int) -> None:
    try:
        jobs.run_job(job_id, attempt)
    finally:
        connections.close_all()  # this thread's own connections
