"""The trail becomes a hash chain (tickets.core.trail): every event carries a hash over its
content and the previous event's hash of its ticket, the ticket the last one. Events written
before are chained here, in the order they were written. TRUNCATE is refused on PostgreSQL and
SQLite gets the append-only triggers PostgreSQL already had (tickets.core.append_only)."""

import hashlib
import json
from datetime import UTC

from django.db import migrations, models

from tickets.core.append_only import append_only_install


def _hash(event, number):
    # The chain's version 1, frozen here: the same content and order as tickets.core.trail.
    at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = ["v1", number, at, event.actor_id, event.actor_label, event.action,
               event.from_state, event.to_state, event.reason, event.payload, event.prev_hash]
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def chain_existing_events(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:  # the append-only trigger would refuse these one-off updates
        schema_editor.execute("ALTER TABLE tickets_ticketevent "
                              "DISABLE TRIGGER tickets_ticketevent_append_only")
    for pk, number in Ticket.objects.order_by("pk").values_list("pk", "number").iterator():
        prev = ""
        events = list(TicketEvent.objects.filter(ticket_id=pk).order_by("pk"))
        for event in events:
            event.prev_hash = prev
            event.hash = prev = _hash(event, number)
        TicketEvent.objects.bulk_update(events, ["prev_hash", "hash"], batch_size=500)
        Ticket.objects.filter(pk=pk).update(trail_head=prev)
    if postgres:
        schema_editor.execute("ALTER TABLE tickets_ticketevent "
                              "ENABLE TRIGGER tickets_ticketevent_append_only")


def install_triggers(apps, schema_editor):
    append_only_install(connection=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0016_ticketevent_first_routing"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="trail_head",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="事件链末端哈希"),
        ),
        migrations.AddField(
            model_name="ticketevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="哈希"),
        ),
        migrations.AddField(
            model_name="ticketevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64,
                                   verbose_name="前一事件哈希"),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
