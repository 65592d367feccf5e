"""In a real Chromium at phone width (390×844): a liaison station's staff forward a resident's
matter to a unit (民意件), the unit's handler finds it on the workbench, reads it without the
resident's phone and answers it, and the resident's lookup shows the unit's answer.
Screenshots go to artifacts/screenshots/<test name>/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from handling.models import MatterReferral
from tests.browser.test_staff_and_units import PHONE, Session
from tests.deputies.matters_world import leave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_station_forwards_a_matter_and_the_unit_answers_it_on_a_phone(
    browser, live_server, screenshot_dir, stationed, station_staff, unit, unit_handler, fresh_rate_limits
):
    matter, code = leave(station=stationed, text="安吉路小区门口的路灯坏了三个月，晚上很黑。", phone="13877001122")
    base = live_server.url

    station = Session(browser, base, "station", screenshot_dir)
    station.page.set_viewport_size(PHONE)
    page = station.go(f"/matters/{matter.pk}/")
    page.locator("#forward").get_by_role("link").click()
    page.get_by_label("承办单位").select_option(label=unit.name)
    page.get_by_label("转给单位的意见内容").fill("安吉路小区门口的路灯坏了三个月，晚上很黑。")
    page.get_by_label("交办说明").fill("附近有小学，请优先处理。")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    station.shot("01-forward-phone")
    page.get_by_role("button", name="转交", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(unit.name)
    expect(page.locator("#outcome")).to_contain_text(unit.name)
    station.shot("02-forwarded-phone")

    handler = Session(browser, base, "handler", screenshot_dir)
    handler.page.set_viewport_size(PHONE)
    page = handler.go("/")
    page.locator("a.tile", has_text="待答复的民意件").click()
    page.locator("#waiting a").first.click()
    expect(page.locator("#matter")).to_contain_text("附近有小学")
    expect(page.locator("body")).not_to_contain_text("13877001122")
    expect(page.locator("body")).not_to_contain_text("1122")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    handler.shot("03-unit-reads-phone")
    page.get_by_label("答复（群众可查看）").fill("已安排维修，三日内修复。")
    page.get_by_role("button", name="发送答复").click()
    expect(page.locator("#answer")).to_contain_text("已安排维修，三日内修复。")
    handler.shot("04-unit-answered-phone")
    assert MatterReferral.objects.get().answered_by == unit_handler

    resident = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    resident.goto(f"{base}/public/matters/lookup/")
    resident.locator("[name=code]").fill(code)
    resident.locator("form button[type=submit]").click()
    expect(resident.locator("#matter-story")).to_contain_text("已安排维修，三日内修复。")
    expect(resident.locator("#matter-story")).to_contain_text(unit.name)
    resident.screenshot(path=screenshot_dir / "05-resident-lookup-phone.png", full_page=True)
    resident.context.close()
    for session in (station, handler):
        session.close()
