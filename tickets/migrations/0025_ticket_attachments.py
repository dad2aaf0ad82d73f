# Placeholder in the chain: photos attached to tickets.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0024_followup_attempts'),
    ]

    operations = [
    ]
