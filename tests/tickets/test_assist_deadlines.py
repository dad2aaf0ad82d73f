"""Assisting units (协办) owe their reply by a deadline, warned and breached like a clock."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from org.models import WeeklyShift
from sla.timers import assist_task_check, sla_sweep
from tickets.dispatching.collaboration import assist_task_reply, ticket_assist_add
from tickets.models import AssistTask, Notification
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # a Wednesday, a working day


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def water(org):
    """The water bureau: its caseworker always on duty, its lead the duty lead."""
    for weekday in range(7):
        WeeklyShift.objects.create(staff=org.other_caseworker, weekday=weekday, starts=time(0),
                                   ends=time(0))
    org.other_unit.duty_lead = org.other_lead
    org.other_unit.save(update_fields=["duty_lead"])
    return org.other_unit


def _assisted(org, unit, *, urgency="urgent", added=T0 + timedelta(hours=1)):
    with time_machine.travel(T0, tick=False):
        ticket = services.ticket_assign(ticket=org.ticket("triage", urgency=urgency),
                                        actor=org.centre_dispatcher.user, unit=org.unit,
                                        assignee=org.assignee)
    with time_machine.travel(added, tick=False):
        return ticket_assist_add(ticket=ticket, actor=org.lead.user, unit=unit,
                                 task="核查小区供水管网压力")


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind)
                  .values_list("recipient__user__username", flat=True))


def test_an_urgent_tickets_assist_task_is_due_in_24_hours_warned_at_80_percent(org, water):
    task = _assisted(org, water)
    assert task.reply_due_at == at(2026, 12, 3, 11, 0)
    assert task.warn_at == at(2026, 12, 3, 6, 12)  # 80 % of 24 h = 19 h 12 min
    assert (task.warned_at, task.breached_at) == (None, None)
    added = task.ticket.events.get(action="assist_add")
    assert added.payload["reply_due_at"] == "2026-12-03T03:00:00+00:00"
    assert "12-03 11:00 前回复" in Notification.objects.get(kind="assist").text


def test_a_normal_tickets_assist_task_counts_working_time(org, water):
    task = _assisted(org, water, urgency="normal", added=T0)
    # 1440 working minutes from Wed 10:00: Wed 360, Thu 420, Fri 420, the weekend none,
    # Mon 09:00-12:00 and 14:00-15:00.
    assert task.reply_due_at == at(2026, 12, 7, 15, 0)
    # 80 % = 1152: Wed 360, Thu 420, Fri 09:00-12:00 and 14:00-17:12.
    assert task.warn_at == at(2026, 12, 4, 17, 12)


def test_the_task_is_warned_once_and_breached_once_by_repeated_sweeps(org, water):
    task = _assisted(org, water)
    ticket = task.ticket
    sla_sweep(now=at(2026, 12, 3, 6, 11))
    assert not ticket.events.filter(action="assist_warning").exists()
    sla_sweep(now=at(2026, 12, 3, 6, 12))
    sla_sweep(now=at(2026, 12, 3, 6, 13))
    warning = ticket.events.get(action="assist_warning")
    assert warning.actor_label == "系统" and warning.payload["unit"] == "water"
    assert _told("assist_warning") == ["water.cw1", "water.lead"]  # the duty lead once
    sla_sweep(now=at(2026, 12, 3, 11, 0))
    sla_sweep(now=at(2026, 12, 3, 11, 1))
    assert ticket.events.filter(action="assist_warning").count() == 1
    breach = ticket.events.get(action="assist_breach")
    assert breach.reason == "「区水务局」协办超时（回复时限 12-03 11:00）"
    assert _told("assist_breach") == ["water.cw1", "water.lead"]
    task.refresh_from_db()
    assert task.warned_at == at(2026, 12, 3, 6, 12)
    assert task.breached_at == at(2026, 12, 3, 11, 0)
    assert task.state == "open"


def test_a_task_first_seen_past_its_deadline_is_only_breached(org, water):
    task = _assisted(org, water)
    assert assist_task_check(task_id=task.pk, now=at(2026, 12, 3, 12, 0)) == "breached"
    assert assist_task_check(task_id=task.pk, now=at(2026, 12, 3, 12, 1)) == "nothing"
    actions = list(task.ticket.events.values_list("action", flat=True))
    assert actions.count("assist_breach") == 1 and "assist_warning" not in actions


def test_a_reply_after_the_breach_is_taken_and_recorded_late(org, water):
    task = _assisted(org, water)
    sla_sweep(now=at(2026, 12, 3, 11, 0))
    with time_machine.travel(at(2026, 12, 3, 12, 30), tick=False):
        replied = assist_task_reply(task=task, actor=org.other_caseworker.user,
                                    reply="管网压力正常")
    assert replied.state == "replied" and replied.replied_at == at(2026, 12, 3, 12, 30)
    assert replied.breached_at == at(2026, 12, 3, 11, 0) and replied.late
    reply = task.ticket.events.get(action="assist_reply")
    assert reply.payload == {"unit": "water", "late": True, "late_minutes": 90}
    assert task.ticket.events.filter(action="assist_breach").count() == 1
    assert Notification.objects.get(kind="assist_reply").text == \
        "「区水务局」已回复协办事项（超时 90 分钟）"
    # Replied: nothing is left to chase.
    sla_sweep(now=at(2026, 12, 4, 12, 0))
    assert task.ticket.events.filter(action="assist_breach").count() == 1


def test_a_late_reply_no_sweep_saw_records_the_breach_itself(org, water):
    task = _assisted(org, water)
    with time_machine.travel(at(2026, 12, 3, 11, 5), tick=False):
        replied = assist_task_reply(task=task, actor=org.other_lead.user, reply="已核查")
    assert replied.breached_at == at(2026, 12, 3, 11, 5)
    assert task.ticket.events.filter(action="assist_breach").count() == 1
    assert not Notification.objects.filter(kind="assist_breach").exists()  # nothing owed now
    assert task.ticket.events.get(action="assist_reply").payload["late_minutes"] == 5


def test_a_reply_in_time_is_not_late(org, water):
    task = _assisted(org, water)
    with time_machine.travel(at(2026, 12, 3, 10, 59), tick=False):
        replied = assist_task_reply(task=task, actor=org.other_caseworker.user, reply="已核查")
    assert not replied.late and replied.breached_at is None
    assert task.ticket.events.get(action="assist_reply").payload == {"unit": "water"}
    sla_sweep(now=at(2026, 12, 4, 12, 0))
    assert not task.ticket.events.filter(action__in=["assist_warning",
                                                     "assist_breach"]).exists()


def test_a_task_of_a_ticket_no_longer_open_is_not_chased(org, water):
    task = _assisted(org, water)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        services.ticket_merge(ticket=task.ticket, actor=org.centre_dispatcher.user,
                              parent=org.ticket("triage"))
    sla_sweep(now=at(2026, 12, 4, 12, 0))
    assert not task.ticket.events.filter(action__in=["assist_warning",
                                                     "assist_breach"]).exists()


def test_the_ticket_page_shows_the_reply_deadline_and_the_breach(org, water):
    task = _assisted(org, water)
    client = Client()
    client.force_login(org.lead.user)

    def assist_section() -> str:
        page = client.get(f"/console/tickets/{task.ticket.number}/").content.decode()
        return page.split("<h2>协办</h2>")[1].split("</section>")[0]

    assert "回复时限 12-03 11:00" in assist_section()
    assert "已超时" not in assist_section()
    sla_sweep(now=at(2026, 12, 3, 11, 0))
    assert "已超时" in assist_section()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_racing_act_once(org, water):
    # A transactional test runs after others flushed the policies: the task falls back to
    # 24×7 and the default warn ratio.
    ticket = org.ticket("met")
    with time_machine.travel(T0, tick=False):
        task = ticket_assist_add(ticket=ticket, actor=org.lead.user, unit=water, task="核查")
    assert task.reply_due_at == at(2026, 12, 3, 10, 0)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def race() -> None:
        try:
            barrier.wait(timeout=10)
            sla_sweep(now=at(2026, 12, 3, 10, 0))
        except BaseException as exc:  # surfaced below: a thread's failure is not the test's
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert ticket.events.filter(action="assist_breach").count() == 1
    assert Notification.objects.filter(kind="assist_breach").count() == 2  # cw1 and the lead
    assert AssistTask.objects.get(pk=task.pk).breached_at == at(2026, 12, 3, 10, 0)
