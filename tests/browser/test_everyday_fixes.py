"""The smaller things people tripped over, tried in a real Chromium at desktop and phone width:
an empty 写建议 form saves nothing and says why (and the list never shows an unnamed draft);
a unit finds its urging notices on its workbench; a committee member sees its own field's key
items first; the second-round reply form and the unit's panel show why the deputy was
unsatisfied beside the first reply; the key-item picker filters as one types; the import page
asks for the kind; the reply page's main button asks the co-handlers to countersign first; a
signed unit may still ask to be re-assigned within the window; the deputy's status line says a
rating is recorded and until when it can be changed; staff record a signed paper rating; the
dashboard lists the approved extensions and its results legend fits. Each page is checked for
sideways scrolling and photographed into artifacts/screenshots/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from deputies.models import SpecialCommittee
from proposals.models import Proposal, ProposalState
from reports import excel
from supervision import services as ss
from supervision.models import KeyItem
from tests.factories import PASSWORD, ProposalFactory
from tests.workflow import advance, reply_and_issue

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# How far the widest text of the results chart (its legend) reaches past the chart's own width.
LEGEND_OVERFLOW = """() => {
    const svg = document.querySelector('#chart-results svg');
    const width = svg.viewBox.baseVal.width;
    const ends = [...svg.querySelectorAll('text')].map(t => { const b = t.getBBox(); return b.x + b.width; });
    return Math.max(...ends) - width;
}"""
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _open(browser: Browser, base: str, username: str, size: str) -> Page:
    page = browser.new_context(viewport=SIZES[size], locale="zh-CN").new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return page


def _fits(page: Page, shots: Path, name: str) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.screenshot(path=shots / f"{name}.png", full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_an_empty_draft_is_never_saved_nor_listed(browser, live_server, screenshot_dir, deputy, meeting, size):
    # One left from before (nothing written): the list does not show it either.
    ProposalFactory(lead_deputy=deputy, meeting=meeting, title="", body="")
    page = _open(browser, live_server.url, "deputy", size)
    page.goto(f"{live_server.url}/proposals/mine/new/")
    for button in ("提交", "保存草稿"):
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text("请先写标题或正文：空草稿不会保存。")).to_be_visible()
        _fits(page, screenshot_dir, f"empty-{button}-{size}")
    assert Proposal.objects.count() == 1
    page.goto(f"{live_server.url}/proposals/mine/")
    expect(page.locator("main")).not_to_contain_text("未命名草稿")
    _fits(page, screenshot_dir, f"mine-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_a_unit_sees_its_urging_notice_on_the_workbench(browser, live_server, screenshot_dir, draft, cast, staff, size):
    proposal = advance(draft, S.ASSIGNED, cast)
    ss.send_urging(unit=cast.unit, proposals=[proposal], by=staff, message="请尽快签收并联系代表。")
    page = _open(browser, live_server.url, "handler", size)
    page.goto(f"{live_server.url}/")
    tile = page.locator("a.tile", has_text="待签收的催办通知")
    expect(tile).to_contain_text("1")
    _fits(page, screenshot_dir, f"workbench-{size}")
    tile.click()
    expect(page.locator("main")).to_contain_text("请尽快签收并联系代表。")
    _fits(page, screenshot_dir, f"urging-list-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_a_committee_member_sees_its_own_fields_key_items_first(
    browser, live_server, screenshot_dir, committee_member, leader, staff, size
):
    own = SpecialCommittee.objects.create(name="教育科学文化卫生委员会")
    committee_member.committee = own
    committee_member.save()
    other = SpecialCommittee.objects.create(name="城乡建设环境保护委员会")
    KeyItem.objects.create(year=2026, title="义务教育优质均衡", leader=leader, committee=own, created_by=staff)
    KeyItem.objects.create(year=2026, title="城市道路微循环", leader=leader, committee=other, created_by=staff)
    page = _open(browser, live_server.url, "committee", size)
    page.goto(f"{live_server.url}/supervision/key/")
    chips = page.get_by_role("list", name="专门委员会")
    expect(chips.locator("a.active")).to_have_text(own.name)
    expect(page.locator("main")).to_contain_text("义务教育优质均衡")
    expect(page.locator("main")).not_to_contain_text("城市道路微循环")
    _fits(page, screenshot_dir, f"own-field-{size}")
    chips.get_by_role("link", name="全部委员会").click()
    expect(page.locator("main")).to_contain_text("城市道路微循环")
    _fits(page, screenshot_dir, f"all-committees-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_second_round_shows_why_the_deputy_was_unsatisfied(browser, live_server, screenshot_dir, draft, cast, size):
    proposal = advance(draft, S.REHANDLING, cast)  # rated unsatisfied: “问题没有解决”
    page = _open(browser, live_server.url, "handler", size)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    panel = page.locator(".unit-panel")
    expect(panel).to_contain_text("代表的理由：问题没有解决")
    _fits(page, screenshot_dir, f"panel-{size}")
    panel.get_by_role("link", name="撰写答复").click()
    expect(page.get_by_role("heading", name="重新办理后的答复")).to_be_visible()
    expect(page.locator(".notice.warn")).to_contain_text("问题没有解决")
    expect(page.get_by_role("heading", name="第一次答复")).to_be_visible()
    expect(page.locator("main")).to_contain_text("答复正文")  # the first reply's text, beside the form
    _fits(page, screenshot_dir, f"second-round-form-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_key_item_picker_filters_by_number_or_words(
    browser, live_server, screenshot_dir, deputy, meeting, category, cast, staff, leader, size
):
    titles = ["关于增加东城区小学学位的建议", "关于改善城区道路微循环的建议", "关于加强社区养老服务的建议"]
    for title in titles:
        advance(
            ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title=title), S.IN_HANDLING, cast
        )
    page = _open(browser, live_server.url, "staff", size)
    page.goto(f"{live_server.url}/supervision/key/new/?year={meeting.year}")
    picker = page.locator("#proposal-list")
    for title in titles:
        expect(picker.get_by_text(title)).to_be_visible()
    page.get_by_placeholder("按编号或标题关键词筛选").fill("养老")
    expect(picker.get_by_text(titles[2])).to_be_visible()
    expect(picker.get_by_text(titles[0])).to_be_hidden()
    expect(picker.get_by_text(titles[1])).to_be_hidden()
    _fits(page, screenshot_dir, f"picker-filtered-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_import_page_asks_which_kind_of_workbook(browser, live_server, screenshot_dir, staff, tmp_path, size):
    workbook = tmp_path / "units.xlsx"
    workbook.write_bytes(excel.write_workbook([("s", ["单位名称", "简称", "单位类型"], [["区教育局", "", ""]])]))
    page = _open(browser, live_server.url, "staff", size)
    page.goto(f"{live_server.url}/reports/import/")
    expect(page.locator("#id_kind")).to_have_value("")  # no kind is assumed
    page.locator("#id_file").set_input_files(str(workbook))
    page.get_by_role("button", name="检查文件").click()
    expect(page.get_by_text("请选择表格的内容类型。")).to_be_visible()
    _fits(page, screenshot_dir, f"import-no-kind-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_with_co_handlers_the_main_reply_button_asks_for_countersigning_first(
    browser, live_server, screenshot_dir, draft, cast, co_unit, co_handler, size
):
    proposal = advance(draft, S.IN_HANDLING, dataclasses.replace(cast, co_units=[co_unit]))
    page = _open(browser, live_server.url, "handler", size)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.locator(".unit-panel").get_by_role("link", name="撰写答复").click()
    main = page.locator("button.btn:not(.secondary)", has_text="保存")
    expect(main).to_have_text("保存并送协办单位会签")
    expect(page.get_by_role("button", name="保存并报送单位负责人")).to_have_count(0)
    _fits(page, screenshot_dir, f"reply-form-{size}")
    page.get_by_label("答复正文").fill("经研究，答复如下：一、……")
    page.get_by_label("办理结果类别").select_option(index=1)
    main.click()
    expect(page.locator(".messages")).to_contain_text("会签")
    _fits(page, screenshot_dir, f"countersign-asked-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_a_signed_unit_asks_to_be_reassigned_within_the_window(
    browser, live_server, screenshot_dir, draft, cast, new_unit, new_unit_handler, size
):
    proposal = advance(draft, S.IN_HANDLING, cast)  # signed for today: inside the window
    page = _open(browser, live_server.url, "handler", size)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.locator(".unit-panel").get_by_role("link", name="申请调整", exact=True).click()
    page.get_by_label("申请调整的理由").fill("该建议涉及老旧小区改造，属区住建局职责。")
    page.get_by_label("建议改由哪个单位承办").select_option(label=new_unit.name)
    _fits(page, screenshot_dir, f"reassign-form-{size}")
    page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("调整申请已报送")
    proposal.refresh_from_db()
    assert proposal.state == S.REASSIGN_REQUESTED


@pytest.mark.parametrize("size", SIZES)
def test_the_deputys_status_line_says_the_rating_is_recorded_and_changeable(
    browser, live_server, screenshot_dir, draft, cast, size
):
    from handling import services as hs
    from handling.models import Reply
    from proposals.events import day

    proposal = advance(draft, S.REPLIED, cast)
    rating = hs.rate_reply(
        reply=Reply.objects.get(assignment__proposal=proposal),
        by=cast.deputy_user,
        attitude="satisfied",
        result="basic",
    )
    page = _open(browser, live_server.url, "deputy", size)
    page.goto(f"{live_server.url}/proposals/mine/")
    expect(page.locator("main")).to_contain_text(f"您的评价已记录，{day(rating.changeable_until)}前可以修改")
    expect(page.locator("main")).not_to_contain_text("等待您评价")
    _fits(page, screenshot_dir, f"mine-rated-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard_lists_extensions_and_its_legend_fits(
    browser, live_server, screenshot_dir, draft, cast, staff, leader, size
):
    import datetime as dt

    from handling import services as hs

    proposal = advance(draft, S.IN_HANDLING, cast)
    assignment = proposal.assignments.get()
    asked = hs.request_extension(
        assignment=assignment,
        by=cast.handler,
        reason="需协调省级部门",
        new_deadline=assignment.deadline + dt.timedelta(days=30),
    )
    hs.decide_extension(extension=asked, by=staff, approve=True)
    reply = reply_and_issue(proposal, cast)
    hs.rate_reply(reply=reply, by=cast.deputy_user, attitude="satisfied", result="satisfied", final=True)
    page = _open(browser, live_server.url, "leader", size)
    page.goto(f"{live_server.url}/reports/dashboard/?year={proposal.meeting.year}")
    section = page.locator("section", has=page.get_by_role("heading", name="经批准的延期"))
    expect(section).to_contain_text(cast.unit.name)
    expect(section).to_contain_text(
        f"{assignment.deadline:%Y-%m-%d} → {assignment.deadline + dt.timedelta(days=30):%Y-%m-%d}"
    )
    expect(page.locator("a.tile", has_text="批准延期")).to_contain_text("1")
    overflow = page.evaluate(LEGEND_OVERFLOW)
    assert overflow <= 0, f"the results legend is clipped by {overflow}"
    _fits(page, screenshot_dir, f"dashboard-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_staff_record_a_signed_paper_rating_which_takes_effect_at_once(
    browser, live_server, screenshot_dir, draft, cast, staff, tmp_path, size
):
    proposal = advance(draft, S.REPLIED, cast)
    form = tmp_path / "反馈表.pdf"
    form.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    page = _open(browser, live_server.url, "staff", size)
    page.goto(f"{live_server.url}/handling/replies/unrated/")
    expect(page.locator("main")).to_contain_text(proposal.title)
    _fits(page, screenshot_dir, f"unrated-{size}")
    page.get_by_role("link", name="录入纸质评价").first.click()
    page.locator("input[name=attitude][value=satisfied]").check()
    page.locator("input[name=result][value=satisfied]").check()
    page.get_by_label("代表签字的意见反馈表").set_input_files(str(form))
    _fits(page, screenshot_dir, f"paper-form-{size}")
    page.get_by_role("button", name="录入纸质评价").click()
    expect(page.locator(".messages")).to_contain_text("纸质评价")
    proposal.refresh_from_db()
    assert proposal.state == S.CLOSED  # signed by the deputy: no change window
