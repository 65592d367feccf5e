"""A real Celery worker is killed (SIGKILL) in the middle of an annual report job: the job does
not stay "running". Once its heartbeat is stale the sweep (run here by the page's progress
poll) queues it again as a new attempt, a new worker builds it, and it ends done with its PDF.
Redis is a redis-server of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from reports.models import AnnualReport, ReportJob
from tests.brokers import RedisServer, Worker, celery_pointed_at, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
YEAR = 2025
# Seconds without progress before a job counts as lost: above the longest step of this small
# report on a busy machine, and short enough to keep the test quick.
STALE = 8


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_job_whose_worker_is_killed_mid_report_is_finished_by_the_next_worker(
    client, staff, redis_server, tmp_path, settings
):
    settings.REPORT_JOB_STALE_SECONDS = STALE
    AnnualReport.objects.create(year=YEAR, practices="（一）做法", plans="（一）打算", updated_by=staff)
    media = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "REPORT_JOB_STALE_SECONDS": str(STALE)}
    first, second = Worker(redis_server.url, tmp_path, **media), Worker(redis_server.url, tmp_path, **media)
    first.start()
    try:
        with celery_pointed_at(redis_server.url):
            client.force_login(staff)
            assert client.post(reverse("reports:annual_generate"), {"year": YEAR}).status_code == 302
            job = ReportJob.objects.get()
            running = ReportJob.objects.filter(pk=job.pk, status=ReportJob.Status.RUNNING)
            wait_for(running.exists, "the job running", every=0.02)
            first.kill()
            job.refresh_from_db()
            assert (job.status, job.attempt, job.pdf.name) == ("running", 1, "")  # killed mid-job

            second.start()
            poll = reverse("reports:report_job", args=[job.pk])
            wait_for(lambda: client.get(poll).json()["status"] in ("done", "failed"), "the job finished", every=0.5)
    finally:
        first.stop()
        second.stop()
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "") and job.attempt >= 2
    assert Path(job.pdf.path).read_bytes().startswith(b"%PDF")
    page = client.get(reverse("reports:annual_report"), {"year": YEAR}).content.decode()
    assert reverse("reports:report_pdf", args=[job.pk]) in page
