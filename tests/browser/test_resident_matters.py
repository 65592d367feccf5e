"""A resident and a deputy on 390×844 phones, in Chromium: the resident opens the deputy's
intake page (the address of the deputy's QR code), leaves a matter with a photo, gets a code and
looks it up; the deputy opens the matter, turns it into a draft suggestion and submits it; staff
register and assign it; the resident's lookup then shows the suggestion's number and where it
stands. Every page is checked for sideways scrolling and small tap targets, and photographed
into artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from deputies.intake import NUMERALS
from deputies.models import ResidentMatter
from handling import services as hs
from proposals import services as ps
from proposals.models import Proposal
from tests import factories as f
from tests.browser.test_deputy_phone import Phone
from tests.files import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TEXT = "北湖公园东门的台阶没有无障碍坡道，坐轮椅的老人进不去，希望加装坡道。"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


def answer_the_question(page: Page) -> None:
    question = page.locator(".question label").inner_text()
    a, b = re.search(r"([一二三四五六七八九])加([一二三四五六七八九])", question).groups()
    page.get_by_label(question).fill(str(NUMERALS.index(a) + NUMERALS.index(b)))


def test_a_resident_leaves_a_matter_the_deputy_makes_it_a_suggestion_the_lookup_follows(
    page: Page, live_server, screenshot_dir, deputy, staff, meeting, category, unit, settings, fresh_rate_limits
):
    settings.RESIDENT_MIN_FILL_SECONDS = 0
    f.SourceFactory(name="联络站收集群众意见")
    phone = Phone(page, live_server, screenshot_dir)

    # The resident scans the deputy's code: the intake page, no login.
    page.goto(f"{live_server.url}/public/deputies/{deputy.public_code}/")
    expect(page.get_by_role("heading", name="向王建国代表反映问题")).to_be_visible()
    phone.step("resident-intake")
    page.get_by_label("您反映的问题").fill(TEXT)
    page.get_by_label("照片（可不填）").set_input_files(
        files=[{"name": "IMG_0423.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600)}]
    )
    page.get_by_label("手机号码（可不填）").fill("13877125566")
    # A wrong answer keeps what was typed.
    page.get_by_label(re.compile("等于几")).fill("99")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("问题的答案不对")).to_be_visible()
    expect(page.get_by_label("您反映的问题")).to_have_value(TEXT)
    phone.step("resident-wrong-answer")
    page.get_by_label("照片（可不填）").set_input_files(
        files=[{"name": "IMG_0423.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600)}]
    )
    answer_the_question(page)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="您反映的问题已收到")).to_be_visible()
    code = page.locator("#lookup-code").inner_text().strip()
    assert len(code) == 8
    phone.step("resident-code")
    matter = ResidentMatter.objects.get()
    assert matter.deputy == deputy and matter.photo and matter.phone == "13877125566"

    # The resident looks it up.
    page.get_by_role("link", name="查询办理情况").click()
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("您反映的问题已收到，将尽快处理。")).to_be_visible()
    assert "13877125566" not in page.content()
    phone.step("resident-lookup-received")

    # The deputy, on a phone: the matter (phone whole, photo), turned into a draft, submitted.
    phone.log_in("deputy")
    page.goto(f"{live_server.url}/matters/")
    expect(page.get_by_text("138****5566")).to_be_visible()
    phone.step("deputy-inbox")
    page.get_by_role("link", name=re.compile("北湖公园东门")).click()
    expect(page.get_by_role("link", name="13877125566")).to_be_visible()
    expect(page.get_by_role("img", name="群众提交的照片")).to_be_visible()
    phone.step("deputy-matter")
    page.get_by_role("button", name="转为建议草稿").click()
    expect(page.get_by_text("已根据群众意见生成建议草稿")).to_be_visible()
    expect(page.get_by_label("正文")).to_have_value(TEXT)
    page.get_by_label("标题").fill("关于北湖公园东门加装无障碍坡道的建议")
    page.get_by_label("类别").select_option(label="教科文卫体")
    phone.step("deputy-draft-from-matter")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("已提交，人大代表工作机构正在审查")).to_be_visible()
    phone.step("deputy-submitted")
    proposal = Proposal.objects.get()
    assert list(proposal.from_matters.all()) == [matter] and proposal.state == "submitted"

    # Staff register and assign it (their pages are tested elsewhere).
    ps.register_proposal(proposal=proposal, by=staff)
    hs.assign_proposal(proposal=Proposal.objects.get(pk=proposal.pk), by=staff, lead_unit=unit)
    proposal.refresh_from_db()

    # The resident's lookup follows the suggestion: its number, its title, where it stands.
    page.goto(f"{live_server.url}/public/matters/lookup/")
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("已转为代表建议")).to_be_visible()
    expect(page.get_by_text(f"{proposal.number_label} 关于北湖公园东门加装无障碍坡道的建议")).to_be_visible()
    expect(page.get_by_text("已交办")).to_be_visible()
    assert "13877125566" not in page.content() and "138****" not in page.content()
    phone.step("resident-lookup-suggestion")


def test_station_staff_answer_a_matter_from_their_phone(
    page: Page, live_server, screenshot_dir, stationed, station_staff, fresh_rate_limits
):
    from deputies import matters

    matter, code = matters.receive_matter(text="新阳小区楼道堆满杂物", phone="13978801234", station=stationed)
    phone = Phone(page, live_server, screenshot_dir)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("station")
    page.get_by_label("密码").fill("Test#2026pass")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="群众意见", exact=True)).to_be_visible()
    phone.step("station-inbox")
    page.get_by_role("link", name=re.compile("新阳小区")).click()
    page.get_by_label("答复群众").fill("已通知物业三日内清理。")
    page.get_by_role("button", name="保存答复").click()
    expect(page.get_by_text("答复已保存")).to_be_visible()
    phone.step("station-answered")
    page.goto(f"{live_server.url}/matters/cards/")
    expect(page.get_by_text(stationed.name).first).to_be_visible()
    phone.step("station-cards")
    matter.refresh_from_db()
    assert matter.state == "answered"
