"""The annual report: a Chinese A4 PDF with its fonts embedded, a cover, contents and page
numbers, whose text holds the crafted year's figures; made by a background job the page
follows, or by `manage.py annual_report`."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from deputies.models import AuditRecord
from reports import annual, jobs
from reports.models import AnnualReport, ReportJob
from tests.reports.crafted import AS_OF, YEAR

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (bin/setup test)"),
]

PRACTICES = (
    "（一）加强领导，压实办理责任\n区政府把代表建议办理作为重要工作，主要负责同志亲自审核签发答复函。\n\n"
    "（二）规范流程\n全部建议线上交办，件件有回音。"
)
PLANS = "（一）抓好承诺事项落实\n逐项明确完成时限，跟踪督办到位。"


@pytest.fixture
def chapters(year):
    return AnnualReport.objects.create(year=YEAR, practices=PRACTICES, plans=PLANS, updated_by=year.staff)


@pytest.fixture
def on_as_of():
    with time_machine.travel(timezone.make_aware(dt.datetime.combine(AS_OF, dt.time(12))), tick=False):
        yield


@pytest.fixture
def pdf(chapters, on_as_of, tmp_path):
    data, pages = annual.build_pdf(YEAR)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return path, pages


def text_of(path, *args):
    return subprocess.run(
        ["pdftotext", "-layout", *args, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text):
    return re.sub(r"\s+", "", text)


def test_the_chinese_font_is_embedded(pdf):
    path, _pages = pdf
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_the_text_states_the_figures_of_the_year(pdf):
    path, _pages = pdf
    text = flat(text_of(path))
    for figure in (
        "经审查立案20件，其中大会期间16件（占80.00%），闭会期间4件（占20.00%）",
        "已答复17件，办结16件，办结率为84.21%；正在办理中的3件（其中1件因代表对办理结果不满意正在重新办理）",
        "应答复的18件中按时答复14件，按时办复率为77.78%",
        "见面率89.47%",
        "面商率52.63%",
        "排名前4位的类别是教科文卫体类8件，占40.00%、交通邮电类6件，占30.00%",
        "已经解决或基本解决的11件，占64.71%",
        "列入计划逐步解决的4件，占23.53%",
        "对办理结果满意9件，占60.00%；基本满意5件，占33.33%；不满意1件，占6.67%；满意或基本满意率93.33%",
        "另有2件已答复、尚未评价（不计入满意）",
        "121÷670＝18.0597…%，记为18.06%",
    ):
        assert flat(figure) in text, figure


def test_every_chapter_is_there(pdf):
    path, pages = pdf
    text = flat(text_of(path))
    for heading in ("目录", "一、基本情况", "二、建议分类情况", "三、办理结果和代表满意度", "四、重点督办建议办理情况",
                    "五、承办单位办理情况", "六、主要做法", "七、下一步工作打算"):  # fmt: skip
        assert heading in text
    # the key item with each suggestion's handling summary
    assert "义务教育优质均衡发展" in text and "领办领导：刘领导" in text
    assert flat("关于c1事项的建议") in text and "办理结果为“已经解决或基本解决”" in text
    assert "代表评价：办理态度满意，办理结果满意" in text
    # the units' table with scores, and the staff's chapters
    assert "区交通运输局" in text and "66.75" in text and "72.00" in text
    assert flat("（一）加强领导，压实办理责任") in text and "逐项明确完成时限" in text
    assert pages >= 5


def test_headings_stay_with_their_tables_and_the_signature_with_the_last_section(pdf):
    path, pages = pdf
    page_texts = [flat(text_of(path, "-f", str(n), "-l", str(n))) for n in range(1, pages + 1)]

    def page_of(needle):  # in the body, after the cover and the contents
        return next(n for n, text in enumerate(page_texts) if n >= 2 and flat(needle) in text)

    assert page_of("五、承办单位办理情况") == page_of("序号承办单位")
    assert page_of("二、建议分类情况") == page_of("类别件数占立案建议")
    assert page_of("附：统计口径") == page_of("四舍五入") == pages - 1
    # the signature is never alone: the last page also has the method's last paragraph
    assert "四舍五入" in page_texts[-1] and "年" in page_texts[-1]


def test_the_overview_adds_up_from_the_data(pdf):
    path, _pages = pdf
    text = flat(text_of(path))
    assert re.search(r"收到建议\d+件＝立案20件", text)
    assert "立案20件＝大会期间16件＋闭会期间4件" in text


def test_a4_cover_contents_and_page_numbers(pdf):
    path, pages = pdf
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    cover = text_of(path, "-f", "1", "-l", "1")
    assert "2025年代表建议办理工作情况报告" in cover and "—1—" not in flat(cover)
    contents = text_of(path, "-f", "2", "-l", "2")
    entries = re.findall(r"(一、基本情况|七、下一步工作打算)\s*\.+\s*(\d+)", contents)
    assert [name for name, _p in entries] == ["一、基本情况", "七、下一步工作打算"]
    assert entries[0][1] == "1" and int(entries[1][1]) > 1
    first_body = text_of(path, "-f", "3", "-l", "3")
    assert "—1—" in flat(first_body)
    last = text_of(path, "-f", str(pages), "-l", str(pages))
    assert f"—{pages - 2}—" in flat(last)


def test_staff_write_the_chapters_then_generate_in_the_background(client, year, on_as_of):
    client.force_login(year.staff)
    url = reverse("reports:annual_report")
    refused = client.post(reverse("reports:annual_generate"), {"year": YEAR}, follow=True)
    assert "请先撰写并保存" in refused.content.decode() and not ReportJob.objects.exists()
    saved = client.post(url, {"year": YEAR, "action": "save", "title": "", "practices": PRACTICES, "plans": PLANS})
    assert saved.status_code == 302
    assert AnnualReport.objects.get(year=YEAR).updated_by == year.staff
    with django_capture_on_commit():
        client.post(reverse("reports:annual_generate"), {"year": YEAR})
    job = ReportJob.objects.get()
    assert (job.status, job.progress, job.pages > 4) == (ReportJob.Status.DONE, 100, True)
    assert job.pdf.storage.exists(job.pdf.name) and job.pdf.name.startswith(f"reports/{YEAR}/")
    status = client.get(reverse("reports:report_job", args=[job.pk])).json()
    assert status["status"] == "done" and status["url"] == reverse("reports:report_pdf", args=[job.pk])
    download = client.get(status["url"])
    assert download["Content-Type"] == "application/pdf" and b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get(url, {"year": YEAR}).content.decode()
    assert f"共 {job.pages} 页" in page


def django_capture_on_commit():
    """Run on_commit callbacks now (the test's transaction never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_a_job_shows_its_progress_while_it_runs(client, year):
    job = ReportJob.objects.create(year=YEAR, requested_by=year.staff, status="running", progress=35, stage="生成版面")
    client.force_login(year.staff)
    assert client.get(reverse("reports:report_job", args=[job.pk])).json() == {
        "status": "running", "status_label": "进行中", "progress": 35, "stage": "生成版面", "pages": None,
        "error": "", "url": None,
    }  # fmt: skip
    page = client.get(reverse("reports:annual_report"), {"year": YEAR}).content.decode()
    assert '<progress max="100" value="35">' in page and "reports/job.js" in page
    assert "disabled" in page  # one job at a time


def test_a_failed_job_says_why(year, monkeypatch):
    job = ReportJob.objects.create(year=YEAR, requested_by=year.staff)

    def broken(*args, **kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(annual, "render_document", broken)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and "字体缺失" in job.error and not job.pdf


def test_the_command_writes_the_pdf(chapters, on_as_of, tmp_path, capsys):
    out = tmp_path / "2025.pdf"
    call_command("annual_report", "--year", str(YEAR), "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF") and "页" in capsys.readouterr().out
    assert "84.21%" in text_of(out)


def test_the_preview_is_the_same_text(client, chapters, on_as_of):
    client.force_login(chapters.updated_by)
    page = client.get(reverse("reports:annual_preview"), {"year": YEAR}).content.decode()
    assert "办结率为84.21%" in page and "加强领导，压实办理责任" in page


@pytest.mark.parametrize("who", ["leader", "unit_head"])
def test_only_staff_make_the_report(client, request, who, year):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("reports:annual_report")).status_code == 404
    assert client.post(reverse("reports:annual_generate"), {"year": YEAR}).status_code == 404
    assert AuditRecord.objects.filter(kind=AuditRecord.Kind.ACCESS_REFUSED, user=user).count() == 2


def test_the_overview_says_how_the_suggestions_received_add_up():
    from reports.annual import received_parts

    counts = {"received": 110, "registered": 102, "not_accepted": 2, "withdrawn": 1, "under_review": 5}
    parts = received_parts(counts)
    assert [(p["label"], p["n"]) for p in parts] == [
        ("收到建议", 110),
        ("立案", 102),
        ("不作为建议、转其他渠道处理", 2),
        ("代表撤回", 1),
        ("审查中", 5),
    ]
    # Parts with nothing are left out; a rest that the states do not explain is stated, never hidden.
    odd = received_parts({"received": 10, "registered": 8})
    assert [(p["label"], p["n"]) for p in odd] == [("收到建议", 10), ("立案", 8), ("其他", 2)]


def test_generating_saves_the_chapters_typed_first_and_makes_the_pdf_of_them(client, year, on_as_of):
    client.force_login(year.staff)
    url = reverse("reports:annual_report")
    typed = {"year": YEAR, "title": "", "practices": PRACTICES, "plans": PLANS}
    with django_capture_on_commit():
        made = client.post(url, {**typed, "action": "generate"})
    assert made.status_code == 302 and "#job-" in made["Location"]
    report = AnnualReport.objects.get(year=YEAR)
    assert (report.practices, report.plans, report.updated_by) == (PRACTICES, PLANS, year.staff)
    assert ReportJob.objects.get().status == ReportJob.Status.DONE
    # A chapter left empty is said so, and what was typed is kept.
    page = client.post(url, {**typed, "plans": "", "practices": "新写的做法", "action": "generate"}, follow=True)
    assert "请先撰写并保存" in page.content.decode() and "新写的做法" in page.content.decode()
    assert ReportJob.objects.count() == 1
