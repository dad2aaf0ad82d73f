"""The work queues in headless Chromium: one-click dispatch from the triage queue, and every
queue on a 390-px phone as cards, without sideways scrolling and with the countdowns in view."""

from __future__ import annotations

import re

import pytest

from tests.console.browser import session, shot
from tickets.models import Ticket
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLES = (
    "景田北小区三栋二单元楼道内照明灯连续一周不亮，电梯间应急灯也已损坏，老人夜间上下楼非常危险",
    "莲花路与景田路交叉口东北角人行道井盖缺失，已有行人踩空受伤，请尽快设置围挡并更换井盖",
    "Building-7-east-entrance-streetlight-broken-since-2026-11-20-please-repair-ASAP-thanks",
)


def _assigned(org, title: str) -> Ticket:
    """A ticket dispatched to the caseworker: its clocks run."""
    return services.ticket_assign(ticket=org.ticket("triage", title=title),
                                  actor=org.centre_dispatcher.user, unit=org.unit,
                                  assignee=org.assignee)


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    boxes = page.locator("#rows .clock").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })")
    assert boxes and all(left >= 0 and right <= 390 for left, right in boxes)


def test_a_click_on_a_suggestion_dispatches_the_ticket_and_stays_in_the_triage_queue(
        district, browser, live_server):
    org = district
    ticket = org.ticket("triage", title="小区路灯不亮", prediction_top3=[
        {"unit": "water", "probability": 0.3}, {"unit": "street-lianhua", "probability": 0.6}])
    waiting = org.ticket("triage", title="井盖缺失")
    page = session(browser, live_server, org.centre_dispatcher)
    page.goto(f"{live_server.url}/console/triage/?sort=-received_at")
    row = page.locator(f"#rows tr[data-number='{ticket.number}']")
    shot(page, "triage-one-click")
    with page.expect_navigation():
        row.locator("button.unit", has_text="莲花街道办事处").click()
    assert re.search(r"/console/triage/\?sort=-received_at$", page.url)
    assert "分拨派单：已完成" in page.locator(".messages").text_content()
    ticket.refresh_from_db()
    assert (ticket.state, ticket.unit) == ("assigned", org.unit)
    # Back in the queue: the dispatched ticket has left it, the other one waits.
    assert page.locator(f"#rows tr[data-number='{ticket.number}']").count() == 0
    assert page.locator(f"#rows tr[data-number='{waiting.number}']").count() == 1


def test_every_queue_fits_a_390_px_phone_with_the_countdowns_in_view(
        district, browser, live_server):
    org = district
    for title in LONG_TITLES:
        _assigned(org, title)
    returned = org.ticket("triage", title=LONG_TITLES[0], prediction_top3=[
        {"unit": "street-lianhua", "probability": 0.61}, {"unit": "water", "probability": 0.2}],
        prediction_explanation={"terms": ["路灯", "楼道", "应急灯"]})
    services.ticket_assign(ticket=returned, actor=org.centre_dispatcher.user, unit=org.unit,
                           assignee=org.assignee)
    # Sent back to the centre: in triage again, its clocks still running.
    Ticket.objects.filter(pk=returned.pk).update(state="triage", unit=None, assignee=None)

    worker = session(browser, live_server, org.assignee, phone=True)
    worker.goto(f"{live_server.url}/console/mine/")
    worker.wait_for_function(
        "() => document.querySelector('#rows .clock .left').textContent.startsWith('剩')")
    _fits_the_phone(worker)
    shot(worker, "queue-phone")

    lead = session(browser, live_server, org.lead, phone=True)
    lead.goto(f"{live_server.url}/console/unit/")
    _fits_the_phone(lead)

    dispatcher = session(browser, live_server, org.centre_dispatcher, phone=True)
    dispatcher.goto(f"{live_server.url}/console/open/")
    _fits_the_phone(dispatcher)
    dispatcher.goto(f"{live_server.url}/console/triage/")
    _fits_the_phone(dispatcher)
    assert dispatcher.locator(f"#rows tr[data-number='{returned.number}'] button.unit").count() == 2
    shot(dispatcher, "triage-phone")
