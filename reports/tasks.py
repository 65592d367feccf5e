"""Thin tasks: load by id, call the code that does the work."""

from __future__ import annotations

from celery import shared_task

from reports import annual


@shared_task(name="reports.build_annual_report")
def build_annual_report(job_id: int) -> None:
    annual.run_job(job_id)
