"""In a real Chromium: the list's unit filter is a lookup field. Typing part of a name offers the
matching units, choosing one and filtering keeps it shown by name; nothing breaks the
Content-Security-Policy (no inline script or style)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from proposals.models import ProposalState
from tests.factories import PASSWORD, ProposalFactory
from tests.workflow import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_choose_a_unit_by_typing_part_of_its_name(
    page: Page, live_server, staff, deputy, meeting, category, cast, unit, other_unit, screenshot_dir
):
    mine = advance(
        ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category), ProposalState.ASSIGNED, cast
    )
    other = ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category, title="关于别的事情的建议")
    other = advance(other, ProposalState.REGISTERED, cast)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accounts/login/?next=/proposals/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    box = page.locator("#f-unit")
    expect(box).to_be_editable()  # the script took the box over
    box.fill("教育")
    option = page.get_by_role("option", name=unit.name)
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name=other_unit.name)).to_have_count(0)
    page.screenshot(path=screenshot_dir / "unit-lookup.png", full_page=True)
    option.click()
    expect(box).to_have_value(unit.name)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(lambda url: f"unit={unit.pk}" in url)
    expect(page.locator("#f-unit")).to_have_value(unit.name)
    expect(page.get_by_role("link", name=mine.title)).to_be_visible()
    expect(page.get_by_role("link", name=other.title)).to_have_count(0)
    assert violations == []
