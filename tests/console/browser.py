"""What the console's browser tests share: Debian's chromium driven by Playwright, a signed-in
page per person, screenshots into $TEST_ARTIFACTS_DIR (default var/test-artifacts/screenshots),
and a small district whose people have a password and the 10-30-24 policies."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import time as clock_time
from pathlib import Path

import pytest
from django.conf import settings

from org.models import WeeklyShift
from sla.models import SlaPolicy

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told this test is aware of it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "e2e-pass-2026"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR")
                 or Path(settings.BASE_DIR) / "var" / "test-artifacts" / "screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                    "(bash .ci/browser does it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield chromium
        chromium.close()


def session(browser, live_server, staff, *, phone: bool = False):
    context = browser.new_context(
        viewport={"width": 390, "height": 844} if phone else {"width": 1366, "height": 768},
        locale="zh-CN", timezone_id="Asia/Shanghai")
    # Record desktop notifications instead of showing them (headless has no desktop).
    context.add_init_script("""
        window.__notices = [];
        window.Notification = class {
            constructor(title, options) { window.__notices.push(title + " " + options.body); }
            static get permission() { return "granted"; }
            static requestPermission() { return Promise.resolve("granted"); }
        };""")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=username]", staff.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def act(page, action: str, fields: dict[str, str]) -> None:
    """Open an action's form on the ticket page, fill it, submit, wait for the redirect."""
    details = page.locator(f"#action-{action}")
    if not details.evaluate("d => d.open"):
        page.click(f"#action-{action} summary")
    form = details.locator("form")
    for name, value in fields.items():
        field = form.locator(f"[name={action}-{name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button.primary").click()


@pytest.fixture
def district(org):
    # A transactional test starts from flushed tables: the default urgent/normal policies too.
    for urgency in ("urgent", "normal"):
        SlaPolicy.objects.get_or_create(name=f"{urgency} 10-30", urgency=urgency, version=1,
                                        defaults={"milestones": [
                                            {"milestone": "contact", "minutes": 10},
                                            {"milestone": "meet", "minutes": 30},
                                            {"milestone": "resolve", "minutes": 1440}]})
    for staff in (org.centre_dispatcher, org.assignee, org.lead, org.centre_supervisor):
        staff.user.set_password(PASSWORD)
        staff.user.save()
    for weekday in range(7):  # the caseworker is on duty round the clock
        WeeklyShift.objects.create(staff=org.assignee, weekday=weekday, starts=clock_time(0),
                                   ends=clock_time(0))
    return org


