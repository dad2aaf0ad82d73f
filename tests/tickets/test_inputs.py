"""Bad input gets a clear, field-level error and changes nothing."""

from __future__ import annotations

import pytest

from tests.factories import ChannelFactory, StaffFactory
from tickets.core.errors import TicketInputError, TransitionConditionFailed
from tickets.models import Ticket, TicketEvent
from tickets.services import lifecycle as services


@pytest.mark.parametrize(("call", "field"), [
    (lambda org, t: services.ticket_return(ticket=t, actor=org.lead.user, reason="  "), "reason"),
    (lambda org, t: services.ticket_reject(ticket=t, actor=None, reason=""), "reason"),
    (lambda org, t: services.ticket_resolve(ticket=t, actor=org.lead.user, reply=""), "reply"),
    (lambda org, t: services.ticket_transfer(ticket=t, actor=org.lead.user, unit=org.other_unit,
                                             assignee=org.other_caseworker, reason=""), "reason"),
    (lambda org, t: services.ticket_follow_up(ticket=t, actor=None, satisfaction="great"),
     "satisfaction"),
])
def test_a_missing_or_invalid_field_is_named(org, call, field):
    ticket = org.ticket({"reason": "assigned", "reply": "met",
                         "satisfaction": "resolved"}.get(field, "assigned"))
    before = Ticket.objects.values().get(pk=ticket.pk)
    with pytest.raises(TicketInputError) as err:
        call(org, ticket)
    assert field in err.value.field_errors
    assert Ticket.objects.values().get(pk=ticket.pk) == before


def test_an_assignee_from_another_unit_is_refused(org):
    ticket = org.ticket("triage")
    with pytest.raises(TicketInputError) as err:
        services.ticket_assign(ticket=ticket, actor=None, unit=org.unit,
                               assignee=org.other_caseworker)
    assert "不属于" in err.value.field_errors["assignee"][0]
    assert Ticket.objects.get(pk=ticket.pk).state == "triage"


def test_a_dispatcher_cannot_be_made_responsible_for_a_ticket(org):
    with pytest.raises(TicketInputError) as err:
        services.ticket_assign(ticket=org.ticket("triage"), actor=None, unit=org.unit,
                               assignee=org.unit_dispatcher)
    assert "assignee" in err.value.field_errors


def test_a_transfer_to_the_same_unit_is_refused(org):
    ticket = org.ticket("assigned")
    with pytest.raises(TicketInputError) as err:
        services.ticket_transfer(ticket=ticket, actor=org.lead.user, unit=org.unit,
                                 assignee=org.coworker, reason="换人")
    assert "unit" in err.value.field_errors
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_merging_into_a_closed_ticket_is_refused(org):
    closed = org.ticket("closed")
    ticket = org.ticket("triage")
    with pytest.raises(TicketInputError) as err:
        services.ticket_merge(ticket=ticket, actor=None, parent=closed)
    assert "parent" in err.value.field_errors
    assert Ticket.objects.get(pk=ticket.pk).state == "triage"


def test_merging_a_ticket_into_itself_is_refused(org):
    ticket = org.ticket("triage")
    with pytest.raises(TicketInputError):
        services.ticket_merge(ticket=ticket, actor=None, parent=ticket)


def test_a_parent_with_duplicates_cannot_itself_be_merged(org):
    parent = org.ticket("assigned")
    services.ticket_merge(ticket=org.ticket("triage"), actor=None, parent=parent)
    with pytest.raises(TransitionConditionFailed) as err:
        services.ticket_merge(ticket=parent, actor=None, parent=org.ticket("assigned"))
    assert "已有其他工单并入" in err.value.message


def test_contact_cannot_be_recorded_on_a_ticket_in_the_unit_queue_without_a_person(org):
    ticket = org.ticket("assigned", unit=org.unit, assignee=None)
    with pytest.raises(TransitionConditionFailed) as err:
        services.ticket_record_contact(ticket=ticket, actor=org.lead.user)
    assert "尚未指定责任人" in err.value.message
    assert Ticket.objects.get(pk=ticket.pk).state == "assigned"


def test_an_inactive_channel_cannot_create_tickets(db):
    channel = ChannelFactory(active=False)
    with pytest.raises(TicketInputError) as err:
        services.ticket_create(channel=channel, external_id="x", title="t", content="c")
    assert "channel" in err.value.field_errors


def test_create_names_every_missing_field_at_once(db):
    with pytest.raises(TicketInputError) as err:
        services.ticket_create(channel=ChannelFactory(), external_id=" ", title="", content=" ",
                               urgency="asap")
    assert set(err.value.field_errors) == {"external_id", "title", "content", "urgency"}


def test_a_reassignment_to_someone_off_the_unit_is_refused(org):
    ticket = org.ticket("assigned")
    with pytest.raises(TicketInputError):
        services.ticket_reassign(ticket=ticket, actor=org.lead.user,
                                 assignee=StaffFactory(unit=org.other_unit))
