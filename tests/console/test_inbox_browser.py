"""The inbox live in a real headless Chromium: a notice written on the server reaches the bell
and the open inbox without a reload; marking it read (or opening its ticket) takes it off the
count. Screenshots: inbox-bell, inbox-page."""

from __future__ import annotations

import pytest

from tests.console.browser import session, shot
from tickets.outbox.notifications import notification_send

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 15_000  # the bell and the list poll every 10 s


def test_a_new_notice_lights_the_bell_and_the_inbox_without_a_reload(district, browser,
                                                                    live_server):
    org = district
    ticket = org.ticket("assigned", title="小区供水管道破裂")
    queue = session(browser, live_server, org.assignee)
    assert "/console/mine/" in queue.url
    assert queue.locator("#inbox-bell a").get_attribute("aria-label") == "未读通知 0 条"
    assert queue.locator("#inbox-bell .bell-count").is_hidden()
    # The inbox open in a second tab: both poll at once, so one wait covers both.
    inbox = queue.context.new_page()
    inbox.goto(f"{live_server.url}/console/inbox/")
    assert "暂无通知" in inbox.text_content("#inbox-list")

    [breach] = notification_send(recipients=[org.assignee], ticket=ticket, kind="sla_breach",
                                 text=f"工单 {ticket.number}「首次联系」已超时")
    queue.wait_for_selector("#inbox-bell a[data-unread='1']", timeout=POLL)
    assert queue.locator("#inbox-bell .bell-count").is_visible()
    assert queue.locator("#inbox-bell .bell-count").text_content() == "1"
    assert queue.locator("#inbox-bell a").get_attribute("aria-label") == "未读通知 1 条"
    shot(queue, "inbox-bell")
    row = inbox.wait_for_selector(f"#notice-{breach.pk}", timeout=POLL)
    assert row.get_attribute("class") == "notice unread urgent"
    inbox.wait_for_selector("#inbox-bell a[data-unread='1']", timeout=POLL)
    shot(inbox, "inbox-page")

    # The bell leads to the inbox; marking the notice read there takes it off the count.
    with queue.expect_navigation():
        queue.click("#inbox-bell a")
    assert queue.url.endswith("/console/inbox/")
    with queue.expect_navigation():
        queue.click(f"#notice-{breach.pk} form.mark button")
    assert queue.locator("#inbox-bell a").get_attribute("data-unread") == "0"
    assert queue.locator("#inbox-bell .bell-count").is_hidden()
    assert "unread" not in queue.locator(f"#notice-{breach.pk}").get_attribute("class")
    assert "已将 1 条通知标为已读" in queue.text_content(".messages")
