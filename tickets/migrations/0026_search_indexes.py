# Placeholder in the chain: the console's search and history pages.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0025_ticket_attachments'),
    ]

    operations = [
    ]
