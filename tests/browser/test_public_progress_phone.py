"""A visitor on a 390×844 phone, in Chromium, without logging in: the public progress list,
a filter, then one item's page with its milestones and its reply. Each page must fit the
phone (no sideways scrolling, tap targets of 44 px) and is photographed into
artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from proposals.models import ProposalState
from tests import factories as f
from tests.browser.test_deputy_phone import MEASURE, PHONE
from tests.workflow import advance

S = ProposalState
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Page) -> None:
    measured = page.evaluate(MEASURE)
    assert measured["overflow"] <= 0, measured
    assert measured["small"] == [], measured["small"]


def test_a_visitor_follows_an_item_from_the_list_to_its_reply(
    page: Page, live_server, screenshot_dir, cast, deputy, meeting, category
):
    closed = advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于增设公交站点的建议"),
        S.CLOSED,
        cast,
    )
    advance(
        f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于修缮校舍的建议"),
        S.REGISTERED,
        cast,
    )
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/public/suggestions/")
    expect(page.get_by_role("heading", name="建议提案办理进度公开")).to_be_visible()
    expect(page.get_by_text("关于修缮校舍的建议")).to_be_visible()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "1-list.png"), full_page=True)

    page.get_by_label("办理进度").select_option(label="已办结")
    page.get_by_role("button", name="筛选").click()
    # The filtered page has arrived (not the old one unloading) before anything is measured.
    expect(page).to_have_url(re.compile(r"[?&]state=\w"))
    page.wait_for_load_state("load")
    expect(page.get_by_role("link", name="关于增设公交站点的建议")).to_be_visible()
    expect(page.get_by_text("关于修缮校舍的建议")).to_have_count(0)
    fits(page)

    page.get_by_role("link", name="关于增设公交站点的建议").click()
    expect(page.get_by_role("heading", name="关于增设公交站点的建议")).to_be_visible()
    expect(page.get_by_text(f"立案，编号第{closed.number}号")).to_be_visible()
    expect(page.get_by_text(f"{cast.unit.name}已答复")).to_be_visible()
    expect(page.get_by_text("答复正文")).to_be_visible()
    assert deputy.name not in page.content()
    fits(page)
    page.screenshot(path=str(screenshot_dir / "2-detail.png"), full_page=True)
