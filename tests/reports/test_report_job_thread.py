"""The annual report's job without a Celery worker (the embedded default): built in a thread
of its own, so the page answers at once and follows its progress."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse

from deputies.models import Role
from reports import jobs
from reports.models import AnnualReport, ReportJob
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_pdf_is_built_after_the_page_answers(client, settings, monkeypatch):
    """Tasks run in-process when there is no Celery worker (the embedded default): the job
    must not run inside the request, or the button waits for the whole PDF and no progress
    is ever shown."""
    settings.REPORT_JOBS_IN_THREAD = True
    staff = f.UserFactory(username="t_staff", role=Role.STAFF)
    AnnualReport.objects.create(year=2024, practices="（一）做法", plans="（一）打算", updated_by=staff)
    release, finished = threading.Event(), threading.Event()

    def slow_job(job_id, attempt):
        release.wait(10)
        ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.DONE, progress=100)
        finished.set()

    monkeypatch.setattr(jobs, "run_job", slow_job)
    client.force_login(staff)
    response = client.post(reverse("reports:annual_generate"), {"year": 2024})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == ReportJob.Status.QUEUED  # the page answered first; it polls the job
    release.set()
    assert finished.wait(10)
    assert client.get(reverse("reports:report_job", args=[job.pk])).json()["status"] == "done"
