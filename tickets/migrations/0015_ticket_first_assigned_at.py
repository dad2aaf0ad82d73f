from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery


def first_named_events(TicketEvent: type[models.Model]) -> QuerySet:
    """The trail's events that gave a ticket a named person: an assign or transfer naming one
    (a unit queue names nobody), or a reassign (which always names one)."""
    # payload__assignee=None is JSON null on every backend (its text is "null" on SQLite).
    named = Q(action__in=["assign", "transfer"]) & ~Q(payload__assignee=None)
    return TicketEvent.objects.order_by().filter(named | Q(action="reassign"))


def backfill_first_assigned_at(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    """One UPDATE: each ticket's earliest such event (assigned_at was overwritten since)."""
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    events = first_named_events(TicketEvent).filter(ticket=OuterRef("pk"))
    Ticket.objects.filter(first_assigned_at__isnull=True).filter(Exists(events)).update(
        first_assigned_at=Subquery(events.order_by("at", "id").values("at")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0014_event_reveal_pii'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='first_assigned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='首次派单时间'),
        ),
        migrations.RunPython(backfill_first_assigned_at, migrations.RunPython.noop),
    ]
