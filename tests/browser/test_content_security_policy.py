"""In a real Chromium, on the demo's data: the main pages of every role, the visitor's and the
administrator's run under the Content-Security-Policy without one violation, console error or
script error. Each role opens every entry of its menu plus its working pages: a suggestion,
the key-item form's filter, the dashboard's charts with their tooltips, the annual report's
preview, the deputy's draft with its autosave, the admin's forms, the error page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from demo.accounts import PASSWORD
from proposals.models import Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every page before its own scripts (Playwright adds it outside the page's policy).
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


class Visitor:
    """One browser context, logged in as `username` (or not), that notes every problem."""

    def __init__(self, browser: Browser, base: str, username: str | None) -> None:
        self.base = base
        self.problems: list[str] = []
        self.context: BrowserContext = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.context.add_init_script(LISTEN)
        self.page: Page = self.context.new_page()
        self.page.on("console", self.on_console)
        self.page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        self.visited: list[str] = []
        if username:
            self.go("/accounts/login/")
            self.page.get_by_label("用户名").fill(username)
            self.page.get_by_label("密码").fill(PASSWORD)
            self.page.get_by_role("button", name="登录").click()
            expect(self.page.get_by_role("button", name="退出")).to_be_visible()
            self.check()

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text} ({message.location.get('url', '')})")

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.visited.append(path)
        return self.page

    def check(self) -> None:
        """Collect this page's violations (they vanish with the page)."""
        url = self.page.url.removeprefix(self.base)
        self.problems += [f"{url}: {v}" for v in self.page.evaluate("window.__violations || []")]

    def visit(self, path: str) -> Page:
        page = self.go(path)
        self.check()
        return page

    def menu(self) -> list[str]:
        self.go("/")
        hrefs = self.page.eval_on_selector_all("#main-nav a[href]", "links => links.map(a => a.getAttribute('href'))")
        return list(dict.fromkeys(h for h in hrefs if h.startswith("/")))

    def close(self) -> None:
        self.context.close()


def every_menu_page(visitor: Visitor) -> None:
    for path in visitor.menu():
        visitor.visit(path)


def first_link(visitor: Visitor, path: str, selector: str) -> str:
    visitor.go(path)
    href = visitor.page.locator(selector).first.get_attribute("href")
    assert href, f"{path} links to {selector}"
    return href


def a_suggestion(visitor: Visitor) -> None:
    visitor.visit(first_link(visitor, "/proposals/", "table a[href^='/proposals/']"))


def the_deputys_draft(visitor: Visitor) -> None:
    visitor.visit(first_link(visitor, "/proposals/mine/", "a[href^='/proposals/mine/'][href$='/']"))
    page = visitor.visit("/proposals/mine/new/")
    page.get_by_label("标题").fill("关于在老旧小区加装电梯的建议")
    expect(page.locator("#autosave-status")).to_contain_text("自动保存", timeout=10_000)  # fetch, 2.5 s after typing
    visitor.check()


def the_key_item_forms_filter(visitor: Visitor) -> None:
    page = visitor.visit("/supervision/key/new/")
    total = page.locator("#proposal-list label").count()
    assert total > 3
    words = page.locator("#proposal-list label").last.inner_text().split("关于")[-1][:6]
    page.get_by_label("按编号或标题关键词筛选").fill(words)
    expect(page.locator("#proposal-list label:visible")).not_to_have_count(total)
    expect(page.locator("#proposal-list label:visible").first).to_contain_text(words)
    visitor.check()


def the_dashboards_charts_and_tooltips(visitor: Visitor) -> None:
    page = visitor.visit("/reports/dashboard/")
    for chart in ("chart-categories", "chart-results", "chart-satisfaction"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-rendered", "true")
        expect(page.locator(f"#{chart} svg")).to_be_visible()
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        box = page.locator(f"#{chart}").bounding_box()
        # Sweep across the chart, so that tooltips open over its bars or slices.
        for step in range(1, 10):
            page.mouse.move(box["x"] + box["width"] * step / 10, box["y"] + box["height"] * 0.45)
            page.wait_for_timeout(60)
        # The tooltip is a div static/reports/dashboard.js positions (with CSSOM, which the policy
        # allows); it keeps its last text once hidden.
        expect(page.locator(f"#{chart} > .chart-tip")).to_contain_text("：")
    visitor.check()


def the_annual_reports_preview(visitor: Visitor) -> None:
    # The PDF's own template, shown as HTML (its SVG charts carry presentation attributes, not styles).
    page = visitor.visit("/reports/annual/preview/")
    expect(page.locator("figure.chart svg").first).to_be_visible()


def the_administrators_forms(visitor: Visitor) -> None:
    proposal = Proposal.objects.order_by("pk").first()
    for path in [
        "/admin/deputies/user/",
        "/admin/deputies/user/add/",
        f"/admin/proposals/proposal/{proposal.pk}/change/",
        "/accounts/password/",
    ]:
        visitor.visit(path)
    # django-celery-beat's form explains the chosen crontab (its script moved to static/js).
    crontab, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="7", timezone="Asia/Shanghai")
    page = visitor.visit("/admin/django_celery_beat/periodictask/add/")
    page.select_option("#id_crontab", str(crontab.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text("Asia/Shanghai")
    visitor.check()


def the_error_page(visitor: Visitor) -> None:
    page = visitor.visit("/no-such-page/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    page.get_by_role("button", name="返回上一页").click()  # app.js shows it: there is a page to go back to
    expect(page).not_to_have_url(f"{visitor.base}/no-such-page/")
    visitor.check()


# Each role's working pages beyond its menu.
EXTRAS = {
    "admin": [the_administrators_forms, the_error_page],
    "staff": [a_suggestion, the_key_item_forms_filter, the_dashboards_charts_and_tooltips, the_annual_reports_preview],
    "supervision": [a_suggestion],
    "leader": [a_suggestion, the_dashboards_charts_and_tooltips],
    "committee": [a_suggestion],
    "handler": [a_suggestion],
    "head": [a_suggestion],
    "deputy": [the_deputys_draft, the_error_page],
    "deputy2": [],
}


def test_the_main_pages_of_every_role_run_without_a_violation(browser, live_server):
    # One demo for every role: building it takes most of this test's time.
    call_command("seed_demo", verbosity=0)
    problems, visited = [], 0
    for username, extras in EXTRAS.items():
        visitor = Visitor(browser, live_server.url, username)
        every_menu_page(visitor)
        for extra in extras:
            extra(visitor)
        visitor.close()
        assert len(visitor.visited) >= 4, (username, visitor.visited)
        visited += len(visitor.visited)
        problems += [f"{username} {problem}" for problem in visitor.problems]

    visitor = Visitor(browser, live_server.url, None)
    visitor.visit("/accounts/login/")
    visitor.visit(first_link(visitor, "/public/replies/", "a[href^='/public/replies/'][href$='/']"))
    the_error_page(visitor)
    visitor.close()
    visited += len(visitor.visited)
    # Chromium logs the 404 page's own status as a failed resource; nothing else may fail.
    problems += [f"visitor {p}" for p in visitor.problems]
    assert [p for p in problems if not ("status of 404" in p and p.endswith("/no-such-page/)"))] == []
    print(f"{visited} pages, no violation")
