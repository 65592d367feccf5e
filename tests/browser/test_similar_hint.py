"""The drafting hint on a 390×844 phone: while a deputy writes a suggestion, last year's
suggestion on the same matter appears below the text, with its reply, and typing goes on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser.test_deputy_phone import Phone
from tests.workflow import Cast, advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


def test_the_drafting_hint_shows_last_years_suggestion_with_its_reply_on_a_phone(
    page: Page, live_server, screenshot_dir, cast: Cast, deputy, other_deputy, meeting
):
    last_year = f.MeetingFactory(year=meeting.year - 1, number=meeting.number - 1, name="十七届人大四次会议")
    earlier = f.ProposalFactory(
        lead_deputy=deputy,
        meeting=last_year,
        title="关于缓解南苑实验小学周边上下学交通拥堵的建议",
        body="南苑实验小学上下学时段家长车辆在校门口乱停，学府街交通拥堵，建议设置即停即走车位。",
    )
    advance(earlier, "replied", cast)

    phone = Phone(page, live_server, screenshot_dir)
    phone.log_in("other_deputy")
    phone.write_new()
    page.get_by_label("标题").fill("关于缓解学校周边交通拥堵的建议")
    body = page.get_by_label("正文")
    body.click()
    body.press_sequentially("上下学时段学校门口接送车辆拥堵", delay=20)

    hint = page.locator("[data-similar-url]")
    expect(hint).to_be_visible(timeout=5000)
    expect(hint).to_contain_text(earlier.title)
    expect(hint).to_contain_text(f"{last_year.year}年已由")  # its reply, made public
    expect(hint).to_contain_text("答复正文")
    expect(hint).not_to_contain_text(deputy.name)  # another deputy's: the title and public reply only

    body.press_sequentially("，建议增派警力疏导。", delay=20)  # typing was never held up
    expect(body).to_have_value("上下学时段学校门口接送车辆拥堵，建议增派警力疏导。")
    expect(page.locator("#autosave-status")).to_contain_text("自动保存", timeout=8000)  # nothing left in flight
    phone.step("similar-hint")
