"""The trail is append-only: the ORM and, on PostgreSQL, the database refuse changes."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tickets.models import AppendOnlyError, TicketEvent
from tickets.services import lifecycle as services


@pytest.fixture
def event(org):
    ticket = services.ticket_triage(ticket=org.ticket("received"), actor=None, reason="置信度低")
    return ticket.events.get()


def test_an_event_records_who_when_from_to_action_and_reason(org, event):
    assert (event.action, event.from_state, event.to_state) == ("triage", "received", "triage")
    assert event.actor is None and event.actor_label == "系统"
    assert event.reason == "置信度低" and event.at is not None


def test_a_person_is_named_in_the_event(org):
    ticket = services.ticket_record_contact(ticket=org.ticket("assigned"),
                                            actor=org.assignee.user, note="电话已通")
    event = ticket.events.get()
    assert event.actor == org.assignee.user
    assert "lianhua.cw1" in event.actor_label and event.reason == "电话已通"


def test_saving_an_existing_event_is_refused(event):
    event.reason = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert TicketEvent.objects.get(pk=event.pk).reason == "置信度低"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert TicketEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        TicketEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        TicketEvent.objects.all().delete()
    assert TicketEvent.objects.get(pk=event.pk).reason == "置信度低"


@pytest.mark.postgres
@pytest.mark.parametrize("sql", [
    "UPDATE tickets_ticketevent SET reason = 'x' WHERE id = %s",
    "DELETE FROM tickets_ticketevent WHERE id = %s",
])
def test_the_database_refuses_raw_sql_changes(event, sql):
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert TicketEvent.objects.get(pk=event.pk).reason == "置信度低"


def test_editing_routed_fields_writes_one_event_with_old_and_new_values(org):
    ticket = org.ticket("assigned", urgency="normal")
    ticket = services.ticket_update_routing(
        ticket=ticket, actor=org.lead.user, urgency="urgent", category=["城乡建设", "市政设施"],
        assisting_units=[org.other_unit], reason="涉及燃气管道")
    event = ticket.events.get()
    assert event.action == "edit"
    assert event.payload["changes"] == {
        "urgency": ["normal", "urgent"],
        "category": [["", "", ""], ["城乡建设", "市政设施", ""]],
        "assisting_units": [[], ["water"]],
    }
    assert list(ticket.assisting_units.all()) == [org.other_unit]


def test_an_edit_that_changes_nothing_writes_no_event(org):
    ticket = org.ticket("assigned", urgency="urgent")
    after = services.ticket_update_routing(ticket=ticket, actor=org.lead.user, urgency="urgent")
    assert after.version == ticket.version
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_reassigning_writes_the_previous_and_new_person(org):
    ticket = services.ticket_reassign(ticket=org.ticket("assigned"), actor=org.lead.user,
                                      assignee=org.coworker, reason="原经办人休假")
    assert ticket.assignee == org.coworker
    assert ticket.events.get().payload == {"changes": {"assignee": ["lianhua.cw1", "lianhua.cw2"]}}


def test_the_router_prediction_is_kept_on_the_ticket_and_in_the_trail(org):
    top3 = [{"unit": "street-lianhua", "probability": 0.82}, {"unit": "water", "probability": 0.1}]
    ticket = services.ticket_record_prediction(ticket=org.ticket("received"),
                                               predicted_unit=org.unit, confidence=0.82, top3=top3)
    assert (ticket.predicted_unit, ticket.prediction_confidence) == (org.unit, 0.82)
    assert ticket.prediction_top3 == top3
    assert ticket.events.get().action == "predict"
