"""The 回访 worklist (/console/follow-ups/): who may open it and post outcomes, its order and
filters, what each outcome does to the ticket, and refusals shown as messages."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ChannelFactory
from tickets.models import EventAction, FollowUpTask, Ticket
from tickets.services import lifecycle as services

pytestmark = pytest.mark.django_db

PAGE = "/console/follow-ups/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def _resolved(org, **fields) -> tuple[Ticket, FollowUpTask]:
    """Dispatched, worked and resolved through the services: it has its follow-up task."""
    ticket = services.ticket_assign(
        ticket=org.ticket("triage", unit=None, assignee=None, **fields),
        actor=org.centre_dispatcher.user, unit=org.unit, assignee=org.assignee)
    for step in (services.ticket_record_contact, services.ticket_record_meeting):
        ticket = step(ticket=ticket, actor=org.assignee.user)
    ticket = services.ticket_resolve(ticket=ticket, actor=org.assignee.user,
                                     reply="已安排维修，路灯已恢复。")
    return ticket, ticket.follow_ups.get()


def _listed(html: str) -> list[str]:
    """The ticket numbers of the worklist's rows, top to bottom."""
    return re.findall(r'<tr id="follow-up-\d+" data-number="([^"]+)"', html)


def _row(html: str, task: FollowUpTask) -> str:
    found = re.search(rf'<tr id="follow-up-{task.pk}".*?</tr>', html, re.S)
    assert found is not None, f"task {task.pk} not listed"
    return found.group(0)


def _post(client, task, outcome: str, note: str = "", *, follow: bool = False, **data):
    return client.post(f"{PAGE}{task.pk}/", {"outcome": outcome, "note": note,
                                              "version": task.ticket.version, **data},
                       follow=follow)


# --- who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [
    ("centre_dispatcher", 200), ("centre_supervisor", 200),
    ("assignee", 403), ("lead", 403), ("unit_dispatcher", 403), ("other_lead", 403),
])
def test_only_the_centre_and_the_supervisors_open_the_worklist(org, login, who, status):
    _resolved(org)
    response = login(getattr(org, who)).get(PAGE)
    assert response.status_code == status
    if status == 403:
        assert "此页面仅供分拨员、督办员、系统管理员使用" in response.content.decode()


def test_a_superuser_opens_it_and_every_role_that_may_has_it_in_the_navigation(
        org, login, superuser, client):
    client.force_login(superuser)
    assert client.get(PAGE).status_code == 200
    for staff in (org.centre_dispatcher, org.centre_supervisor):
        assert f'href="{PAGE}"' in login(staff).get("/console/open/").content.decode()
    assert f'href="{PAGE}"' not in login(org.lead).get("/console/unit/").content.decode()


def test_someone_who_may_not_follow_up_cannot_post_an_outcome(org, login):
    ticket, task = _resolved(org)
    for who in (org.assignee, org.lead):
        assert _post(login(who), task, "satisfied").status_code == 403
        assert _post(login(who), task, "unreachable").status_code == 403
    task.refresh_from_db()
    assert (task.state, task.attempts) == ("open", 0)
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"


def test_an_unknown_task_is_not_found(org, login):
    _ticket, task = _resolved(org)
    assert login(org.centre_dispatcher).post(f"{PAGE}{task.pk + 999}/", {
        "outcome": "satisfied"}).status_code == 404


def test_a_signed_out_visitor_is_sent_to_log_in(org, client):
    assert client.get(PAGE)["Location"].startswith("/console/login/")


# --- the list -----------------------------------------------------------------------------------

def test_overdue_tasks_come_first_then_the_nearest_due(org, login):
    # Resolved in another order than the list's (the call is due 48 hours after).
    with time_machine.travel(_at(2, 9), tick=False):
        later, _ = _resolved(org)
    with time_machine.travel(_at(1, 9), tick=False):
        overdue, _ = _resolved(org)
    with time_machine.travel(_at(1, 8), tick=False):
        most_overdue, _ = _resolved(org)
    closed, _ = _resolved(org)
    services.ticket_follow_up(ticket=closed, actor=org.centre_dispatcher.user,
                              satisfaction="satisfied")
    client = login(org.centre_dispatcher)
    with time_machine.travel(_at(3, 12), tick=False):
        html = client.get(PAGE).content.decode()
        only_overdue = client.get(PAGE, {"overdue": "on"}).content.decode()
    assert _listed(html) == [most_overdue.number, overdue.number, later.number]
    assert _listed(only_overdue) == [most_overdue.number, overdue.number]
    assert 'class="overdue"' in _row(html, most_overdue.follow_ups.get())
    assert 'class="overdue"' not in _row(html, later.follow_ups.get())


def test_it_filters_by_channel(org, login):
    phoned, _ = _resolved(org, channel=ChannelFactory(code="hotline", name="12345热线"))
    written, _ = _resolved(org, channel=ChannelFactory(code="wechat", name="微信"))
    html = login(org.centre_dispatcher).get(PAGE, {"channel": "wechat"}).content.decode()
    assert _listed(html) == [written.number]
    assert phoned.number not in html


def test_a_row_shows_the_ticket_the_reply_and_the_citizen_with_the_phone_masked(
        org, login, may_see_pii):
    may_see_pii(org.centre_dispatcher)  # even someone who may reveal it: on the ticket page
    with time_machine.travel(_at(1, 9, 30), tick=False):
        ticket, task = _resolved(org)
    row = _row(login(org.centre_dispatcher).get(PAGE).content.decode(), task)
    assert f'href="/console/tickets/{ticket.number}/"' in row
    for shown in ("小区门口路灯不亮", "莲花街道办事处", "12-01 09:30", "已安排维修",
                  "张先生", "138****5678", "尚未回访"):
        assert shown in row
    assert "13812345678" not in row
    assert 'data-due="2026-12-03T09:30:00+08:00"' in row  # the live countdown's deadline
    assert 'data-warn="2026-12-02T21:30:00+08:00"' in row  # amber for the last quarter


# --- outcomes -----------------------------------------------------------------------------------

def test_satisfied_closes_the_ticket_and_returns_to_the_worklist(org, login):
    ticket, task = _resolved(org)
    client = login(org.centre_dispatcher)
    response = _post(client, task, "satisfied", "市民表示满意")
    assert (response.status_code, response["Location"]) == (302, PAGE)
    ticket.refresh_from_db()
    task.refresh_from_db()
    assert (ticket.state, ticket.satisfaction, ticket.follow_up_note) == (
        "closed", "satisfied", "市民表示满意")
    assert task.state == "done" and task.done_by_label.endswith("（centre.disp1）")
    html = client.get(PAGE).content.decode()
    assert f"{ticket.number} 回访满意，工单已归档" in html
    assert _listed(html) == []


def test_basically_satisfied_closes_the_ticket_too(org, login):
    ticket, task = _resolved(org)
    _post(login(org.centre_supervisor), task, "basically_satisfied")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.satisfaction) == ("closed", "basically_satisfied")


def test_unsatisfied_reopens_the_ticket_to_its_unit(org, login):
    ticket, task = _resolved(org)
    client = login(org.centre_dispatcher)
    response = _post(client, task, "unsatisfied", "路灯仍不亮",
                     next="/console/follow-ups/?channel=")
    assert response["Location"] == "/console/follow-ups/?channel="
    ticket.refresh_from_db()
    assert (ticket.state, ticket.unit, ticket.assignee, ticket.reopen_count) == (
        "assigned", org.unit, org.assignee, 1)
    assert ticket.events.filter(action="reopen", reason="路灯仍不亮").exists()
    html = client.get(PAGE).content.decode()
    assert f"{ticket.number} 回访不满意，已退回莲花街道办事处重办" in html


def test_unreachable_counts_an_attempt_and_keeps_the_ticket_on_the_list(org, login):
    ticket, task = _resolved(org)
    client = login(org.centre_dispatcher)
    with time_machine.travel(_at(1, 10, 5), tick=False):
        assert _post(client, task, "unreachable", "无人接听").status_code == 302
    with time_machine.travel(_at(1, 10, 25), tick=False):  # before the idle sign-out (30 min)
        _post(client, task, "unreachable")
        html = client.get(PAGE).content.decode()
    task.refresh_from_db()
    assert (task.state, task.attempts, task.last_attempt_at) == ("open", 2, _at(1, 10, 25))
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"
    assert [e.reason for e in ticket.events.filter(
        action=EventAction.FOLLOW_UP_ATTEMPT).order_by("pk")] == ["无人接听", ""]
    assert f"{ticket.number} 未接通，已记录第 2 次回访尝试" in html
    assert "已尝试 2 次，最近 10:25" in _row(html, task)


# --- refusals are messages ---------------------------------------------------------------------

def test_a_ticket_someone_else_followed_up_meanwhile_is_a_message_not_an_error(org, login):
    ticket, task = _resolved(org)
    mine, theirs = login(org.centre_dispatcher), login(org.centre_supervisor)
    assert _post(theirs, task, "satisfied").status_code == 302
    for outcome in ("unsatisfied", "unreachable"):
        response = _post(mine, task, outcome, follow=True)
        assert response.status_code == 200
        assert "该回访任务已完成" in response.content.decode()
    ticket.refresh_from_db()
    task.refresh_from_db()
    assert (ticket.state, ticket.satisfaction, task.attempts) == ("closed", "satisfied", 0)


def test_a_ticket_changed_since_the_page_was_read_is_a_message(org, login):
    ticket, task = _resolved(org)
    response = login(org.centre_dispatcher).post(
        f"{PAGE}{task.pk}/", {"outcome": "satisfied", "version": ticket.version - 1},
        follow=True)
    assert response.status_code == 200
    assert "已被他人更新" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"


def test_an_unknown_outcome_is_a_message(org, login):
    ticket, task = _resolved(org)
    response = _post(login(org.centre_dispatcher), task, "delighted", follow=True)
    assert response.status_code == 200
    assert f"{ticket.number}：" in response.content.decode()
    task.refresh_from_db()
    assert (task.state, task.attempts) == ("open", 0)
