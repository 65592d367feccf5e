"""Files on an S3-compatible object store (FILE_STORAGE=s3): a suggestion's attachment, an
import workbook and a report PDF are stored, read back, served after the access check and
deleted through the storage API alone, against a real S3 server (moto's, started here on the
loopback, offline). The objects stay private."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from handling.models import Unit
from proposals.models import ProposalAttachment
from reports import annual, excel, jobs
from reports.models import ImportBatch, ReportJob

pytestmark = pytest.mark.django_db
BUCKET = "jianyi-files"
KEYS = {"access_key": "test-access-key", "secret_key": "test-secret-key", "region_name": "cn-north-1"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Iterator[Any]:
    """A fresh private bucket, and the app's default storage pointed at it as config/settings.py
    does for FILE_STORAGE=s3 (the same options)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": KEYS["region_name"]})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                **KEYS,
                "addressing_style": None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "max_memory_size": 2 * 1024 * 1024,
            },
        },
    }
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def body(client: Any, key: str) -> bytes:
    data: bytes = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return data


def test_the_settings_put_files_in_the_bucket(bucket):
    name = default_storage.save("probe/文件.txt", SimpleUploadedFile("文件.txt", b"x"))
    assert keys(bucket) == {name}


def test_an_attachment_is_uploaded_downloaded_by_the_deputy_only_and_deleted(
    bucket, client, deputy, outsider, draft, category, django_capture_on_commit_callbacks
):
    client.force_login(deputy.user)
    edit = {"title": draft.title, "body": draft.body, "channel": "between", "category": category.pk, "action": "save"}
    files = [SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf") for _ in range(2)]
    response = client.post(reverse("proposals:edit", args=[draft.pk]), {**edit, "attachments": files})
    assert response.status_code == 302
    first, second = ProposalAttachment.objects.filter(proposal=draft)
    # Two uploads of one name in one month: two objects, neither replaced by the other.
    assert first.file.name != second.file.name and keys(bucket) == {first.file.name, second.file.name}
    assert first.file.name.startswith("attachments/") and first.file.name.endswith("/调研报告.pdf")
    assert body(bucket, first.file.name) == PDF

    download = client.get(reverse("proposals:attachment", args=[first.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;") and download["Content-Length"] == str(len(PDF))
    # Private: the object grants nothing to anyone but the bucket's owner.
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=first.file.name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"] and "URI" not in grants[0]["Grantee"]
    client.force_login(outsider)
    assert client.get(reverse("proposals:attachment", args=[first.pk])).status_code == 404

    client.force_login(deputy.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("proposals:remove_attachment", args=[draft.pk, first.pk]))
    assert keys(bucket) == {second.file.name}


def test_a_missing_object_answers_404_not_an_error(bucket, client, deputy, draft):
    attachment = ProposalAttachment.objects.create(
        proposal=draft,
        file=SimpleUploadedFile("说明.pdf", PDF),
        name="说明.pdf",
        size=len(PDF),
        uploaded_by=deputy.user,
    )
    bucket.delete_object(Bucket=BUCKET, Key=attachment.file.name)
    client.force_login(deputy.user)
    assert client.get(reverse("proposals:attachment", args=[attachment.pk])).status_code == 404


def test_an_import_workbook_is_stored_read_back_for_the_check_and_again_to_apply(bucket, client, staff):
    client.force_login(staff)
    workbook = excel.write_workbook([("s", ["单位名称", "简称", "单位类型"], [["区教育局", "教育局", "政府部门"]])])
    client.post(reverse("reports:import"), {"kind": "units", "file": SimpleUploadedFile("单位.xlsx", workbook, XLSX)})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED and keys(bucket) == {batch.file.name}
    assert body(bucket, batch.file.name) == workbook

    client.post(reverse("reports:import_apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and Unit.objects.filter(name="区教育局").exists()

    batch.file.delete(save=True)
    assert keys(bucket) == set() and not ImportBatch.objects.get().file


def test_a_report_pdf_is_written_by_the_job_served_to_staff_and_deleted(bucket, client, staff, monkeypatch):
    # The layout is tested elsewhere (tests/reports/test_annual_report.py): here only the file's way.
    monkeypatch.setattr(annual, "build_pdf", lambda year, *, progress=None, as_of=None, stream=None: (PDF, 1))
    job = ReportJob.objects.create(year=2025, requested_by=staff)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and keys(bucket) == {job.pdf.name}
    assert job.pdf.name.startswith("reports/2025/")

    client.force_login(staff)
    download = client.get(reverse("reports:report_pdf", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content) == PDF

    job.pdf.delete(save=True)
    assert keys(bucket) == set()
    assert client.get(reverse("reports:report_pdf", args=[job.pk])).status_code == 404
