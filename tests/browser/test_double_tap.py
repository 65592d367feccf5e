"""In a real Chromium: a form that posts is sent once however often it is tapped while on its
way (static/js/app.js), so a slow phone network never turns a double tap into a second post."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_second_tap_while_the_post_is_on_its_way_sends_nothing_more(page: Page, live_server, staff):
    held: list[Route] = []

    def slow_network(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)  # on its way: not yet answered
        else:
            route.continue_()

    page.route("**/accounts/login/**", slow_network)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    box = page.get_by_role("button", name="登录").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    assert len(held) == 1
    page.mouse.click(x, y)  # tapped again, the first post still on its way
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
