"""The pages this round added that no other browser test opens, as their people see them in
a real browser (screenshots for the record): the search, the history, the suspected
duplicates and the inbox in English."""

from __future__ import annotations

import pytest

from tests.console.browser import session, shot
from tests.factories import DuplicateCandidateFactory
from tickets.services.lifecycle import ticket_assign

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_centre_finds_a_ticket_by_place_and_decides_a_suspected_duplicate(
        district, browser, live_server):
    org = district
    original = ticket_assign(ticket=org.ticket("triage", title="景田北小区井盖缺失",
                                               address="福田区景田北小区北门"),
                             actor=None, unit=org.unit, assignee=org.assignee)
    repeat = ticket_assign(ticket=org.ticket("triage", title="景田北小区北门井盖又丢了",
                                             address="福田区景田北小区北门"),
                           actor=None, unit=org.unit, assignee=org.assignee)
    DuplicateCandidateFactory(ticket=repeat, original=original)
    page = session(browser, live_server, org.centre_dispatcher)
    page.click("nav >> text=工单查询")
    page.fill("input[name=q]", "景田北小区")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert original.number in page.text_content("main")
    assert repeat.number in page.text_content("main")
    shot(page, "search-place")
    page.click("nav >> text=疑似重复")
    assert "同一地址" in page.text_content(f"#candidate-{repeat.duplicate_candidates.get().pk}")
    shot(page, "duplicates")
    with page.expect_navigation():
        page.click("button:has-text('合并为重复件')")
    assert f"{repeat.number} 已并入 {original.number}" in page.text_content(".messages")
    assert "没有待确认的疑似重复件" in page.text_content("main")


def test_a_caseworker_reads_their_history(district, browser, live_server):
    org = district
    done = org.ticket("closed", title="楼道灯已修好", assignee=org.assignee)
    theirs = org.ticket("closed", title="别人的工单", unit=org.other_unit,
                        assignee=org.other_caseworker)
    page = session(browser, live_server, org.assignee)
    page.click("nav >> text=历史工单")
    body = page.text_content("main")
    assert done.number in body and theirs.number not in body
    shot(page, "history")
