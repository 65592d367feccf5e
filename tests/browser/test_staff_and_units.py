"""In a real Chromium, the daily work of congress staff and the units, from a submitted
suggestion to the reply the deputy reads; and a re-assignment. Screenshots of each main page
go to artifacts/screenshots/<test name>/."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from handling import services as hs
from handling.models import Countersignature, Reply
from proposals.models import Proposal, ProposalState
from tests.factories import PASSWORD, ProposalFactory
from tests.workflow import advance

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


class Session:
    """One person's browser: their own context (cookies), logged in through the login form."""

    def __init__(self, browser: Browser, base: str, username: str, shots: Path) -> None:
        self.context = browser.new_context(viewport=WIDE, locale="zh-CN")
        self.page: Page = self.context.new_page()
        self.base, self.shots, self.username = base, shots, username
        self.page.goto(f"{base}/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("button", name="退出")).to_be_visible()

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def no_sideways_scroll_on_a_phone(self, name: str) -> None:
        self.page.set_viewport_size(PHONE)
        assert self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        self.page.screenshot(path=self.shots / f"{name}-phone.png", full_page=True)
        self.page.set_viewport_size(WIDE)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(deputy, other_deputy, staff, unit_handler, unit_head, co_handler, new_unit_handler, result_a):
    return {"deputy": deputy, "other_deputy": other_deputy}


def submitted(deputy, meeting, category, cast, title):
    proposal = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title=title)
    return advance(proposal, S.SUBMITTED, dataclasses.replace(cast, deputy_user=deputy.user))


def test_from_review_to_the_reply_the_deputy_reads(
    browser, live_server, screenshot_dir, people, deputy, other_deputy, meeting, category, cast, unit, co_unit
):
    main = submitted(deputy, meeting, category, cast, "关于增加东城区小学学位供给的建议")
    twin = submitted(other_deputy, meeting, category, cast, "关于缓解东城实验小学入学压力的建议")
    base = live_server.url

    # --- congress staff: register both, merge them, assign with a co-handler -------------------
    staff = Session(browser, base, "staff", screenshot_dir)
    page = staff.go("/")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.locator("a.tile", has_text="待审查")).to_contain_text("2")
    staff.shot("01-staff-workbench")
    page.get_by_role("navigation").get_by_role("link", name="审查").click()
    staff.shot("02-review-queue")
    for number, item in ((1, main), (2, twin)):
        staff.go(f"/proposals/{item.pk}/review/")
        expect(page.get_by_label("编号")).to_have_value(str(number))  # proposed automatically
        if number == 1:
            staff.shot("03-review-one")
        page.get_by_role("button", name="按此编号登记").click()
        expect(page.locator(".messages")).to_contain_text("已登记")
    page.locator(f'input[name=ids][value="{main.pk}"]').check()
    page.locator(f'input[name=ids][value="{twin.pk}"]').check()
    page.locator(f'input[name=main][value="{main.pk}"]').check()
    page.get_by_label("并案说明").fill("均反映东城区小学学位紧张问题")
    page.get_by_role("button", name="将勾选的建议并案").click()
    expect(page.locator(".messages")).to_contain_text("已并入")
    staff.shot("04-merged")
    page.locator("#registered").get_by_role("link", name="交办").first.click()
    page.get_by_label("主办单位", exact=True).select_option(label="区教育局")
    page.locator("fieldset", has_text="协办单位").get_by_label("区财政局").check()
    staff.shot("05-assign-form")
    page.get_by_role("button", name="下一步：核对答复期限").click()
    expect(page.get_by_role("heading", name="确认交办")).to_be_visible()
    expect(page.locator("dd.deadline")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    staff.shot("06-assign-confirm")
    page.get_by_role("button", name="确认交办").click()
    expect(page.locator(".messages")).to_contain_text("已交办")
    main.refresh_from_db()
    twin.refresh_from_db()
    assert main.state == S.ASSIGNED and twin.state == S.ASSIGNED and twin.merged_into_id == main.pk

    # --- the lead unit signs and meets the deputy face to face ------------------------------------
    handler = Session(browser, base, "handler", screenshot_dir)
    page = handler.go("/")
    page.locator("a.tile").filter(has=page.locator(".l", has_text=re.compile(r"^待签收$"))).click()
    page.get_by_role("link", name=main.title).click()
    page.get_by_role("button", name="签收").click()
    expect(page.locator(".messages")).to_contain_text("已签收")
    page.get_by_role("link", name="登记与代表联系").click()
    page.locator("input[name=kind][value=face_to_face]").check()
    page.locator("input[name=stage][value=during]").check()
    page.get_by_label("参加人员").fill("王建国代表；区教育局分管副局长、基教科科长")
    page.get_by_label("沟通内容").fill("到东城实验小学现场面商，商定扩建方案和时间表。")
    handler.shot("07-contact-form")
    page.get_by_role("button", name="登记联系").click()
    expect(page.locator("#contacts")).to_contain_text("到东城实验小学现场面商")
    handler.shot("08-detail-unit")

    # --- the co-handler signs and sends its opinion -----------------------------------------------
    co = Session(browser, base, "co_handler", screenshot_dir)
    page = co.go(f"/proposals/{main.pk}/")
    page.get_by_role("button", name="签收").click()
    page.get_by_role("link", name="向主办单位提出协办意见").click()
    page.get_by_label("本单位的协办意见").fill("扩建资金可列入明年区级财政预算。")
    page.get_by_role("button", name="送主办单位").click()
    expect(page.locator(".messages")).to_contain_text("协办意见已送主办单位")

    # --- the lead drafts the letter with an attachment and asks for the countersignature ------------
    page = handler.go(f"/proposals/{main.pk}/")
    page.get_by_role("link", name="撰写答复").click()
    expect(page.locator(".papers")).to_contain_text("扩建资金可列入明年区级财政预算")
    page.get_by_label("文号").fill("示教函〔2026〕12号")
    page.get_by_label("办理结果类别").select_option(label="已经解决或基本解决")
    page.get_by_label("联系电话").fill("0571-88880000")
    page.get_by_label("答复正文").fill("经研究，东城实验小学扩建工程已立项。")
    page.get_by_label("已落实事项").fill("新增学位 300 个")
    page.get_by_label("附件").set_input_files({"name": "扩建方案.pdf", "mimeType": "application/pdf", "buffer": PDF})
    handler.shot("09-reply-form")
    page.get_by_role("button", name="保存并送协办单位会签").click()
    expect(page.locator(".messages")).to_contain_text("已送协办单位会签")
    expect(page.locator(".letter")).to_contain_text("扩建方案.pdf")

    def countersign() -> None:
        page = co.go(f"/proposals/{main.pk}/")
        page.get_by_role("link", name="会签主办单位答复稿").click()
        page.get_by_label("同意，会签").check()
        co.shot("10-countersign")
        page.get_by_role("button", name="提交会签意见").click()
        expect(page.locator(".messages")).to_contain_text("已会签")

    countersign()
    page = handler.go(f"/proposals/{main.pk}/")
    page.get_by_role("link", name="查看答复函").first.click()
    page.get_by_role("button", name="报送单位负责人").click()
    expect(page.locator(".messages")).to_contain_text("已报送单位负责人审核")

    # --- the head returns it with comments ------------------------------------------------------
    head = Session(browser, base, "head", screenshot_dir)
    page = head.go("/")
    page.locator("a.tile", has_text="待签发").click()
    page.get_by_role("link", name=main.title).click()
    page.get_by_role("link", name="审核答复").click()
    head.shot("11-head-review")
    page.get_by_label("意见").fill("请写明扩建工程的完工时间。")
    page.get_by_role("button", name="退回承办人修改").click()
    expect(page.locator(".messages")).to_contain_text("已连同意见退回")

    # --- the handler fixes it; the co-handler countersigns the new version; the head approves -------
    page = handler.go("/")
    page.locator("a.tile", has_text="答复被退回").click()
    page.get_by_role("link", name=main.title).click()
    page.get_by_role("link", name="修改被退回的答复").click()
    expect(page.locator(".notice.warn")).to_contain_text("请写明扩建工程的完工时间")
    page.get_by_label("答复正文").fill("经研究，东城实验小学扩建工程已立项，将于2026年8月底完工。")
    page.get_by_role("button", name="保存并报送单位负责人").click()
    expect(page.locator(".messages")).to_contain_text("区财政局")  # the changed draft needs a new countersignature
    handler.shot("12-needs-countersign-again")
    countersign()
    page = handler.go(f"/proposals/{main.pk}/")
    page.get_by_role("link", name="查看答复函").first.click()
    page.get_by_role("button", name="报送单位负责人").click()
    page = head.go(f"/proposals/{main.pk}/")
    page.get_by_role("link", name="审核答复").click()
    page.get_by_role("button", name="审核签发").click()
    expect(page.locator(".messages")).to_contain_text("已审核签发")

    # --- congress staff review and issue it ---------------------------------------------------------
    page = staff.go("/")
    page.locator("a.tile", has_text="待审核的答复").click()
    staff.shot("13-reply-reviews")
    page.get_by_role("link", name="审核", exact=True).click()
    staff.shot("14-reply-review")
    page.get_by_role("button", name="答复代表").click()
    expect(page.locator(".messages")).to_contain_text("已答复")
    reply = Reply.objects.get(assignment__proposal=main)
    assert reply.state == "issued"
    assert Countersignature.objects.filter(reply=reply, version=reply.version, agrees=True).count() == 1

    # --- both deputies of the merged group read the reply -------------------------------------------
    for who, item in (("deputy", main), ("other_deputy", twin)):
        reader = Session(browser, base, who, screenshot_dir)
        page = reader.go("/")
        page.get_by_role("link", name=item.title).click()
        expect(page.locator("#replies")).to_contain_text("将于2026年8月底完工")
        expect(page.locator("#replies")).to_contain_text("扩建方案.pdf")
        expect(page.locator("body")).not_to_contain_text("请写明扩建工程的完工时间")  # the head's internal comment
        reader.shot(f"15-{who}-reads-the-reply")
        reader.no_sideways_scroll_on_a_phone(f"15-{who}-reads-the-reply")
        reader.close()
    assert Proposal.objects.get(pk=twin.pk).state == S.REPLIED

    # --- every main page, on a phone too ---------------------------------------------------------
    for path, name in (
        ("/", "workbench"),
        ("/proposals/", "list"),
        ("/proposals/review/", "review-queue"),
        (f"/proposals/{main.pk}/", "detail"),
        (f"/handling/replies/{reply.pk}/", "reply"),
        ("/handling/reply-reviews/", "reply-reviews"),
        ("/handling/reassignment-requests/", "reassignment-requests"),
    ):
        staff.go(path)
        staff.shot(f"20-staff-{name}")
        staff.no_sideways_scroll_on_a_phone(f"20-staff-{name}")
    for path, name in (
        ("/", "workbench"),
        (f"/handling/assignments/{main.assignments.get(unit=unit).pk}/reply/", "reply-edit"),
    ):
        handler.go(path)
        handler.no_sideways_scroll_on_a_phone(f"21-handler-{name}")
    for session in (staff, handler, co, head):
        session.close()


def test_a_unit_asks_for_reassignment_and_staff_accept(
    browser, live_server, screenshot_dir, people, deputy, meeting, category, cast, staff, new_unit
):
    proposal = advance(ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), S.REGISTERED, cast)
    hs.assign_proposal(proposal=proposal, by=staff, lead_unit=cast.unit)
    base = live_server.url

    handler = Session(browser, base, "handler", screenshot_dir)
    page = handler.go(f"/proposals/{proposal.pk}/")
    expect(page.locator(".unit-panel")).to_contain_text("交办后 5 个工作日内")
    page.get_by_role("link", name="申请调整", exact=True).click()
    page.get_by_label("申请调整的理由").fill("该建议涉及老旧小区改造，属区住建局职责。")
    page.get_by_label("建议改由哪个单位承办").select_option(label="区住房和城乡建设局")
    handler.shot("01-request-form")
    handler.no_sideways_scroll_on_a_phone("01-request-form")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("调整申请已报送")

    office = Session(browser, base, "staff", screenshot_dir)
    page = office.go("/")
    page.locator("a.tile", has_text="调整承办单位申请").click()
    expect(page.locator("table").first).to_contain_text("属区住建局职责")
    office.shot("02-requests")
    page.get_by_role("link", name="审核", exact=True).click()
    expect(page.get_by_label("接办单位")).to_have_value(str(new_unit.pk))  # the unit's suggestion, preselected
    expect(page.locator("body")).to_contain_text("答复期限重新起算")
    office.shot("03-decide")
    office.no_sideways_scroll_on_a_phone("03-decide")
    page.get_by_role("button", name="同意，交由此单位办理").click()
    expect(page.locator(".messages")).to_contain_text("区住房和城乡建设局")
    proposal.refresh_from_db()
    assert proposal.assignments.get(is_active=True).unit == new_unit

    newcomer = Session(browser, base, "new_handler", screenshot_dir)
    page = newcomer.go("/")
    expect(page.locator("a.tile").filter(has=page.locator(".l", has_text=re.compile(r"^待签收$")))).to_contain_text("1")
    newcomer.shot("04-new-unit-workbench")
    # The old unit no longer sees it.
    gone = handler.go(f"/proposals/{proposal.pk}/")
    assert "关于" not in gone.title()
    for session in (handler, office, newcomer):
        session.close()
