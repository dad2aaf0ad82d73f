# Placeholder in the chain: the 回访 worklist (follow-up attempts).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0023_event_followup_attempt_attachment'),
    ]

    operations = [
    ]
