"""The city platform's own deadlines (Ticket.upstream_*_due_at) bind the clocks they name."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from sla.extensions import sla_extension_decide, sla_extension_request
from sla.models import SlaClock
from sla.suspensions import sla_suspension_decide, sla_suspension_end, sla_suspension_request
from sla.timers import sla_sweep
from tickets.core.errors import TicketInputError
from tickets.models import Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # a Wednesday, a working day


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def _running(ticket, milestone):
    return SlaClock.objects.get(ticket=ticket, milestone=milestone, state="running")


def _assigned(org, *, urgency="urgent", when=T0, **upstream):
    with time_machine.travel(when, tick=False):
        return services.ticket_assign(ticket=org.ticket("triage", urgency=urgency, **upstream),
                                      actor=org.centre_dispatcher.user, unit=org.unit,
                                      assignee=org.assignee)


def test_an_upstream_contact_deadline_before_the_ten_minutes_binds_the_contact_clock(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 6))
    contact = _running(ticket, "contact")
    assert contact.due_at == at(2026, 12, 2, 10, 6) and contact.bound_by_upstream
    assert contact.warn_at == at(2026, 12, 2, 10, 4, 48)  # 80 % of the 6 minutes
    assert contact.next_check_at == contact.warn_at
    assert contact.minutes == 10  # the policy's limit is kept; due_at says what binds
    # The other milestones keep the policy's deadlines.
    meet = _running(ticket, "meet")
    assert meet.due_at == at(2026, 12, 2, 10, 30) and not meet.bound_by_upstream
    resolve = _running(ticket, "resolve")
    assert resolve.due_at == at(2026, 12, 3, 10, 0) and not resolve.bound_by_upstream


def test_an_upstream_contact_deadline_after_the_ten_minutes_does_not_bind(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 15))
    contact = _running(ticket, "contact")
    assert contact.due_at == at(2026, 12, 2, 10, 10) and not contact.bound_by_upstream
    assert contact.warn_at == at(2026, 12, 2, 10, 8)


def test_an_upstream_deadline_equal_to_the_policys_is_the_policys(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 10))
    assert not _running(ticket, "contact").bound_by_upstream


def test_an_upstream_resolve_deadline_binds_the_resolve_clock_and_is_warned_before_it(org):
    ticket = _assigned(org, upstream_resolve_due_at=at(2026, 12, 2, 16, 0))
    resolve = _running(ticket, "resolve")
    assert resolve.due_at == at(2026, 12, 2, 16, 0) and resolve.bound_by_upstream
    assert resolve.warn_at == at(2026, 12, 2, 14, 48)  # 80 % of the 6 hours
    # Record contact and meeting so that only the resolve clock is left to act on.
    with time_machine.travel(at(2026, 12, 2, 10, 5), tick=False):
        ticket = services.ticket_record_contact(ticket=ticket, actor=org.assignee.user)
    with time_machine.travel(at(2026, 12, 2, 10, 20), tick=False):
        ticket = services.ticket_record_meeting(ticket=ticket, actor=org.assignee.user)
    assert sla_sweep(now=at(2026, 12, 2, 14, 47)) == 0
    assert sla_sweep(now=at(2026, 12, 2, 14, 48)) == 1
    assert ticket.events.filter(action="sla_warning", payload__milestone="resolve").count() == 1
    assert not ticket.breaches.exists()
    assert sla_sweep(now=at(2026, 12, 2, 16, 0)) == 1
    breach = ticket.breaches.get()
    assert (breach.milestone, breach.due_at) == ("resolve", at(2026, 12, 2, 16, 0))


def test_a_working_time_clock_bound_upstream_is_warned_in_working_time(org):
    # A normal ticket's resolve limit is five working days; the platform wants tomorrow 10:00.
    ticket = _assigned(org, urgency="normal", upstream_resolve_due_at=at(2026, 12, 3, 10, 0))
    resolve = _running(ticket, "resolve")
    assert resolve.due_at == at(2026, 12, 3, 10, 0) and resolve.bound_by_upstream
    # 420 working minutes in between (10-12, 14-18, 9-10); 80 % is 336: 12:00 + 14:00-17:36.
    assert resolve.warn_at == at(2026, 12, 2, 17, 36)


def test_an_upstream_deadline_already_past_warns_and_is_due_at_once(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 9, 50))
    contact = _running(ticket, "contact")
    assert contact.due_at == at(2026, 12, 2, 9, 50) and contact.warn_at == T0
    assert sla_sweep(now=T0) == 1
    assert ticket.breaches.get().milestone == "contact"


def test_a_clock_restarted_by_a_transfer_keeps_the_upstream_deadline(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 6),
                       upstream_resolve_due_at=at(2026, 12, 2, 16, 0))
    with time_machine.travel(at(2026, 12, 2, 10, 3), tick=False):
        moved = services.ticket_transfer(ticket=ticket, actor=org.lead.user,
                                         unit=org.other_unit, assignee=org.other_caseworker,
                                         reason="供水管网归水务")
    contact = _running(moved, "contact")
    assert contact.started_at == at(2026, 12, 2, 10, 3) and contact.unit == org.other_unit
    assert contact.due_at == at(2026, 12, 2, 10, 6) and contact.bound_by_upstream
    assert contact.warn_at == at(2026, 12, 2, 10, 5, 24)  # 80 % of the 3 minutes left
    resolve = _running(moved, "resolve")
    assert resolve.due_at == at(2026, 12, 2, 16, 0) and resolve.bound_by_upstream
    # The meeting clock starts over with the policy's 30 minutes.
    assert _running(moved, "meet").due_at == at(2026, 12, 2, 10, 33)


def test_a_clock_restarted_by_a_reopen_keeps_the_upstream_deadline(org):
    ticket = org.ticket("resolved", urgency="urgent",
                        upstream_resolve_due_at=at(2026, 12, 5, 15, 0))
    with time_machine.travel(at(2026, 12, 5, 9, 0), tick=False):
        reopened = services.ticket_follow_up(ticket=ticket, actor=None,
                                             satisfaction="unsatisfied")
    resolve = _running(reopened, "resolve")
    assert resolve.due_at == at(2026, 12, 5, 15, 0) and resolve.bound_by_upstream
    assert resolve.warn_at == at(2026, 12, 5, 13, 48)


def test_a_suspension_still_moves_a_bound_deadline(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 6))
    with time_machine.travel(at(2026, 12, 2, 10, 1), tick=False):
        asked = sla_suspension_request(ticket=ticket, actor=org.assignee.user,
                                       reason="诉求人电话关机，联系不上")
    with time_machine.travel(at(2026, 12, 2, 10, 2), tick=False):
        suspension = sla_suspension_decide(suspension=asked, actor=org.lead.user, approve=True)
    with time_machine.travel(at(2026, 12, 2, 10, 12), tick=False):
        sla_suspension_end(suspension=suspension, actor=org.assignee.user, note="已接通")
    contact = _running(ticket, "contact")
    assert contact.due_at == at(2026, 12, 2, 10, 16) and contact.bound_by_upstream


def test_an_extension_past_the_upstream_resolve_deadline_is_refused(org):
    ticket = _assigned(org, upstream_resolve_due_at=at(2026, 12, 3, 8, 0))
    assert _running(ticket, "resolve").due_at == at(2026, 12, 3, 8, 0)
    with time_machine.travel(at(2026, 12, 2, 11, 0), tick=False), \
            pytest.raises(TicketInputError) as refused:
        sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="需协调物业",
                              new_due_at=at(2026, 12, 3, 12, 0))
    assert refused.value.field_errors["new_due_at"] == [
        "新的办结时限不能晚于上级平台要求的办结时限（2026-12-03 08:00），上级平台时限不能延期"]
    assert not ticket.extensions.exists()
    assert _running(ticket, "resolve").due_at == at(2026, 12, 3, 8, 0)


def test_an_extension_up_to_the_upstream_deadline_is_allowed_and_then_bound_by_it(org):
    # The policy's 24 hours come first, so the platform's day and a half leaves room.
    ticket = _assigned(org, upstream_resolve_due_at=at(2026, 12, 3, 22, 0))
    resolve = _running(ticket, "resolve")
    assert resolve.due_at == at(2026, 12, 3, 10, 0) and not resolve.bound_by_upstream
    with time_machine.travel(at(2026, 12, 2, 11, 0), tick=False):
        with pytest.raises(TicketInputError):
            sla_extension_request(ticket=ticket, actor=org.assignee.user, reason="需协调物业",
                                  new_due_at=at(2026, 12, 3, 22, 1))
        ext = sla_extension_request(ticket=ticket, actor=org.assignee.user,
                                    reason="需协调物业", new_due_at=at(2026, 12, 3, 22, 0))
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=True, note="同意")
    resolve = _running(ticket, "resolve")
    assert resolve.due_at == at(2026, 12, 3, 22, 0) and resolve.bound_by_upstream


def test_an_extension_is_refused_on_approval_if_it_would_pass_the_upstream_deadline(org):
    ticket = _assigned(org)
    with time_machine.travel(at(2026, 12, 2, 11, 0), tick=False):
        ext = sla_extension_request(ticket=ticket, actor=org.assignee.user,
                                    reason="需协调物业", new_due_at=at(2026, 12, 4, 10, 0))
    # The platform's deadline became known meanwhile (a corrected intake).
    Ticket.objects.filter(pk=ticket.pk).update(upstream_resolve_due_at=at(2026, 12, 3, 20, 0))
    with time_machine.travel(at(2026, 12, 2, 12, 0), tick=False), \
            pytest.raises(TicketInputError, match="上级平台"):
        sla_extension_decide(extension=ext, actor=org.lead.user, approve=True, note="同意")
    ext.refresh_from_db()
    assert ext.state == "pending"
    assert _running(ticket, "resolve").due_at == at(2026, 12, 3, 10, 0)


def test_the_ticket_page_says_which_deadline_is_the_platforms(org):
    ticket = _assigned(org, upstream_contact_due_at=at(2026, 12, 2, 10, 6))
    client = Client()
    client.force_login(org.assignee.user)
    page = client.get(f"/console/tickets/{ticket.number}/").content.decode()
    rows = page.split('class="clocks-table"')[1].split("</table>")[0].split("<tr>")
    contact_row = next(r for r in rows if "联系诉求人" in r)
    meet_row = next(r for r in rows if "约见" in r)
    assert "12-02 10:06" in contact_row and "（上级平台时限）" in contact_row
    assert "（上级平台时限）" not in meet_row
