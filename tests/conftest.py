"""Named personas and the data they work on (see STYLE.md §6)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from deputies.models import LiaisonStation, Role
from tests import factories as f
from tests.sms import CapturingSender
from tests.workflow import Cast

# Playwright drives the browser from the test thread while live_server serves from another.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite, unless CI requires PostgreSQL (then fail)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    if os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    """The public pages keep what they serve anonymous visitors in the cache (deputies/public.py),
    the rate limit counts there too: each test starts without what an earlier one left."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    path = ARTIFACTS / "screenshots" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- reference data -----------------------------------------------------------------------------


@pytest.fixture
def meeting():
    return f.MeetingFactory()


@pytest.fixture
def category():
    return f.CategoryFactory(name="教科文卫体")


@pytest.fixture
def result_a():
    return f.ResultCategoryFactory(name="已经解决或基本解决", result_class="A")


@pytest.fixture
def result_b():
    return f.ResultCategoryFactory(name="列入计划逐步解决", result_class="B")


@pytest.fixture
def unit():
    return f.UnitFactory(name="区教育局")


@pytest.fixture
def co_unit():
    return f.UnitFactory(name="区财政局")


@pytest.fixture
def new_unit():
    return f.UnitFactory(name="区住房和城乡建设局")


# --- personas --------------------------------------------------------------------------------------


def _user(username: str, role: str, **extra):
    return f.UserFactory(username=username, full_name=username, role=role, **extra)


@pytest.fixture
def deputy():
    """The lead deputy: a Deputy record with a login."""
    return f.DeputyFactory(name="王建国", user=_user("deputy", Role.DEPUTY, email="deputy@example.cn"))


@pytest.fixture
def cosigner():
    return f.DeputyFactory(name="李红梅", user=_user("cosigner", Role.DEPUTY))


@pytest.fixture
def other_deputy():
    return f.DeputyFactory(name="赵志强", user=_user("other_deputy", Role.DEPUTY))


@pytest.fixture
def staff():
    return _user("staff", Role.STAFF)


@pytest.fixture
def supervision():
    return _user("supervision", Role.SUPERVISION)


@pytest.fixture
def leader():
    return _user("leader", Role.LEADER)


@pytest.fixture
def committee_member():
    return _user("committee", Role.COMMITTEE)


@pytest.fixture
def admin_user():
    return _user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def unit_handler(unit):
    return f.UnitMemberFactory(user=_user("handler", Role.UNIT_HANDLER), unit=unit).user


@pytest.fixture
def unit_head(unit):
    return f.UnitMemberFactory(user=_user("head", Role.UNIT_HEAD), unit=unit).user


@pytest.fixture
def co_handler(co_unit):
    return f.UnitMemberFactory(user=_user("co_handler", Role.UNIT_HANDLER), unit=co_unit).user


@pytest.fixture
def co_head(co_unit):
    return f.UnitMemberFactory(user=_user("co_head", Role.UNIT_HEAD), unit=co_unit).user


@pytest.fixture
def new_unit_handler(new_unit):
    return f.UnitMemberFactory(user=_user("new_handler", Role.UNIT_HANDLER), unit=new_unit).user


@pytest.fixture
def other_unit():
    return f.UnitFactory(name="区卫生健康委员会")


@pytest.fixture
def other_unit_handler(other_unit):
    return f.UnitMemberFactory(user=_user("other_handler", Role.UNIT_HANDLER), unit=other_unit).user


@pytest.fixture
def outsider():
    """A deputy with nothing to do with the suggestions under test."""
    return f.DeputyFactory(name="孙局外", user=_user("outsider", Role.DEPUTY)).user


# --- liaison stations (residents' matters) -----------------------------------------------------------


@pytest.fixture
def fresh_rate_limits():
    """The public intake's rate limits start from nought (the cache outlives a test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def station_staff():
    return f.UserFactory(username="station", full_name="联络站工作人员", role=Role.STATION_STAFF)


@pytest.fixture
def stationed(deputy, cosigner, station_staff):
    """A station with the deputy and the co-signer stationed, and its staff."""
    station = LiaisonStation.objects.create(name="西乡塘街道代表联络站", area="西乡塘街道")
    station.deputies.add(deputy, cosigner)
    station.staff.add(station_staff)
    return station


@pytest.fixture
def other_station(other_deputy):
    station = LiaisonStation.objects.create(name="北湖代表联络站", area="北湖街道")
    station.deputies.add(other_deputy)
    station.staff.add(f.UserFactory(username="station2", role=Role.STATION_STAFF))
    return station


@pytest.fixture
def cppcc_meeting():
    return f.CppccMeetingFactory()


@pytest.fixture
def member():
    """A CPPCC member (政协委员) who leads proposals: a person record of the proposal stream."""
    return f.MemberFactory(name="陈思远", user=_user("member", Role.MEMBER, email="member@example.cn"))


@pytest.fixture
def joint_member():
    """A CPPCC member who signs proposals jointly (联名)."""
    return f.MemberFactory(name="周文静", user=_user("joint_member", Role.MEMBER))


@pytest.fixture
def proposals_staff():
    """The CPPCC's proposals committee staff (提案委员会)."""
    return _user("proposals_staff", Role.PROPOSALS_STAFF)


@pytest.fixture
def proposal_cast(member, proposals_staff, unit_handler, unit_head, unit, result_a) -> Cast:
    """Who does each step of a CPPCC proposal: the member and the proposals committee."""
    return Cast(
        deputy_user=member.user, staff=proposals_staff, handler=unit_handler, head=unit_head, unit=unit, result=result_a
    )


@pytest.fixture
def proposal_draft(member, cppcc_meeting, category):
    return f.ProposalFactory(
        lead_deputy=member, meeting=cppcc_meeting, category=category, title="关于发展县域特色产业的提案"
    )


@pytest.fixture
def cast(deputy, staff, unit_handler, unit_head, unit, result_a) -> Cast:
    return Cast(deputy_user=deputy.user, staff=staff, handler=unit_handler, head=unit_head, unit=unit, result=result_a)


@pytest.fixture
def draft(deputy, meeting, category):
    return f.ProposalFactory(lead_deputy=deputy, meeting=meeting, category=category)


def open_nav_link(page, name: str) -> None:
    """Follow a link of the main navigation as a person does: on a phone, open 菜单 first."""
    toggle = page.locator("label.nav-toggle-label")
    if toggle.is_visible():
        toggle.click()
    link = page.locator("#main-nav").get_by_role("link", name=name, exact=True).first
    href = link.get_attribute("href") or ""
    link.click()
    # Wait for the new page itself, so a check right after never reads a page mid-navigation.
    page.wait_for_url(lambda url: href in url)
    page.wait_for_load_state("load")


@pytest.fixture
def beat_rows(db):
    """The periodic jobs' rows as the migrations made them. A transactional test that ran
    earlier on the same worker flushed every table, the migrations' data included."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        for operation in migration.operations:
            code = getattr(operation, "code", None)
            if code is not None and code.__qualname__.startswith("beat_row_operation."):
                code(apps, None)


@pytest.fixture
def captured_sms():
    """Text messages kept by tests.sms.CapturingSender (its `last_code` reads one back), not sent;
    what was kept is emptied before and after."""
    CapturingSender.clear()
    with override_settings(SMS_SENDER="tests.sms.CapturingSender"):
        yield CapturingSender
    CapturingSender.clear()
