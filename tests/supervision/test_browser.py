"""In a real Chromium: staff choose a key item and urge a unit, the unit acknowledges, the
leader sees the item on their page, a handler reads a morning of deadline reminders as one
list; on a desktop screen and on a phone, without sideways scrolling of the page. Screenshots
of each page go to artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from supervision.models import KeyItem, UrgingNotice
from supervision.reminders import run_daily_scan
from tests.conftest import open_nav_link
from tests.factories import PASSWORD
from tests.supervision.conftest import due_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_choose_a_key_item_and_the_leader_follows_it(
    page: Page, live_server, make_proposal, staff, leader, unit_handler, screenshot_dir, viewport
):
    first, second = make_proposal(), make_proposal()
    due_in(first, -4)
    page.set_viewport_size(viewport)
    log_in(page, live_server, "staff")
    open_nav_link(page, "重点督办")
    page.get_by_role("link", name="确定重点督办建议").first.click()
    page.get_by_label("主题").fill("学位供给保障")
    page.get_by_label("领办领导").select_option(str(leader.pk))
    page.get_by_label("按编号或标题关键词筛选").fill(first.title)
    page.get_by_label(first.title, exact=False).check()
    page.get_by_label("按编号或标题关键词筛选").fill("")
    page.get_by_label(second.title, exact=False).check()
    page.screenshot(path=screenshot_dir / "key-form.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("重点督办建议已保存")).to_be_visible()
    expect(page.get_by_role("heading", name="学位供给保障")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "key-detail.png", full_page=True)
    assert set(KeyItem.objects.get().proposals.all()) == {first, second}

    log_in(page, live_server, "leader")
    open_nav_link(page, "我领办的建议")
    expect(page.get_by_role("link", name="学位供给保障")).to_be_visible()
    expect(page.get_by_text("超期 4 天").first).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "leader-page.png", full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_urge_and_the_unit_acknowledges(
    page: Page, live_server, handled, unit, staff, unit_handler, screenshot_dir, viewport
):
    due_in(handled, -2)
    page.set_viewport_size(viewport)
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/supervision/urging/new/")
    page.get_by_label("承办单位").select_option(str(unit.pk))
    page.get_by_role("button", name="下一步").click()
    page.get_by_label(f"{handled.number_label} {handled.title}").check()
    page.screenshot(path=screenshot_dir / "urging-form.png", full_page=True)
    page.get_by_role("button", name="发出催办通知").click()
    expect(page.get_by_text("已向区教育局发出催办通知")).to_be_visible()
    no_sideways_scroll(page)

    log_in(page, live_server, "handler")
    open_nav_link(page, "催办")
    page.get_by_role("link", name=UrgingNotice.objects.get().sent_at.astimezone().strftime("%Y-%m-%d")).click()
    page.get_by_label("贵单位的办理打算（选填）").fill("本周内答复代表")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("催办通知已签收")).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "urging-acknowledged.png", full_page=True)
    assert UrgingNotice.objects.get().answer == "本周内答复代表"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_unit_reports_a_promise_kept_and_staff_confirm(
    page: Page, live_server, promise, staff, unit_handler, screenshot_dir, viewport
):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "handler")
    open_nav_link(page, "跟踪落实")
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "followup-unit.png", full_page=True)
    page.get_by_role("link", name=promise.proposal.title).click()
    page.get_by_label("上次报告以来的进展").fill("新学校已建成并投入使用")
    page.get_by_label("承诺事项已落实，请代表工作机构确认").check()
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_text("已报已落实，待代表工作机构确认")).to_be_visible()
    no_sideways_scroll(page)

    log_in(page, live_server, "staff")
    open_nav_link(page, "跟踪落实")
    page.get_by_role("link", name=promise.proposal.title).click()
    page.screenshot(path=screenshot_dir / "promise-to-confirm.png", full_page=True)
    page.get_by_role("button", name="确认已落实").click()
    expect(page.get_by_text("已确认承诺事项落实")).to_be_visible()
    no_sideways_scroll(page)
    promise.refresh_from_db()
    assert promise.state == "kept"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_handler_reads_a_morning_of_deadline_reminders_as_one_list_and_opens_it(
    page: Page, live_server, make_proposal, unit_handler, screenshot_dir, viewport, settings
):
    settings.REMINDER_DIGEST_AFTER = 2
    items = [make_proposal() for _ in range(3)]
    for proposal in items:
        due_in(proposal, 7)
    assert run_daily_scan()["deadline"] == 3
    page.set_viewport_size(viewport)
    log_in(page, live_server, "handler")
    page.goto(f"{live_server.url}/proposals/notifications/")
    notice = page.get_by_role("button", name="答复期限临近：共 3 项")
    expect(notice).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "deadline-list-notice.png", full_page=True)
    notice.click()
    expect(page).to_have_url(f"{live_server.url}/proposals/")
    for proposal in items:
        expect(page.get_by_text(proposal.title).first).to_be_visible()
    no_sideways_scroll(page)
