"""In a real Chromium, at desktop and phone width: a deputy opens their yearly record from "my
suggestions" and downloads its PDF; staff filter the deputies' records and open one; the unit
prints its reply letter from the reply page; the import page names the kind a workbook's
columns fit. Screenshots go to artifacts/screenshots/<test name>/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from handling.models import Rating, Reply
from reports import excel
from tests.browser.test_deputy_phone import MEASURE
from tests.factories import PASSWORD
from tests.workflow import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _open(browser: Browser, base: str, username: str, size: str) -> Page:
    page = browser.new_context(viewport=SIZES[size], locale="zh-CN", accept_downloads=True).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    return page


def _fits(page: Page, shots: Path, name: str) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.screenshot(path=shots / f"{name}.png", full_page=True)


@pytest.fixture
def closed(cast, draft):
    proposal = advance(draft, "closed", cast)
    rating = Rating.objects.get(proposal=proposal)
    # Rated three weeks after the reply: after the rating reminder, so late.
    Rating.objects.filter(pk=rating.pk).update(rated_at=rating.reply.issued_at + dt.timedelta(days=21))
    return proposal


@pytest.mark.parametrize("size", SIZES)
def test_a_deputy_reads_their_record_and_downloads_the_yearly_pdf(browser, live_server, screenshot_dir, closed, size):
    page = _open(browser, live_server.url, "deputy", size)
    page.get_by_role("link", name="我的年度履职档案").click()
    expect(page.get_by_role("heading", name="2026年履职档案 · 王建国")).to_be_visible()
    expect(page.get_by_text("评价超时").first).to_be_visible()
    _fits(page, screenshot_dir, f"record-{size}")
    if size == "phone":
        assert page.evaluate(MEASURE)["small"] == [], "tap targets under 44 px on the deputy's record"
    with page.expect_download() as download:
        page.get_by_role("link", name="年度档案 PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("size", SIZES)
def test_staff_filter_the_records_by_late_ratings_and_open_one(
    browser, live_server, screenshot_dir, closed, cosigner, size
):
    page = _open(browser, live_server.url, "staff", size)
    page.goto(f"{live_server.url}/reports/records/")
    expect(page.get_by_role("link", name="李红梅")).to_be_visible()
    page.get_by_label("查看").select_option("late")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("link", name="王建国")).to_be_visible()
    expect(page.get_by_role("link", name="李红梅")).to_have_count(0)
    _fits(page, screenshot_dir, f"records-late-{size}")
    page.get_by_role("link", name="王建国").click()
    expect(page.get_by_role("heading", name="2026年履职档案 · 王建国")).to_be_visible()
    _fits(page, screenshot_dir, f"record-of-a-deputy-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_unit_prints_the_reply_letter_from_the_reply_page(browser, live_server, screenshot_dir, cast, draft, size):
    proposal = advance(draft, "replied", cast)
    reply = Reply.objects.get(assignment__proposal=proposal)
    page = _open(browser, live_server.url, cast.handler.username, size)
    page.goto(f"{live_server.url}/handling/replies/{reply.pk}/")
    _fits(page, screenshot_dir, f"reply-page-{size}")
    with page.expect_download() as download:
        page.get_by_role("link", name="打印答复函（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("size", SIZES)
def test_the_import_page_names_the_kind_the_columns_fit(browser, live_server, screenshot_dir, staff, tmp_path, size):
    workbook = tmp_path / "units.xlsx"
    workbook.write_bytes(excel.write_workbook([("s", ["单位名称", "简称", "单位类型"], [["区教育局", "", ""]])]))
    page = _open(browser, live_server.url, "staff", size)
    page.goto(f"{live_server.url}/reports/import/")
    page.get_by_label("文件内容").select_option("suggestions")
    page.locator("#id_file").set_input_files(str(workbook))
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_text("这个表格的列像是『承办单位』导入模板")).to_be_visible()
    _fits(page, screenshot_dir, f"import-wrong-kind-{size}")
