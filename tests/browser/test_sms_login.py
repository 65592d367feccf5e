"""On a 390×844 phone in Chromium: 短信验证码登录 (number → 获取验证码 → code → signed in), and
忘记密码 up to the new password. Codes are captured by a test sender; the pages must fit the
phone (no sideways scrolling, tap targets of 44 px)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_deputy_phone import MEASURE
from tests.sms import CapturingSender

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("captured_sms")]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


def fits(page: Page) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["overflow"] <= 0, measured
    assert measured["small"] == [], measured["small"]


def test_a_deputy_logs_in_with_a_text_message_code_on_a_phone(page: Page, live_server, deputy, screenshot_dir):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="短信验证码登录").click()
    expect(page.get_by_label("手机号码")).to_be_visible()
    fits(page)
    page.get_by_label("手机号码").fill(deputy.phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_contain_text("验证码已发送")
    expect(page.get_by_label("手机号码")).to_have_value(deputy.phone)
    page.screenshot(path=screenshot_dir / "sms-login-sent-phone.png", full_page=True)
    fits(page)
    page.get_by_label("验证码").fill("000000" if CapturingSender.last_code(deputy.phone) != "000000" else "111111")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("验证码错误或已过期")).to_be_visible()
    page.get_by_label("验证码").fill(CapturingSender.last_code(deputy.phone) or "")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="我的建议")).to_be_visible()
    page.screenshot(path=screenshot_dir / "sms-login-done-phone.png", full_page=True)


def test_a_forgotten_password_is_reset_with_a_code_on_a_phone(page: Page, live_server, deputy, screenshot_dir):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_label("手机号码").fill(deputy.phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_role("status")).to_be_visible()
    fits(page)
    page.get_by_label("验证码").fill(CapturingSender.last_code(deputy.phone) or "")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    fits(page)
    page.locator("#id_new_password1").fill("Qingshui#River42")
    page.locator("#id_new_password2").fill("Qingshui#River42")
    page.get_by_role("button", name="设置密码").click()
    expect(page.get_by_text("密码已重设")).to_be_visible()
    page.screenshot(path=screenshot_dir / "sms-reset-done-phone.png", full_page=True)
