"""The 回访 worklist in a real headless Chromium: a centre dispatcher records a call that
reached nobody, then the citizen's verdicts, and the tickets move as the outcomes say."""

from __future__ import annotations

import pytest

from tests.console.browser import session, shot
from tickets.models import Ticket
from tickets.services import lifecycle as services

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _resolved(org, title: str) -> Ticket:
    ticket = services.ticket_assign(
        ticket=org.ticket("triage", unit=None, assignee=None, title=title),
        actor=org.centre_dispatcher.user, unit=org.unit, assignee=org.assignee)
    for step in (services.ticket_record_contact, services.ticket_record_meeting):
        ticket = step(ticket=ticket, actor=org.assignee.user)
    return services.ticket_resolve(ticket=ticket, actor=org.assignee.user, reply="已处理完毕")


def _outcome(page, number: str, outcome: str, note: str = "") -> None:
    row = page.locator(f"#rows tr[data-number='{number}']")
    if note:
        row.locator("input[name=note]").fill(note)
    with page.expect_navigation():
        row.locator(f"button[value={outcome}]").click()


def test_a_centre_dispatcher_works_through_the_follow_up_calls(district, browser, live_server):
    org = district
    lamp, drain = _resolved(org, "路灯不亮"), _resolved(org, "下水道堵塞")
    page = session(browser, live_server, org.centre_dispatcher)
    page.click("nav a:text('回访')")
    page.wait_for_selector(f"#rows tr[data-number='{lamp.number}'] .clock .left")
    assert page.locator("#rows .clock .left").first.text_content().startswith("剩")
    assert "138****5678" in page.content() and "13812345678" not in page.content()

    _outcome(page, lamp.number, "unreachable", "无人接听")
    assert f"{lamp.number} 未接通，已记录第 1 次回访尝试" in page.text_content(".messages")
    assert "已尝试 1 次" in page.text_content(f"#rows tr[data-number='{lamp.number}']")
    assert Ticket.objects.get(pk=lamp.pk).state == "resolved"
    shot(page, "follow-ups")

    _outcome(page, lamp.number, "unsatisfied", "路灯仍不亮")
    assert "已退回莲花街道办事处重办" in page.text_content(".messages")
    _outcome(page, drain.number, "satisfied")
    assert f"{drain.number} 回访满意，工单已归档" in page.text_content(".messages")
    assert page.locator("#rows tr[data-number]").count() == 0

    lamp, drain = Ticket.objects.get(pk=lamp.pk), Ticket.objects.get(pk=drain.pk)
    assert (lamp.state, lamp.assignee, lamp.satisfaction) == ("assigned", org.assignee,
                                                              "unsatisfied")
    assert (drain.state, drain.satisfaction) == ("closed", "satisfied")
    assert lamp.follow_ups.get().attempts == 1
