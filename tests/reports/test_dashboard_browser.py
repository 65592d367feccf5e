"""In a real Chromium: the leader's dashboard shows its charts (SVG drawn by the server, with
tooltips), a figure and a chart's bar each open the list behind them, the page ships little
JavaScript, and it fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from reports import figures as fg
from tests.factories import PASSWORD
from tests.reports import crafted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def test_the_leaders_dashboard_draws_its_charts_and_opens_the_lists(page: Page, live_server, screenshot_dir):
    crafted.build()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live_server, "c_leader")
    page.get_by_role("link", name="统计分析").click()
    page.get_by_label("年度").select_option("2025")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="办理情况总览")).to_be_visible()
    for chart in ("chart-categories", "chart-results", "chart-satisfaction"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"#{chart} svg")).to_be_visible()
    expect(page.locator("#chart-categories svg")).to_contain_text("教科文卫体")
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    # a figure opens the list of what it counts
    on_time = fg.compute(fg.Scope(year=2025)).rates["on_time"]  # as of today, as the page counts
    tile = page.locator("a.tile", has_text="按时办复率")
    expect(tile).to_contain_text(f"{on_time.pct}%")
    tile.click()
    expect(page.get_by_role("heading", name=re.compile("按时答复"))).to_contain_text(str(on_time.n))
    page.screenshot(path=screenshot_dir / "figure-list.png", full_page=True)

    # a chart's bar opens its category's list: the widest bar is the first category (教科文卫体, 8)
    page.goto(f"{live_server.url}/reports/dashboard/?year=2025")
    expect(page.locator("#chart-categories")).to_have_attribute("data-rendered", "true")
    bars = page.locator('#chart-categories svg a rect[fill="#b71c1c"]')
    expect(bars.first).to_be_visible()
    boxes = [bars.nth(i).bounding_box() for i in range(bars.count())]
    widest = max(boxes, key=lambda box: box["width"])
    page.mouse.move(widest["x"] + widest["width"] / 2, widest["y"] + widest["height"] / 2)
    expect(page.locator("#chart-categories > .chart-tip")).to_contain_text("教科文卫体：8")
    page.mouse.click(widest["x"] + widest["width"] / 2, widest["y"] + widest["height"] / 2)
    page.wait_for_url(re.compile("/figures/"))
    expect(page.get_by_role("heading", name=re.compile("类别：教科文卫体"))).to_contain_text("8")


def test_the_dashboard_fits_a_phone(page: Page, live_server, screenshot_dir):
    crafted.build()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "c_staff")
    page.goto(f"{live_server.url}/reports/dashboard/?year=2025")
    expect(page.locator("#chart-categories")).to_have_attribute("data-rendered", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "dashboard-phone.png", full_page=True)
    for path in ("/reports/dashboard/units/?year=2025", "/reports/annual/?year=2025", "/public/replies/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(
            path=screenshot_dir / f"{path.strip('/').split('?')[0].replace('/', '-')}-phone.png", full_page=True
        )


def test_the_dashboard_ships_at_most_250_kb_of_javascript(page: Page, live_server):
    crafted.build()
    log_in(page, live_server, "c_staff")
    page.goto(f"{live_server.url}/reports/dashboard/?year=2025")
    page.wait_for_load_state("load")
    for chart in ("chart-categories", "chart-results", "chart-satisfaction"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"#{chart} svg a").first).to_be_visible()
    # Every script the page loaded, by its size once decompressed (what the browser parses).
    scripts = page.evaluate(
        """performance.getEntriesByType("resource")
             .filter(e => e.initiatorType === "script")
             .map(e => [e.name, e.decodedBodySize])"""
    )
    assert any(name.endswith("reports/dashboard.js") for name, _size in scripts), scripts
    assert sum(size for _name, size in scripts) <= 250 * 1024, scripts
