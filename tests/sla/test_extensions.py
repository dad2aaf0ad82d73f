from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.extensions import sla_extension_decide, sla_extension_request
from sla.models import SlaClock
from sla.timers import sla_sweep
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


@pytest.fixture
def ticket(org):
    with time_machine.travel(T0, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def _resolve(ticket):
    return SlaClock.objects.get(ticket=ticket, milestone="resolve", state="running")


def test_an_approved_extension_moves_the_resolve_deadline_and_its_warning(org, ticket):
    later = T0 + timedelta(hours=48)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ext = sla_extension_request(ticket=ticket, actor=org.assignee.user,
                                    reason="需要协调物业和供水公司", new_due_at=later)
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=True, note="同意")
    clock = _resolve(ticket)
    assert clock.due_at == later and clock.warn_at == T0 + timedelta(hours=48 * 0.8)
    # The old deadline passes without a breach; the new one is watched.
    assert sla_sweep(now=T0 + timedelta(hours=25)) == 2  # contact and meet, not resolve
    assert not clock.ticket.breaches.filter(milestone="resolve").exists()
    actions = list(ticket.events.values_list("action", flat=True))
    assert "extension_request" in actions and "extension_approve" in actions


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(org, ticket):
    ext = sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="忙",
                                new_due_at=T0 + timedelta(hours=30))
    with pytest.raises(TicketInputError):
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=False)
    sla_extension_decide(extension=ext, actor=org.lead.user, approve=False, note="不符合延期条件")
    assert _resolve(ticket).due_at == T0 + timedelta(hours=24)


def test_only_the_assignee_asks_and_only_the_lead_decides(org, ticket):
    with pytest.raises(TransitionForbidden):
        sla_extension_request(ticket=ticket, actor=org.coworker.user, reason="x",
                              new_due_at=T0 + timedelta(hours=30))
    ext = sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="x",
                                new_due_at=T0 + timedelta(hours=30))
    with pytest.raises(TransitionForbidden):
        sla_extension_decide(extension=ext, actor=org.assignee.user, approve=True)
    with pytest.raises(TicketInputError):  # one pending request at a time
        sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="y",
                              new_due_at=T0 + timedelta(hours=31))


def test_the_new_deadline_must_be_later(org, ticket):
    with pytest.raises(TicketInputError) as caught:
        sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="x",
                              new_due_at=T0 + timedelta(hours=2))
    assert caught.value.field_errors["new_due_at"] == ["新的办结时限必须晚于现时限"]


def test_the_api_asks_for_and_the_lead_decides_an_extension(org, ticket, as_staff):
    later = (T0 + timedelta(hours=72)).isoformat()
    r = as_staff(org.assignee).post(f"/api/tickets/{ticket.number}/extension/",
                                    {"reason": "需协调三家单位", "new_due_at": later},
                                    format="json")
    assert r.status_code == 200, r.json()
    [ext] = r.json()["extensions"]
    assert ext["state"] == "pending"
    r = as_staff(org.assignee).post(f"/api/extensions/{ext['id']}/decide/", {"approve": True},
                                    format="json")
    assert r.status_code == 403
    r = as_staff(org.other_lead).post(f"/api/extensions/{ext['id']}/decide/",
                                      {"approve": True}, format="json")
    assert r.status_code == 404
    r = as_staff(org.lead).post(f"/api/extensions/{ext['id']}/decide/", {"approve": True},
                                format="json")
    assert r.status_code == 200
    resolve = next(c for c in r.json()["clocks"] if c["milestone"] == "resolve")
    assert resolve["due_at"] == (T0 + timedelta(hours=72)).isoformat()
    r = as_staff(org.assignee).post(f"/api/tickets/{ticket.number}/extension/",
                                    {"reason": "x", "new_due_at": "明天"}, format="json")
    assert r.status_code == 400
