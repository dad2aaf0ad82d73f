"""Fields the SLA reports read: the first unit, whether the router dispatched alone, and the
working minutes from received to resolved. Existing tickets are filled in from their trail."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BATCH = 1000


def backfill(apps, schema_editor):
    from org.calendar import WorkingCalendar, working_hours_parse

    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    Unit = apps.get_model("dispatch", "Unit")
    Holiday = apps.get_model("dispatch", "Holiday")
    units = dict(Unit.objects.values_list("code", "pk"))
    calendar = WorkingCalendar(working_hours_parse(settings.SLA_WORKING_HOURS),
                               dict(Holiday.objects.values_list("date", "is_workday")))
    first_assign: dict[int, tuple[object, bool]] = {}
    for ticket_id, payload, actor_id in (TicketEvent.objects.filter(action="assign")
                                         .order_by("ticket_id", "pk")
                                         .values_list("ticket_id", "payload", "actor_id")
                                         .iterator(chunk_size=BATCH)):
        if ticket_id not in first_assign:
            first_assign[ticket_id] = (units.get((payload or {}).get("unit")), actor_id is None)
    changed = []
    for ticket in Ticket.objects.only("pk", "received_at", "resolved_at").iterator(
            chunk_size=BATCH):
        unit_id, auto = first_assign.get(ticket.pk, (None, None))
        ticket.first_unit_id = unit_id
        ticket.auto_dispatched = auto if unit_id is not None else None
        ticket.handling_working_minutes = (
            calendar.minutes_between(ticket.received_at, ticket.resolved_at)
            if ticket.resolved_at else None)
        changed.append(ticket)
        if len(changed) >= BATCH:
            Ticket.objects.bulk_update(changed, ["first_unit", "auto_dispatched",
                                                 "handling_working_minutes"])
            changed = []
    if changed:
        Ticket.objects.bulk_update(changed, ["first_unit", "auto_dispatched",
                                             "handling_working_minutes"])


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0003_holiday_make_up_workdays'),
        ('tickets', '0019_event_anonymise'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='auto_dispatched',
            field=models.BooleanField(blank=True, editable=False, null=True, verbose_name='自动派单'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='first_unit',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dispatch.unit', verbose_name='首次派往单位'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='handling_working_minutes',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='办理用时（工作分钟）'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
