from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from sla.models import SlaClock, SlaPolicy, Supervision
from sla.timers import sla_sweep
from tickets.models import Notification, Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
CONTACT_DUE = T0 + timedelta(minutes=10)


def _assigned(org):
    with time_machine.travel(T0, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def _steps(ticket):
    return list(ticket.events.filter(action="sla_escalate", payload__milestone="contact")
                .order_by("at").values_list("payload__level", flat=True))


def test_the_ladder_climbs_lead_then_district_then_listed_once_each(org):
    ticket = _assigned(org)
    sla_sweep(now=CONTACT_DUE)
    assert _steps(ticket) == ["unit_lead"]
    sla_sweep(now=CONTACT_DUE + timedelta(minutes=59))
    assert _steps(ticket) == ["unit_lead"] and not Supervision.objects.exists()
    sla_sweep(now=CONTACT_DUE + timedelta(minutes=60))
    sla_sweep(now=CONTACT_DUE + timedelta(minutes=61))
    assert _steps(ticket) == ["unit_lead", "district"]
    order = Supervision.objects.get(ticket=ticket)
    assert (order.level, order.unit, order.issued_by) == ("district", org.unit, None)
    assert order.reply_due_at == CONTACT_DUE + timedelta(minutes=60, hours=24)
    assert Notification.objects.filter(kind="sla_escalate",
                                       recipient=org.centre_supervisor).count() == 1
    assert Notification.objects.filter(kind="supervision", recipient=org.lead).exists()
    sla_sweep(now=CONTACT_DUE + timedelta(hours=24))
    assert _steps(ticket) == ["unit_lead", "district", "listed"]
    assert sorted(Supervision.objects.values_list("level", flat=True)) == ["district", "listed"]
    clock = SlaClock.objects.get(ticket=ticket, milestone="contact")
    assert clock.escalation_level == 3 and clock.next_check_at is None


def test_after_an_outage_every_step_due_is_taken_in_order_in_one_sweep(org):
    ticket = _assigned(org)
    sla_sweep(now=T0 + timedelta(days=3))
    assert _steps(ticket) == ["unit_lead", "district", "listed"]
    # Meeting and resolve clocks climbed too, but one open order per level is enough.
    assert Supervision.objects.filter(ticket=ticket).count() == 2


def test_recording_the_milestone_stops_the_climb(org):
    ticket = _assigned(org)
    sla_sweep(now=CONTACT_DUE)
    with time_machine.travel(CONTACT_DUE + timedelta(minutes=5), tick=False):
        services.ticket_record_contact(ticket=Ticket.objects.get(pk=ticket.pk),
                                       actor=org.assignee.user)
    sla_sweep(now=CONTACT_DUE + timedelta(hours=30))
    assert _steps(ticket) == ["unit_lead"]


def test_a_policy_without_supervision_steps_stops_at_the_lead(org):
    SlaPolicy.objects.filter(urgency="urgent").update(active=False)
    SlaPolicy.objects.create(name="只提醒负责人", urgency="urgent", version=2, milestones=[
        {"milestone": "contact", "minutes": 10, "calendar": "24x7"}],
        escalation=[{"level": "unit_lead", "after_minutes": 5}])
    ticket = _assigned(org)
    sla_sweep(now=CONTACT_DUE)
    assert _steps(ticket) == []  # breached; the lead's step is five minutes later
    sla_sweep(now=CONTACT_DUE + timedelta(days=2))
    assert _steps(ticket) == ["unit_lead"] and not Supervision.objects.exists()


@pytest.mark.parametrize(("milestones", "escalation", "message"), [
    ([{"milestone": "lunch", "minutes": 10}], [], "未知节点"),
    ([{"milestone": "contact", "minutes": 0}], [], "大于 0"),
    ([{"milestone": "contact", "minutes": 10, "calendar": "lunar"}], [], "未知日历"),
    ([{"milestone": "contact", "minutes": 10}, {"milestone": "contact", "minutes": 20}], [],
     "只能出现一次"),
    ([{"milestone": "contact", "minutes": 10}],
     [{"level": "district", "after_minutes": 60}, {"level": "listed", "after_minutes": 10}],
     "从小到大"),
    ([{"milestone": "contact", "minutes": 10}], [{"level": "mayor"}], "未知的升级层级"),
    ([{"minutes": 10}], [], "格式不正确"),
])
def test_a_malformed_policy_is_refused_in_chinese(milestones, escalation, message):
    policy = SlaPolicy(name="x", urgency="urgent", milestones=milestones, escalation=escalation)
    with pytest.raises(ValidationError) as caught:
        policy.clean()
    assert message in str(caught.value)
