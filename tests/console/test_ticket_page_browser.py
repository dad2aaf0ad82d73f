"""In a real browser: the ticket page's person list follows the chosen unit, a refused action
keeps the page at the ticket's address (a reload re-posts nothing), removing a shift or
switching duty asks first, and a missing page is a Chinese page with a way back."""

from __future__ import annotations

from datetime import time

import pytest

from org.models import WeeklyShift
from tests.console.browser import session, shot
from tickets.models import Ticket, TicketEvent

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_person_list_offers_only_the_chosen_units_people(district, browser, live_server):
    org = district
    ticket = org.ticket("triage", unit=None, assignee=None)
    page = session(browser, live_server, org.centre_dispatcher)
    page.goto(f"{live_server.url}/console/tickets/{ticket.number}/")
    page.click("#action-dispatch summary")
    page.select_option("select[name=dispatch-unit]", "water")
    offered = page.eval_on_selector_all(
        "select[name=dispatch-assignee] option:not([hidden])", "os => os.map(o => o.value)")
    assert sorted(offered) == sorted(["", str(org.other_lead.pk), str(org.other_caseworker.pk)])
    page.select_option("select[name=dispatch-assignee]", str(org.other_caseworker.pk))
    page.select_option("select[name=dispatch-unit]", "street-lianhua")  # the person is reset
    assert page.input_value("select[name=dispatch-assignee]") == ""
    shot(page, "ticket-dispatch-person-follows-unit")


def test_a_refused_action_keeps_the_ticket_address_and_a_reload_posts_nothing(
        district, browser, live_server):
    org = district
    ticket = org.ticket("met")
    page = session(browser, live_server, org.assignee)
    page.goto(f"{live_server.url}/console/tickets/{ticket.number}/")
    events = TicketEvent.objects.filter(ticket=ticket).count()
    page.click("#action-resolve summary")
    page.click("#action-resolve button.primary")  # no reply: refused
    page.wait_for_selector("#action-resolve .error")
    assert "请填写答复内容" in page.text_content("#action-resolve")
    assert page.url == f"{live_server.url}/console/tickets/{ticket.number}/"
    shot(page, "ticket-refused-in-place")
    page.reload()
    assert page.url == f"{live_server.url}/console/tickets/{ticket.number}/"
    page.click("#action-resolve summary")
    page.fill("textarea[name=resolve-reply]", "已修复路灯")
    with page.expect_navigation():
        page.click("#action-resolve button.primary")
    assert "办结并答复：已完成" in page.content()
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events + 1  # one resolve


def test_removing_a_shift_asks_first(district, browser, live_server):
    org = district
    shift = WeeklyShift.objects.create(staff=org.coworker, weekday=2, starts=time(8),
                                       ends=time(12))
    page = session(browser, live_server, org.lead)
    page.goto(f"{live_server.url}/console/team/")
    button = f"form[action='/console/team/shifts/{shift.pk}/delete/'] button"
    asked: list[str] = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()
    page.once("dialog", refuse)
    page.click(button)
    assert asked and "08:00–12:00" in asked[0]
    assert WeeklyShift.objects.filter(pk=shift.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click(button)
    assert not WeeklyShift.objects.filter(pk=shift.pk).exists()
    assert "已删除班次" in page.content()


def test_a_missing_page_is_chinese_with_the_console_around_it(district, browser, live_server):
    page = session(browser, live_server, district.assignee)
    answer = page.goto(f"{live_server.url}/console/tickets/FT-NO-SUCH/")
    assert answer.status == 404
    assert "页面不存在" in page.text_content("main")
    assert page.locator("header.top nav a").count() >= 1  # the navigation is there
    page.click("text=返回工作台")
    assert page.url.endswith("/console/mine/")
    shot(page, "error-404")
