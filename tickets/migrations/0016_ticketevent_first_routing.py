from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0015_ticket_first_assigned_at'),
    ]

    operations = [
        # For /metrics' routing outcome: COUNT(*) GROUP BY action over the first routing
        # decisions (from_state = 'received'), an index-only scan instead of the whole trail.
        migrations.AddIndex(
            model_name='ticketevent',
            index=models.Index(condition=models.Q(('action__in', ['assign', 'triage']), ('from_state', 'received')), fields=['action'], name='ticketevent_first_routing'),
        ),
    ]
