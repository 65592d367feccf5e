"""The annual report's jobs never stay stuck: a job with no sign of life is queued again as a new
attempt by the sweep (which the report page and its poll run), then failed with the reason
after the last attempt, and the page offers to try again. A run that is no longer the job's
turn changes nothing and keeps no PDF; starting a job with the broker down still answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from reports import annual, jobs
from reports.models import AnnualReport, ReportJob
from tests.brokers import celery_pointed_at, free_port

pytestmark = pytest.mark.django_db
YEAR = 2025
S = ReportJob.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # each test sees only its own PDFs


@pytest.fixture
def chapters(staff):
    return AnnualReport.objects.create(year=YEAR, practices="（一）做法", plans="（一）打算", updated_by=staff)


def lost(status: str = S.RUNNING, attempt: int = 1, **fields) -> ReportJob:
    """A job whose last sign of life is older than REPORT_JOB_STALE_SECONDS."""
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    return ReportJob.objects.create(year=YEAR, status=status, attempt=attempt, heartbeat_at=long_ago, **fields)


def fake_pdf(monkeypatch, during=None) -> None:
    """A quick stand-in for the PDF; `during(progress)` runs in the middle of the build."""

    def build(year, *, progress, as_of=None, stream=None):
        progress(10, "统计数据")
        if during:
            during()
        progress(50, "排版")
        return b"%PDF-1.7 fake", 3

    monkeypatch.setattr(annual, "build_pdf", build)


def pdf_files() -> list[str]:
    """The PDFs stored for the year (each in a folder of its own: proposals.uploads.unique_path)."""
    top = f"reports/{YEAR}"
    if not default_storage.exists(top):
        return []
    folders, files = default_storage.listdir(top)
    return files + [name for folder in folders for name in default_storage.listdir(f"{top}/{folder}")[1]]


def test_the_poll_queues_a_lost_job_again_and_it_is_built(
    client, staff, chapters, monkeypatch, django_capture_on_commit_callbacks
):
    fake_pdf(monkeypatch)
    job = lost(progress=50, stage="排版")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):  # eager tasks: the new attempt runs here
        client.get(reverse("reports:report_job", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempt, job.pages, job.progress) == ("done", 2, 3, 100)


def test_a_job_whose_message_was_lost_while_queued_is_sent_again(monkeypatch, django_capture_on_commit_callbacks):
    fake_pdf(monkeypatch)
    job = lost(status=S.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep() == [(job.pk, 2)]
    assert jobs.sweep() == []  # just queued again: alive


def test_after_the_last_attempt_the_job_fails_and_the_page_offers_to_try_again(client, staff, chapters, settings):
    settings.REPORT_JOB_MAX_ATTEMPTS = 3
    job = lost(attempt=3, progress=50)
    client.force_login(staff)
    page = client.get(reverse("reports:annual_report"), {"year": YEAR}).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and "中断" in job.error and job.finished_at and not job.pdf
    assert "失败，请重试" in page and job.error in page
    assert f'action="{reverse("reports:annual_generate")}"' in page and "重试" in page
    assert "disabled" not in page


def test_a_fresh_heartbeat_is_left_alone():
    ReportJob.objects.create(year=YEAR, status=S.RUNNING, heartbeat_at=timezone.now())
    assert jobs.sweep() == []


def test_an_older_attempt_that_wakes_up_does_nothing(monkeypatch):
    fake_pdf(monkeypatch)
    job = ReportJob.objects.create(year=YEAR, attempt=2)
    jobs.run_job(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("queued", 0)


def test_a_second_delivery_of_the_same_task_leaves_the_running_job_alone(monkeypatch):
    fake_pdf(monkeypatch)
    job = ReportJob.objects.create(year=YEAR, status=S.RUNNING, progress=50)
    jobs.run_job(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("running", 50)


def test_a_run_overtaken_by_a_new_attempt_stops_at_its_next_step(monkeypatch):
    job = ReportJob.objects.create(year=YEAR)
    fake_pdf(monkeypatch, during=lambda: ReportJob.objects.filter(pk=job.pk).update(attempt=2, status=S.QUEUED))
    jobs.run_job(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress, job.pdf.name) == ("queued", 2, 10, "")
    assert pdf_files() == []


def test_a_run_that_finishes_after_losing_its_turn_keeps_no_pdf(monkeypatch):
    job = ReportJob.objects.create(year=YEAR)

    def build(year, *, progress, as_of=None, stream=None):
        progress(85, "写入 PDF")
        ReportJob.objects.filter(pk=job.pk).update(attempt=2, status=S.QUEUED)
        return b"%PDF-1.7 fake", 3

    monkeypatch.setattr(annual, "build_pdf", build)
    jobs.run_job(job.pk, 1)
    job.refresh_from_db()
    assert (job.status, job.pdf.name) == ("queued", "") and pdf_files() == []


def test_the_pdf_is_stored_only_with_a_finished_job(monkeypatch):
    fake_pdf(monkeypatch)
    job = ReportJob.objects.create(year=YEAR)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done" and pdf_files() == [job.pdf.name.rsplit("/", 1)[1]]


def test_with_the_broker_unreachable_generating_answers_and_the_job_waits(
    client, staff, chapters, settings, caplog, django_capture_on_commit_callbacks
):
    settings.REPORT_JOBS_IN_THREAD = False
    client.force_login(staff)
    with celery_pointed_at(f"redis://127.0.0.1:{free_port()}/0"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:annual_generate"), {"year": YEAR})
    assert response.status_code == 302
    assert ReportJob.objects.get().status == "queued"  # the sweep sends it again later
    assert "reports.build_annual_report not queued now" in caplog.text
