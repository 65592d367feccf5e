"""The deputy's safety net under a rating and the re-survey of a promise (回头看), in Chromium at
desktop and phone width: the rating restated in words before it is sent, sent back for a
change, changed within its window, then confirmed so re-handling starts; a promise past its
date answered by the deputy, and the answer read by staff on the follow-up list. Each page is
checked for sideways scrolling and photographed into artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from proposals.models import ProposalState
from supervision.models import Promise, PromiseSurvey
from supervision.services import sync_promises
from tests.factories import PASSWORD
from tests.supervision.conftest import issue_b_reply
from tests.workflow import advance

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture(params=list(SIZES))
def screen(request, page: Page, live_server, screenshot_dir):
    return Screen(page, live_server.url, screenshot_dir, SIZES[request.param])


class Screen:
    def __init__(self, page: Page, url: str, directory, size: dict[str, int]):
        self.page, self.url, self.dir, self.n = page, url, directory, 0
        page.set_viewport_size(size)

    def log_in(self, username: str, then: str) -> None:
        self.page.goto(f"{self.url}/accounts/login/?next={then}")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()

    def log_out(self) -> None:
        self.page.get_by_role("button", name="退出").click()
        expect(self.page.get_by_label("用户名")).to_be_visible()

    def step(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        self.n += 1
        self.page.screenshot(path=self.dir / f"{self.n:02d}-{name}.png", full_page=True)


def test_rate_see_it_restated_change_it_then_confirm(screen: Screen, draft, cast):
    proposal = advance(draft, S.REPLIED, cast)
    page = screen.page
    screen.log_in("deputy", f"/proposals/mine/{proposal.pk}/")

    page.get_by_role("link", name="评价这份答复").click()
    page.get_by_role("group", name="办理态度").get_by_label("满意", exact=True).check()
    page.get_by_role("group", name="办理结果").get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="下一步：核对评价").click()
    expect(page.get_by_text("请确认：您对办理态度的评价是“满意”，对办理结果的评价是“满意”。")).to_be_visible()
    screen.step("restated")
    page.get_by_role("button", name="返回修改").click()
    expect(page.get_by_role("group", name="办理结果").get_by_label("满意", exact=True)).to_be_checked()
    page.get_by_role("group", name="办理结果").get_by_label("基本满意").check()
    page.get_by_role("button", name="下一步：核对评价").click()
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_text(re.compile("评价待确认，可修改至 \\d{4}-\\d\\d-\\d\\d"))).to_be_visible()
    screen.step("waiting-to-take-effect")
    proposal.refresh_from_db()
    assert proposal.state == S.REPLIED

    page.get_by_role("link", name="修改评价").click()
    expect(page.get_by_role("group", name="办理结果").get_by_label("基本满意")).to_be_checked()
    page.get_by_role("group", name="办理结果").get_by_label("不满意").check()
    page.get_by_label("意见").fill("信号灯明年才装，太晚了。")
    screen.step("changing")
    page.get_by_role("button", name="下一步：核对修改").click()
    expect(page.get_by_text("确认后，")).to_contain_text("承办单位须重新办理")
    page.get_by_role("button", name="确认修改").click()
    expect(page.get_by_text(re.compile("评价已修改。"))).to_be_visible()
    expect(page.get_by_text(re.compile("修改了评价：态度满意，结果不满意"))).to_be_visible()

    page.get_by_role("button", name="确认，不再修改").first.click()
    expect(page.get_by_text(re.compile("您的评价已记录。承办单位须重新办理"))).to_be_visible()
    screen.step("confirmed-rehandling")
    proposal.refresh_from_db()
    assert proposal.state == S.REHANDLING


def test_the_deputy_answers_the_resurvey_and_staff_read_it(screen: Screen, draft, cast, result_b, staff):
    proposal = advance(draft, S.IN_HANDLING, cast)
    later = dt.date.today() + dt.timedelta(days=30)
    issue_b_reply(proposal, cast, result_b, promised="路口增设信号灯", promised_by=later)
    sync_promises()
    Promise.objects.update(promised_by=dt.date.today() - dt.timedelta(days=1))
    promise = Promise.objects.get()
    page = screen.page

    screen.log_in("deputy", "/proposals/mine/")
    page.get_by_role("link", name="区教育局的承诺落实了吗？请回头看").first.click()
    expect(page.get_by_role("heading", name="承诺是否落实？")).to_be_visible()
    page.get_by_label("部分落实").check()
    page.get_by_role("button", name="提交回应").click()
    expect(page.get_by_text("请说明还有哪些没有落实。").first).to_be_visible()
    page.get_by_label("意见").fill("只装了一个方向的信号灯。")
    screen.step("resurvey-answer")
    page.get_by_role("button", name="提交回应").click()
    expect(page.get_by_text("谢谢，您的答复已送人大工作人员。")).to_be_visible()
    screen.step("resurvey-answered")
    assert PromiseSurvey.objects.get(promise=promise).answer == "partly"
    screen.log_out()

    screen.log_in("staff", "/supervision/followup/?state=all&survey=partly")
    expect(page.get_by_role("cell", name=re.compile("部分落实"))).to_be_visible()
    screen.step("staff-follow-up-list")
