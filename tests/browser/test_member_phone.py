"""A CPPCC member (政协委员) on a phone, in Chromium: writes and submits a proposal, follows it
as the proposals committee sets it up and a unit replies, and rates the reply (the rating
restated, confirmed, then settled), every page in the proposal stream's words. Each page is
checked for sideways scrolling and photographed into artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from handling import services as hs
from proposals import services as ps
from proposals.models import Proposal, ProposalState
from tests.factories import PASSWORD, SourceFactory
from tests.workflow import reply_and_issue

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


def step(page: Page, directory, n: int, name: str) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
    page.screenshot(path=directory / f"{n:02d}-{name}.png", full_page=True)


@override_settings(REQUIRED_COSIGNERS=0)
def test_a_member_submits_a_proposal_follows_it_and_rates_the_reply_on_a_phone(
    page: Page, live_server, screenshot_dir, member, cppcc_meeting, category, proposal_cast, unit
):
    source = SourceFactory()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/?next=/proposals/mine/")
    page.get_by_label("用户名").fill("member")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的提案", exact=True)).to_be_visible()
    expect(page.get_by_text("我的建议")).to_have_count(0)
    step(page, screenshot_dir, 1, "my-proposals")

    page.get_by_role("link", name="写提案").first.click()
    page.get_by_label("标题").fill("关于发展县域特色农产品加工的提案")
    page.get_by_label("正文").fill("我县特色农产品加工链条短、附加值低。提议设立专项资金，扶持龙头企业。")
    page.get_by_label("类别").select_option(label=category.name)
    page.get_by_label("提案来源").select_option(label=source.name)
    step(page, screenshot_dir, 2, "proposal-draft")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text(re.compile("已提交。提案委员会将进行审查"))).to_be_visible()
    proposal = Proposal.objects.get(lead_deputy=member)
    assert (proposal.stream, proposal.meeting, proposal.state) == ("proposal", cppcc_meeting, S.SUBMITTED)
    step(page, screenshot_dir, 3, "proposal-submitted")

    # The proposals committee registers and assigns it; the unit signs, replies, issues.
    ps.register_proposal(proposal=proposal, by=proposal_cast.staff)
    hs.assign_proposal(proposal=proposal, by=proposal_cast.staff, lead_unit=unit)
    hs.sign_assignment(assignment=proposal.assignments.get(), by=proposal_cast.handler)
    reply_and_issue(proposal, proposal_cast)

    page.goto(f"{live_server.url}/proposals/mine/")
    expect(page.get_by_role("link", name="请阅读区教育局的答复并评价")).to_be_visible()
    page.goto(f"{live_server.url}/proposals/mine/{proposal.pk}/")
    expect(page.get_by_text("第0001号提案").first).to_be_visible()
    step(page, screenshot_dir, 4, "proposal-replied")
    page.get_by_role("link", name="评价这份答复").click()
    page.get_by_role("group", name="办理态度").get_by_label("满意", exact=True).check()
    page.get_by_role("group", name="办理结果").get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="下一步：核对评价").click()
    expect(page.get_by_text("请确认：您对办理态度的评价是“满意”，对办理结果的评价是“满意”。")).to_be_visible()
    step(page, screenshot_dir, 5, "rating-restated")
    page.get_by_role("button", name="确认提交").click()
    page.get_by_role("button", name="确认，不再修改").first.click()
    expect(page.get_by_text("感谢您的评价，该提案已办结。")).to_be_visible()
    step(page, screenshot_dir, 6, "rating-settled")
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert "建议" not in page.locator("main").inner_text().replace("关于发展县域特色农产品加工的提案", "")
