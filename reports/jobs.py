"""The annual report's background jobs: each one runs on its turn, shows its progress, and
never stays "running" for ever.

A job (`ReportJob`) is queued by the report page and built by a Celery worker, or without one
by a thread of the web process (reports/tasks.py starts it either way). What can go wrong:

- Redis is down when the job is queued: the page answers all the same and the job waits,
  queued; the sweeper below queues it again.
- The run is lost: its worker was killed or restarted, or the web process that ran its thread
  was. Every step of progress touches the job's `heartbeat_at`; `sweep` (beat runs it every
  minute, and the report page and its progress poll run it too, so the embedded setup without
  beat is covered) takes a queued or running job with no sign of life for
  REPORT_JOB_STALE_SECONDS as lost and queues it again as a new attempt, up to
  REPORT_JOB_MAX_ATTEMPTS in all; after that it is failed with the reason, and the page offers
  to try again.
- The lost run was not dead after all (a stalled worker; Redis handing its task to a second
  worker): every write of a run names its attempt, so a run that is no longer the job's current
  attempt changes nothing and stops at its next step (`NotItsTurn`), deleting its PDF if it got
  that far. A job is claimed only from `queued`, so a second delivery of the same task finds it
  running and leaves it.
- Nothing half-written: the PDF is stored only once complete, and the job is `done` only with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reports import annual
from reports.models import ReportJob, report_path

log = logging.getLogger(__name__)
Status = ReportJob.Status


class NotItsTurn(Exception):
    """The job moved on (a newer attempt, or finished) while this run was working."""


def run_job(job_id: int, attempt: int | None = None) -> None:
    """Build the PDF of a queued job on its `attempt` (default: the job's current one),
    recording progress as it goes (the page polls it). Does nothing if it is not that
    attempt's turn, or the job is not queued (a second delivery of the same task)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    attempt = job.attempt if attempt is None else attempt
    mine = ReportJob.objects.filter(pk=job_id, attempt=attempt)
    claimed = mine.filter(status=Status.QUEUED).update(
        status=Status.RUNNING, progress=0, stage="开始", heartbeat_at=timezone.now()
    )
    if not claimed:
        log.info("report job %s attempt %s: not its turn, nothing done", job_id, attempt)
        return
    running = mine.filter(status=Status.RUNNING)
    started = time.monotonic()

    def progress(percent: int, stage: str) -> None:
        if not running.update(progress=percent, stage=stage, heartbeat_at=timezone.now()):
            raise NotItsTurn

    try:
        data, pages = annual.build_pdf(job.year, progress=progress, stream=job.stream)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        name = default_storage.save(
            report_path(job, f"{job.year}年建议办理工作情况报告-{stamp}.pdf"), ContentFile(data)
        )
    except NotItsTurn:
        log.info("report job %s attempt %s: a newer attempt took over, stopped", job_id, attempt)
        return
    except SoftTimeLimitExceeded:
        _finish(running, started, status=Status.FAILED, error=_("The report took too long and was stopped."))
        return
    except Exception as exc:  # the job records any failure for the person waiting on the page
        log.exception("annual report job %s failed", job_id)
        _finish(running, started, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        return
    if not _finish(running, started, status=Status.DONE, pdf=name, pages=pages, progress=100, stage="完成"):
        default_storage.delete(name)  # finished by another attempt meanwhile: keep only its PDF
        log.info("report job %s attempt %s: finished by another attempt, PDF discarded", job_id, attempt)


def _finish(running: QuerySet[ReportJob], started: float, **fields: object) -> bool:
    """Write the outcome if the run still holds the job; False if it no longer does."""
    return bool(running.update(seconds=round(time.monotonic() - started, 2), finished_at=timezone.now(), **fields))


def sweep(now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Queue again each job that lost its run, or fail it after the last attempt; returns the
    (job id, attempt) to start. Safe to run anywhere, any number of times at once."""
    now = now or timezone.now()
    lost = ReportJob.objects.filter(
        status__in=(Status.QUEUED, Status.RUNNING),
        heartbeat_at__lt=now - dt.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS),
    )
    restart = []
    with transaction.atomic():
        for job in lost.select_for_update(skip_locked=True).order_by("pk"):
            if job.attempt >= settings.REPORT_JOB_MAX_ATTEMPTS:
                reason = (
                    _("The report stopped: the process building it was lost, %(n)s times.")
                    if job.status == Status.RUNNING
                    else _("The report was never started: no worker took it, %(n)s times.")
                )
                log.warning("report job %s failed after %s attempts (%s)", job.pk, job.attempt, job.status)
                job.status, job.error = Status.FAILED, reason % {"n": job.attempt}
                job.finished_at = now
            else:
                log.warning(
                    "report job %s lost its run (attempt %s, %s): queued again", job.pk, job.attempt, job.status
                )
                job.attempt += 1
                job.status, job.progress, job.heartbeat_at = Status.QUEUED, 0, now
                job.stage = _("Queued again (attempt %(n)s)") % {"n": job.attempt}
                restart.append((job.pk, job.attempt))
            job.save(update_fields=["status", "error", "finished_at", "attempt", "progress", "heartbeat_at", "stage"])
    return restart
