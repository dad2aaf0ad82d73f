# The 回访 worklist: calls that reached nobody (未接通) counted on the follow-up task.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0023_event_followup_attempt_attachment'),
    ]

    operations = [
        migrations.AddField(
            model_name='followuptask',
            name='attempts',
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name='未接通次数'),
        ),
        migrations.AddField(
            model_name='followuptask',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近未接通时间'),
        ),
    ]
