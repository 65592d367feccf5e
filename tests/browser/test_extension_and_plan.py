"""In a real Chromium, at desktop and phone width: a unit asks to extend its reply deadline
and congress staff approve it from their workbench, the deputy reading that it was extended;
a unit that has signed records its handling plan, marks a step done, may still ask to be
re-assigned within the window, and the deputy follows the plan's progress on the phone.
Screenshots go to artifacts/screenshots/<test name>/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from handling.models import DeadlineExtension
from proposals.models import ProposalState
from tests.browser.test_staff_and_units import PHONE, Session
from tests.factories import ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_handling(deputy, meeting, category, cast, staff):
    proposal = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于改善东城区交通的建议")
    return advance(proposal, S.IN_HANDLING, cast)


def test_a_unit_asks_for_more_time_and_staff_approve_it(browser, live_server, screenshot_dir, in_handling):
    proposal = in_handling
    assignment = proposal.assignments.get()
    new_date = assignment.deadline + dt.timedelta(days=20)
    base = live_server.url

    handler = Session(browser, base, "handler", screenshot_dir)
    page = handler.go(f"/proposals/{proposal.pk}/")
    page.get_by_role("link", name="申请延期", exact=True).click()
    page.get_by_label("申请延至").fill(new_date.isoformat())
    page.get_by_label("延期理由").fill("需会同市级部门论证资金，申请延期。")
    handler.shot("01-request")
    handler.no_sideways_scroll_on_a_phone("01-request")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".unit-panel")).to_contain_text("正在等待审核")

    office = Session(browser, base, "staff", screenshot_dir)
    page = office.go("/")
    page.locator("a.tile", has_text="延期申请").click()
    expect(page.locator("table").first).to_contain_text("需会同市级部门论证资金")
    office.shot("02-list")
    office.no_sideways_scroll_on_a_phone("02-list")
    page.get_by_role("link", name="审核", exact=True).click()
    office.shot("03-decide")
    office.no_sideways_scroll_on_a_phone("03-decide")
    page.get_by_role("button", name="同意延期").click()
    expect(page.locator(".messages")).to_contain_text(new_date.isoformat())
    assignment.refresh_from_db()
    assert assignment.deadline == new_date
    assert DeadlineExtension.objects.get().original_deadline < new_date

    reader = Session(browser, base, "deputy", screenshot_dir)
    reader.page.set_viewport_size(PHONE)
    page = reader.go(f"/proposals/mine/{proposal.pk}/")
    expect(page.locator("#story")).to_contain_text("答复期限延长至")
    expect(page.locator("body")).not_to_contain_text("需会同市级部门论证资金")
    reader.shot("04-deputy-phone")
    for session in (handler, office, reader):
        session.close()


def test_a_signed_unit_records_its_plan_and_the_deputy_follows_it(browser, live_server, screenshot_dir, in_handling):
    proposal = in_handling
    today = dt.date.today()
    base = live_server.url

    handler = Session(browser, base, "handler", screenshot_dir)
    page = handler.go(f"/proposals/{proposal.pk}/")
    # Signed for, and still inside the window: re-assignment can be asked for.
    expect(page.get_by_role("link", name="申请调整", exact=True)).to_be_visible()
    page.get_by_role("link", name="报送办理方案").click()
    page.get_by_label("承办人", exact=True).fill("王科长")
    page.get_by_label("分管领导").fill("李副局长")
    page.get_by_label("办理思路").fill("先调研，再会同相关部门研究方案。")
    page.locator("[name=steps-0-title]").fill("实地调研")
    page.locator("[name=steps-0-planned_on]").fill((today + dt.timedelta(days=7)).isoformat())
    page.locator("[name=steps-1-title]").fill("形成方案")
    page.locator("[name=steps-1-planned_on]").fill((today + dt.timedelta(days=30)).isoformat())
    handler.shot("01-plan-form")
    handler.no_sideways_scroll_on_a_phone("01-plan-form")
    page.get_by_role("button", name="保存办理方案").click()
    expect(page.locator("#plans")).to_contain_text("已完成 0 / 2 步")
    page.locator("#plans").get_by_role("button", name="标记完成").first.click()
    expect(page.locator("#plans")).to_contain_text("已完成 1 / 2 步")
    handler.shot("02-plan-on-the-page")
    handler.no_sideways_scroll_on_a_phone("02-plan-on-the-page")

    reader = Session(browser, base, "deputy", screenshot_dir)
    reader.page.set_viewport_size(PHONE)
    page = reader.go(f"/proposals/mine/{proposal.pk}/")
    expect(page.locator("#plans")).to_contain_text("李副局长")
    expect(page.locator("#plans")).to_contain_text("已完成 1 / 2 步")
    expect(page.locator("#story")).to_contain_text("报送了办理方案")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    reader.shot("03-deputy-phone")
    for session in (handler, reader):
        session.close()
