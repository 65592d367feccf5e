"""A deputy on a 390×844 phone, in Chromium: draft a suggestion (autosaved), invite a co-signer
who confirms, submit; later rate the reply 不满意 (restated, then confirmed), see the
re-handling, rate the second reply 满意 and see it closed. Other roles' steps run through the
services between the deputy's.
Every page is checked for sideways scrolling and for tap targets under 44 px, and each step
is photographed into artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.db import OperationalError
from playwright.sync_api import Page, expect

from handling import services as hs
from handling.models import Rating, Reply
from proposals.models import Proposal, ProposalState
from tests import factories as f
from tests.factories import PASSWORD
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

# Interactive elements smaller than 44 px on either side (radios and checkboxes are measured
# by the label around them), and how far the page scrolls sideways.
MEASURE = """() => {
  const small = [];
  const items = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of items) {
    let box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // inside a closed <details>
    if (el.type === 'radio' || el.type === 'checkbox') {
      const label = el.closest('label');
      if (label) box = label.getBoundingClientRect();
    }
    if (box.height < 43.5 || box.width < 43.5) {
      small.push(el.outerHTML.slice(0, 100) + ' ' + Math.round(box.width) + 'x' + Math.round(box.height));
    }
  }
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    small: small,
  };
}"""


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    """A phone browser set to Chinese (Accept-Language: zh-CN)."""
    return {**browser_context_args, "locale": "zh-CN"}


class Phone:
    """The deputy's phone: logs in, checks each page's fit, and photographs each step."""

    def __init__(self, page: Page, live_server, screenshot_dir):
        self.page, self.url, self.dir, self.n = page, live_server.url, screenshot_dir, 0
        page.set_viewport_size(PHONE)

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.url}/accounts/login/?next=/proposals/mine/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("heading", name="我的建议", exact=True)).to_be_visible()

    def write_new(self) -> None:
        """Open an empty 写建议 form from the menu, ready to type: its scripts (the autosave, the
        similar-suggestions hint) listen from the page's load on. A person cannot type sooner
        than that; a test can, and what it typed would then never be saved."""
        self.page.get_by_role("link", name="写建议").first.click()
        expect(self.page.get_by_label("标题")).to_be_visible()
        self.page.wait_for_load_state("load")

    def log_out(self) -> None:
        self.page.get_by_role("button", name="退出").click()
        expect(self.page.get_by_label("用户名")).to_be_visible()

    def step(self, name: str) -> None:
        """Check the page fits the phone, then photograph it."""
        # Measured once the page's stylesheets have loaded: a link can be visible before.
        self.page.wait_for_load_state("load")
        measured = self.page.evaluate(MEASURE)
        assert measured["overflow"] <= 0, f"{name}: the page scrolls sideways by {measured['overflow']} px"
        assert measured["small"] == [], f"{name}: tap targets under 44 px: {measured['small']}"
        self.n += 1
        self.page.screenshot(path=self.dir / f"{self.n:02d}-{name}.png", full_page=True)


@pytest.fixture
def people(deputy, cosigner, meeting, category, settings):
    f.SourceFactory(name="专题调研")
    settings.REQUIRED_COSIGNERS = 1
    return deputy, cosigner


# The phone leaves the page (a call, another app) and later drops it, before the few seconds
# after typing have passed.
SWITCH_AWAY = """() => {
  Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def test_what_is_typed_is_saved_when_the_phone_switches_to_another_app(
    page: Page, live_server, screenshot_dir, deputy, meeting
):
    phone = Phone(page, live_server, screenshot_dir)
    phone.log_in("deputy")
    phone.write_new()
    page.get_by_label("标题").fill("关于整治城关镇路灯的建议")
    page.get_by_label("正文").fill("解放路路灯长期损坏。")

    # Leaving the page sends what was typed at once (a keepalive request that outlives the page).
    with page.expect_request(lambda request: request.method == "POST", timeout=2000):  # autosave waits 2.5 s
        page.evaluate(SWITCH_AWAY)
    page.close(run_before_unload=False)

    for _ in range(100):
        try:
            if Proposal.objects.filter(lead_deputy=deputy, body="解放路路灯长期损坏。").exists():
                break
        except OperationalError:  # SQLite's shared in-memory test database: the server is writing
            pass
        time.sleep(0.1)
    draft = Proposal.objects.get(lead_deputy=deputy)
    assert (draft.title, draft.body, draft.state) == ("关于整治城关镇路灯的建议", "解放路路灯长期损坏。", S.DRAFT)


def test_draft_invite_a_cosigner_who_confirms_then_submit(page: Page, live_server, screenshot_dir, people, staff):
    deputy, cosigner = people
    phone = Phone(page, live_server, screenshot_dir)

    phone.log_in("deputy")
    expect(page.get_by_text("您还没有建议。")).to_be_visible()
    phone.step("my-suggestions-empty")

    # Draft: what is typed is saved by itself.
    phone.write_new()
    page.get_by_label("标题").fill("关于增设实验小学门口交通信号灯的建议")
    page.get_by_label("正文").fill(
        "实验小学门口上下学时段车流量大，学生过马路存在安全隐患。建议增设信号灯并施划斑马线。"
    )
    expect(page.get_by_text(re.compile(r"已于 \d\d:\d\d 自动保存"))).to_be_visible(timeout=10_000)
    expect(page).to_have_url(re.compile(r"/proposals/mine/\d+/edit/$"))
    proposal = Proposal.objects.get(lead_deputy=deputy)
    assert proposal.title == "关于增设实验小学门口交通信号灯的建议" and proposal.state == S.DRAFT
    page.get_by_role("group", name="提出方式").get_by_label("闭会期间").check()
    page.get_by_label("类别").select_option(label="教科文卫体")
    page.get_by_label("建议来源").select_option(label="专题调研")
    page.get_by_label("添加附件").set_input_files(
        files=[{"name": "调研报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    phone.step("draft-typed")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    expect(page.get_by_role("link", name="调研报告.pdf")).to_be_visible()
    phone.step("draft-saved")

    # Submitting before the required co-signer confirmed is refused, nothing lost.
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("草稿已保存，但未能提交：确认附议的代表人数还不够。")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("关于增设实验小学门口交通信号灯的建议")
    phone.step("submit-refused-needs-cosigner")

    # Invite a co-signer from the deputies list.
    page.get_by_role("link", name="邀请附议代表").click()
    page.get_by_role("searchbox").fill(cosigner.name)
    page.get_by_role("button", name="搜索").click()
    page.get_by_label(cosigner.name).check()
    phone.step("invite-search")
    page.get_by_role("button", name="邀请选中的代表").click()
    expect(page.get_by_text(f"已向{cosigner.name}发出附议邀请。")).to_be_visible()
    phone.step("cosigner-invited")
    phone.log_out()

    # The co-signer confirms from their own phone.
    phone.log_in("cosigner")
    expect(page.get_by_role("heading", name="附议邀请")).to_be_visible()
    phone.step("cosigner-sees-invitation")
    page.get_by_role("button", name="同意附议").click()
    expect(page.get_by_text("您已附议这件建议。")).to_be_visible()
    phone.step("cosigner-confirmed")
    phone.log_out()

    # Back to the lead deputy: submit.
    phone.log_in("deputy")
    page.get_by_role("link", name=re.compile("关于增设实验小学门口交通信号灯的建议")).click()
    page.get_by_role("link", name="继续编辑草稿").click()
    expect(page.get_by_text("已确认", exact=True)).to_be_visible()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("已提交。人大代表工作机构将进行审查")).to_be_visible()
    expect(page.get_by_text("已提交，人大代表工作机构正在审查")).to_be_visible()
    phone.step("submitted")

    proposal.refresh_from_db()
    assert proposal.state == S.SUBMITTED
    assert proposal.channel == "between" and proposal.source.name == "专题调研"
    assert list(proposal.attachments.values_list("name", flat=True)) == ["调研报告.pdf"]
    assert proposal.cosignatures.get().status == "confirmed"


def test_rate_unsatisfied_see_rehandling_then_rate_the_second_reply_satisfied(
    page: Page, live_server, screenshot_dir, deputy, draft, cast
):
    proposal = advance(draft, S.IN_HANDLING, cast)
    hs.record_contact(
        assignment=proposal.assignments.get(),
        by=cast.handler,
        kind="face_to_face",
        stage="during",
        contact_date=dt.date.today(),
        people="王建国代表、教育局李科长",
        summary="到学校现场面商，查看路口情况。",
    )
    reply_and_issue(proposal, cast, text="经研究，拟于明年在该路口增设信号灯。")
    phone = Phone(page, live_server, screenshot_dir)

    phone.log_in("deputy")
    expect(page.get_by_role("link", name="请阅读区教育局的答复并评价")).to_be_visible()
    phone.step("my-suggestions-replied")

    page.get_by_role("link", name=re.compile(proposal.title)).click()
    expect(page.get_by_text("区教育局记录了与您的联系：面商，办中沟通")).to_be_visible()
    phone.step("follow-page-timeline")
    page.get_by_role("button", name="确认属实").click()
    expect(page.get_by_text("谢谢，您已确认这次联系属实。")).to_be_visible()

    page.get_by_role("link", name="评价这份答复").click()
    page.get_by_role("group", name="办理态度").get_by_label("基本满意").check()
    page.get_by_role("group", name="办理结果").get_by_label("不满意").check()
    page.get_by_role("button", name="下一步：核对评价").click()
    expect(page.get_by_text("请说明不满意的原因。").first).to_be_visible()
    expect(page.get_by_role("group", name="办理结果").get_by_label("不满意")).to_be_checked()
    phone.step("rating-needs-a-comment")
    page.get_by_label("意见").fill("明年才装太晚了，开学前就需要。")
    phone.step("rating-unsatisfied")
    page.get_by_role("button", name="下一步：核对评价").click()
    expect(page.get_by_text("请确认：您对办理态度的评价是“基本满意”，对办理结果的评价是“不满意”。")).to_be_visible()
    phone.step("rating-restated")
    page.get_by_role("button", name="确认提交").click()
    expect(page.get_by_text(re.compile("评价已提交。.* 前仍可修改，到期后生效。"))).to_be_visible()
    expect(page.get_by_text(re.compile("评价待确认，可修改至 "))).to_be_visible()
    phone.step("rating-waits")
    page.get_by_role("button", name="确认，不再修改").click()

    expect(page.get_by_text(re.compile("您的评价已记录。承办单位须重新办理"))).to_be_visible()
    expect(page.get_by_text(re.compile("评价不满意，承办单位重新办理中，距答复期限还有 \\d+ 天"))).to_be_visible()
    phone.step("rehandling")
    proposal.refresh_from_db()
    assert proposal.state == S.REHANDLING

    # The unit handles it again and replies (through the services).
    second = reply_and_issue(proposal, cast, text="重新办理：开学前已完成信号灯安装。")
    assert second.round == 2

    page.goto(f"{live_server.url}/proposals/mine/")
    expect(page.get_by_role("link", name="请阅读区教育局的答复并评价")).to_be_visible()
    phone.step("second-reply-arrived")
    page.get_by_role("link", name="请阅读区教育局的答复并评价").click()
    expect(page.get_by_text("您对它的评价为最终评价")).to_be_visible()
    page.get_by_role("group", name="办理态度").get_by_label("满意", exact=True).check()
    page.get_by_role("group", name="办理结果").get_by_label("满意", exact=True).check()
    phone.step("rating-second-reply")
    page.get_by_role("button", name="下一步：核对评价").click()
    page.get_by_role("button", name="确认提交").click()
    page.get_by_role("button", name="确认，不再修改").click()

    expect(page.get_by_text("感谢您的评价，该建议已办结。")).to_be_visible()
    expect(page.get_by_text("已办结，办理结果评价为“满意”")).to_be_visible()
    phone.step("closed")
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED
    assert list(Rating.objects.filter(proposal=proposal).order_by("pk").values_list("result", flat=True)) == [
        "unsatisfied",
        "satisfied",
    ]
    assert Reply.objects.filter(assignment__proposal=proposal).count() == 2

    # The public page of disclosed replies, linked from the deputy's menu, reads as well on the phone.
    page.goto(f"{live_server.url}/public/replies/")
    expect(page.get_by_text("重新办理：开学前已完成信号灯安装。")).to_be_visible()
    phone.step("public-replies")
    page.get_by_role("link", name=proposal.title).first.click()  # the first and the second reply
    expect(page).to_have_url(re.compile(r"/public/replies/.+"))
    phone.step("public-reply")
