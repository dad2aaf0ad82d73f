from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from org.models import Leave, WeeklyShift
from tests.factories import StaffFactory, TicketFactory, UserFactory
from tickets.dispatching.assignment import AssignedHow, assignee_choose
from tickets.dispatching.services import (
    ticket_dispatch,
    ticket_dispatch_many,
    ticket_urgency_decide,
)
from tickets.models import DispatchCorrection, Notification, UrgentSignal

SH = ZoneInfo("Asia/Shanghai")
WED_10 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def clock():
    with time_machine.travel(WED_10, tick=False) as traveller:
        yield traveller


def _on_duty(*staff):
    for s in staff:
        WeeklyShift.objects.create(staff=s, weekday=2, starts=time(8), ends=time(20))


def _choose(unit):
    with transaction.atomic():
        return assignee_choose(unit=unit, at=WED_10)


def test_the_least_loaded_relative_to_capacity_is_chosen(org, clock):
    _on_duty(org.assignee, org.coworker)
    org.assignee.capacity, org.coworker.capacity = 10, 2
    org.assignee.save()
    org.coworker.save()
    for _ in range(3):
        org.ticket("assigned", assignee=org.assignee)  # 3/10 = 0.3
    org.ticket("contacted", assignee=org.coworker)  # 1/2 = 0.5
    assert _choose(org.unit).staff == org.assignee


def test_equal_loads_take_turns(org, clock):
    _on_duty(org.assignee, org.coworker)
    first = _choose(org.unit).staff
    second = _choose(org.unit).staff
    third = _choose(org.unit).staff
    assert {first, second} == {org.assignee, org.coworker} and third == first


def test_a_full_person_is_never_chosen(org, clock):
    _on_duty(org.assignee, org.coworker)
    org.coworker.capacity = 1
    org.coworker.save()
    org.ticket("assigned", assignee=org.coworker)
    for _ in range(5):
        org.ticket("assigned", assignee=org.assignee)
    assert _choose(org.unit).staff == org.assignee


def test_an_off_duty_person_is_never_chosen_and_the_duty_lead_takes_it(org, clock):
    _on_duty(org.assignee)
    Leave.objects.create(staff=org.assignee, starts_at=WED_10 - timedelta(hours=1),
                         ends_at=WED_10 + timedelta(hours=1))
    org.unit.duty_lead = org.lead
    org.unit.save()
    choice = _choose(org.unit)
    assert (choice.staff, choice.how) == (org.lead, AssignedHow.DUTY_LEAD)


def test_with_nobody_at_all_the_ticket_goes_to_the_unit_queue_and_the_lead_hears(org, clock):
    org.unit.duty_lead = org.lead
    org.unit.save()
    Leave.objects.create(staff=org.lead, starts_at=WED_10 - timedelta(hours=1),
                         ends_at=WED_10 + timedelta(days=1))
    ticket = org.ticket("triage")
    done = ticket_dispatch(ticket=ticket, actor=org.centre_dispatcher.user, unit=org.unit)
    assert done.state == "assigned" and done.unit == org.unit and done.assignee is None
    note = Notification.objects.get(recipient=org.lead)
    assert note.kind == "unit_queue" and ticket.number in note.text
    assert "单位待派队列" in done.events.order_by("pk").last().reason


def test_a_dispatcher_choosing_another_unit_than_the_model_leaves_a_correction(org, clock):
    _on_duty(org.other_caseworker)
    ticket = org.ticket("triage", predicted_unit=org.unit, prediction_confidence=0.4)
    done = ticket_dispatch(ticket=ticket, actor=org.centre_dispatcher.user,
                           unit=org.other_unit, reason="是供水问题")
    assert done.assignee == org.other_caseworker
    correction = DispatchCorrection.objects.get(ticket=ticket)
    assert (correction.predicted_unit, correction.chosen_unit, correction.reason) == (
        "street-lianhua", "water", "是供水问题")
    assert Notification.objects.get(recipient=org.other_caseworker).kind == "assigned"


def test_agreeing_with_the_model_is_not_a_correction(org, clock):
    _on_duty(org.assignee)
    ticket = org.ticket("triage", predicted_unit=org.unit)
    ticket_dispatch(ticket=ticket, actor=org.centre_dispatcher.user, unit=org.unit)
    assert not DispatchCorrection.objects.exists()


def test_a_caseworker_cannot_dispatch(org, clock):
    from tickets.core.errors import TransitionForbidden

    _on_duty(org.assignee)
    with pytest.raises(TransitionForbidden):
        ticket_dispatch(ticket=org.ticket("triage"), actor=org.assignee.user, unit=org.unit)


def test_bulk_dispatch_reports_each_ticket_and_one_failure_does_not_stop_the_rest(org, clock):
    _on_duty(org.assignee, org.coworker)
    waiting = [org.ticket("triage") for _ in range(3)]
    already = org.ticket("resolved")
    outcomes = ticket_dispatch_many(tickets=[*waiting, already], actor=org.centre_dispatcher.user,
                                    unit=org.unit, reason="批量")
    assert [o.ok for o in outcomes] == [True, True, True, False]
    assert "已办结" in outcomes[-1].error
    assert sorted(o.ticket.assignee.user.username for o in outcomes[:3]) == [
        "lianhua.cw1", "lianhua.cw1", "lianhua.cw2"]


@pytest.mark.parametrize(("title", "content", "urgent"), [
    ("地下室有燃气味", "请马上来人", True),
    ("电梯", "12栋电梯困人，两位老人在里面", True),
    ("路灯不亮", "晚上很黑", False),
])
def test_urgent_signals_in_the_text_make_a_ticket_urgent(org, title, content, urgent):
    ticket = ticket_urgency_decide(ticket=TicketFactory(title=title, content=content))
    assert (ticket.urgency == "urgent") is urgent
    if urgent:
        assert "命中紧急信号" in ticket.events.order_by("pk").last().reason


def test_a_disabled_signal_no_longer_counts(org):
    UrgentSignal.objects.filter(phrase="燃气味").update(active=False)
    ticket = ticket_urgency_decide(ticket=TicketFactory(title="燃气味", content="有点燃气味"))
    assert ticket.urgency == "normal"


def test_the_unit_queue_lets_the_lead_name_someone_later(org, clock):
    from tickets.services.lifecycle import ticket_reassign

    done = ticket_dispatch(ticket=org.ticket("triage"), actor=org.centre_dispatcher.user,
                           unit=org.unit)
    assert done.assignee is None
    named = ticket_reassign(ticket=done, actor=org.lead.user, assignee=org.coworker)
    assert named.assignee == org.coworker


def test_a_new_caseworker_without_shifts_is_not_on_duty(org, clock):
    StaffFactory(unit=org.unit, role="caseworker", user=UserFactory(username="new.cw"))
    choice = _choose(org.unit)
    assert choice.staff is None and choice.how == AssignedHow.UNIT_QUEUE


@pytest.mark.parametrize(("probability", "urgent"), [(0.85, True), (0.5, False), (None, False)])
def test_the_models_urgency_counts_from_the_configured_probability(org, settings, probability,
                                                                    urgent):
    settings.DISPATCH_URGENT_PROBABILITY = 0.8
    ticket = ticket_urgency_decide(ticket=TicketFactory(title="路灯", content="不亮"),
                                   model_probability=probability)
    assert (ticket.urgency == "urgent") is urgent
    if urgent:
        assert ticket.events.order_by("pk").last().reason == "模型判断为紧急（概率 85%）"
